"""The pack template: named places, regenerated, opens in LibreOffice."""

import shutil

from conftest import ROOT
from libreoffice import read_values, recalculate
from openpyxl import load_workbook


def test_committed_pack_template_is_up_to_date():
    from xlalloc.workbook.packs import ANCHORS, CELLS, OPTIONAL_CELLS, build_template

    fresh = build_template()
    committed = load_workbook(ROOT / "templates" / "PACK.xlsx")
    assert fresh.sheetnames == committed.sheetnames
    assert (
        set(fresh.defined_names)
        == set(committed.defined_names)
        == set(CELLS + ANCHORS + OPTIONAL_CELLS)
    )
    for ws in fresh:
        assert [[c.value for c in r] for r in ws.iter_rows()] == [
            [c.value for c in r] for r in committed[ws.title].iter_rows()
        ]


def test_pack_template_opens_in_libreoffice(tmp_path, libreoffice):
    tpl = tmp_path / "PACK.xlsx"
    shutil.copy(ROOT / "templates" / "PACK.xlsx", tpl)
    vals = read_values(recalculate(tpl))
    assert list(vals) == ["Cover", "Summary", "Programmes", "Targets", "Convergence", "Notes"]
    assert vals["Cover"][1][0] == "Monthly finance report"
