"""The model's actions on a headless book (the ribbon runs the same code in Excel)."""

from conftest import broken_model

from xlalloc import actions
from xlalloc.workbook.book import FileBook


def _checks(book_path):
    return [r[0] for r in FileBook(book_path).values("Checks") if r and r[0]]


def test_validate_lists_problems_on_checks_and_alerts(tmp_path):
    def edit(wb):
        wb["Budget"]["C5"] = "lots"

    model = broken_model(tmp_path, "bad", edit)
    out = tmp_path / "out.xlsx"
    book = FileBook(model, out)
    problems = actions.validate_action(book)
    assert problems == [
        "Budget, row 5, column 'amount': cell C5 holds text 'lots'; expected a number"
    ]
    assert problems[0] in _checks(out)
    assert book.messages[-1].startswith("xlalloc: run failed: 1 input problem(s)")


def test_dispatch_follows_the_policy_action(tmp_path):
    def edit(wb):
        for row in wb["Policy"].iter_rows(min_row=5):
            if row[0].value == "action":
                row[1].value = "explode"

    book = FileBook(broken_model(tmp_path, "act", edit), tmp_path / "o.xlsx")
    assert actions.action_of(book) == "explode"
    assert actions.dispatch(book) is None
    assert "Unknown action 'explode'" in book.messages[-1]
