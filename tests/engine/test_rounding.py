from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlalloc.engine.errors import InputError
from xlalloc.engine.rounding import largest_remainder, round_half_up


def test_half_up_on_decimal_boundaries():
    # 1.0005 and 0.1235 are stored in binary just below the half (1.000499999...,
    # 0.123499999...); as decimals they are halves, and NHS England shows them rounded up.
    assert Decimal(1.0005) < Decimal("1.0005") and Decimal(0.1235) < Decimal("0.1235")
    assert round_half_up([1.0005, 0.1235, 0.0005, 0.9465, 2.675], 3).tolist() == [
        1.001,
        0.124,
        0.001,
        0.947,
        2.675,
    ]
    assert round_half_up([2.675], 2).tolist() == [2.68]
    assert round_half_up([2.5, 0.5, 1.5, -2.5], 0).tolist() == [3.0, 1.0, 2.0, -3.0]
    # Python's own round() is banker's and binary: it gives the other answers.
    assert round(2.5) == 2 and round(2.675, 2) == 2.67 and round(1.0005, 3) == 1.0


@given(st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False))
def test_half_up_matches_decimal_on_the_shown_value(d):
    x = float(d)
    expected = float(Decimal(repr(x)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
    assert round_half_up([x], 3)[0] == expected


def test_largest_remainder_by_hand():
    # 100 in thirds: 33.33 each, one unit left goes to the first by tie-break key.
    assert largest_remainder([1, 1, 1], 100).tolist() == [34, 33, 33]
    # Tie-break by key, not position.
    assert largest_remainder([1, 1, 1], 100, order=["c", "a", "b"]).tolist() == [33, 34, 33]
    # 1,000 by 0.5/0.3/0.2 in £000: exact.
    assert largest_remainder([5, 3, 2], 10_000, unit=1000).tolist() == [5000, 3000, 2000]
    # 10 by 0.26/0.37/0.37: floors 2,3,3 (sum 8); remainders .6,.7,.7 -> +1 to the two .7s
    assert largest_remainder([26, 37, 37], 10).tolist() == [2, 4, 4]


def test_negative_totals():
    # Weights with a negative total, and exact negative amounts: both round the magnitude.
    assert largest_remainder([1, 1, 1], -100).tolist() == [-34, -33, -33]
    assert largest_remainder([-50.5, -49.5], -100).tolist() == [-51, -49]


def test_total_must_be_whole_units():
    with pytest.raises(InputError, match="not a whole number"):
        largest_remainder([1, 2], 1500, unit=1000)


@given(
    st.lists(st.floats(min_value=0, max_value=1e9, allow_nan=False), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=10**10),  # within MAX_AMOUNT at a £1,000 unit
    st.sampled_from([1.0, 1000.0]),
)
def test_largest_remainder_conserves_and_is_close(weights, n, unit):
    total = n * unit
    w = np.array(weights)
    if w.sum() == 0:
        return
    out = largest_remainder(w, total, unit)
    assert round(out.sum() / unit) == n
    exact = w / w.sum() * total
    assert np.all(np.abs(out - exact) <= unit * (1 + 1e-9))
    assert np.all(np.mod(out, unit) == 0)


@given(
    st.lists(st.integers(min_value=0, max_value=1000), min_size=2, max_size=20),
    st.integers(min_value=0, max_value=10**6),
    st.randoms(),
)
def test_largest_remainder_ignores_row_order(weights, total, rnd):
    if sum(weights) == 0:
        return
    keys = [f"k{i}" for i in range(len(weights))]
    base = dict(zip(keys, largest_remainder(weights, total, order=keys)))
    perm = list(range(len(weights)))
    rnd.shuffle(perm)
    shuffled = largest_remainder([weights[i] for i in perm], total, order=[keys[i] for i in perm])
    assert {keys[i]: v for i, v in zip(perm, shuffled)} == base


def test_bounds_are_respected_when_whole_units_allow():
    out = largest_remainder([10.4, 10.4, 79.2], 100, lower=[10.4, 10.4, 0])
    assert out[0] >= 10.4 and out[1] >= 10.4 and out.sum() == 100


def test_a_unit_below_a_penny_is_refused_not_counted_forever():
    import pytest

    from xlalloc.engine.errors import InputError
    from xlalloc.engine.rounding import largest_remainder, units_of

    with pytest.raises(InputError, match=r"the rounding unit £1e-300 is below a penny"):
        units_of(250, 1e-300)
    with pytest.raises(InputError, match="below a penny"):
        largest_remainder([1, 2], 250, 0.001)
    assert units_of(2.5, 0.01) == 250  # pence are fine
