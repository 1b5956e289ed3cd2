"""Formula helpers shared by the output sheets."""

import numpy as np

from xlalloc.workbook.outputs.common import col_sum, ratio, sum_where, zero_checks


def test_formulas_by_hand():
    assert col_sum(3, 5, 9) == "=SUM(C5:C9)"
    assert sum_where("Practices!D5:D9", "A5", "Practices!F5:F9") == (
        "=SUMPRODUCT((Practices!D5:D9=A5)*Practices!F5:F9)"
    )
    assert ratio(np.array([1.0, 2.0, 5.0]), np.array([0.0, 4.0, 10.0])).tolist() == [0, 0.5, 0.5]


def test_zero_checks_give_each_found_check_the_value_0():
    def draw(result, rng, found, look):
        found.append(("A check", "=1-1"))
        return ["sheet"]

    checks = []
    assert zero_checks(draw)(None, None, checks, None) == ["sheet"]
    assert checks == [("A check", "=1-1", 0)]
