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
    ``lo`` finite; ``hi`` may be ``inf``. The sum is piecewise linear and
    non-decreasing in θ: bisection finds the linear piece holding the answer,
    then that piece's linear equation gives θ exactly (to rounding).

    Returns:
        θ of shape ``(S,)``.
    """
    R = total[:, None]
    pos = slope > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        b_lo = np.where(pos, (lo - base) / slope, np.nan)
        b_hi = np.where(pos & np.isfinite(hi), (hi - base) / slope, np.nan)
        b_r = np.where(pos, (R - base) / slope, np.nan)
    allb = np.concatenate([b_lo, b_hi, b_r], axis=1)
    t_lo = np.nanmin(np.where(np.isfinite(allb), allb, np.nan), axis=1) - 1.0
    t_hi = np.nanmax(np.where(np.isfinite(allb), allb, np.nan), axis=1) + 1.0
    t_lo = np.nan_to_num(t_lo, nan=-1.0)
    t_hi = np.nan_to_num(t_hi, nan=1.0)

    def f(theta: Array) -> Array:
        return np.clip(base + theta[:, None] * slope, lo, hi).sum(axis=1)

    for _ in range(iterations):
        mid = 0.5 * (t_lo + t_hi)
        below = f(mid) < total
        t_lo = np.where(below, mid, t_lo)
        t_hi = np.where(below, t_hi, mid)
    theta = 0.5 * (t_lo + t_hi)
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
