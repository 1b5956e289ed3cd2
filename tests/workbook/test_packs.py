"""The pack template: named places, regenerated, opens in LibreOffice."""

import shutil

from conftest import ROOT
from libreoffice import read_values, recalculate
from openpyxl import load_workbook


def test_committed_pack_template_is_up_to_date():
    from xlalloc.workbook.packs import (
        ANCHORS,
        CELLS,
        OPTIONAL_ANCHORS,
        OPTIONAL_CELLS,
        build_template,
    )

    fresh = build_template()
    committed = load_workbook(ROOT / "templates" / "PACK.xlsx")
    assert fresh.sheetnames == committed.sheetnames
    assert (
        set(fresh.defined_names)
        == set(committed.defined_names)
        == set(CELLS + ANCHORS)
        | {"pack_messages", "months_table", "months_chart", "pack_unit", "bridge_table"}
    )
    # Named places of older templates, still filled where a template has them.
    assert set(OPTIONAL_CELLS + OPTIONAL_ANCHORS) - set(fresh.defined_names) == (
        {"pack_prepared", "pack_run_at", "pack_sources", "pack_checks", "variance_chart"}
    )
    for ws in fresh:
        assert [[c.value for c in r] for r in ws.iter_rows()] == [
            [c.value for c in r] for r in committed[ws.title].iter_rows()
        ]


def test_pack_template_opens_in_libreoffice(tmp_path, libreoffice):
    tpl = tmp_path / "PACK.xlsx"
    shutil.copy(ROOT / "templates" / "PACK.xlsx", tpl)
    vals = read_values(recalculate(tpl))
    assert list(vals) == ["Summary", "Programmes", "Target"]
    assert vals["Summary"][4][0] == "Key messages"
