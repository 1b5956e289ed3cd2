"""The classic xlwings add-in: xlwings' own ribbon add-in, its VBA byte for byte."""

import errno
import os
import zipfile

import pytest
from conftest import replace_in_part, sha

from xlalloc.cli import main
from xlalloc.excel.addin import (
    RIBBON_PART,
    SETTINGS_PART,
    VBA_PART,
    build,
    quickstart_addin,
    verify,
)


def _run(argv, capsys):
    try:
        rc = main(argv)
    except SystemExit as e:
        rc = e.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return rc, out.err + out.out


def test_the_addin_is_xlwings_template_with_only_the_ribbon_and_settings_changed(tmp_path, capsys):
    out = tmp_path / "xlalloc.xlam"
    rc, text = _run(["addin", "build", "-o", str(out)], capsys)
    assert rc == 0, text
    report = verify(out)
    assert report.ok, report.problems
    # The VBA project is xlwings' own, read from the installed xlwings' template here
    # (not by xlalloc's code): the same bytes.
    with zipfile.ZipFile(quickstart_addin()) as t, zipfile.ZipFile(out) as z:
        assert z.read(VBA_PART) == t.read(VBA_PART)
        changed = [p for p in t.namelist() if z.read(p) != t.read(p)]
        assert sorted(changed) == sorted([RIBBON_PART, SETTINGS_PART])
        assert b'label="xlalloc"' in z.read(RIBBON_PART)
    # The ribbon calls the template's own Sub, which imports the file's name: xlalloc.
    assert report.callbacks == ["RibbonMyAddin.RunMain"]
    assert "RibbonMyAddin.RunMain" in report.vba_subs
    assert report.udf_modules == "xlalloc.excel.udfs"
    assert f"SHA-256 {report.template_vba_sha256[:12]}" in text


def test_the_template_ribbon_module_runs_the_addins_file_name(tmp_path):
    # What the byte-for-byte claim rests on: xlwings' RunMain imports the add-in's name.
    from oletools.olevba import VBA_Parser

    vba = VBA_Parser(str(quickstart_addin()))
    try:
        code = {name: text for (_f, _s, name, text) in vba.extract_macros()}
    finally:
        vba.close()
    text = code["RibbonMyAddin.bas"]
    assert "mymodule = Left(ThisWorkbook.Name" in text
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in text


def test_any_other_name_is_refused_with_the_reason(tmp_path, capsys):
    model = tmp_path / "model.xlsx"
    model.write_bytes(b"a model")
    for name in ("my-addin.xlam", "Xlalloc.xlam", "model.xlsx"):
        rc, text = _run(["addin", "build", "-o", str(tmp_path / name)], capsys)
        assert rc == 2 and f"the add-in must be named xlalloc.xlam, not {name}" in text, text
        assert "import <the add-in's file name>" in text
    assert model.read_bytes() == b"a model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.xlsx"]


def test_the_one_output_rule(tmp_path, capsys, monkeypatch):
    out = tmp_path / "xlalloc.xlam"
    out.write_bytes(b"an older add-in")
    rc, text = _run(["addin", "build", "-o", str(out)], capsys)
    assert rc == 2 and "exists; pass --force to replace it" in text
    assert out.read_bytes() == b"an older add-in"
    # A full disk mid-write: the old add-in stays, nothing half-written is left.
    monkeypatch.setattr("builtins.open", _failing_open(open))
    rc, text = _run(["addin", "build", "-o", str(out), "--force"], capsys)
    monkeypatch.undo()
    assert rc == 2 and "the disk is full; xlalloc.xlam was left as it was" in text, text
    assert out.read_bytes() == b"an older add-in"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xlalloc.xlam"]
    rc, _ = _run(["addin", "build", "-o", str(out), "--force"], capsys)
    assert rc == 0 and verify(out).ok


def _failing_open(real_open):
    """``open`` whose writes to xlalloc's temporary files fail as on a full disk."""

    class Full:
        def __init__(self, f):
            self._f = f

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

    def fake(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        return Full(f) if "w" in mode and "xlalloc" in os.path.basename(str(file)) else f

    return fake


@pytest.mark.parametrize(
    "part,old,new,problem",
    [
        (
            RIBBON_PART,
            b"RibbonMyAddin.RunMain",
            b"RibbonMyAddin.Missing",
            "ribbon callback RibbonMyAddin.Missing is not a VBA Sub",
        ),
        (
            "xl/styles.xml",
            b"<fonts",
            b"<fonts ",
            "xl/styles.xml is not xlwings' template's, byte for byte",
        ),
    ],
)
def test_verify_catches_a_changed_part(tmp_path, capsys, part, old, new, problem):
    good = build(tmp_path / "xlalloc.xlam")
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    bad = replace_in_part(good, bad_dir / "xlalloc.xlam", part, old, new)
    assert problem in verify(bad).problems
    rc, text = _run(["addin", "verify", "-o", str(bad)], capsys)
    assert rc == 1 and problem in text


def test_verify_catches_a_vba_project_that_is_not_xlwings(tmp_path):
    good = build(tmp_path / "xlalloc.xlam")
    with zipfile.ZipFile(good) as z:
        parts = {i: z.read(i.filename) for i in z.infolist()}
    bad = tmp_path / "bad" / "xlalloc.xlam"
    bad.parent.mkdir()
    with zipfile.ZipFile(bad, "w") as z:
        for info, data in parts.items():
            if info.filename == VBA_PART:
                data = data[:-1] + bytes([data[-1] ^ 1])
            z.writestr(info, data)
    assert sha(bad) != sha(good)
    assert "xl/vbaProject.bin is not xlwings' template's, byte for byte" in verify(bad).problems
