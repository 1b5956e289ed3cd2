"""The converge, table-y1, targets (xlsx) and footprint commands, end to end."""

import pandas as pd
import pytest
from libreoffice import read_values, recalculate
from openpyxl import load_workbook

from xlalloc.cli import main


def _write(tmp_path, name, df):
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


def test_converge_csv_by_hand(tmp_path):
    inp = _write(tmp_path, "orgs.csv", pd.DataFrame({
        "org": list("ABCDE"), "baseline": [100] * 5,
        "target_weight": [16, 18, 20, 22, 24]}))
    out = tmp_path / "out.csv"
    assert main(["converge", str(inp), "--total", "520", "--min-growth", "0.01",
                 "--max-growth", "0.06", "--band", "0.02", "-o", str(out)]) == 0
    t = pd.read_csv(out)
    assert list(t.columns[:9]) == ["org", "baseline", "target_share", "target", "dft_before",
                                   "growth", "allocation", "dft_after", "rule"]
    assert t["allocation"].tolist() == [101, 103, 104, 106, 106]
    assert t["rule"].tolist() == ["floor", "level", "band", "cap", "cap"]


def test_converge_hcdd_and_errors(tmp_path, capsys):
    inp = _write(tmp_path, "orgs.csv", pd.DataFrame({
        "org": list("ABCDE"), "baseline": [100] * 5,
        "target_share": [0.16, 0.18, 0.20, 0.22, 0.24], "hcdd_baseline": [20, 2, 30, 10, 40]}))
    out = tmp_path / "out.csv"
    assert main(["converge", str(inp), "--total", "520", "--min-growth", "0.01",
                 "--max-growth", "0.06", "--band", "0.02", "--hcdd-growth", "0.1",
                 "--cost-uplift", "0.03", "-o", str(out)]) == 0
    t = pd.read_csv(out).set_index("org")
    assert t.loc["B", "hcdd_contribution"] == 3 and t.loc["B", "remaining_allocation"] == 100
    assert main(["converge", str(inp), "--total", "500", "--min-growth", "0.01",
                 "-o", str(out)]) == 2
    assert "infeasible policy: the floors need £505" in capsys.readouterr().err
    assert main(["converge", str(inp), "--total", "520", "--method", "pace",
                 "-o", str(out)]) == 2
    assert "method 'pace' needs pace" in capsys.readouterr().err


def test_converge_multi_year_xlsx_recalculates_in_libreoffice(tmp_path, libreoffice):
    rows = []
    for y in ("2026/27", "2027/28", "2028/29"):
        for org, b, s in (("North", 400, 0.3), ("South", 300, 0.3), ("East", 300, 0.4)):
            rows.append({"org": org, "year": y, "baseline": b if y == "2026/27" else None,
                         "target_share": s})
    inp = _write(tmp_path, "orgs.csv", pd.DataFrame(rows))
    totals = _write(tmp_path, "totals.csv", pd.DataFrame(
        {"year": ["2026/27", "2027/28", "2028/29"], "total": [1040, 1080, 1120]}))
    out = tmp_path / "out.xlsx"
    assert main(["converge", str(inp), "--totals", str(totals), "--min-growth", "0.0",
                 "--max-growth", "0.08", "-o", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["2026-27", "2027-28", "2028-29", "Trajectory", "Policy", "Checks"]
    assert len(wb["Trajectory"]._charts) == 1
    vals = read_values(recalculate(out))
    checks = [r for r in vals["Checks"][1:] if r[0]]
    assert len(checks) == 9 and all(r[1] == 0 for r in checks)
    # Year 1 by hand: targets 312, 312, 416 (DfT +28%, -3.8%, -27.9%). Floors 400, 300, 300;
    # caps 432, 324, 324. East, furthest below, is capped at 324; North stays at its floor
    # 400; South takes the rest, 1040 - 400 - 324 = 316 = (1 - L) x 312, within its bounds,
    # and East's (1 - L) x 416 = 421 is indeed above its cap.
    y1 = vals["2026-27"]
    h = y1[0]
    got = {r[h.index("org")]: r[h.index("allocation")] for r in y1[1:4]}
    assert got == {"North": 400, "South": 316, "East": 324}
    assert [r[h.index("rule")] for r in y1[1:4]] == ["floor", "level", "cap"]
    total_row = next(r for r in y1 if r[0] == "Total")
    assert total_row[h.index("allocation")] == 1040


def test_table_y1_workbook(tmp_path, libreoffice):
    out = tmp_path / "y1.xlsx"
    assert main(["table-y1", "-o", str(out)]) == 0
    vals = read_values(recalculate(out))
    assert all(r[1] == 0 for r in vals["Checks"][1:] if r[0])
    traj = vals["Trajectory"]
    assert traj[0][:3] == ["org", "dft_baseline", "2024/25"]
    assert len([r for r in traj[1:] if r[0]]) == 42
    bsol = next(r for r in traj if r[0] == "Birmingham and Solihull")
    assert bsol[1] == pytest.approx(0.1695, abs=1e-8)
    assert len(load_workbook(out)["Trajectory"]._charts) == 1


def test_targets_xlsx_opens_in_libreoffice(tmp_path, libreoffice):
    out = tmp_path / "t.xlsx"
    assert main(["targets", "demo", "--budget", "2516000000", "--round", "nhse",
                 "-o", str(out)]) == 0
    vals = read_values(recalculate(out))["Targets"]
    header = vals[0]
    rows = [r for r in vals[1:] if r[0] == "place"]
    assert len(rows) == 3
    assert sum(r[header.index("target")] for r in rows) == 2_516_000_000
    assert all(r[header.index("core_index")] == round(r[header.index("core_index")], 3)
               for r in rows)


def test_footprint_command(tmp_path, shared_dir):
    out = tmp_path / "f.csv"
    assert main(["footprint",
                 str(shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"),
                 str(shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"),
                 "-o", str(out)]) == 0
    t = pd.read_csv(out)
    assert len(t) == 36 and (t["n_predecessors"] >= 1).all()
