"""The shared problem, solved by hand, and the distance from target."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.convergence import dft, solve_batch


def test_theta_on_the_right_linear_piece():
    # clamp(10 + θ, 0, 12) + clamp(20 + 2θ, 0, inf) = 40: with the first free, 30 + 3θ = 40
    # gives θ = 10/3 and 13.3 > 12, so the first is capped: 12 + 20 + 2θ = 40, θ = 4.
    theta = solve_batch(
        np.array([[10.0, 20.0]]),
        np.array([[1.0, 2.0]]),
        np.array([[0.0, 0.0]]),
        np.array([[12.0, np.inf]]),
        np.array([40.0]),
    )
    assert theta == pytest.approx([4.0])


def test_many_scenarios_at_once():
    base, slope = np.array([[1.0, 1.0], [1.0, 1.0]]), np.ones((2, 2))
    lo, hi = np.zeros((2, 2)), np.full((2, 2), np.inf)
    # 2 + 2θ = 4 and = 10: θ = 1 and 4.
    assert solve_batch(base, slope, lo, hi, np.array([4.0, 10.0])) == pytest.approx([1.0, 4.0])


def test_distance_from_target_is_positive_above_target():
    # Fair shares of 200: 50 and 150; 60 is 20% above, 140 is 6.67% below.
    assert dft([60.0, 140.0], [0.25, 0.75]) == pytest.approx([0.2, 140 / 150 - 1])


def _by_bisection(base, slope, lo, hi, total):
    """θ by 200 plain bisections of the sum between bounds past every bend (a reference
    that shares nothing with the solver's Newton steps, brackets or buffers)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        bends = np.r_[(lo - base) / slope, (hi - base) / slope]
    bends = bends[np.isfinite(bends)]
    # Past every bend and θ = 0 by more than any total could need: with no cap, θ runs
    # beyond the last bend (hypothesis found an organisation with no cap whose θ was past
    # the bracket of its bends ± 1: the reference was wrong, the solver right).
    reach = (abs(total) + np.abs(base).sum() + np.abs(lo).sum() + 1.0) / slope[slope > 0].min()
    a, b = min(bends.min(), 0.0) - reach, max(bends.max(), 0.0) + reach

    def f(theta):
        return np.clip(base + theta * slope, lo, hi).sum() - total

    for _ in range(200):
        m = 0.5 * (a + b)
        a, b = (m, b) if f(m) < 0 else (a, m)
    return 0.5 * (a + b)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6),
    st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12),
    st.data(),
)
def test_batch_allocations_equal_a_bisection_for_every_scenario(orgs, mix, data):
    """Scenarios of organisations with no slope, no cap or a floor equal to their cap,
    solved in one batch: each scenario's allocations sum to its total and equal those
    of a scalar bisection, whether the batch holds one scenario or many."""
    S = data.draw(st.integers(1, 40))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    base = rng.uniform(50, 150, (S, orgs))
    slope = base * rng.uniform(0.5, 1.5, (S, orgs))
    slope[rng.random((S, orgs)) < mix[0] * 0.3] = 0.0  # some do not move
    lo = base * (1 + rng.uniform(-0.05, 0.02, (S, orgs)))
    hi = np.maximum(base * (1 + rng.uniform(0.0, 0.1, (S, orgs))), lo)
    hi[rng.random((S, orgs)) < mix[1] * 0.3] = np.inf  # some have no cap
    pinned = rng.random((S, orgs)) < mix[2] * 0.2
    hi[pinned] = lo[pinned]  # some are held at one figure
    free_lo = np.clip(base, lo, hi)
    # Totals the clamps can reach: between every floor and every cap (or half as much
    # again where there is none); an organisation with no slope stays where it is.
    bottom = np.where(slope > 0, lo, free_lo).sum(axis=1)
    top = np.where(slope > 0, np.where(np.isfinite(hi), hi, base * 1.5), free_lo).sum(axis=1)
    total = bottom + rng.uniform(0.0, 1.0, S) * (top - bottom)
    theta = solve_batch(base, slope, lo, hi, total)
    alloc = np.clip(base + theta[:, None] * slope, lo, hi)
    np.testing.assert_allclose(alloc.sum(axis=1), total, rtol=1e-12)
    for k in range(S):
        if not (slope[k] > 0).any():
            continue
        want = np.clip(
            base[k] + _by_bisection(base[k], slope[k], lo[k], hi[k], total[k]) * slope[k],
            lo[k],
            hi[k],
        )
        np.testing.assert_allclose(alloc[k], want, rtol=1e-9, atol=1e-9)
        one = solve_batch(
            base[k : k + 1], slope[k : k + 1], lo[k : k + 1], hi[k : k + 1], total[k : k + 1]
        )
        np.testing.assert_allclose(
            np.clip(base[k] + one * slope[k], lo[k], hi[k]), alloc[k], rtol=1e-12
        )
