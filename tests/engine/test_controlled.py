"""Controlled rounding: cells, rows, columns and the total, all within a unit, by hand
and by property."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.controlled import controlled_round


def test_a_table_rounded_cell_by_cell_loses_its_total_and_controlled_keeps_it():
    # Twelve lines of £1,000,001 each, at month 6 of twelfths: £500,000.50 each exactly.
    # Cell by cell (halves up) they sum to £6,000,012 where the total is £6,000,006.
    exact = np.full((3, 4), 1_000_001 * 6 / 12)
    assert np.floor(exact + 0.5).sum() == 6_000_012
    got = controlled_round(exact)
    assert got.sum() == 6_000_006  # 12 x 500,000.5, to the pound
    # Each row of four halves: £2,000,002 exactly; each column of three: 1,500,001.5.
    assert got.sum(axis=1).tolist() == [2_000_002.0] * 3
    assert all(v in (1_500_001.0, 1_500_002.0) for v in got.sum(axis=0))
    assert set(got.ravel().tolist()) <= {500_000.0, 500_001.0}


def test_the_counterexample_to_rounding_rows_and_columns_apart():
    # Rows (0.5, 0.5) and columns (0.5, 0.5): rounding each margin by largest remainder
    # alone gives rows (1, 0) and columns (1, 0), which no 0/1 table meets.
    got = controlled_round([[0.0, 0.5], [0.5, 0.0]])
    assert got.sum() == 1.0  # 1.0 exactly
    assert got.tolist() in ([[0.0, 1.0], [0.0, 0.0]], [[0.0, 0.0], [1.0, 0.0]])


def test_units_of_a_thousand_and_negative_lines():
    got = controlled_round([[-1_500.0, 2_700.0], [800.0, -300.0]], unit=1000)
    assert got.sum() == 2000.0  # 1,700 rounds to 2,000
    assert all(v % 1000 == 0 for v in got.ravel())


@settings(max_examples=200, deadline=None)
@given(
    budgets=st.lists(
        st.lists(st.integers(-(10**7), 10**9), min_size=1, max_size=9), min_size=1, max_size=8
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    month=st.integers(1, 12),
    weights=st.lists(st.integers(1, 100), min_size=12, max_size=12),
)
def test_every_cell_row_column_and_total_is_its_exact_value_to_the_unit(budgets, month, weights):
    annual = np.array(budgets, dtype=float)
    share = sum(weights[:month]) / sum(weights)
    exact = annual * share
    got = controlled_round(exact)
    assert np.all(np.abs(got - exact) < 1 + 1e-6)
    assert np.all(np.abs(got.sum(axis=1) - exact.sum(axis=1)) < 1 + 1e-6)
    assert np.all(np.abs(got.sum(axis=0) - exact.sum(axis=0)) < 1 + 1e-6)
    # The grand total to the nearest pound (a total of exactly a half, either way: a
    # float of a billion cannot say which side of the half it is).
    assert abs(got.sum() - exact.sum()) <= 0.5 + 1e-6
    assert np.all(got == np.round(got))
    if month == 12:
        assert got.tolist() == annual.tolist()
