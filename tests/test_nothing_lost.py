"""Nothing lost, nothing stale (issue 44): every case through the command line.

Each class of the issue has its cases here: files lost, approval that outlived what it
approved, wrong figures with exit 0, crashes on bad input, silent acceptance, and
messages that did not locate the problem. Expected texts are the issue's words and
hand arithmetic, not the code's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import demo_model, pack_argv, sha

from xlalloc.cli import main


def run(argv, capsys):
    """Exit status and everything printed; never a traceback."""
    try:
        rc = main([str(a) for a in argv])
    except SystemExit as e:
        rc = e.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return rc, out.err + out.out


@pytest.fixture(scope="module")
def model_and_ledgers(tmp_path_factory):
    """The demo model and its ledgers at months 5 and 6."""
    d = tmp_path_factory.mktemp("lost")
    model = demo_model(d / "model.xlsx")
    ledgers = {}
    for m in (5, 6):
        ledgers[m] = d / f"ledger-m{m}.csv"
        assert main(["demo-ledger", str(model), "--month", str(m), "-o", str(ledgers[m])]) == 0
    return d, model, ledgers


# ------------------------------------------------------------------------- files lost


def test_month_5_and_month_6_packs_live_side_by_side(model_and_ledgers, tmp_path, capsys):
    """Month 5's packs silently replaced month 6's: each file now carries its period."""
    _, model, ledgers = model_and_ledgers
    out = tmp_path / "packs"
    assert run(pack_argv(model, ledgers[6], 6, out), capsys)[0] == 0
    assert run(pack_argv(model, ledgers[5], 5, out), capsys)[0] == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        f"{place} 2026-27 M{m:02d}.xlsx"
        for m in (5, 6)
        for place in ("Ashford City", "Brookvale", "Castleton", "ICB summary")
    )


def test_pack_never_replaces_a_file_without_force(model_and_ledgers, tmp_path, capsys):
    _, model, ledgers = model_and_ledgers
    out = tmp_path / "packs"
    out.mkdir()
    mine = out / "Brookvale 2026-27 M06.xlsx"  # the user's own workbook of that name
    mine.write_bytes(b"the user's own work")
    rc, text = run(pack_argv(model, ledgers[6], 6, out), capsys)
    assert rc == 2
    assert "Brookvale 2026-27 M06.xlsx exists; pass --force to replace it" in text
    assert mine.read_bytes() == b"the user's own work"
    assert sorted(p.name for p in out.iterdir()) == [mine.name]  # nothing else written
    # With --force the packs of that period are replaced.
    assert run([*pack_argv(model, ledgers[6], 6, out), "--force"], capsys)[0] == 0
    assert mine.read_bytes()[:2] == b"PK"


def test_pack_never_writes_over_its_inputs_even_with_force(model_and_ledgers, tmp_path, capsys):
    """A model or ledger in --out under a pack's name was written over: the model lost."""
    _, model, ledgers = model_and_ledgers
    out = tmp_path / "packs"
    out.mkdir()
    m = shutil.copy(model, out / "ICB summary 2026-27 M06.xlsx")
    ledger = shutil.copy(ledgers[6], out / "ledger.csv")
    before = sha(Path(m))
    for force in ([], ["--force"]):
        rc, text = run([*pack_argv(m, ledger, 6, out), *force], capsys)
        assert rc == 2, text
        assert "ICB summary 2026-27 M06.xlsx is an input of this command" in text
        assert sha(Path(m)) == before
    assert sorted(p.name for p in out.iterdir()) == ["ICB summary 2026-27 M06.xlsx", "ledger.csv"]


