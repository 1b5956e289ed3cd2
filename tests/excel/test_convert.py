"""Converting what Excel passes to worksheet functions."""

import numpy as np
import pytest

from xlalloc.engine.errors import InputError
from xlalloc.excel import convert as cv


def test_shapes_excel_passes():
    assert cv.vector(5, "x").tolist() == [5.0]
    assert cv.vector([1, 2], "x").tolist() == [1.0, 2.0]
    assert cv.vector([[1], ["£2,000"]], "x").tolist() == [1.0, 2000.0]
    assert cv.vector([[1, 2, 3]], "x").tolist() == [1.0, 2.0, 3.0]
    assert np.isnan(cv.vector([None], "x", allow_blank=True)[0])
    assert cv.flags([[True], [0], ["no"], ["x"]], "s", 4).tolist() == [True, False, False, True]
    assert cv.scalar(None, "u", default=1.0) == 1.0
    assert cv.pairs([["min_growth", 0.01], [None, None]], "p") == {"min_growth": 0.01}
    assert cv.column(np.array([1.0, 2.0])) == [[1.0], [2.0]]


def test_every_problem_named():
    with pytest.raises(InputError) as e:
        cv.vector([[1], ["1,5"], [None], [-3]], "weights", minimum=0)
    assert [p.message for p in e.value.problems] == [
        "weights item 2 is text ('1,5'); expected a number",
        "weights item 3 is blank; expected a number",
        "weights item 4 is -3; expected at least 0",
    ]
    with pytest.raises(InputError, match="expected one row or one column, got 2 x 2"):
        cv.vector([[1, 2], [3, 4]], "x")
    with pytest.raises(InputError, match="ranges differ in length"):
        cv.same_length(a=[1], b=[1, 2])
