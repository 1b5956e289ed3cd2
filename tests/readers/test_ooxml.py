"""A package's structure, read through its own relationships."""

import xlalloc
from xlalloc.readers.archive import read_parts
from xlalloc.readers.ooxml import defined_names, norm_part, resolve_target, sheet_parts


def test_sheets_and_names_of_a_model(tmp_path):
    parts = read_parts(xlalloc.new(tmp_path / "m.xlsx", demo=True))
    names = sheet_parts(parts)
    assert list(names)[:3] == ["Cover", "Policy", "Practices"]
    assert all(p in parts for p in names.values())
    assert defined_names(parts)["min_growth"] == "'Policy'!$B$11"


def test_part_names():
    assert resolve_target("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve_target("xl/worksheets/sheet1.xml", "/xl/media/a.png") == "xl/media/a.png"
    assert norm_part("xl/worksheets/../drawings/./d1.xml") == "xl/drawings/d1.xml"


def test_a_relationship_without_its_target_is_a_damaged_package(tmp_path):
    import pytest

    from xlalloc.engine.errors import InputError

    parts = read_parts(xlalloc.new(tmp_path / "m.xlsx"))
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b' Target="', b' Tarxet="', 1)
    with pytest.raises(InputError, match="a relationship in xl/_rels/workbook.xml.rels has no"):
        sheet_parts(parts)
