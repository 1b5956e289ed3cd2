"""The comparison workbook: recalculated by LibreOffice to the engine's figures."""

import shutil

import pytest
from libreoffice import read_values, recalculate
from openpyxl import load_workbook

import xlalloc
from xlalloc.cli import main
from xlalloc.model.labels import label


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The demo model, and next month's: £1,000,000 more on acute contracts and the
    system reserve removed (set to £0)."""
    d = tmp_path_factory.mktemp("changes")
    old, new = d / "old.xlsx", d / "new.xlsx"
    assert main(["new", str(old), "--demo"]) == 0
    shutil.copy(old, new)
    wb = load_workbook(new)  # a test's own edit of its own copy
    ws = wb["Budget"]
    header = next(r for r in ws.iter_rows() if r[0].value == "line")
    amount = next(c.column for c in header if c.value == "amount")
    for row in ws.iter_rows(min_row=header[0].row + 1):
        if row[0].value == "Acute contracts - NHS trusts":
            ws.cell(row[0].row, amount).value += 1_000_000
        if row[0].value == "System reserve":
            ws.cell(row[0].row, amount).value = 0
    wb.save(new)
    return d, old, new


def test_changes_workbook_recalculates_to_the_engine(two_runs, libreoffice):
    d, old, new = two_runs
    out = d / "changes.xlsx"
    assert main(["compare", str(old), str(new), "-o", str(out)]) == 0
    c = xlalloc.compare(old, new)
    assert load_workbook(out).sheetnames == [
        "Changes",
        "Places",
        "Waterfall",
        "Targets",
        "Convergence",
        "Policy",
        "Checks",
    ]
    vals = read_values(recalculate(out))
    checks = [r for r in vals["Checks"][4:] if r and r[0]]
    assert len(checks) == 3 and all(r[1] == 0 for r in checks), checks
    header, *rows = vals["Changes"][3:]  # under the sheet's title and note
    at = {h: j for j, h in enumerate(header)}
    assert len(rows) == len(c.programmes)
    for r, e in zip(rows, c.programmes.itertuples()):
        assert r[at[label("programme")]] == e.programme
        assert r[at[label("change")]] == pytest.approx(e.change, abs=1e-6)
        assert r[at[label("from_amounts")]] == e.from_amounts
    # The whole ICB: +£1,000,000 on acute, −£15,000,000 of reserve, all from amounts.
    icb = c.places.iloc[0]
    assert icb["change"] == icb["from_amounts"] == 1_000_000 - 15_000_000
    assert icb["from_shares"] == 0
    acute = c.programmes[c.programmes["programme"] == "Acute"]
    assert acute["from_amounts"].sum() == 1_000_000
    # The waterfall: old total, then the steps from where the last ended, then the new.
    w = vals["Waterfall"]
    first = next(i for i, r in enumerate(w) if r[0] == "Old total")
    assert w[first][4] == icb["old"]
    assert w[first + 1][1] == icb["old"] + icb["from_amounts"]  # a fall: base at its foot
    assert w[first + 1][3] == -icb["from_amounts"]
    assert w[first + 3][4] == icb["new"]
    assert len(load_workbook(out)["Waterfall"]._charts) == len(c.places)


def test_changes_csv_writes_each_table_beside_it(two_runs):
    d, old, new = two_runs
    out = d / "changes.csv"
    assert main(["compare", str(old), str(new), "-o", str(out)]) == 0
    for name in (
        "changes.csv",
        "changes-places.csv",
        "changes-targets.csv",
        "changes-convergence.csv",
    ):
        assert (d / name).exists()
    first = (d / "changes.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert first == "programme,place,old,new,change,from_amounts,from_shares"


def test_a_scenario_is_written_to_its_own_workbook_and_compared(two_runs, libreoffice, capsys):
    import hashlib

    d, old, _ = two_runs
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    variant = d / "floor.xlsx"
    assert (
        main(
            [
                "run",
                str(old),
                "--scenario",
                "min_growth=0.03",
                "--scenario",
                "icb_budget=2600000000",
                "-o",
                str(variant),
            ]
        )
        == 0
    )
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before  # the model is untouched
    out = capsys.readouterr().out
    assert "scenario: min_growth = 0.03 (old.xlsx's Policy sheet says 0.01)" in out
    vals = read_values(recalculate(variant))
    policy = {r[0]: r[1] for r in vals["Policy"] if r and r[0]}
    assert policy["min_growth"] == 0.03 and policy["icb_budget"] == 2_600_000_000
    checks = [r for r in vals["Checks"] if r and isinstance(r[1], int | float)]
    assert checks and all(r[1] == 0 for r in checks), checks
    # Every sheet but Policy and xlalloc's own outputs is the model's, byte for byte.
    from xlalloc.workbook.package import read_parts

    a, b = read_parts(old), read_parts(variant)
    for sheet in ("Practices", "Budget"):
        part = next(
            k
            for k in a
            if k.startswith("xl/worksheets/")
            and load_workbook(old).sheetnames.index(sheet) + 1
            == int(k.rsplit("sheet", 1)[1].split(".")[0])
        )
        assert a[part] == b[part]
    c = xlalloc.compare(old, variant)
    t = c.targets
    assert t["from_budget"].sum() == 2_600_000_000 - 2_516_000_000
    assert (t["from_need"].abs() <= 1).all()  # the same need: rounding only
    assert (c.convergence["change"] != 0).any()


def test_a_scenario_is_refused_without_its_own_output_or_for_an_unknown_name(two_runs, capsys):
    d, old, _ = two_runs
    assert main(["run", str(old), "--scenario", "min_growth=0.03"]) == 2
    assert "name its workbook with -o" in capsys.readouterr().err
    assert main(["run", str(old), "--scenario", "min_grwth=0.03", "-o", str(d / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "'min_grwth' is not a parameter on old.xlsx's Policy sheet" in err
    assert main(["run", str(old), "--scenario", "min_growth=5", "-o", str(d / "x.xlsx")]) == 2
    # Named as the user typed it, not as a Policy cell they never edited.
    err = capsys.readouterr().err
    assert "--scenario min_growth=5: min_growth is 5; expected between -1 and 1" in err
    assert "Policy" not in err and "cell B" not in err
    assert not (d / "x.xlsx").exists()


def test_a_convergence_only_scenario_is_reported_part_by_part(two_runs, capsys):
    """A 2% floor changes convergence only: the summary used to read "£+0 from budget line
    amounts, £+0 from shares", as if nothing had changed. Now a line per part, the
    Policy parameter that differs, and a side file of it."""
    import pandas as pd

    d, old, _ = two_runs
    variant = d / "floor2.xlsx"
    assert main(["run", str(old), "-o", str(variant), "--scenario", "min_growth=0.02"]) == 0
    capsys.readouterr()
    out = d / "floor2-changes.csv"
    assert main(["compare", str(old), str(variant), "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "policy: min_growth 0.01 → 0.02"
    assert lines[1] == "targets: unchanged"
    assert lines[2].startswith("convergence: ") and "unchanged" not in lines[2]
    # The apportionment did not move: said so in words, not "£+0 ... £+0".
    assert lines[3] == "apportionment: unchanged (ICB total £2,516,000,000)"
    # The convergence side file: the figures the line counts, each year still summing to
    # its total (a floor moves money between places, never adds it).
    conv = pd.read_csv(d / "floor2-changes-convergence.csv", encoding="utf-8-sig")
    moved = conv[conv["change"].abs() >= 0.005]
    assert lines[2].startswith(f"convergence: {len(moved)} of {len(conv)} changed")
    assert (conv.groupby("year")["change"].sum() == 0).all()
    policy = pd.read_csv(d / "floor2-changes-policy.csv", encoding="utf-8-sig")
    # A Policy value is not money: its columns are named apart from the £ columns' old/new.
    assert policy.to_dict("records") == [
        {"parameter": "min_growth", "old_value": 0.01, "new_value": 0.02}
    ]


def test_compare_of_two_different_icbs_says_so(two_runs, capsys):
    """Comparing two ICBs' models exited 0 as if one were last month's run of the other.
    The Policy's ICB names differ here (the practices are the demo's in both)."""
    d, old, _ = two_runs
    other = d / "other.xlsx"
    shutil.copy(old, other)
    wb = load_workbook(other)  # the test's own copy
    ws = wb["Policy"]
    for row in ws.iter_rows():
        if row[0].value == "icb_name":
            row[1].value = "NHS Otherland ICB"
    wb.save(other)
    assert main(["compare", str(old), str(other), "-o", str(d / "icbs.csv")]) == 0
    out = capsys.readouterr().out
    assert "note: the two runs are of different ICBs (NHS Demoshire ICB: 144 practices; " in out
    assert "NHS Otherland ICB: 144; 144 in both)" in out


def test_changes_workbook_columns_look_as_the_models_do(two_runs, tmp_path):
    """A £0.22 change was shown as "-22.0000%", target shares as "£0", and Old/New as raw
    numbers under headers with no unit. Every column now carries its registry label and
    the number format the model's own sheets use for the same kind of figure."""
    d, old, new = two_runs
    run = tmp_path / "run.xlsx"
    assert main(["run", str(old), "-o", str(run)]) == 0
    out = tmp_path / "changes.xlsx"
    assert main(["compare", str(old), str(run), "-o", str(out)]) == 0
    model = load_workbook(run)
    conv = model["Convergence"]
    header_row = next(r for r in conv.iter_rows() if r[0].value == "Place")
    heads = {c.value: c.column for c in header_row}
    first = header_row[0].row + 1
    share_fmt = conv.cell(first, heads["Target share"]).number_format
    money_fmt = conv.cell(first, heads["Allocation (£)"]).number_format
    wb = load_workbook(out)
    for name in ("Changes", "Places", "Targets"):
        ws = wb[name]
        header = [c.value for c in ws[4]]  # the table under the sheet's title and note
        assert "Old run (£)" in header and "New run (£)" in header and "Change (£)" in header
        for c in ws[5]:
            if header[c.column - 1].endswith("(£)"):
                assert c.number_format == money_fmt, (name, header[c.column - 1])
    ws = wb["Convergence"]
    header = [c.value for c in ws[4]]
    assert header[2:7] == [
        "Old run (£)",
        "New run (£)",
        "Change (£)",
        "Target share, old run",
        "Target share, new run",
    ]
    assert [c.number_format for c in ws[5][2:7]] == [money_fmt] * 3 + [share_fmt] * 2
    assert [c.value for c in wb["Changes"][4]][5:7] == [
        "From budget line amounts (£)",
        "From shares (£)",
    ]
