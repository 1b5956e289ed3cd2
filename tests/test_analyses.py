"""The analyses on files, through the Python API: figures by hand, options by name."""

import csv

import pytest

import xlalloc.api as api
from xlalloc.engine.errors import InputError


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


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


def test_levelling_up_by_hand(tmp_path):
    funding = write(
        tmp_path / "f.csv", "org,funding,need,cap\nA,800,10,100\nB,900,10,\nC,1000,10,\n"
    )
    run = api.levelling_up(funding, tmp_path / "lu.csv", pot=250)
    # A is capped at 100; B and C share 150 to one level: (10L - 900) + (10L - 1000) = 150,
    # L = 102.5: B 125, C 25.
    pay = dict(zip(run.tables["Levelling up"]["org"], run.tables["Levelling up"]["payment"]))
    assert pay == {"A": 100, "B": 125, "C": 25}
    assert run.summary.startswith("level £102.50 per unit of need; 3 of 3")


def test_equity_by_hand(tmp_path):
    units = write(
        tmp_path / "u.csv",
        "unit,population,need,spend\nA,100,100,100\nB,100,200,200\nC,100,100,300\n",
    )
    run = api.equity(units, tmp_path / "e.xlsx")
    # Expected spend = need / 400 × 600: 150, 300, 150; A and B get 2/3 of it.
    table = run.tables["Units"].set_index("unit")
    assert list(table["expected"]) == [150, 300, 150]
    assert run.summary.startswith("3 units; 66.7% of the population in underserved units")
    assert (tmp_path / "e.xlsx").exists()


def test_targets_share_the_budget_exactly(tmp_path):
    run = api.targets("demo", tmp_path / "t.csv", budget=2_516_000_000)
    table = run.tables["Targets"]
    places = table[table["level"] == "place"]
    assert places["target"].sum() == 2_516_000_000
    prov = run.tables["Provenance"].set_index("item")
    assert prov.loc["check status", "value"] == "all checks 0"
    assert (tmp_path / "t-provenance.csv").exists()


def test_bad_options_are_named_by_their_keyword_and_nothing_is_written(tmp_path):
    with pytest.raises(InputError) as e:
        api.targets("demo", tmp_path / "t.csv", budget="lots", component="teeth")
    text = str(e.value)
    assert "`budget`" in text and "`component`" in text
    assert not (tmp_path / "t.csv").exists()


def test_settings_out_of_bounds_are_input_errors_not_crashes(tmp_path):
    units = write(tmp_path / "u.csv", "unit,population,need,spend\nA,1,1,1\nB,1,2,1\n")
    with pytest.raises(InputError, match="`tolerance`"):
        api.equity(units, tmp_path / "e.csv", tolerance=-0.1)
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,1,1\nB,2,1\n")
    with pytest.raises(InputError, match="`pot`"):
        api.levelling_up(funding, tmp_path / "lu.csv", pot=-100)


def test_an_existing_output_is_kept_without_overwrite(tmp_path):
    out = write(tmp_path / "lu.csv", "mine\n")
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,1,1\nB,2,1\n")
    with pytest.raises(InputError, match="exists; pass `overwrite` to replace it"):
        api.levelling_up(funding, out, pot=1)
    assert out.read_text() == "mine\n"
    api.levelling_up(funding, out, pot=1, overwrite=True)
    assert out.read_text() != "mine\n"


NHSE_HEADER = (
    "Practice_Code,GP_Practice_Name,ICB,ICBname,LAD,LADname,Registered Patients,G&A WP,CS WP,"
    "MH WP,Mat WP,Health Ineq WP,Prescr WP,Core WP,Primary Medical Care WP,Final PMC WP\n"
)