@pytest.mark.parametrize(
    "lock, content, who",
    [
        (
            ".~lock.model.xlsx#",
            ",Jane Smith,PC-7,07.12.2026 10:00,file:///x;",
            "LibreOffice (Jane Smith)",
        ),
        ("~$model.xlsx", bytes([9]) + b"Bob Jones" + b" " * 40, "Excel (Bob Jones)"),
    ],
)
def test_in_place_run_refuses_a_workbook_held_open(tmp_path, capsys, lock, content, who):
    model = demo_model(tmp_path / "model.xlsx")
    before = sha(model)
    held = tmp_path / lock
    held.write_bytes(content.encode() if isinstance(content, str) else content)
    rc, text = run(["run", model, "--in-place"], capsys)
    assert rc == 2
    assert f"model.xlsx is open in {who}: its lock file {lock}; close it there first" in text
    assert sha(model) == before
    # The same for a forced output that another program holds open.
    out = tmp_path / "out.xlsx"
    shutil.copy(model, out)
    shutil.copy(held, tmp_path / lock.replace("model", "out"))
    rc, text = run(["run", model, "-o", out, "--force"], capsys)
    assert rc == 2 and "out.xlsx is open in" in text
    held.unlink()
    assert run(["run", model, "--in-place"], capsys)[0] == 0


# ------------------------------------------------- approval bound to what it approved


def _sign(model, signers):
    from openpyxl import load_workbook

    wb = load_workbook(model)  # the test's own copy
    ws = wb["Sign-off"]
    rows = {ws.cell(r, 1).value: r for r in range(5, 9)}
    for role, name, date in signers:
        ws.cell(rows[role], 2).value = name
        ws.cell(rows[role], 3).value = date
    wb.save(model)


def _set_policy(model, name, value):
    from openpyxl import load_workbook

    wb = load_workbook(model)
    ws = wb["Policy"]
    row = next(r for r in range(1, 80) if ws.cell(r, 1).value == name)
    ws.cell(row, 2).value = value
    wb.save(model)


def _status(model):
    from openpyxl import load_workbook

    ws = load_workbook(model)["Assurance"]
    rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    return next(r[1] for r in rows if r and r[0] == "Status"), rows


@pytest.mark.slow  # several runs of the demo model
def test_an_approval_no_longer_covers_a_changed_policy(tmp_path, capsys):
    model = demo_model(tmp_path / "model.xlsx")
    _sign(
        model, [("assurer", "A. Assurer", "2026-04-28"), ("approver", "B. Approver", "2026-04-30")]
    )
    rc, text = run(["run", model, "--in-place"], capsys)
    assert rc == 0, text
    status, rows = _status(model)
    assert status == "approved"
    # Run again, nothing changed: the approval still covers the run.
    assert run(["run", model, "--in-place"], capsys)[0] == 0
    assert _status(model)[0] == "approved"
    # The Policy changed after the approval: the next run is a draft, and says why.
    _set_policy(model, "min_growth", 0.02)
    rc, text = run(["run", model, "--in-place"], capsys)
    assert rc == 0
    status, rows = _status(model)
    assert status == "drafted"
    assert (
        "warning: the approver's sign-off (B. Approver, 2026-04-30) no longer covers this run: "
        "the Policy (min_growth from 0.01 to 0.02) changed since it was given; the status is "
        "drafted until they sign again with a new date"
    ) in text
    flat = [str(v) for r in rows for v in r]
    assert "B. Approver" in flat and "2026-04-30" in flat  # kept as history
    assert any(v.startswith("no: the Policy (min_growth from 0.01 to 0.02) changed") for v in flat)
    # An input sheet changed as well: named too.
    from openpyxl import load_workbook

    wb = load_workbook(model)
    ws = wb["Budget"]
    ws.cell(5, 3).value = ws.cell(5, 3).value + 1000
    wb.save(model)
    rc, text = run(["run", model, "--in-place"], capsys)
    assert "the Budget sheet, the Policy (min_growth from 0.01 to 0.02) changed" in text
    # Signing again with a new date binds the sign-off to these inputs.
    _sign(
        model, [("assurer", "A. Assurer", "2026-12-07"), ("approver", "B. Approver", "2026-12-08")]
    )
    assert run(["run", model, "--in-place"], capsys)[0] == 0
    assert _status(model)[0] == "approved"


