"""``xlalloc converge``: baselines converged toward target, by hand."""

import csv

import pytest
from conftest import write

import xlalloc.api as api
from xlalloc.engine.errors import InputError


def test_converge_one_year_by_hand(tmp_path):
    orgs = write(
        tmp_path / "orgs.csv",
        "org,baseline,target_weight\n"
        + "".join(f"{o},100,{w}\n" for o, w in zip("ABCDE", (16, 18, 20, 22, 24))),
    )
    out = tmp_path / "c.csv"
    run = api.converge(
        orgs, out, total=520, policy={"min_growth": 0.01, "max_growth": 0.06, "band": 0.02}
    )
    # Core growth 4%: C in the band (104), D and E capped (106), A at its floor (101), B
    # the rest: 520 - 104 - 106 - 106 - 101 = 103.
    got = {r["org"]: float(r["allocation"]) for r in csv.DictReader(out.open(encoding="utf-8-sig"))}
    assert got == {"A": 101, "B": 103, "C": 104, "D": 106, "E": 106}
    assert run.path == out and run.summary.endswith(f"wrote {out}")
    assert "core growth 4.00%" in run.summary
    # Counted in words, not a Python dict.
    assert "rules: cap 2, floor 1, level 1, band 1" in run.summary


def test_converge_needs_a_total_named_as_an_option(tmp_path):
    orgs = write(tmp_path / "o.csv", "org,baseline,target_share\nA,100,0.5\nB,100,0.5\n")
    with pytest.raises(InputError, match="give `total` \\(the amount available\\)"):
        api.converge(orgs, tmp_path / "c.csv")


def test_the_trajectory_csv_keeps_every_figure_in_full(tmp_path):
    """The distance at baseline is a share like the years beside it: never rounded to
    pence as money was (A's 1/3 above target was written 0.33)."""
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(
        "org,year,baseline,target_share\nA,2026/27,400,0.3\nB,2026/27,350,0.35\n"
        "C,2026/27,250,0.35\nA,2027/28,,0.3\nB,2027/28,,0.35\nC,2027/28,,0.35\n"
    )
    totals = tmp_path / "totals.csv"
    totals.write_text("year,total\n2026/27,1050\n2027/28,1080\n")
    api.converge(orgs, tmp_path / "c.csv", totals=totals)
    rows = (tmp_path / "c-trajectory.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "org,dft_baseline,2026/27,2027/28"
    # A: baseline 400 of 1,000 against a target share of 0.3: 400 / 300 - 1 = 1/3.
    assert float(rows[1].split(",")[1]) == pytest.approx(1 / 3, rel=1e-15)