def test_footprint_follows_practices_to_the_new_organisations(tmp_path):
    # 2025/26: both practices in Q1. 2026/27: P2 has moved to Q2.
    def practices(year, second_icb):
        rows = [("P1", "Q1", 1000.0), ("P2", second_icb, 3000.0)]
        text = NHSE_HEADER + "".join(
            f"{code},Practice {code},{icb},ICB {icb},E1,Place,{wp},"
            + ",".join([str(wp)] * 9)
            + "\n"
            for code, icb, wp in rows
        )
        return write(tmp_path / f"practices_{year}_{year + 1}.csv", text)

    old, new = practices(2025, "Q1"), practices(2026, "Q2")
    run = api.footprint(old, new, tmp_path / "f.csv")
    table = run.tables["Footprint"]
    assert run.summary.startswith("2 new organisations from 1; 0 practice(s)")
    # The old year's core weighted population on the new organisations: 1,000 and 3,000.
    assert sorted(table.filter(like="core").iloc[:, 0]) == [1000.0, 3000.0]


def test_table_y1_through_the_api(tmp_path):
    run = api.table_y1(tmp_path / "y1.csv")
    years = run.tables["convergence"]["year"].unique().tolist()
    assert years == ["2024/25", "2025/26", "2026/27", "2027/28", "2028/29"]
    # Each year's allocations sum to that year's total exactly.
    for _, year in run.tables["convergence"].groupby("year"):
        assert year["allocation"].sum() == round(year["allocation"].sum())
    assert (tmp_path / "y1-trajectory.csv").exists()


def test_demo_ledger_and_pack_template_through_the_api(tmp_path):
    from conftest import demo_model

    model = demo_model(tmp_path / "m.xlsx")
    run = api.demo_ledger(model, tmp_path / "l.csv", style="isfe", month=3)
    assert (
        run.summary
        == f"wrote {tmp_path / 'l.csv'} and its cost-centre map {tmp_path / 'l-map.csv'}"
    )
    periods = set(run.tables["ledger"]["Period"])
    assert {"APR-26", "MAY-26", "JUN-26"} <= periods and "JUL-26" not in periods
    with pytest.raises(InputError, match="`month`"):
        api.demo_ledger(model, tmp_path / "l2.csv", month=13)
    out = api.pack_template(tmp_path / "PACK.xlsx").path
    with pytest.raises(InputError, match="exists; pass `overwrite`"):
        api.pack_template(out)
    with pytest.raises(InputError, match="expected one of .xlsx"):
        api.pack_template(tmp_path / "PACK.csv")


def test_compare_writes_its_changes_when_given_an_output(tmp_path):
    from conftest import demo_model

    old = demo_model(tmp_path / "old.xlsx")
    new = tmp_path / "new.xlsx"
    import xlalloc

    xlalloc.run(old, new, scenario={"pace": "0.5"})
    comparison = api.compare(old, new, tmp_path / "changes.csv")
    assert comparison.written == tmp_path / "changes.csv"
    assert (tmp_path / "changes-places.csv").exists()
    assert api.compare(old, new).written is None  # nothing written without an output


def test_monte_carlo_options_need_uncertainty_and_a_seed_is_never_a_percentage(tmp_path):
    out = tmp_path / "t.csv"
    with pytest.raises(InputError) as e:
        api.targets("demo", out, seed=7, draws=500)
    assert str(e.value).endswith(
        "`draws` and `seed` set the Monte Carlo of the target intervals: add "
        "`uncertainty` U (e.g. 0.0255)"
    )
    with pytest.raises(InputError) as e:
        api.targets("demo", out, uncertainty=0.0255, seed=-1)
    assert "greater than or equal to 0" in str(e.value) and "did you mean" not in str(e.value)
    assert not out.exists()