@pytest.mark.slow  # a run of the demo model each
@pytest.mark.parametrize(
    "signers, status",
    [
        ([("approver", "B. Approver", "2026-04-30")], "drafted"),  # an approver, no assurer
        ([("assurer", "A. Assurer", "TBC")], "drafted"),  # not a date
        ([("assurer", "A. Assurer", "30/04/2026")], "assured"),  # a UK date
        (
            [("assurer", "A. Assurer", "TBC"), ("approver", "B. Approver", "2026-04-30")],
            "drafted",
        ),
    ],
)
def test_assured_and_approved_need_real_dates_in_order(tmp_path, capsys, signers, status):
    model = demo_model(tmp_path / "model.xlsx")
    _sign(model, signers)
    rc, text = run(["run", model, "--in-place"], capsys)
    assert rc == 0
    assert _status(model)[0] == status
    if any(d == "TBC" for _, _, d in signers):
        assert "Sign-off: the assurer's date 'TBC' is not a date (e.g. 2026-12-01)" in text


# ------------------------------------------------------------ wrong figures with exit 0


def _ledger(path, rows):
    path.write_text(
        "month,programme,place,practice_code,amount\n"
        + "".join(",".join(str(v) for v in r) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def _recon(text):
    return [
        line
        for line in text.splitlines()
        if line.startswith(("ledger total", "reported in", "left out", "1 ledger", "2 ledger"))
    ]


def test_a_later_months_bad_row_is_not_in_this_months_reconciliation(
    model_and_ledgers, tmp_path, capsys
):
    """An unmapped row of month 9 was counted in "ledger total, months 1 to 6"."""
    _, model, _ = model_and_ledgers
    ledger = _ledger(
        tmp_path / "l.csv",
        [
            (6, "Acute", "Brookvale", "", "1000.00"),
            (6, "Acute", "Atlantis", "", "10.00"),  # this month's exception
            (9, "Acute", "Atlantis", "", "500.00"),  # a later month's: not this report's
            (9, "Acute", "Brookvale", "", "7.00"),  # a later month's good row
        ],
    )
    rc, text = run(pack_argv(model, ledger, 6, tmp_path / "p"), capsys)
    assert rc == 0, text
    assert _recon(text) == [
        "1 ledger row(s) not reported (listed in the ICB summary's Exceptions sheet):",
        "ledger total, months 1 to 6: £1,010.00",
        "reported in the packs: £1,000.00",
        "left out: £10.00 in 1 row(s), listed on the ICB summary's Exceptions sheet",
    ]
    # At month 9 the same ledger reports both month-9 rows: the good one, and the bad one
    # left out.
    rc, text = run(pack_argv(model, ledger, 9, tmp_path / "p9"), capsys)
    assert _recon(text)[1:] == [
        "ledger total, months 1 to 9: £1,517.00",
        "reported in the packs: £1,007.00",
        "left out: £510.00 in 2 row(s), listed on the ICB summary's Exceptions sheet",
    ]


def test_fractions_of_a_penny_are_summed_before_rounding(model_and_ledgers, tmp_path, capsys):
    """Three rows of £100.004 were rounded row by row to £300.00: a penny vanished.
    By hand: 3 x 100.004 = 300.012 reported and 0.004 left out, 300.016 in all: £300.02.
    Floors £300.01 and £0.00 leave a penny, which goes to the larger remainder (0.4p left
    out against 0.2p reported): £300.01 + £0.01 = £300.02."""
    _, model, _ = model_and_ledgers
    ledger = _ledger(
        tmp_path / "l.csv",
        [(6, "Acute", "Brookvale", "", "100.004")] * 3 + [(6, "Acute", "Atlantis", "", "0.004")],
    )
    rc, text = run(pack_argv(model, ledger, 6, tmp_path / "p"), capsys)
    assert rc == 0, text
    assert _recon(text)[1:] == [
        "ledger total, months 1 to 6: £300.02",
        "reported in the packs: £300.01",
        "left out: £0.01 in 1 row(s), listed on the ICB summary's Exceptions sheet",
    ]


@pytest.fixture(scope="module")
def icb_baselines(shared_dir, tmp_path_factory):
    """Every 2025/26 ICB's baseline: about £1,900 per core weighted head, in £000."""
    import pandas as pd

    from xlalloc.readers import nhse

    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    icbs = nhse.load_practices(old).groupby("icb_code")["core"].sum()
    path = tmp_path_factory.mktemp("rebase") / "BASELINES.csv"
    baseline = (icbs * 1.9).round() * 1000
    pd.DataFrame({"icb": icbs.index, "baseline": baseline}).to_csv(path, index=False)
    return old, new, path


def test_rebase_checks_use_the_rebases_unit(icb_baselines, tmp_path, capsys, libreoffice):
    """`rebase --unit 1000` wrote a check that a part is within £1 of its exact share:
    0 as stored, 7 once recalculated. Parts within £1,000 now read 0 after LibreOffice."""
    from libreoffice import read_values, recalculate
    from openpyxl import load_workbook

    old, new, baselines = icb_baselines
    out = tmp_path / "rebased.xlsx"
    assert (
        run(["rebase", old, new, "--baselines", baselines, "--unit", 1000, "-o", out], capsys)[0]
        == 0
    )
    values = read_values(recalculate(out, tmp_path / "lo"))["Checks"]
    assert values[3] == ["Overall check (0 when all is well)", 0]
    row = next(r for r in values if r[0] == "Parts a unit or more from their exact share")
    assert row[1] == 0
    formula = load_workbook(out)["Checks"]["B7"].value
    assert formula.endswith(">=1000))"), formula  # the unit of this rebase, not £1


def test_rebase_refuses_the_same_year_twice_and_names_every_bad_baseline(
    icb_baselines, tmp_path, capsys
):
    old, new, baselines = icb_baselines
    rc, text = run(["rebase", old, old, "--baselines", baselines, "-o", tmp_path / "r.csv"], capsys)
    assert rc == 2
    assert "are both 2025/26: a rebase moves last year's baselines onto this year's ICBs" in text
    lines = baselines.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",-5"
    lines[5] = lines[5].rsplit(",", 1)[0] + ","
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n")
    rc, text = run(["rebase", old, new, "--baselines", bad, "-o", tmp_path / "r.csv"], capsys)
    assert rc == 2
    assert "bad.csv, row 6, column 'baseline': the baseline is blank" in text
    # With the blank filled in, the negative one is named by its row, together with the
    # other problems of the values (it had no row, and came only after the first problem).
    lines[5] = lines[5] + "1000"
    bad.write_text("\n".join(lines) + "\n")
    rc, text = run(["rebase", old, new, "--baselines", bad, "-o", tmp_path / "r.csv"], capsys)
    assert rc == 2
    code = lines[3].split(",")[0]
    assert f"bad.csv, row 4, column 'baseline': {code}: baseline -5 must be at least 0" in text
    assert not (tmp_path / "r.csv").exists()


def test_an_excel_error_in_baselines_or_a_ledger_is_never_blank(
    icb_baselines, model_and_ledgers, tmp_path, capsys
):
    """#N/A, or a formula saved without its result, was reported as "blank"."""
    from openpyxl import Workbook

    old, new, _ = icb_baselines
    wb = Workbook()
    ws = wb.active
    ws.append(["icb", "baseline"])
    ws.append(["QH8", "=NA()"])  # openpyxl saves a formula without its result
    ws.append(["QJG", 100])
    ws["B3"].value = "#N/A"
    ws["B3"].data_type = "e"
    path = tmp_path / "baselines.xlsx"
    wb.save(path)
    rc, text = run(["rebase", old, new, "--baselines", path, "-o", tmp_path / "r.csv"], capsys)
    assert rc == 2
    assert (
        "baselines.xlsx, row 2, column 'baseline': cell B2 holds a formula with no stored result"
        in text
    )
    assert "baselines.xlsx, row 3, column 'baseline': cell B3 holds the Excel error #N/A" in text
    assert "blank" not in text
    # A ledger workbook: the row is an exception that says what the cell holds.
    _, model, _ = model_and_ledgers
    wb = Workbook()
    ws = wb.active
    ws.append(["month", "programme", "place", "amount"])
    ws.append([6, "Acute", "Brookvale", 100])
    ws.append([6, "Acute", "Brookvale", "#DIV/0!"])
    ws["D3"].data_type = "e"
    ledger = tmp_path / "ledger.xlsx"
    wb.save(ledger)
    rc, text = run(pack_argv(model, ledger, 6, tmp_path / "p"), capsys)
    assert rc == 0, text
    assert "row 3: amount holds the Excel error #DIV/0!" in text


# ---------------------------------------------------------------- crashes on bad input


def _cases(tmp_path, text, bom=False):
    path = tmp_path / "CASES.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


GOOD_CASE = (
    '{"id": "lr", "kind": "largest_remainder", "source": "by hand", '
    '"inputs": {"weights": [3, 1, 4], "total": 1001, "unit": 1}, "expected": {"amounts": [375, 125, 501]}}'
)


@pytest.mark.parametrize(
    "text, message",
    [
        ('{"cases": [', "CASES.json: line 1, column 12: not valid JSON (Expecting value)"),
        ("[1, 2]", 'CASES.json: expected an object with a list of cases, {"cases": [{...}, ...]}'),
        ('{"cases": [[1]]}', "CASES.json: case 1 is [1]; expected an object {...}"),
        (
            '{"cases": [{"kind": "dft", "source": "s", "inputs": {}, "expected": {"dft": 1}}]}',
            "CASES.json: case 1: 'id' is missing or not text",
        ),
        (
            '{"cases": [{"id": "a", "kind": "dft", "source": "s", "inputs": {}, '
            '"expected": {"dft": "zero"}}]}',
            "CASES.json: case 1 (a): expected 'dft' is \"zero\"; expected a number or a list",
        ),
        (
            '{"cases": [{"id": "a", "kind": "dft", "source": "s", "inputs": {}, "expected": {}}]}',
            "CASES.json: case 1 (a): 'expected' is missing or empty: a case must state at "
            "least one figure to check",
        ),
    ],
)
def test_a_bad_case_file_is_named_never_a_crash(tmp_path, capsys, text, message):
    rc, out = run(["selftest", "--cases", _cases(tmp_path, text)], capsys)
    assert rc == 2
    assert message in out
    assert "unexpected error" not in out


def test_a_case_file_with_a_byte_order_mark_runs(tmp_path, capsys):
    rc, out = run(
        ["selftest", "--cases", _cases(tmp_path, f'{{"cases": [{GOOD_CASE}]}}', True)], capsys
    )
    assert rc == 0, out
    assert "1/1 reference cases passed" in out


@pytest.mark.parametrize("damage", ["cut short", "entities"])
def test_addin_verify_names_a_damaged_ribbon_part(tmp_path, capsys, damage):
    import zipfile

    built = tmp_path / "built" / "xlalloc.xlam"
    built.parent.mkdir()
    assert run(["addin", "build", "-o", built], capsys)[0] == 0
    bad = tmp_path / "xlalloc.xlam"
    with zipfile.ZipFile(built) as z, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            data = z.read(item.filename)
            if item.filename == "customUI/customUI.xml":
                data = (
                    data[: len(data) // 2]
                    if damage == "cut short"
                    else (b'<!DOCTYPE x [<!ENTITY a "b">]>\n' + data)
                )
            out.writestr(item.filename, data)
    rc, text = run(["addin", "verify", "-o", bad], capsys)
    assert rc == 1
    assert "problem: part customUI/customUI.xml is not well-formed XML or uses entities" in text
    assert "xlalloc.xlam: FAILED" in text


def test_lite_on_the_core_install_writes_its_files(tmp_path, capsys, monkeypatch):
    """`xlalloc lite` on the core install crashed: PackageNotFoundError: xlwings. Lite
    installs xlwings itself; with none here to pin to, requirements.txt gives pyproject's
    bounds."""
    from importlib import metadata

    real = metadata.version

    def version(name):
        if name == "xlwings":
            raise metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr("xlalloc.excel.lite.metadata.version", version)
    rc, text = run(["lite", tmp_path / "lite"], capsys)
    assert rc == 0, text
    lines = (tmp_path / "lite" / "requirements.txt").read_text().splitlines()
    assert lines[0] == "xlwings>=0.30"
    assert (tmp_path / "lite" / "main.py").stat().st_size > 0


# ------------------------------------------------------------------- silent acceptance


def test_a_marking_too_long_for_the_page_header_is_refused(tmp_path, capsys):
    marking = "OFFICIAL-SENSITIVE: " + "COMMERCIAL " * 30  # 350 characters
    rc, text = run(["targets", "demo", "-o", tmp_path / "t.xlsx", "--marking", marking], capsys)
    assert rc == 2
    assert (
        "--marking: the protective marking is 350 characters; a page header holds at most 244"
        in text
    )
    assert not (tmp_path / "t.xlsx").exists()
    # The same on the Policy sheet, named by its cell.
    model = demo_model(tmp_path / "model.xlsx")
    _set_policy(model, "protective_marking", marking)
    rc, text = run(["validate", model], capsys)
    assert rc == 1
    assert "protective_marking" in text and "a page header holds at most 244" in text


# ----------------------------------------------------------- messages that locate it


def test_a_misspelt_icb_or_place_gets_the_nearest_names(
    tmp_path, capsys, shared_dir, model_and_ledgers
):
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    rc, text = run(["targets", new, "--icb", "esex", "-o", tmp_path / "t.csv"], capsys)
    assert rc == 2
    assert "close matches: T02 NHS Essex ICB" in text
    _, model, ledgers = model_and_ledgers
    rc, text = run(
        [*pack_argv(model, ledgers[6], 6, tmp_path / "p"), "--place", "Brokvale"], capsys
    )
    assert rc == 2
    assert (
        "--place: unknown place 'Brokvale'; did you mean Brookvale? The model's places are "
        "Ashford City, Brookvale and Castleton."
    ) in text
    # A ledger row's misspelt place or programme is an exception that suggests the name.
    ledger = _ledger(
        tmp_path / "l.csv",
        [(6, "Acute", "Brookvale", "", "1"), (6, "Acutte", "Brokvale", "", "2")],
    )
    rc, text = run(pack_argv(model, ledger, 6, tmp_path / "p2"), capsys)
    assert rc == 0
    assert (
        "row 3: unknown place 'Brokvale' (did you mean Brookvale?); unknown programme "
        "'Acutte' (did you mean Acute?)"
    ) in text


def test_a_practice_in_two_places_is_named_with_its_rows(tmp_path, capsys, shared_dir):
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    places = tmp_path / "PLACES.csv"
    places.write_text("practice_code,place\nB85005,One\nB85022,One\nB85005,Two\n")
    rc, text = run(
        ["targets", new, "--icb", "QWO", "--places", places, "-o", tmp_path / "t.csv"], capsys
    )
    assert rc == 2
    assert (
        "PLACES.csv, rows 2, 4, column 'place': practice B85005 is in more than one place: One (row 2) and Two (row 4)"
        in text
    )
    assert "[" not in text.split("practice B85005")[1].splitlines()[0]


def test_a_files_year_can_be_given_and_a_wrong_file_says_what_it_is(tmp_path, capsys, shared_dir):
    src = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    named = tmp_path / "ICB Place Based Tool 2026-27.csv"  # the year as people write it
    shutil.copy(src, named)
    rc, text = run(["targets", named, "--icb", "QWO", "-o", tmp_path / "a.csv"], capsys)
    assert rc == 0, text
    nameless = tmp_path / "practices.csv"
    shutil.copy(src, nameless)
    rc, text = run(["targets", nameless, "--icb", "QWO", "-o", tmp_path / "b.csv"], capsys)
    assert rc == 2
    assert "practices.csv: cannot tell the financial year from the file name: name the file" in text
    assert "or give the year with the command's year option" in text
    rc, text = run(
        ["targets", nameless, "--icb", "QWO", "--year", "2026/27", "-o", tmp_path / "b.csv"], capsys
    )
    assert rc == 0, text
    for name, content in (
        ("ledger_2026_2027.csv", b"month,programme,place,practice_code,amount\n6,Acute,A,,1\n"),
        ("paper_2026_2027.csv", b"%PDF-1.4\n%binary\n"),
    ):
        wrong = tmp_path / name
        wrong.write_bytes(content)
        rc, text = run(["targets", wrong, "--icb", "QWO", "-o", tmp_path / "c.csv"], capsys)
        assert rc == 2
        assert f"{name}: this is not NHS England's GP-practice weighted population file" in text


def test_a_blank_former_icb_is_named_by_its_row(tmp_path, capsys, shared_dir):
    """`new --places-by former_icb` crashed (exit 70) when a practice's former ICB was
    blank, and `targets` named "--former, row 135, column 'place'"."""
    import csv

    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    rows = list(csv.reader(old.open(encoding="utf-8-sig")))
    icb = rows[0].index("ICB")
    k = next(i for i, r in enumerate(rows) if r[0] == "F81001")
    rows[k][icb] = ""
    blanked = tmp_path / "old_2025_2026.csv"
    with blanked.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    message = (
        f"old_2025_2026.csv, row {k + 1}, column 'ICB': practice F81001 has no ICB in this "
        "file, so no former ICB to be its place"
    )
    args = ["new", tmp_path / "m.xlsx", "--icb", "T02", "--places-by", "former_icb"]
    rc, text = run([*args, "--practices", blanked, "--practices", new], capsys)
    assert rc == 2 and message in text
    args = ["targets", new, "--icb", "T02", "--places-by", "former_icb", "--former", blanked]
    rc, text = run([*args, "-o", tmp_path / "t.csv"], capsys)
    assert rc == 2 and message in text


def test_a_phasing_files_problems_name_the_file_and_row(model_and_ledgers, tmp_path, capsys):
    """A phasing file's month 13 was reported without the file or row."""
    _, model, ledgers = model_and_ledgers
    phasing = tmp_path / "phasing.csv"
    phasing.write_text("month,share\n1,0.1\n13,0.1\n2,abc\n2,0.1\n")
    rc, text = run([*pack_argv(model, ledgers[6], 6, tmp_path / "p"), "--phasing", phasing], capsys)
    assert rc == 2
    assert "phasing.csv, row 3, column 'month': month '13' is not a whole number 1 to 12" in text
    assert "phasing.csv, row 4, column 'share': share 'abc' is not a number" in text
    assert "phasing.csv, rows 4-5: month 2 is given 2 times; give it once" in text
    assert not (tmp_path / "p").exists()
    phasing.write_text("month,share\n" + "".join(f"{m},0.08\n" for m in range(1, 13)))
    rc, text = run([*pack_argv(model, ledgers[6], 6, tmp_path / "p"), "--phasing", phasing], capsys)
    assert rc == 2
    assert "phasing.csv: the shares sum to 0.960000; they must sum to 1 (100%)" in text


@pytest.mark.slow  # several runs of the demo model
def test_next_months_pack_settings_leave_an_approval_standing(tmp_path, capsys):
    """pack_month, pack_dir and the page's look set no figure: an approval still covers
    the run after them."""
    model = demo_model(tmp_path / "model.xlsx")
    _sign(
        model, [("assurer", "A. Assurer", "2026-04-28"), ("approver", "B. Approver", "2026-04-30")]
    )
    assert run(["run", model, "--in-place"], capsys)[0] == 0
    for name, value in (("pack_month", 7), ("paper_size", "A3"), ("action", "validate")):
        _set_policy(model, name, value)
    rc, text = run(["run", model, "--in-place"], capsys)
    assert rc == 0 and "no longer covers" not in text
    assert _status(model)[0] == "approved"
