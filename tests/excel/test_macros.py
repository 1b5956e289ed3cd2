"""Ribbon macros: pinned names; the same sheets headless and in Excel (through a fake
xlwings book); failed runs; the action switch; packs from the ribbon."""

import inspect

import pandas as pd
import pytest
from conftest import demo_model as copy_of_demo
from fake_xlwings import Book as FakeBook
from openpyxl import load_workbook

import xlalloc
from xlalloc.cli import main
from xlalloc.excel import macros
from xlalloc.excel.books import XlwingsBook
from xlalloc.model.schema import OUTPUT_SHEETS
from xlalloc.workbook.book import FileBook

# The names Excel sees. Renaming any of these turns users' workbooks into #NAME?.


PINNED_MACROS = {
    "run_model": ["book", "progress"],
    "validate_model": ["book"],
    "refresh_outputs": ["book"],
    "build_packs": ["book"],
}


def test_macro_names_and_arguments_are_pinned():
    got = {n: list(inspect.signature(f).parameters) for n, f in macros.MACROS.items()}
    assert got == PINNED_MACROS
    assert list(inspect.signature(xlalloc.main).parameters) == []
    assert set(macros.DISPATCH) == {"run", "validate", "refresh", "packs"}


def _norm(v):
    return v


def same_cells(a, b):
    """Equal cells; floats to 14 significant digits (openpyxl writes 15-16 to the file)."""
    assert a.keys() == b.keys()
    for k in a:
        (va, fa, ba), (vb, fb, bb) = a[k], b[k]
        assert (fa, ba) == (fb, bb), k
        if isinstance(va, float) or isinstance(vb, float):
            assert va == pytest.approx(vb, rel=1e-14), k
        else:
            assert va == vb, k


def _openpyxl_cells(path, sheet):
    ws = load_workbook(path)[sheet]
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                out[(c.row, c.column)] = (
                    _norm(c.value),
                    c.number_format if c.number_format != "General" else None,
                    bool(c.font.b),
                )
    return out


def _fake_cells(fake, sheet):
    sh = fake.sheets[sheet]
    out = {}
    for rc, v in sh.data.items():
        st = sh.style.get(rc, {})
        out[rc] = (_norm(v), st.get("number_format"), bool(st.get("font.bold", False)))
    return out


@pytest.fixture
def demo_model(tmp_path):
    path = tmp_path / "model.xlsx"
    copy_of_demo(path)
    return path


def test_macros_write_identical_sheets_headless_and_in_excel(demo_model, tmp_path):
    out = tmp_path / "headless.xlsx"
    r1 = macros.run_model_macro(FileBook(demo_model, out))
    fake = FakeBook(demo_model)
    r2 = macros.run_model_macro(XlwingsBook(fake))
    assert r1 is not None and r2 is not None
    names = [s.name for s in fake.sheets]
    assert names[-len(OUTPUT_SHEETS) :] == list(OUTPUT_SHEETS)
    assert load_workbook(out).sheetnames[-len(OUTPUT_SHEETS) :] == list(OUTPUT_SHEETS)
    for sheet in OUTPUT_SHEETS:
        same_cells(_openpyxl_cells(out, sheet), _fake_cells(fake, sheet))
    assert len(fake.sheets["Trajectory"].charts) == 1
    assert any("Done" in m for _, m in fake.app.alerts)
    # The same results as the command line.
    pd.testing.assert_frame_equal(r1.apportionment.table1, r2.apportionment.table1)


def test_failed_ribbon_run_reports_on_checks_and_leaves_outputs(demo_model):
    fake = FakeBook(demo_model)
    book = XlwingsBook(fake)
    macros.run_model_macro(book)
    before = dict(fake.sheets["Targets"].data)
    fake.sheets["Budget"].data[(6, 3)] = "lots"
    assert macros.run_model_macro(book) is None
    checks = [v for (r, c), v in fake.sheets["Checks"].data.items() if c == 1]
    assert any("RUN FAILED: 1 input problem(s)" in str(v) for v in checks)
    assert any("cell C6 holds text 'lots'" in str(v) for v in checks)
    assert fake.sheets["Targets"].data == before
    title, message = fake.app.alerts[-1]
    assert title == "xlalloc: run failed" and "cell C6 holds text 'lots'" in message


def test_action_switch_on_policy_sheet_chooses_what_runs(demo_model):
    fake = FakeBook(demo_model)
    policy = fake.sheets["Policy"]
    row = next(r for (r, c), v in policy.data.items() if c == 1 and v == "action")
    policy.data[(row, 2)] = "validate"
    assert macros.dispatch(XlwingsBook(fake)) == []
    assert fake.app.alerts[-1][1] == "No input problems found."
    assert "Targets" not in [s.name for s in fake.sheets]
    policy.data[(row, 2)] = "refresh"
    macros.dispatch(XlwingsBook(fake))
    assert "Targets" in [s.name for s in fake.sheets]
    assert fake.app.alerts[-1][1] == "No input problems found."  # refresh is quiet