def test_targets_by_former_icb_and_what_it_needs(tmp_path, shared_dir):
    import csv

    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    out = tmp_path / "t02.csv"
    result = api.targets(new, out, icb="T02", places_by="former_icb", former=old)
    got = result.tables["Targets"].set_index("name")
    # T02 NHS Essex from its three predecessors, each index from the raw files by hand.
    with open(old, encoding="utf-8-sig", newline="") as f:
        former = {r["Practice_Code"]: r["ICBname"] for r in csv.DictReader(f)}
    with open(new, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["ICB"] == "T02"]
    pop = {k: 0.0 for k in set(former[r["Practice_Code"]] for r in rows)}
    wp = dict(pop)
    for r in rows:
        pop[former[r["Practice_Code"]]] += float(r["Registered Patients"])
        wp[former[r["Practice_Code"]]] += float(r["Core WP"])
    rate = sum(wp.values()) / sum(pop.values())
    places = got[got["level"] == "place"]
    assert sorted(places.index) == sorted(pop) and len(pop) == 3
    for name in pop:
        assert places.loc[name, "core_index"] == pytest.approx(wp[name] / pop[name] / rate)
    assert (tmp_path / "t02-places.png").exists()
    with pytest.raises(InputError, match="former_icb takes each practice's ICB from an earlier"):
        api.targets(new, tmp_path / "a.csv", icb="T02", places_by="former_icb")
    with pytest.raises(InputError, match="add `places_by` former_icb"):
        api.targets(new, tmp_path / "b.csv", icb="T02", former=old)
    # A practice the earlier file does not list has no former ICB: named.
    lines = old.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    short = tmp_path / "short_2025_2026.csv"
    short.write_text("".join(line for line in lines if ",QH8," not in line), encoding="utf-8")
    with pytest.raises(InputError, match=r"145 practice\(s\) are not in short_2025_2026.csv"):
        api.targets(new, tmp_path / "c.csv", icb="T02", places_by="former_icb", former=short)
    # Without an ICB, a former ICB split between new ones is refused as a place.
    with pytest.raises(InputError, match="place 'NHS Frimley ICB' spans more than one ICB"):
        api.targets(new, tmp_path / "d.csv", places_by="former_icb", former=old)


def test_the_readmes_merger_example_runs_as_written(tmp_path, shared_dir, libreoffice):
    # README: rebase the 42 old ICBs' baselines, build T02 NHS Essex with its three
    # predecessors as places, give each place its part of the bridge, and run.
    import pandas as pd
    from libreoffice import read_values, recalculate
    from openpyxl import load_workbook

    from xlalloc.cli import main
    from xlalloc.readers import nhse

    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    icbs = nhse.load_practices(old).groupby("icb_code")["core"].sum()
    baselines = tmp_path / "BASELINES.csv"
    pd.DataFrame({"icb": icbs.index, "baseline": (icbs * 1900).round()}).to_csv(
        baselines, index=False
    )
    rebased = tmp_path / "rebased.xlsx"
    assert (
        main(["rebase", str(old), str(new), "--baselines", str(baselines), "-o", str(rebased)]) == 0
    )
    values = read_values(recalculate(rebased, tmp_path / "lo1"))
    assert values["Checks"][3] == ["Overall check (0 when all is well)", 0]
    model = tmp_path / "essex.xlsx"
    args = ["new", str(model), "--icb", "T02", "--places-by", "former_icb"]
    assert main([*args, "--practices", str(old), "--practices", str(new)]) == 0
    bridge = pd.DataFrame(values["Bridge"][1:], columns=values["Bridge"][0])
    parts = bridge[bridge["New ICB code"] == "T02"]
    assert sorted(parts["Old ICB code"]) == ["QH8", "QJG", "QM7"]
    wb = load_workbook(model)
    for i, (place, amount) in enumerate(zip(parts["Old ICB"], parts["Amount (£)"])):
        wb["Baselines"].cell(row=5 + i, column=1, value=place)
        wb["Baselines"].cell(row=5 + i, column=2, value=amount)
    total = float(parts["Amount (£)"].sum())
    for j, v in enumerate(["All services", "Other programme costs", round(total * 1.03), True]):
        wb["Budget"].cell(row=5, column=1 + j, value=v)
    for i, (y, t) in enumerate((("2025/26", total * 1.03), ("2026/27", total * 1.06))):
        wb["Totals"].cell(row=5 + i, column=1, value=y)
        wb["Totals"].cell(row=5 + i, column=2, value=round(t))
    wb.save(model)
    assert main(["run", str(model)]) == 0
    out = tmp_path / "essex-results.xlsx"
    values = read_values(recalculate(out, tmp_path / "lo2"))
    overall = next(
        r for r in values["Checks"] if r and r[0] == "Overall check (0 when all is well)"
    )
    assert overall[1] == 0


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
