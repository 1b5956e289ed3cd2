"""Workbook packages checked before anything reads them."""

import zipfile

import pytest

from xlalloc.engine.errors import InputError
from xlalloc.readers.archive import OLE_SIGNATURE, cell_flags, check_workbook, read_parts


def test_limits_are_checked_before_inflating(tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))
    with pytest.raises(InputError, match="compressed .* to 1; at most 250 to 1 expected"):
        read_parts(bomb)


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "the file is empty (0 bytes)"),
        (
            OLE_SIGNATURE + b"\0" * 100,
            "the workbook is encrypted (password-protected) or in the legacy .xls format",
        ),
        (b"hello", "not an Excel workbook (.xlsx or .xlsm): the file is not a zip package"),
    ],
)
def test_what_a_file_is_not(tmp_path, content, message):
    p = tmp_path / "m.xlsx"
    p.write_bytes(content)
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_workbook(p)


def test_entities_are_refused_in_every_part(tmp_path):
    p = tmp_path / "m.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr(
            "xl/worksheets/sheet1.xml",
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet>&a;</worksheet>',
        )
    with pytest.raises(InputError, match="part xl/worksheets/sheet1.xml declares XML entities"):
        check_workbook(p)


def test_formulas_without_results_and_errors_are_flagged():
    sheet = (
        b'<worksheet><sheetData><row r="5"><c r="B5"><f>1/100</f></c>'
        b'<c r="C5" t="e"><f>VLOOKUP(1,A:A,2)</f><v>#N/A</v></c>'
        b'<c r="D5"><f>1+1</f><v>2</v></c><c r="E5"><v>3</v></c></row></sheetData>'
        b"</worksheet>"
    )
    flags = cell_flags({"s.xml": sheet}, "s.xml")
    assert set(flags) == {(5, 1), (5, 2)}
    assert flags[(5, 1)].startswith("holds a formula with no stored result")
    assert flags[(5, 2)].startswith("holds the Excel error #N/A")


def test_a_header_claiming_an_unknown_zip_version_is_damage_not_a_crash(tmp_path):
    """A byte flipped in a part's header can claim zip version 19.4, which zipfile does
    not implement (NotImplementedError): the file is damaged, said as for any damage."""
    import struct
    import zipfile

    from xlalloc.engine.errors import InputError
    from xlalloc.readers.archive import read_parts

    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>" * 20)
    data = bytearray(path.read_bytes())
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 6, 194)  # "version needed to extract": 19.4
    path.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot read as a workbook package: zip file version"):
        read_parts(path)
