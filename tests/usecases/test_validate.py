"""``xlalloc validate``: every input problem at once, as readable lines."""

from conftest import broken_model, demo_model

from xlalloc.usecases.validate import ValidateRequest, run


def test_a_valid_model_has_no_problems(tmp_path):
    assert run(ValidateRequest.of(path=demo_model(tmp_path / "m.xlsx"))) == []


def test_each_problem_is_a_line_naming_its_sheet_row_column_and_cell(tmp_path):
    at = []

    def edit(wb):
        ws = wb["Budget"]
        cell = next(c for c in ws["C"] if isinstance(c.value, int | float))  # the first amount
        cell.value = "lots"
        at.append(cell.row)

    problems = run(ValidateRequest.of(path=broken_model(tmp_path, "bad", edit)))
    (row,) = at
    assert f"Budget, row {row}, column 'amount': cell C{row} holds text 'lots'" in problems[0]
