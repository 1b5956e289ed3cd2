"""The classic xlwings add-in: built from xlwings' own template and verified."""

import zipfile

from conftest import replace_in_part

from xlalloc.cli import main
from xlalloc.excel.addin import build, verify

# The names Excel sees. Renaming any of these turns users' workbooks into #NAME?.


def test_addin_builds_and_passes_structural_checks(tmp_path):
    out = tmp_path / "xlalloc.xlam"
    assert main(["addin", "build", "-o", str(out)]) == 0
    report = verify(out)
    assert report.ok, report.problems
    assert report.callbacks == ["xlallocRibbon.RunMain"]
    assert report.runpython and report.udf_modules == "xlalloc.excel.udfs"
    with zipfile.ZipFile(out) as z:
        assert b'label="xlalloc"' in z.read("customUI/customUI.xml")


def test_addin_verify_catches_a_broken_ribbon(tmp_path):
    good = build(tmp_path / "xlalloc.xlam")
    bad = replace_in_part(
        good,
        tmp_path / "broken.xlam",
        "customUI/customUI.xml",
        b"xlallocRibbon.RunMain",
        b"xlallocRibbon.Missing",
    )
    report = verify(bad)
    assert "ribbon callback xlallocRibbon.Missing is not a VBA Sub" in report.problems
    assert main(["addin", "verify", "-o", str(bad)]) == 1
