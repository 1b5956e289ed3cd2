"""Equity measures worked by hand, and the concentration index's properties."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlalloc.engine.equity import (
    MEASURES,
    UNIT_COLUMNS,
    EquitySettings,
    concentration_index,
    equity,
)
from xlalloc.engine.errors import InputError


def three(**extra):
    return pd.DataFrame(
        {
            "unit": ["A", "B", "C"],
            "population": [100, 100, 100],
            "need": [100, 200, 100],
            "spend": [100, 200, 300],
            **extra,
        }
    )


def test_every_measure_by_hand():
    r = equity(three(deprivation=[3, 2, 1]))
    u = r.units.set_index("unit")
    assert list(r.units.columns[:7]) == UNIT_COLUMNS
    # X = 600, N = 400: expected 150, 300, 150; ratios 2/3, 2/3, 2.
    assert u["expected"].tolist() == [150, 300, 150]
    assert u["ratio"].tolist() == pytest.approx([2 / 3, 2 / 3, 2])
    assert u["underserved"].tolist() == [True, True, False]
    m = dict(zip(r.summary["measure"], r.summary["value"]))
    assert list(r.summary["measure"]) == list(MEASURES)
    assert m["proportion_underserved"] == pytest.approx(200 / 300)
    # Ranks (most deprived first) 1/6, 1/2, 5/6. Spend per head 1, 2, 3 (μ 2):
    # (2/2)·(1/3)·[(−1)(−1/3) + 0 + (1)(1/3)] = 2/9. Need per head 1, 2, 1 (μ 4/3): 0.
    assert m["concentration_spend"] == pytest.approx(2 / 9)
    assert m["concentration_need"] == pytest.approx(0, abs=1e-15)
    assert m["horizontal_inequity"] == pytest.approx(2 / 9)
    # ln spend/head on ln need/head, equal weights: slope (2 ln 2 − ln 3) / (2 ln 2).
    assert m["vertical_slope"] == pytest.approx(math.log(4 / 3) / math.log(4))
    assert m["units"] == 3 and m["population"] == 300


def test_tolerance_and_no_deprivation():
    r = equity(three(), EquitySettings(tolerance=0.4))  # 2/3 is not below 0.6
    m = dict(zip(r.summary["measure"], r.summary["value"]))
    assert m["proportion_underserved"] == 0
    assert "concentration_spend" not in m and "horizontal_inequity" not in m


def test_a_unit_without_spend_is_left_out_of_the_slope_and_named():
    df = three()
    df.loc[2, "spend"] = 0
    r = equity(df)
    assert any("leaves out 1 unit(s) with no spend (no logarithm): C" in n for n in r.notes)


def test_bad_rows_are_reported_together():
    df = three(deprivation=[1, "high", 2])
    df.loc[0, "need"] = 0
    df.loc[1, "unit"] = "A"
    with pytest.raises(InputError) as e:
        equity(df)
    text = str(e.value)
    assert "row 2, column 'need': need is 0; expected more than 0" in text
    assert "row 3, column 'deprivation': deprivation is 'high'" in text
    assert "unit 'A' appears more than once" in text


@given(
    st.lists(st.tuples(st.integers(1, 10_000), st.floats(0, 100)), min_size=2, max_size=30),
    st.floats(0.1, 1000),
)
def test_concentration_index_is_zero_when_per_head_values_are_equal(rows, value):
    pop = [r[0] for r in rows]
    dep = [r[1] for r in rows]
    names = [f"u{i}" for i in range(len(rows))]
    assert concentration_index([value] * len(rows), pop, dep, names) == pytest.approx(0, abs=1e-12)


@given(
    st.lists(
        st.tuples(st.integers(1, 10_000), st.floats(0.01, 1000)),
        min_size=2,
        max_size=30,
        unique_by=lambda r: r[1],
    )
)
def test_concentration_index_changes_sign_when_deprivation_is_reversed(rows):
    pop = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows])
    dep = np.arange(len(rows), dtype=float)
    names = [f"u{i:02d}" for i in range(len(rows))]
    c = concentration_index(y, pop, dep, names)
    assert concentration_index(y, pop, -dep, names) == pytest.approx(-c, abs=1e-12)


def test_equally_deprived_units_share_a_rank_so_names_never_decide():
    """Ties were broken by name: with every deprivation equal, renaming the units changed
    the concentration index's sign. By hand, y = 1, 3, 2, 4 at deprivation 2, 2, 1, 1 and
    equal weights: the two tied groups take ranks 0.25 and 0.75, mu = 2.5, and
    C = 0.8 x 0.25 x (0.375 - 0.125 - 0.125 + 0.375) = 0.1, whatever the names."""
    from xlalloc.engine.equity import concentration_index

    y, w = [1, 3, 2, 4], [1, 1, 1, 1]
    for names in (list("ABCD"), list("DCBA"), list("BADC")):
        assert concentration_index(y, w, [2, 2, 1, 1], names) == pytest.approx(0.1)
        assert concentration_index(y, w, [5, 5, 5, 5], names) == pytest.approx(0.0)
