"""The one problem ``level`` and ``pace`` share, and the distance from target."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["dft", "solve_batch"]

Array = npt.NDArray[np.float64]


def dft(x: npt.ArrayLike, shares: npt.ArrayLike) -> Array:
    """Distance from target: ``(x_i - s_i Σx) / (s_i Σx)``; positive above target."""
    x = np.asarray(x, dtype=np.float64)
    s = np.asarray(shares, dtype=np.float64)
    fair = s * x.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - fair) / fair


def solve_batch(
    base: Array, slope: Array, lo: Array, hi: Array, total: Array, iterations: int = 60
) -> Array:
    """Solve ``Σ_i clamp(base + θ slope, lo, hi) = total`` for θ, per scenario.

    All arrays have shape ``(S, n)`` except ``total`` ``(S,)``. ``slope >= 0``;
    ``lo`` finite; ``hi`` may be ``inf``. The sum is piecewise linear and non-decreasing
    in θ, so Newton's step on the piece θ is on (the organisations strictly between
    their floor and cap move; the others stay) lands on the answer as soon as θ is on the
    right piece. Each scenario keeps a bracket; a step that would leave it, or a piece
    with no slope, bisects instead, so every scenario converges (at most ``iterations``
    steps; a few in practice, every scenario at once). The last step is the exact
    solution of the piece's linear equation.

    Returns:
        θ of shape ``(S,)``.
    """
    pos = slope > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        b_lo = np.where(pos, (lo - base) / slope, np.nan)
        b_hi = np.where(pos & np.isfinite(hi), (hi - base) / slope, np.nan)
    bends = np.concatenate([b_lo, b_hi], axis=1)
    t_lo = np.nan_to_num(np.nanmin(bends, axis=1, initial=np.inf) - 1.0, nan=-1.0, posinf=-1.0)
    t_hi = np.nan_to_num(np.nanmax(bends, axis=1, initial=-np.inf) + 1.0, nan=1.0, neginf=1.0)
    fixed_slope = np.where(pos, slope, 0.0)
    theta = np.clip(  # all free: where the sum of the unclamped lines meets the total
        (total - base.sum(axis=1)) / np.maximum(fixed_slope.sum(axis=1), 1e-300), t_lo, t_hi
    )
    tol = 1e-13 * np.maximum(1.0, np.abs(total))
    live = np.ones(total.shape, dtype=bool)
    for _ in range(iterations):
        x = base + theta[:, None] * slope
        f = np.clip(x, lo, hi).sum(axis=1)
        gap = total - f
        live &= np.abs(gap) > tol
        if not live.any():
            break
        t_lo = np.where(live & (gap > 0), theta, t_lo)
        t_hi = np.where(live & (gap < 0), theta, t_hi)
        free = (x > lo) & (x < hi) & pos
        # At a bend the piece ahead decides: going up, those at their floor join too.
        ahead = free | (pos & np.where(gap[:, None] > 0, x == lo, x == hi))
        rate = np.where(ahead, slope, 0.0).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = theta + gap / rate
        inside = (rate > 0) & (step > t_lo) & (step < t_hi)
        theta = np.where(live, np.where(inside, step, 0.5 * (t_lo + t_hi)), theta)
    # Exact finish on the linear piece: free organisations are strictly inside their bounds.
    x = base + theta[:, None] * slope
    free = (x > lo) & (x < hi) & pos
    fixed = np.where(free, 0.0, np.clip(x, lo, hi)).sum(axis=1)
    fb = np.where(free, base, 0.0).sum(axis=1)
    fs = np.where(free, slope, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = (total - fixed - fb) / fs
    ok = (fs > 0) & np.isfinite(exact)
    return np.where(ok, exact, theta)