def test_cli_run_and_macro_share_code(demo_model, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["run", str(demo_model), "-o", str(a)]) == 0
    macros.run_model_macro(FileBook(demo_model, b))
    for sheet in OUTPUT_SHEETS:
        assert _openpyxl_cells(a, sheet) == _openpyxl_cells(b, sheet)


def test_packs_action_from_the_ribbon(demo_model, tmp_path):
    from xlalloc import demo
    from xlalloc.model.runner import run_model
    from xlalloc.readers.model import read_model

    result = run_model(read_model(demo_model))
    ledger = tmp_path / "ledger.csv"
    demo.ledger(result.apportionment.cells, result.inputs.practices, 4).to_csv(ledger, index=False)
    fake = FakeBook(demo_model)
    policy = fake.sheets["Policy"]
    rows = {v: r for (r, c), v in policy.data.items() if c == 1}
    policy.data[(rows["action"], 2)] = "packs"
    book = XlwingsBook(fake)
    assert macros.dispatch(book) == []  # parameters missing: reported, nothing written
    checks = [v for (r, c), v in fake.sheets["Checks"].data.items() if c == 1]
    assert any(
        "set pack_actuals, pack_month and pack_dir on the Policy sheet" in str(v) for v in checks
    )
    policy.data[(rows["pack_actuals"], 2)] = str(ledger)
    policy.data[(rows["pack_month"], 2)] = 4
    policy.data[(rows["pack_dir"], 2)] = str(tmp_path / "packs")
    paths = macros.dispatch(book)
    assert sorted(p.name for p in paths) == [
        "Ashford City 2026-27 M04.xlsx",
        "Brookvale 2026-27 M04.xlsx",
        "Castleton 2026-27 M04.xlsx",
        "ICB summary 2026-27 M04.xlsx",
    ]
    assert "Wrote 4 packs" in fake.app.alerts[-1][1]
    assert fake.app.printed == []  # pack_pdf is no by default


def _ribbon_book(model, policy_values):
    """The model as Excel holds it, its Policy sheet set to run the packs action."""
    fake = FakeBook(model)
    policy = fake.sheets["Policy"]
    rows = {v: r for (r, c), v in policy.data.items() if c == 1}
    for name, value in {"action": "packs", **policy_values}.items():
        policy.data[(rows[name], 2)] = value
    return fake, rows


def test_the_ribbon_prints_packs_to_pdf_through_excels_own_export(demo_model, tmp_path):
    """pack_pdf=yes: each pack opened read-only in the same Excel, exported and closed.

    No Excel runs here: the stand-in records xlwings' calls (``app.books.open``,
    ``Book.to_pdf``, ``Book.close``) and writes a file where Excel would.
    """
    from xlalloc import demo
    from xlalloc.model.runner import run_model
    from xlalloc.readers.model import read_model

    result = run_model(read_model(demo_model))
    ledger = tmp_path / "ledger.csv"
    demo.ledger(result.apportionment.cells, result.inputs.practices, 4).to_csv(ledger, index=False)
    fake, _rows = _ribbon_book(
        demo_model,
        {
            "pack_actuals": str(ledger),
            "pack_month": 4,
            "pack_dir": str(tmp_path / "packs"),
            "pack_pdf": "yes",
        },
    )
    paths = macros.dispatch(XlwingsBook(fake))
    assert len(paths) == 4
    assert sorted(fake.app.printed) == sorted(str(p.with_suffix(".pdf")) for p in paths)
    assert all(b.read_only and b.closed for b in fake.app.opened)
    assert all(p.with_suffix(".pdf").read_bytes().startswith(b"%PDF") for p in paths)
    assert "Wrote 4 packs and 4 PDFs" in fake.app.alerts[-1][1]


