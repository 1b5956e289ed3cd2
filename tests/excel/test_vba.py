"""The add-in's VBA project, rewritten: read back by olefile, oletools and LibreOffice."""

from __future__ import annotations

import io
import zipfile

import olefile
import pytest
from conftest import replace_in_part
from hypothesis import given, settings
from hypothesis import strategies as st
from libreoffice import soffice
from oletools.olevba import VBA_Parser, decompress_stream

from xlalloc.excel.addin import build, quickstart_addin
from xlalloc.excel.vba import (
    RIBBON_MODULE,
    RIBBON_SOURCE,
    compress,
    rewrite_project,
    write_compound_file,
)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=9000),
        st.text(alphabet='Sub End RunPython "import"\r\n\'xl', max_size=12000).map(
            lambda t: t.encode("latin-1")
        ),
    )
)
def test_compression_round_trips_through_oletools(data):
    # oletools' decompressor (what malware analysts use on every Office file) is the reference.
    packed = compress(data)
    assert bytes(decompress_stream(bytearray(packed))) == data
    if len(data) > 200 and data.count(data[:20]) > 3:
        assert len(packed) < len(data)  # repeats are copied, not stored again


RED, BLACK = 0, 1  # [MS-CFB] 2.6.1 colour flags


def _black_heights(ole, sid):
    """Black nodes on each path from ``sid`` to an empty link; asserts no red node has a
    red child."""
    if sid == olefile.NOSTREAM:
        return {0}
    e = ole.direntries[sid]
    for child in (e.sid_left, e.sid_right):
        if e.color == RED and child != olefile.NOSTREAM:
            assert ole.direntries[child].color == BLACK
    below = _black_heights(ole, e.sid_left) | _black_heights(ole, e.sid_right)
    return {h + (e.color == BLACK) for h in below}


@pytest.mark.parametrize("n_streams", [1, 2, 3, 7, 12])
def test_compound_file_reads_back_with_olefile(n_streams):
    streams = {f"VBA/s{k:02d}": bytes([k]) * (k * 900) for k in range(n_streams)}
    streams["PROJECT"] = b'Name="x"\r\n'
    streams["VBA/empty"] = b""
    ole = olefile.OleFileIO(io.BytesIO(write_compound_file(streams)))
    got = {
        "/".join(p): ole.openstream("/".join(p)).read()
        for p in ole.listdir(streams=True, storages=False)
    }
    assert got == streams
    for e in ole.direntries:
        if e is not None and e.sid_child != olefile.NOSTREAM:
            assert len(_black_heights(ole, e.sid_child)) == 1  # a valid red-black tree


def _modules(vba_bin):
    parser = VBA_Parser("vbaProject.bin", data=vba_bin)
    try:
        return {name: text for _f, _s, name, text in parser.extract_macros()}
    finally:
        parser.close()


def test_rewrite_keeps_every_xlwings_module_and_replaces_the_ribbon():
    original = zipfile.ZipFile(quickstart_addin()).read("xl/vbaProject.bin")
    new = rewrite_project(original)
    before, after = _modules(original), _modules(new)
    assert "RibbonMyAddin.bas" in before and "RibbonMyAddin.bas" not in after
    assert after.pop(f"{RIBBON_MODULE}.bas").replace("\r\n", "\n") == RIBBON_SOURCE.replace(
        "\r\n", "\n"
    )
    before.pop("RibbonMyAddin.bas")
    assert after == before  # xlwings' RunPython and the rest, unchanged
    project = olefile.OleFileIO(io.BytesIO(new)).openstream("PROJECT").read().decode()
    assert f"Module={RIBBON_MODULE}\r\n" in project and 'Name="xlalloc"' in project
    assert "MyAddin" not in project
    with pytest.raises(ValueError, match="no RibbonMyAddin module"):
        rewrite_project(new)


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_imports_the_rewritten_project(tmp_path, libreoffice):
    import subprocess

    addin = build(tmp_path / "any name at all.xlam")
    # LibreOffice opens workbooks, not add-ins: the same parts as a macro workbook.
    book = replace_in_part(
        addin,
        tmp_path / "as-workbook.xlsm",
        "[Content_Types].xml",
        b"ms-excel.addin.macroEnabled",
        b"ms-excel.sheet.macroEnabled",
    )
    subprocess.run(
        [
            libreoffice,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with zipfile.ZipFile(tmp_path / "as-workbook.ods") as z:
        basic = {n: z.read(n).decode() for n in z.namelist() if n.startswith("Basic/xlalloc/")}
    module = basic[f"Basic/xlalloc/{RIBBON_MODULE}.xml"]
    assert "RunPython &quot;import xlalloc; xlalloc.main()&quot;" in module
    assert "Basic/xlalloc/xlwings.xml" in basic
