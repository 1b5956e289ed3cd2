"""The converge, table-y1, targets (xlsx) and footprint commands, end to end."""

import pandas as pd
import pytest
from conftest import sha, write_csv
from libreoffice import read_values, recalculate

from xlalloc.cli import main
from xlalloc.model.labels import label


def test_converge_csv_by_hand(tmp_path):
    inp = write_csv(
        tmp_path,
        "orgs.csv",
        pd.DataFrame(
            {"org": list("ABCDE"), "baseline": [100] * 5, "target_weight": [16, 18, 20, 22, 24]}
        ),
    )
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "converge",
                str(inp),
                "--total",
                "520",
                "--min-growth",
                "0.01",
                "--max-growth",
                "0.06",
                "--band",
                "0.02",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    t = pd.read_csv(out)
    assert list(t.columns[:9]) == [
        "org",
        "baseline",
        "target_share",
        "target",
        "dft_before",
        "growth",
        "allocation",
        "dft_after",
        "rule",
    ]
    assert t["allocation"].tolist() == [101, 103, 104, 106, 106]
    assert t["rule"].tolist() == ["floor", "level", "band", "cap", "cap"]


def test_converge_hcdd_and_errors(tmp_path, capsys):
    inp = write_csv(
        tmp_path,
        "orgs.csv",
        pd.DataFrame(
            {
                "org": list("ABCDE"),
                "baseline": [100] * 5,
                "target_share": [0.16, 0.18, 0.20, 0.22, 0.24],
                "hcdd_baseline": [20, 2, 30, 10, 40],
            }
        ),
    )
    out = tmp_path / "out.csv"
    assert (
        main(
            [
                "converge",
                str(inp),
                "--total",
                "520",
                "--min-growth",
                "0.01",
                "--max-growth",
                "0.06",
                "--band",
                "0.02",
                "--hcdd-growth",
                "0.1",
                "--cost-uplift",
                "0.03",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    t = pd.read_csv(out).set_index("org")
    assert t.loc["B", "hcdd_contribution"] == 3 and t.loc["B", "remaining_allocation"] == 100
    assert (
        main(
            [
                "converge",
                str(inp),
                "--total",
                "500",
                "--min-growth",
                "0.01",
                "-o",
                str(out),
                "--force",
            ]
        )
        == 2
    )
    assert "infeasible policy: the floors need £505" in capsys.readouterr().err
    assert (
        main(
            ["converge", str(inp), "--total", "520", "--method", "pace", "-o", str(out), "--force"]
        )
        == 2
    )
    assert "method 'pace' needs pace" in capsys.readouterr().err


def test_targets_xlsx_opens_in_libreoffice(tmp_path, libreoffice):
    out = tmp_path / "t.xlsx"
    assert (
        main(["targets", "demo", "--budget", "2516000000", "--round", "nhse", "-o", str(out)]) == 0
    )
    vals = read_values(recalculate(out))["Targets"]
    header = vals[0]
    rows = [r for r in vals[1:] if r[0] == "place"]
    assert len(rows) == 3
    assert sum(r[header.index(label("target"))] for r in rows) == 2_516_000_000
    assert all(
        r[header.index(label("core_index"))] == round(r[header.index(label("core_index"))], 3)
        for r in rows
    )


def test_targets_output_carries_its_provenance_and_zero_filled_practices(
    tmp_path, shared_dir, capsys
):
    import hashlib

    import pandas as pd

    src = shared_dir / "AIF_Allocation_Tool__2022_2023.csv"
    out = tmp_path / "t.csv"
    assert (
        main(
            [
                "targets",
                str(src),
                "--blank-as-zero",
                "--icb",
                "nhs north central london",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    prov = pd.read_csv(tmp_path / "t-provenance.csv", encoding="utf-8-sig", dtype=str)
    by = prov.set_index("item")
    assert by.loc["source file", "value"] == src.name
    assert by.loc["source file", "years"] == "2022/23"
    assert by.loc["source file", "sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert by.loc["run at", "value"] == "2026-04-01 09:00:00"
    assert by.loc["check status", "value"] == "all checks 0"
    # NHS England's 2022/23 file leaves maternity blank for 17 practices; North Central
    # London's (raw file, read independently) are listed, each with its practice.
    raw = pd.read_csv(src, dtype=str, encoding="utf-8-sig")
    blank = raw[raw["Mat WP"].isna() & (raw["ICS22name"] == "NHS North Central London ICB")]
    listed = prov.loc[prov["item"] == "zero-filled", "value"]
    assert len(blank) > 0
    assert sorted(v.split()[0] for v in listed) == sorted(blank["Practice_Code"])
    assert "listed in its provenance" in capsys.readouterr().out


def test_footprint_command(tmp_path, shared_dir):
    out = tmp_path / "f.csv"
    assert (
        main(
            [
                "footprint",
                str(shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"),
                str(shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"),
                "-o",
                str(out),
            ]
        )
        == 0
    )
    t = pd.read_csv(out)
    assert len(t) == 36 and (t["n_predecessors"] >= 1).all()


def test_equity_command_writes_units_summary_and_a_chart(tmp_path, libreoffice):
    import pandas as pd

    src = tmp_path / "units.csv"
    src.write_text(
        "unit,population,need,spend,deprivation\nA,100,100,100,3\n"
        "B,100,200,200,2\nC,100,100,300,1\n"
    )
    assert main(["equity", str(src), "-o", str(tmp_path / "e.csv")]) == 0
    summary = pd.read_csv(tmp_path / "e-summary.csv", encoding="utf-8-sig")
    m = dict(zip(summary["measure"], summary["value"]))
    assert m["horizontal_inequity"] == pytest.approx(2 / 9)  # worked in tests/engine
    out = tmp_path / "e.xlsx"
    assert main(["equity", str(src), "-o", str(out)]) == 0
    vals = read_values(recalculate(out))
    assert vals["Units"][1][:7] == ["A", 100, 100, 100, 150, pytest.approx(2 / 3), True]
    import zipfile

    with zipfile.ZipFile(out) as z:
        assert any(
            "scatterChart" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/")
        )


def test_levelling_up_command(tmp_path, capsys):
    import pandas as pd

    src = tmp_path / "f.csv"
    src.write_text("org,funding,need,cap\nA,800,10,100\nB,900,10,\nC,1000,10,\n")
    assert main(["levelling-up", str(src), "--pot", "250", "-o", str(tmp_path / "o.csv")]) == 0
    out = pd.read_csv(tmp_path / "o.csv", encoding="utf-8-sig")
    assert list(out.columns) == [
        "org",
        "funding",
        "need",
        "per_need_before",
        "payment",
        "funding_after",
        "per_need_after",
        "rule",
        "explanation",
    ]
    assert out["payment"].tolist() == [100, 125, 25]
    assert "level £102.50 per unit of need" in capsys.readouterr().out
    book = tmp_path / "o.xlsx"
    assert main(["levelling-up", str(src), "--pot", "250", "-o", str(book)]) == 0
    rows = read_values(recalculate(book))["Levelling up"]
    assert rows[0][:5] == [
        "Organisation",
        "Funding (£)",
        "Need (weighted population)",
        "£ per weighted patient before",
        "Levelling-up payment (£)",
    ]
    assert [r[4] for r in rows[1:4]] == [100, 125, 25]  # as the CSV and the engine test
    capped = tmp_path / "capped.csv"
    capped.write_text("org,funding,need,cap\nA,800,10,100\nB,900,10,50\n")
    assert main(["levelling-up", str(capped), "--pot", "151", "-o", str(tmp_path / "p.csv")]) == 2
    assert "the pot of £151.00 is more than the caps allow in total (£150.00)" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "p.csv").exists()


def test_targets_with_uncertainty_and_baselines(tmp_path, capsys):
    out = tmp_path / "t.csv"
    assert (
        main(
            ["targets", "demo", "--budget", "1000000000", "--uncertainty", "0.0255", "-o", str(out)]
        )
        == 0
    )
    t = pd.read_csv(out, encoding="utf-8-sig")
    places = t[t["level"] == "place"].set_index("name")
    icb = t[t["level"] == "icb"].iloc[0]
    # The ICB is the whole table: share 1 in every draw, an interval of width 0.
    assert icb["target_share_p05"] == icb["target_share_p95"] == 1
    assert (places["target_share_p05"] < places["target_share"]).all()
    assert (places["target_share"] < places["target_share_p95"]).all()
    # £ percentiles are the share's, times the budget, to the pound.
    assert (places["target_p05"] == (places["target_share_p05"] * 1e9).round()).all()
    # Places of about 300,000 to 600,000 people: intervals of a few per cent, narrower for
    # the larger place (Brookvale, 594,577 people, against Castleton, 293,026).
    rel = (places["target_share_p95"] - places["target_share_p05"]) / places["target_share"]
    assert 0.01 < rel["Brookvale"] < rel["Castleton"] < 0.1
    base = write_csv(
        tmp_path,
        "b.csv",
        pd.DataFrame(
            {"place": places.index, "baseline": (places["target"] * [1.2, 1.0, 0.8]).round()}
        ),
    )
    out2 = tmp_path / "t2.csv"
    assert (
        main(
            [
                "targets",
                "demo",
                "--budget",
                "1000000000",
                "--uncertainty",
                "0.0255",
                "--baselines",
                str(base),
                "-o",
                str(out2),
            ]
        )
        == 0
    )
    t2 = pd.read_csv(out2, encoding="utf-8-sig").set_index("name")
    assert t2.loc["Ashford City", "against_target"] == "above target"
    assert t2.loc["Castleton", "against_target"] == "below target"
    # Same seed, same figures.
    pd.testing.assert_frame_equal(t, pd.read_csv(out2, encoding="utf-8-sig")[t.columns])


def test_targets_uncertainty_options_are_checked(tmp_path, capsys):
    base = write_csv(
        tmp_path, "b.csv", pd.DataFrame({"place": ["Nowhere", "Brookvale"], "baseline": ["5", "x"]})
    )
    assert main(["targets", "demo", "--baselines", str(base), "-o", str(tmp_path / "t.csv")]) == 2
    assert "add --uncertainty U" in capsys.readouterr().err
    assert (
        main(
            [
                "targets",
                "demo",
                "--uncertainty",
                "0.0255",
                "--baselines",
                str(base),
                "-o",
                str(tmp_path / "t.csv"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "row 2, column 'place'" in err and "'Nowhere' is not one of the places" in err
    assert "row 3, column 'baseline'" in err and "expected a number" in err
    assert "no baseline for place(s) Ashford City and Castleton;" in err
    assert main(["targets", "demo", "--uncertainty", "5", "-o", str(tmp_path / "t.csv")]) == 2
    assert "did you mean 0.05 for 5%" in capsys.readouterr().err
    assert not (tmp_path / "t.csv").exists()


def test_activity_totals_an_extract_and_run_uses_it(tmp_path, capsys, libreoffice):
    from xlalloc import demo
    from xlalloc.workbook.model_book import build_model, save_model

    tables = demo.model_tables()
    model = save_model(
        build_model(dict(tables, tblActivity=None), demo.DEMO_POLICY), tmp_path / "model.xlsx"
    )
    act = tables["tblActivity"]
    extract = write_csv(tmp_path, "claims.csv", act.rename(columns={"amount": "Cost (£)"}))
    out = tmp_path / "values.xlsx"
    assert (
        main(
            [
                "activity",
                str(extract),
                "--model",
                str(model),
                "--columns",
                "amount=cost (£)",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    said = capsys.readouterr().out
    assert f"read 1 file(s), {len(act):,} rows" in said
    # LibreOffice's recalculated copy holds the engine's totals: by hand from the rows.
    sheets = read_values(recalculate(out))
    header = sheets["Activity"][0]
    assert header == [label("line"), label("practice_code"), label("amount")]
    got = {(r[0], r[1] or None): r[2] for r in sheets["Activity"][1:] if r[0]}
    want = act.groupby(["line", act["practice_code"].fillna("")])["amount"].sum()
    assert len(got) == len(want)
    for (line, code), amount in want.items():
        assert got[(line, code or None)] == pytest.approx(amount, abs=1e-6)
    sources = [r for r in sheets["Sources"][1:] if r[0]]
    assert [r[0] for r in sources] == ["claims.csv", "Total"]  # the files, then their Total
    assert sources[-1][1] == sum(r[1] for r in sources[:-1])
    # A bad column mapping is an argparse error, not a traceback.
    with pytest.raises(SystemExit):
        main(
            [
                "activity",
                str(extract),
                "--model",
                str(model),
                "--columns",
                "cost=x",
                "-o",
                str(tmp_path / "x.csv"),
            ]
        )
    assert "unknown column 'cost'" in capsys.readouterr().err
    # run --activity: the Audit sheet lists the extract and its coverage by line.
    ran = tmp_path / "ran.xlsx"
    assert (
        main(
            [
                "run",
                str(model),
                "-o",
                str(ran),
                "--activity",
                str(extract),
                "--columns",
                "amount=Cost (£)",
            ]
        )
        == 0
    )
    recalculated = read_values(recalculate(ran))
    audit = recalculated["Audit"]
    titles = [r[0] for r in audit if r and isinstance(r[0], str)]
    assert any(t.startswith("Activity extracts read beside the model") for t in titles)
    assert any(r[0] == f"claims.csv: {len(act):,} rows; SHA-256 {sha(extract)}" for r in audit)
    assert sum(r[2] for r in audit if r[0] == "claims.csv") == len(act)  # coverage block
    total = next(r for r in recalculated["Checks"] if r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0


def test_options_are_flags_on_the_command_line_and_names_elsewhere(tmp_path, capsys):
    """Only cli/ knows flags: a message names an option, and the command line shows its flag."""
    from xlalloc.cli import flags
    from xlalloc.engine.errors import option

    message = f"give either {option('output')} or {option('in_place')}; {option('places_by')}"
    assert message == "give either `output` or `in_place`; `places_by`"  # the API's words
    assert flags(message) == "give either -o or --in-place; --places-by"
    assert flags("`xlalloc pack-template` and restyle") == "`xlalloc pack-template` and restyle"
    bad = tmp_path / "afile"
    bad.write_text("")
    assert (
        main(
            [
                "pack",
                str(tmp_path / "m.xlsx"),
                "--actuals",
                "x.csv",
                "--month",
                "6",
                "--out",
                str(bad),
            ]
        )
        == 2
    )
    assert "`" not in capsys.readouterr().err


def test_no_module_but_cli_names_a_flag_in_an_error():
    """Flags in error messages and 'where' fields live in cli/ only (how-to text on the
    Cover and in docs still shows commands)."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "xlalloc"
    found = []
    for path in root.rglob("*.py"):
        if "cli" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", "")
            ) in ("InputError", "add"):
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    for s in ast.walk(arg):
                        if (
                            isinstance(s, ast.Constant)
                            and isinstance(s.value, str)
                            and re.search(r"(^|\s|\()--[a-z]", s.value)
                        ):
                            found.append(f"{path.relative_to(root)}:{s.lineno}: {s.value}")
    assert found == []


def test_pack_template_command_writes_a_template_with_every_named_place(tmp_path, capsys):
    from xlalloc.workbook.package import defined_cells, read_parts
    from xlalloc.workbook.packs import ANCHORS, CELLS

    out = tmp_path / "PACK.xlsx"
    assert main(["pack-template", str(out)]) == 0
    named = defined_cells(read_parts(out))
    assert set(CELLS) | set(ANCHORS) <= set(named)
    before = sha(out)
    assert main(["pack-template", str(out)]) == 2  # never replaced without --force
    assert "pass --force to replace it" in capsys.readouterr().err and sha(out) == before


def test_run_refuses_a_repeated_scenario_and_columns_without_extracts(tmp_path, capsys):
    from conftest import demo_model

    model = demo_model(tmp_path / "m.xlsx")
    before = model.read_bytes()
    argv = ["run", str(model), "-o", str(tmp_path / "o.xlsx")]
    twice = ["--scenario", "min_growth=0.01", "--scenario", "min_growth=0.03"]
    assert main([*argv, *twice]) == 2
    assert "--scenario gives min_growth more than once" in capsys.readouterr().err
    assert main([*argv, "--columns", "line=Contract"]) == 2
    err = capsys.readouterr().err
    assert (
        "--columns names the activity extracts' headers: give the extracts with --activity" in err
    )
    assert model.read_bytes() == before and not (tmp_path / "o.xlsx").exists()


def test_help_opens_with_what_xlalloc_does_for_an_analyst(capsys):
    """Not the module's developer docstring ("thin adapters over the readers...")."""
    import pytest as _pytest

    with _pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Need-based targets, convergence toward target and whole-budget apportionment" in out
    assert "decimals (0.01 is 1%)" in out
    assert not any(w in out for w in ("adapter", "readers", "writers", "engine"))


def test_converge_runs_the_models_policy_defaults_and_says_them_in_help(tmp_path, capsys):
    """A model's Policy has a 1% floor by default; converge used to apply none (an
    organisation got -80% with no warning). By hand: core growth 210/200 - 1 = 5%;
    targets 189 and 21; B's floor 101 binds, A takes the rest, 109 (between its core 105
    and its target 189). 'none' turns the floor off: both go to target."""
    import pandas as pd

    src = tmp_path / "s.csv"
    src.write_text("org,baseline,target_share\nA,100,0.9\nB,100,0.1\n")
    out = tmp_path / "c.csv"
    assert main(["converge", str(src), "--total", "210", "-o", str(out)]) == 0
    got = pd.read_csv(out, encoding="utf-8-sig").set_index("org")
    assert got["allocation"].to_dict() == {"A": 109, "B": 101}
    assert got.loc["B", "rule"] == "floor"
    args = ["converge", str(src), "--total", "210", "-o", str(out), "--force"]
    assert main([*args, "--min-growth", "none"]) == 0
    got = pd.read_csv(out, encoding="utf-8-sig").set_index("org")
    assert got["allocation"].to_dict() == {"A": 189, "B": 21}
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["converge", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "default: 0.01 (1%), as a model's Policy sheet; none: no limit" in help_text


def test_target_shares_not_summing_to_1_are_refused_unless_normalised(tmp_path, capsys):
    """Shares of 0.5 and 0.6 sum to 1.1: rescaled silently before. Now refused with the
    sum; with --normalise-shares they are 0.5/1.1 and 0.6/1.1, and the run says so."""
    import pandas as pd

    src = tmp_path / "s.csv"
    src.write_text("org,baseline,target_share\nA,100,0.5\nB,100,0.6\n")
    out = tmp_path / "c.csv"
    assert main(["converge", str(src), "--total", "210", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "column 'target_share': target shares sum to 1.1, not 1" in err
    assert "--normalise-shares" in err and not out.exists()
    args = ["converge", str(src), "--total", "210", "-o", str(out), "--normalise-shares"]
    assert main(args) == 0
    assert "target shares summed to 1.1 and were rescaled to 1" in capsys.readouterr().out
    got = pd.read_csv(out, encoding="utf-8-sig").set_index("org")
    assert got["target_share"].to_dict() == pytest.approx({"A": 0.5 / 1.1, "B": 0.6 / 1.1})
    # Weights are rescaled by definition: no flag needed.
    weights = tmp_path / "w.csv"
    weights.write_text("org,baseline,target_weight\nA,100,5\nB,100,6\n")
    assert main(["converge", str(weights), "--total", "210", "-o", str(out), "--force"]) == 0


def test_targets_places_by_lad_from_nhs_englands_file(tmp_path, shared_dir):
    """`targets --icb` on NHS England's file gave only the ICB's row: it had no
    --places-by as `new` has. West Yorkshire by local authority district, checked against
    the file itself read with the csv module: each place's share is its practices' Final
    WP over the ICB's, and the targets sum to the budget to the pound."""
    import csv

    import pandas as pd

    src = shared_dir / "AIF_Allocation_Tool__2024_2025.csv"
    with open(src, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["ICS22"] == "QWO"]
    by_lad: dict[str, float] = {}
    for r in rows:
        by_lad[r["LTLA21"]] = by_lad.get(r["LTLA21"], 0.0) + float(r["Final WP"])
    total = sum(by_lad.values())
    out = tmp_path / "wy.csv"
    args = ["targets", str(src), "--icb", "QWO", "--places-by", "lad", "--budget", "4e9"]
    assert main([*args, "-o", str(out)]) == 0
    t = pd.read_csv(out, encoding="utf-8-sig")
    places = t[t["level"] == "place"].set_index("name")
    assert set(places.index) == set(by_lad)
    for lad, wp in by_lad.items():
        assert places.loc[lad, "target_share"] == pytest.approx(wp / total, rel=1e-12)
    assert places["target"].sum() == 4_000_000_000
    # A places file and --places-by together are refused.
    both = [*args, "--places", str(out), "-o", str(tmp_path / "x.csv")]
    assert main(both) == 2


def test_converge_years_blank_year_and_later_baselines_are_refused_by_row(tmp_path, capsys):
    """A blank year crashed ("'<' not supported between 'float' and 'str'", exit 70); a
    baseline on a later year's row was ignored without a word."""
    totals = tmp_path / "t.csv"
    totals.write_text("year,total\n2026/27,210\n2027/28,220\n")
    blank = tmp_path / "b.csv"
    blank.write_text(
        "org,year,baseline,target_share\nA,2026/27,100,0.5\nB,2026/27,100,0.5\n"
        "A,2027/28,,0.5\nB,,,0.5\n"
    )
    args = ["converge", "--totals", str(totals), "-o", str(tmp_path / "o.csv")]
    assert main([args[0], str(blank), *args[1:]]) == 2
    assert "b.csv, row 5, column 'year': the financial year is blank" in capsys.readouterr().err
    later = tmp_path / "l.csv"
    later.write_text(
        "org,year,baseline,target_share\nA,2026/27,100,0.5\nB,2026/27,100,0.5\n"
        "A,2027/28,120,0.5\nB,2027/28,,0.5\n"
    )
    assert main([args[0], str(later), *args[1:]]) == 2
    err = capsys.readouterr().err
    assert "l.csv, row 4, column 'baseline': a baseline on a 2027/28 row is not used" in err
    assert not (tmp_path / "o.csv").exists()


def test_the_command_lines_help_imports_neither_pandas_nor_the_writers():
    # Issue 45: `xlalloc --help` answers at once; a command imports what it uses.
    from conftest import loaded_after

    code = "from xlalloc.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    heavy = ("pandas", "numpy", "pydantic", "openpyxl", "duckdb", "multiprocessing")
    assert loaded_after(code, (*heavy, "xlalloc.engine.", "xlalloc.workbook.", "xlalloc.api")) == []


def test_the_program_pauses_the_collector_and_leaves_its_objects_to_the_system(
    tmp_path, monkeypatch
):
    """Run as the ``xlalloc`` program (no argv), a command pauses Python's cycle collector and
    freezes what is left for the process's exit; called from Python, nothing changes."""
    import gc

    out = tmp_path / "methods.csv"
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert main(["methods", "-o", str(out)]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0  # a caller's process goes on as it was

    seen = []
    monkeypatch.setattr("sys.argv", ["xlalloc", "methods", "-o", str(tmp_path / "m2.csv")])
    monkeypatch.setattr("xlalloc.cli._dispatch", lambda args: seen.append(gc.isenabled()) or 0)
    try:
        assert main() == 0
        assert seen == [False]  # paused while the command ran
        assert not gc.isenabled() and gc.get_freeze_count() > 0  # left for the system
    finally:
        gc.unfreeze()
        gc.enable()
