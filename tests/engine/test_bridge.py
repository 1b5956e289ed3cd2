"""The place bridge: baseline + core growth + convergence adjustment = allocation, and
the apportioned budgets, the gaps and the totals, by hand and by property."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.bridge import BRIDGE_COLUMNS, WHY_THEY_DIFFER, place_bridge
from xlalloc.engine.convergence import ConvergencePolicy, converge


def _year(baselines, allocations, shares):
    b, a, s = (np.asarray(x, dtype=float) for x in (baselines, allocations, shares))
    t = s * a.sum()
    return pd.DataFrame(
        {
            "org": [f"P{k}" for k in range(len(b))],
            "baseline": b,
            "target": t,
            "allocation": a,
            "dft_before": b / (s * b.sum()) - 1,
            "dft_after": a / t - 1,
            "rule": "level",
            "explanation": "",
        }
    )


def test_a_two_place_bridge_by_hand():
    # Baselines £100 and £200; a convergence total of £330: core growth 10%, £10 and £20.
    # Allocations £105 and £225: adjustments -£5 and +£5, adding to nothing.
    conv = _year([100, 200], [105, 225], [0.4, 0.6])
    table1 = pd.DataFrame(
        {"P0": [60.0, 50.0, 110.0], "P1": [150.0, 80.0, 230.0], "Total": [210.0, 130.0, 340.0]},
        index=pd.Index(["Acute", "Community", "Total"], name="programme"),
    )
    b = place_bridge("2026/27", conv, 330.0, 0.1, table1)
    p0, p1, total = (b.place(p) for p in ("P0", "P1", "Total"))
    assert (p0["core_growth"], p1["core_growth"]) == (10.0, 20.0)
    assert (p0["convergence_adjustment"], p1["convergence_adjustment"]) == (-5.0, 5.0)
    # Apportioned £110 and £230: gaps £5 and £5; the budget's £340 is £10 over the £330.
    assert (p0["budget_gap"], p1["budget_gap"]) == (5.0, 5.0)
    assert total["allocation"] == 330.0 and total["apportioned_budget"] == 340.0
    assert b.difference == 10.0 == total["budget_gap"]
    assert total["convergence_adjustment"] == 0.0
    assert list(b.programmes.index) == ["Acute", "Community"]
    assert b.not_in_both == []
    assert list(b.table.columns[:-1]) == ["place", *BRIDGE_COLUMNS]


def test_a_year_without_budget_lines_has_no_apportioned_budget():
    b = place_bridge("2027/28", _year([100, 200], [105, 225], [0.4, 0.6]), 330.0, 0.1)
    assert b.budget_total is None and b.difference is None and b.programmes is None
    assert b.table["apportioned_budget"].isna().all()


def test_a_place_apportioned_but_not_converged_is_named():
    table1 = pd.DataFrame(
        {"P0": [110.0, 110.0], "P1": [230.0, 230.0], "P9": [5.0, 5.0], "Total": [345.0] * 2},
        index=pd.Index(["Acute", "Total"], name="programme"),
    )
    b = place_bridge("2026/27", _year([100, 200], [105, 225], [0.4, 0.6]), 330.0, 0.1, table1)
    assert b.not_in_both == ["P9"]
    assert b.place("Total")["apportioned_budget"] == 345.0  # the budget's whole total


def test_the_reason_budget_and_target_differ_cites_its_source():
    assert "Birmingham and Solihull" in WHY_THEY_DIFFER


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1_000, 10**9), min_size=2, max_size=12),
    st.floats(-0.05, 0.12),
    st.sampled_from([1.0, 1000.0]),
)
def test_every_bridge_adds_up_to_the_unit(baselines, growth, unit):
    """Whatever the baselines, growth and unit: each place's lines add to its allocation
    exactly, the core growth is within a unit of baseline x growth, and the totals are
    the year's convergence total and its growth."""
    b = np.asarray(baselines, dtype=float)
    n = len(b)
    shares = np.arange(1, n + 1) / np.arange(1, n + 1).sum()
    total = float(np.round(b.sum() * (1 + growth) / unit) * unit)
    orgs = pd.DataFrame({"org": [f"P{k}" for k in range(n)], "baseline": b, "target_share": shares})
    year = converge(orgs, total, ConvergencePolicy(method="pace", pace=0.5, unit=unit))
    rate = total / b.sum() - 1
    bridge = place_bridge("2026/27", year.table, total, rate, unit=unit)
    places, tot = bridge.table.iloc[:-1], bridge.table.iloc[-1]
    lines = places["baseline"] + places["core_growth"] + places["convergence_adjustment"]
    assert (lines == places["allocation"]).all()
    assert np.all(np.abs(places["core_growth"] - b * rate) < unit + 1e-6)
    assert np.all(np.mod(places["core_growth"], unit) == 0)
    assert places["allocation"].sum() == pytest.approx(total, abs=1e-6)
    assert tot["allocation"] == total
    # The adjustments move money between places: they add to nothing, to a unit.
    assert abs(places["convergence_adjustment"].sum()) <= unit
