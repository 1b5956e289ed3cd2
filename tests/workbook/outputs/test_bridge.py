"""The Bridge sheet: a block a year, the adjustment and the gap as formulas, its checks."""

import pandas as pd

from xlalloc.engine.bridge import place_bridge
from xlalloc.workbook.outputs.bridge import year_block
from xlalloc.workbook.sheetspec import Drawing


def _bridge(table1=None):
    conv = pd.DataFrame(
        {
            "org": ["North", "South"],
            "baseline": [100.0, 200.0],
            "target": [132.0, 198.0],
            "allocation": [105.0, 225.0],
            "dft_before": [-0.24, 0.01],
            "dft_after": [-0.2, 0.13],
            "rule": ["level", "level"],
        }
    )
    return place_bridge("2026/27", conv, 330.0, 0.1, table1)


def _cells(d):
    spec = d.spec()
    return {(c.row, c.col): c for c in spec.cells}


def test_a_year_with_budget_lines_has_formulas_totals_and_three_checks():
    table1 = pd.DataFrame(
        {"North": [110.0, 110.0], "South": [230.0, 230.0], "Total": [340.0, 340.0]},
        index=pd.Index(["Acute", "Total"], name="programme"),
    )
    d, checks = Drawing("Bridge"), []
    end = year_block(d, _bridge(table1), 1, 5, checks)
    cells = _cells(d)
    # Row 3 is North: the adjustment (D) is allocation less baseline less core growth.
    assert cells[(3, 4)].value == "=E3-B3-C3" and cells[(3, 4)].cached == -5.0
    assert cells[(3, 7)].value == "=F3-E3" and cells[(3, 7)].cached == 5.0
    assert cells[(5, 1)].value == "Total" and cells[(5, 5)].value == "=SUM(E3:E4)"
    assert cells[(6, 5)].value == "=Totals!$B$5"  # the year's convergence total
    assert cells[(8, 1)].value == "Budget's total less the convergence total"
    assert cells[(8, 7)].cached == 10.0
    # Below: each place's target and distance from it, the targets adding to the total.
    assert cells[(10, 2)].value == "Target at the convergence total (£)"
    assert cells[(11, 2)].value == 132.0 and cells[(13, 2)].value == "=SUM(B11:B12)"
    assert end == 13
    assert [c[0] for c in checks] == [
        "Bridge 2026/27: allocations less the year's convergence total",
        "Bridge 2026/27: apportioned budgets less the budget lines' total",
        "Bridge 2026/27: the places' gaps less the difference between the totals",
        "Bridge 2026/27: targets less the year's convergence total",
    ]
    assert checks[3][1] == "=ROUND(Bridge!B13-Bridge!E6,2)"
    assert checks[2][1] == "=ROUND(Bridge!G5-Bridge!G8,2)"


def test_a_year_without_budget_lines_is_convergence_only():
    d, checks = Drawing("Bridge"), []
    end = year_block(d, _bridge(), 1, 6, checks)
    cells = _cells(d)
    assert "convergence only" in cells[(1, 1)].value
    assert cells[(3, 6)].value is None and cells[(3, 7)].value is None
    assert end == 11 and len(checks) == 2
