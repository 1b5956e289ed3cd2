"""Input problems: collected, then reported together, each naming where it is."""

import pytest

from xlalloc.engine.errors import InputError, Problem, Problems


def test_problem_text_names_place_row_and_column():
    assert str(Problem("Budget", "amount 'x' is not a number", 6, "amount")) == (
        "Budget, row 6, column 'amount': amount 'x' is not a number"
    )
    assert str(Problem("--total", "give a total")) == "--total: give a total"


def test_problems_are_raised_together():
    found = Problems()
    assert not found
    found.add("A", "one", row=2)
    found.extend(InputError([Problem("B", "two"), Problem("C", "three")]))
    with pytest.raises(InputError) as e:
        found.raise_if_any()
    assert [p.where for p in e.value.problems] == ["A", "B", "C"]
    assert str(e.value).splitlines()[0] == "3 input problems:"
    assert str(InputError("just one", where="x")) == "1 input problem:\n  - x: just one"


def test_an_input_error_pickles_with_every_problem():
    # Problems found in a second process (xlalloc.parallel) come back as they were found.
    import pickle

    from xlalloc.engine.errors import InputError, Problem

    e = InputError([Problem("a.csv", "bad", row=3, column="x"), Problem("Budget", "worse")])
    again = pickle.loads(pickle.dumps(e))
    assert again.problems == e.problems and str(again) == str(e)
    one = pickle.loads(pickle.dumps(InputError("just this", where="w.csv")))
    assert str(one) == "1 input problem:\n  - w.csv: just this"