def test_packs_from_an_isfe_ledger_from_the_ribbon(demo_model, tmp_path):
    """The CostCentres sheet is the map and the Policy's pack_columns names the headers."""
    import csv
    import shutil

    from openpyxl import load_workbook

    from xlalloc.cli import main

    model = tmp_path / "isfe-model.xlsx"
    shutil.copy(demo_model, model)
    ledger = tmp_path / "isfe.csv"
    assert main(["demo-ledger", str(model), "--style", "isfe", "-o", str(ledger)]) == 0
    with open(tmp_path / "isfe-map.csv", encoding="utf-8-sig", newline="") as f:
        mapping = list(csv.DictReader(f))
    wb = load_workbook(model)
    ws = wb["CostCentres"]
    header = next(r for r in range(1, 11) if ws.cell(r, 1).value == "cost_centre")
    for i, r in enumerate(mapping):
        for j, k in enumerate(("cost_centre", "programme", "place")):
            ws.cell(header + 1 + i, 1 + j, r[k] or None)
    wb.save(model)
    fake, rows = _ribbon_book(
        model,
        {
            "pack_actuals": str(ledger),
            "pack_month": 6,
            "pack_dir": str(tmp_path / "packs"),
            "pack_columns": "cost_centre=Cost Centre,subjective=Subjective",
        },
    )
    policy = fake.sheets["Policy"]
    book = XlwingsBook(fake)
    assert len(macros.dispatch(book)) == 4
    alert = fake.app.alerts[-1][1]
    assert "Left out: £3,500.00 in 4 row(s)" in alert and "Reported in the packs: £" in alert
    policy.data[(rows["pack_columns"], 2)] = "colour=red"
    assert macros.dispatch(book) == []
    checks = " ".join(str(v) for (r, c), v in fake.sheets["Checks"].data.items())
    assert "Policy, pack_columns: unknown column 'colour'" in checks


def test_the_ribbon_reads_merged_areas_and_excel_errors_as_the_command_line_does(demo_model):
    # A merged title above the Budget table (A1:D1) is fine; once the whole used range
    # (A1:H22) was reported as merged because part of it was.
    fake = FakeBook(demo_model)
    fake.sheets["Budget"].merged = ["A1:D1"]
    book = XlwingsBook(fake)
    assert book.merged() == {"Budget": ["A1:D1"]}
    assert macros.validate_model(book) == []
    # Merged cells inside the table are refused, named by their own area.
    fake.sheets["Budget"].merged = ["A1:D1", "B6:C7"]
    assert XlwingsBook(fake).merged() == {"Budget": ["A1:D1", "B6:C7"]}
    problems = [str(p) for p in macros.validate_model(XlwingsBook(fake))]
    assert problems == [
        "Budget, row 6: merged cells B6:C7 inside the table; unmerge them (every row needs "
        "its own values)"
    ]
    fake.sheets["Budget"].merged = []
    # #N/A in a Policy cell: xlwings reads it as a blank, so the run had no floor.
    policy = fake.sheets["Policy"]
    row = next(r for (r, c), v in policy.data.items() if c == 1 and v == "min_growth")
    policy.data[(row, 2)] = "#N/A"
    problems = [str(p) for p in macros.validate_model(XlwingsBook(fake))]
    assert problems == [
        f"Policy, row {row}, column 'value': min_growth (cell B{row}) holds the Excel error "
        "#N/A; fix the formula or type the value"
    ], problems


def test_the_ribbon_never_clears_a_sheet_of_the_users(tmp_path):
    from conftest import broken_model

    def edit(wb):
        wb.create_sheet("Summary")["A1"] = "my own notes"

    fake = FakeBook(broken_model(tmp_path, "users", edit))
    assert macros.run_model_macro(XlwingsBook(fake)) is None
    assert fake.sheets["Summary"].data == {(1, 1): "my own notes"}
    title, message = fake.app.alerts[-1]
    assert title == "xlalloc: run failed" and "sheet(s) 'Summary' that xlalloc did not write" in (
        message
    )
    # The quiet refresh says so too (it promised an alert on failure and gave none).
    fake.app.alerts.clear()
    assert macros.refresh_outputs(XlwingsBook(fake)) is None
    assert len(fake.app.alerts) == 1 and "did not write" in fake.app.alerts[0][1]
    # Once a run has recorded its sheets (the record), the next replaces them.
    fake.sheets["Summary"].delete()
    assert macros.run_model_macro(XlwingsBook(fake)) is not None
    assert fake.names.values["_xlalloc_outputs"].startswith('="Checks|')
    assert macros.run_model_macro(XlwingsBook(fake)) is not None


def test_a_book_run_in_excel_before_the_record_keeps_its_outputs_and_refuses_the_users(
    demo_model,
):
    # No record at all (run in Excel before xlalloc kept one there): the output sheets that
    # carry xlalloc's note are replaced; a sheet of the user's with an output's name is not.
    fake = FakeBook(demo_model)
    assert macros.run_model_macro(XlwingsBook(fake)) is not None
    del fake.names.values["_xlalloc_outputs"]
    fake.sheets["Equity"].data = {(1, 1): "my own equity notes"}  # the user's own now
    assert macros.run_model_macro(XlwingsBook(fake)) is None
    title, message = fake.app.alerts[-1]
    assert "sheet(s) 'Equity' that xlalloc did not write" in message
    assert fake.sheets["Equity"].data == {(1, 1): "my own equity notes"}
    fake.sheets["Equity"].delete()
    del fake.names.values["_xlalloc_outputs"]  # (the failed run recorded its Checks)
    assert macros.run_model_macro(XlwingsBook(fake)) is not None  # the rest recognised
