"""The rebase workbook: recalculated by LibreOffice, its figures the engine's, its Checks 0
(and not 0 when a part is wrong), printed legibly."""

from __future__ import annotations

import pandas as pd
from libreoffice import body_text_sizes, read_values, recalculate, to_pdf
from openpyxl import load_workbook

from xlalloc.engine.rebase import rebase
from xlalloc.workbook.rebase_book import write_rebase


def _result():
    def practices(rows):
        return pd.DataFrame(rows, columns=["practice_code", "icb_code", "icb_name", "core"]).assign(
            practice_name="Practice"
        )

    old = practices(
        [("P1", "A", "Old A", 100.0), ("P2", "A", "Old A", 200.0), ("P3", "B", "Old B", 50.0)]
    )
    new = practices(
        [("P1", "X", "New X", 1.0), ("P2", "Y", "New Y", 1.0), ("P3", "Y", "New Y", 1.0)]
    )
    given = pd.DataFrame(
        {"icb_code": ["A", "B"], "icb_name": ["Old A", "Old B"], "baseline": [1000.0, 77.0]}
    )
    return given, rebase(old, new, given.set_index("icb_code")["baseline"])


def test_the_workbook_recalculates_to_the_engines_figures_and_checks_0(tmp_path, libreoffice):
    given, result = _result()
    path = write_rebase(tmp_path / "rebased.xlsx", given, result)
    values = read_values(recalculate(path, tmp_path / "lo"))
    assert [r[2] for r in values["Baselines"][1:3]] == [333.0, 667.0 + 77]
    checks = {r[0]: r[1] for r in values["Checks"][3:]}
    assert checks == {
        "Overall check (0 when all is well)": 0,
        "New ICBs' baselines less the old ICBs' (£)": 0,
        "Old ICBs whose parts do not add up to their baseline": 0,
        "Parts a unit or more from their exact share": 0,
    }
    assert "Bridge chart" in values  # A split: its parts are charted
    # A part changed by hand: the checks say so.
    wb = load_workbook(path)
    wb["Bridge"]["I2"] = 340
    wb.save(tmp_path / "edited.xlsx")
    values = read_values(recalculate(tmp_path / "edited.xlsx", tmp_path / "lo2"))
    checks = {r[0]: r[1] for r in values["Checks"][3:]}
    assert checks["New ICBs' baselines less the old ICBs' (£)"] == 7
    assert checks["Old ICBs whose parts do not add up to their baseline"] == 1
    assert checks["Parts a unit or more from their exact share"] == 1
    assert checks["Overall check (0 when all is well)"] == 9


def test_the_workbook_prints_legibly(tmp_path, libreoffice):
    given, result = _result()
    pdf = to_pdf(write_rebase(tmp_path / "rebased.xlsx", given, result), tmp_path / "pdf")
    sizes = body_text_sizes(pdf)
    assert sizes and min(pt for _sheet, pt, _n in sizes) >= 8, sizes
