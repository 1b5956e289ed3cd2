"""The shared problem, solved by hand, and the distance from target."""

import numpy as np
import pytest

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
