"""Reading a model workbook: the broken-workbook corpus, row numbers as the user sees them,
every problem at once."""

import pytest
from conftest import ROOT, broken_model, sha

from xlalloc.cli import main
from xlalloc.model.schema import PARAMETERS


def _set(sheet, cell, value):
    def edit(wb):
        wb[sheet][cell] = value

    return edit


def _first_row_of(wb, sheet, key, value):
    ws = wb[sheet]
    for row in ws.iter_rows(min_row=5):
        if row[0].value == value:
            return row[0].row
    raise KeyError(value)


CORPUS = {
    "missing_sheet": (
        lambda wb: wb.remove(wb["Budget"]),
        "Budget: sheet 'Budget' is missing; expected a table with columns "
        "['line', 'programme', 'amount'",
    ),
    "renamed_column": (
        _set("Practices", "L4", "pop"),
        "Practices: missing column(s) 'population' in the header row 4; columns found:",
    ),
    "text_in_number": (
        _set("Budget", "C6", "lots"),
        "Budget, row 6, column 'amount': cell C6 holds text 'lots'; expected a number",
    ),
    "duplicate_practice": (
        _set("Practices", "B6", "Q10001"),
        "Practices, column 'practice_code': practice Q10001 appears more than once (rows [5, 6])",
    ),
    "blank_cell": (
        _set("Practices", "K7", None),
        "Practices, row 7, column 'place': cell K7 is blank; expected text",
    ),
    "merged_cells": (
        lambda wb: wb["Budget"].merge_cells("B5:B6"),
        "Budget, row 5: merged cells B5:B6 inside the table",
    ),
    "shares_not_100": (
        _set("PlaceSplits", "D5", 40),
        "Place splits, column 'pct': line Mental health trust contract: place "
        "percentages sum to 95, not 100%",
    ),
    "policy_out_of_range": (
        lambda wb: wb["Policy"].__setitem__(
            f"B{5 + [p.name for p in PARAMETERS].index('min_growth')}", 5
        ),
        "Policy, row 11, column 'value': min_growth (cell B11) is 5; expected between -1 and 1",
    ),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_broken_workbooks_give_documented_messages(tmp_path, capsys, name):
    edit, expected = CORPUS[name]
    model = broken_model(tmp_path, name, edit)
    before = sha(model)
    assert main(["validate", str(model)]) == 1
    out = capsys.readouterr().out
    assert expected in out, out
    assert main(["run", str(model)]) == 2
    assert expected in capsys.readouterr().err
    assert main(["run", str(model), "--in-place"]) == 2
    assert sha(model) == before
    assert not (tmp_path / f"{name}-results.xlsx").exists()


def test_row_numbers_follow_the_sheet_when_rows_are_removed_above_the_table(tmp_path, capsys):
    def edit(wb):
        ws = wb["Budget"]
        ws.delete_rows(1, 2)  # title and note gone: row 1 blank, header on row 2
        ws["C4"] = "lots"

    model = broken_model(tmp_path, "moved", edit)
    assert main(["validate", str(model)]) == 1
    out = capsys.readouterr().out
    assert "Budget, row 4, column 'amount': cell C4 holds text 'lots'" in out


def test_a_file_that_is_not_a_workbook_is_an_input_problem(tmp_path, capsys):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    for cmd in (["run", str(bad)], ["run", str(bad), "--in-place"]):
        assert main(cmd) == 2
        assert (
            "bad.xlsx: not an Excel workbook (.xlsx or .xlsm): the file is not a zip package"
        ) in capsys.readouterr().err
    assert main(["validate", str(bad)]) == 1
    assert "bad.xlsx: not an Excel workbook (.xlsx or .xlsm)" in capsys.readouterr().out
    assert main(["run", str(tmp_path / "missing.xlsx")]) == 2
    assert "file not found" in capsys.readouterr().err


def test_every_problem_reported_at_once(tmp_path, capsys):
    def edit(wb):
        for e, _ in (
            CORPUS["text_in_number"],
            CORPUS["blank_cell"],
            CORPUS["policy_out_of_range"],
            CORPUS["duplicate_practice"],
        ):
            e(wb)

    model = broken_model(tmp_path, "many", edit)
    assert main(["validate", str(model)]) == 1
    out = capsys.readouterr().out
    for name in ("text_in_number", "blank_cell", "policy_out_of_range", "duplicate_practice"):
        assert CORPUS[name][1] in out


def test_empty_template_says_what_is_missing(tmp_path, capsys):
    assert main(["validate", str(ROOT / "templates" / "model.xlsx")]) == 1
    assert "Practices: no practices: add at least one row below the header (row 4)" in (
        capsys.readouterr().out
    )


def _years(values, place_of_row_6=None):
    """Fill the demo's Practices year column (column A) from row 5 down."""

    def edit(wb):
        ws = wb["Practices"]
        assert ws["A4"].value == "year"
        for r in range(5, ws.max_row + 1):
            ws.cell(row=r, column=1, value=values(r))
        if place_of_row_6:
            ws["B6"] = ws["B5"].value  # row 6 repeats row 5's practice ...
            place = [c.value for c in ws[4]].index("place") + 1
            ws.cell(row=6, column=place, value=place_of_row_6)  # ... in another place

    return edit


def test_practice_years_are_all_given_or_all_blank(tmp_path):
    from xlalloc.api import validate

    # Every row in one year: the model runs as before.
    model = broken_model(tmp_path, "ok", _years(lambda r: "2026/27"))
    assert validate(model) == []
    # One blank, one not a financial year, one practice twice in a year.
    model = broken_model(tmp_path, "bad", _years(lambda r: {7: None, 8: "26/27"}.get(r, "2026/27")))
    problems = validate(model)
    assert (
        "Practices, row 7, column 'year': year is blank while other rows give one; give "
        "every row its financial year, e.g. 2026/27" in problems
    )
    assert (
        "Practices, row 8, column 'year': year '26/27' is not a financial year such as "
        "2026/27" in problems
    )


def test_a_practice_is_in_one_place_in_every_year(tmp_path):
    from xlalloc.api import validate

    # Row 6 repeats row 5's practice in 2027/28, in another place.
    model = broken_model(
        tmp_path,
        "moved",
        _years(lambda r: "2027/28" if r == 6 else "2026/27", place_of_row_6="Elsewhere"),
    )
    problems = validate(model)
    assert any(
        "is in different places in different years" in p
        and "(row 5)" in p
        and "Elsewhere (row 6)" in p
        for p in problems
    ), problems

    # The same practice twice in one year.
    def dup(wb):
        wb["Practices"]["B6"] = wb["Practices"]["B5"].value

    model = broken_model(tmp_path, "twice", lambda wb: (_years(lambda r: "2026/27")(wb), dup(wb)))
    assert any("appears more than once in 2026/27 (rows [5, 6])" in p for p in validate(model))


def test_the_financial_year_must_be_one_of_the_practice_years(tmp_path):
    from xlalloc.api import validate

    model = broken_model(tmp_path, "other", _years(lambda r: "2027/28"))
    assert any(
        "financial_year 2026/27 has no practices: the Practices sheet's years are 2027/28" in p
        for p in validate(model)
    )


def test_reading_only_the_key_tables_gives_the_same_practices_and_lines(tmp_path):
    """``xlalloc activity`` reads a model's practices and budget lines only: the same
    frames as a full read, and a problem on a sheet it does not read does not stop it
    (a full read still reports it)."""
    from xlalloc.engine.errors import InputError
    from xlalloc.readers.model import KEY_TABLES, read_model

    model = broken_model(tmp_path, "bad_data", _set("PracticeData", "C5", "lots"))
    with pytest.raises(InputError, match="PracticeData, row 5, column 'value': cell C5"):
        read_model(model)
    keys = read_model(model, KEY_TABLES)
    full = read_model(broken_model(tmp_path, "good", lambda wb: None))
    assert keys.practices.equals(full.practices)
    assert keys.budget.equals(full.budget)
    assert keys.policy == full.policy
    assert len(keys.practice_data) == len(keys.activity) == 0
    assert len(full.practice_data) > 0


def _totals_years(*years):
    """The demo's Totals sheet with its years typed as given (row 5 down)."""

    def edit(wb):
        ws = wb["Totals"]
        assert ws["A4"].value == "year"
        for i, year in enumerate(years):
            ws.cell(row=5 + i, column=1, value=year)

    return edit


def test_totals_for_a_year_the_model_does_not_converge_are_named_by_row(tmp_path):
    """Totals typed a year out (2025/26 to 2027/28 in a 2026/27 model) are an input error.

    The demo is a model of one financial year (2026/27) converging over three years: a
    total before it is named; in a model of several years (the Practices sheet's years)
    a total for any other year is.
    """
    from xlalloc.api import validate

    model = broken_model(tmp_path, "early", _totals_years("2025/26", "2026/27", "2027/28"))
    assert validate(model) == [
        "Totals, row 5, column 'year': year '2025/26' is not a year this model converges: "
        "the model's financial year is 2026/27: totals are for it or later"
    ]
    # Practices in 2026/27 and 2027/28 (alternate rows): a 2028/29 total is named.
    several = broken_model(
        tmp_path,
        "several",
        lambda wb: (
            _years(lambda r: "2026/27" if r % 2 else "2027/28")(wb),
            _totals_years("2026/27", "2027/28", "2028/29")(wb),
        ),
    )
    problems = validate(several)
    assert [p for p in problems if p.startswith("Totals")] == [
        "Totals, row 7, column 'year': year '2028/29' is not a year this model converges: "
        "the model's years are 2026/27 and 2027/28 (the Practices sheet)"
    ]
    # Every practice in 2026/27: a model of one year, converging from it on.
    one = broken_model(tmp_path, "one", _years(lambda r: "2026/27"))
    assert validate(one) == []
