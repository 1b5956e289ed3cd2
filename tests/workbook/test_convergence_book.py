"""Convergence workbooks: recalculated by LibreOffice to the engine figures, Checks at 0."""

import pandas as pd
import pytest
from conftest import write_csv
from libreoffice import read_values, recalculate
from openpyxl import load_workbook

from xlalloc.cli import main
from xlalloc.model.labels import label


def test_converge_multi_year_xlsx_recalculates_in_libreoffice(tmp_path, libreoffice):
    rows = []
    for y in ("2026/27", "2027/28", "2028/29"):
        for org, b, s in (("North", 400, 0.3), ("South", 300, 0.3), ("East", 300, 0.4)):
            rows.append(
                {
                    "org": org,
                    "year": y,
                    "baseline": b if y == "2026/27" else None,
                    "target_share": s,
                }
            )
    inp = write_csv(tmp_path, "orgs.csv", pd.DataFrame(rows))
    totals = write_csv(
        tmp_path,
        "totals.csv",
        pd.DataFrame({"year": ["2026/27", "2027/28", "2028/29"], "total": [1040, 1080, 1120]}),
    )
    out = tmp_path / "out.xlsx"
    assert (
        main(
            [
                "converge",
                str(inp),
                "--totals",
                str(totals),
                "--min-growth",
                "0.0",
                "--max-growth",
                "0.08",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    wb = load_workbook(out)
    assert wb.sheetnames == ["2026-27", "2027-28", "2028-29", "Trajectory", "Policy", "Checks"]
    assert len(wb["Trajectory"]._charts) == 1
    vals = read_values(recalculate(out))
    checks = [r for r in vals["Checks"][1:] if r[0]]
    assert len(checks) == 9 and all(r[1] == 0 for r in checks)
    # Year 1 by hand: core growth 4%: cores 416, 312, 312; targets 312, 312, 416 (DfT
    # +33%, 0%, -25%). Floors 400, 300, 300; caps 432, 324, 324. South is on its target
    # (core 312 = target 312): the guard holds it there. East, furthest below, is capped
    # at 324. North takes the rest, 1040 - 312 - 324 = 404 = (1 - L) x 312: between its
    # floor 400 and its core 416, so it moves toward target; East's (1 - L) x 416 = 539
    # is indeed above its cap. (Without the guard South got 316, past its target.)
    y1 = vals["2026-27"]
    h = y1[0]
    got = {r[h.index(label("org"))]: r[h.index(label("allocation"))] for r in y1[1:4]}
    assert got == {"North": 404, "South": 312, "East": 324}
    assert [r[h.index(label("rule"))] for r in y1[1:4]] == ["level", "core", "cap"]
    total_row = next(r for r in y1 if r[0] == "Total")
    assert total_row[h.index(label("allocation"))] == 1040


def test_table_y1_workbook(tmp_path, libreoffice):
    out = tmp_path / "y1.xlsx"
    assert main(["table-y1", "-o", str(out)]) == 0
    vals = read_values(recalculate(out))
    assert all(r[1] == 0 for r in vals["Checks"][1:] if r[0])
    traj = vals["Trajectory"]
    assert traj[0][:3] == ["Organisation", "Distance from target (baseline)", "2024/25"]
    assert len([r for r in traj[1:44] if r[0]]) == 42
    bsol = next(r for r in traj if r[0] == "Birmingham and Solihull")
    assert bsol[1] == pytest.approx(0.1695, abs=1e-8)
    assert len(load_workbook(out)["Trajectory"]._charts) == 2  # 21 organisations a chart
