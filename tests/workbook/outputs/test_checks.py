"""The Checks sheet: every check, their sum of absolute values, the run's messages."""

from xlalloc.engine.errors import InputError
from xlalloc.workbook.outputs.checks import checks_sheet, error_specs

from .conftest import cells


def test_the_overall_check_sums_absolute_values():
    spec = checks_sheet([("A", "=2", 2), ("B", "=-3", -3)], ["m"])
    values = cells(spec)
    overall = next(r for (r, c), v in values.items() if v == "Overall check (0 when all is well)")
    assert values[(overall, 2)] == 5  # |2| + |-3|, by hand


def test_a_failed_run_lists_every_problem():
    error = InputError("x is wrong", where="Budget")
    error.problems.append(error.problems[0].__class__("Policy", "y is wrong"))
    (spec,) = error_specs(error)
    text = [v for v in cells(spec).values() if isinstance(v, str)]
    assert "RUN FAILED: 2 input problem(s); outputs were not updated" in text
    assert "Budget: x is wrong" in text and "Policy: y is wrong" in text
