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
    right piece. Each scenario keeps a bracket from the points tried; a step that would
    leave it, or a piece with no slope, bisects instead (taking the organisations' bends
    as the bracket's missing side), so every scenario converges (at most ``iterations``
    steps; a few in practice, every scenario at once). The last step is the exact
    solution of the piece's linear equation.

    One policy and ten thousand take the same path. Its arrays are worked in place in
    buffers made once: a national batch's temporaries are megabytes each, and making
    fresh ones every step cost as much as the arithmetic.

    Returns:
        θ of shape ``(S,)``.
    """
    pos = slope > 0
    all_pos = bool(pos.all())
    ones = np.ones(base.shape[1])
    rate0 = (slope if all_pos else np.where(pos, slope, 0.0)) @ ones
    theta = (total - base @ ones) / np.maximum(rate0, 1e-300)  # all free
    tol = 1e-13 * np.maximum(1.0, np.abs(total))
    t_lo = np.full(total.shape, -np.inf)
    t_hi = np.full(total.shape, np.inf)
    full = x, c, m1, m2 = _buffers(base)
    # The scenarios still being solved, and their arrays: most are solved in two or three
    # steps, so once fewer than one in eight is left the rest are taken out and stepped
    # alone (taking them out sooner copies more than the steps it saves).
    rows = np.arange(total.shape[0])
    b, s, lo_, hi_, tot, tl_, th = base, slope, lo, hi, total, tol, theta
    for _ in range(iterations):
        np.multiply(s, th[:, None], out=x)
        x += b
        np.maximum(x, lo_, out=c)
        np.minimum(c, hi_, out=c)
        gap = tot - c @ ones
        live = np.abs(gap) > tl_
        if not live.any():
            break
        if 8 * live.sum() < len(rows):
            theta[rows] = th
            rows, b, s, lo_, hi_, x, tot, tl_, th, gap, t_lo, t_hi = (
                np.compress(live, a, axis=0)
                for a in (rows, b, s, lo_, hi_, x, tot, tl_, th, gap, t_lo, t_hi)
            )
            live = np.ones(len(rows), dtype=bool)
            c = np.empty_like(x)
            m1, m2 = np.empty(x.shape, dtype=bool), np.empty(x.shape, dtype=bool)
        up = gap > 0
        t_lo = np.where(live & up, th, t_lo)
        t_hi = np.where(live & (gap < 0), th, t_hi)
        # The piece ahead: going up, the free and those at their floor move; going down,
        # the free and those at their cap (no slope, no move).
        np.greater_equal(x, lo_, out=m1)
        m1 &= np.less(x, hi_, out=m2)
        rate_up = np.multiply(s, m1, out=c) @ ones
        np.greater(x, lo_, out=m1)
        m1 &= np.less_equal(x, hi_, out=m2)
        rate = np.where(up, rate_up, np.multiply(s, m1, out=c) @ ones)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = th + gap / rate
        inside = (rate > 0) & (step > t_lo) & (step < t_hi)
        open_ = live & ~inside & ~(np.isfinite(t_lo) & np.isfinite(t_hi))
        if open_.any():  # a bisection with a side not yet tried: the bends bound it
            k = np.flatnonzero(open_)
            lo_b, hi_b = _bracket(b[k], s[k], lo_[k], hi_[k], s[k] > 0)
            t_lo[k] = np.maximum(t_lo[k], lo_b)
            t_hi[k] = np.minimum(t_hi[k], hi_b)
            inside = (rate > 0) & (step > t_lo) & (step < t_hi)
        with np.errstate(invalid="ignore"):  # (a midpoint is taken only where bounded)
            th = np.where(live, np.where(inside, step, 0.5 * (t_lo + t_hi)), th)
    theta[rows] = th
    return _exact_finish(base, slope, lo, hi, total, theta, full, None if all_pos else pos)


def _buffers(
    base: Array,
) -> tuple[Array, Array, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Two float and two mask buffers of ``base``'s shape, made once for every step."""
    return (
        np.empty_like(base),
        np.empty_like(base),
        np.empty(base.shape, dtype=bool),
        np.empty(base.shape, dtype=bool),
    )


def _exact_finish(
    base: Array,
    slope: Array,
    lo: Array,
    hi: Array,
    total: Array,
    theta: Array,
    buffers: tuple[Array, Array, npt.NDArray[np.bool_], npt.NDArray[np.bool_]],
    pos: npt.NDArray[np.bool_] | None,
) -> Array:
    """The exact solution on θ's linear piece (the free strictly inside their bounds).

    ``buffers`` are the solver's (worked in place); ``pos`` the organisations with a
    slope (``None``: all of them).
    """
    ones = np.ones(base.shape[1])
    x, c, free, m2 = buffers
    np.multiply(slope, theta[:, None], out=x)
    x += base
    np.greater(x, lo, out=free)
    free &= np.less(x, hi, out=m2)
    if pos is not None:
        free &= pos
    np.maximum(x, lo, out=c)
    np.minimum(c, hi, out=c)
    np.copyto(c, 0.0, where=free)
    fixed = c @ ones
    fb = np.multiply(base, free, out=c) @ ones
    fs = np.multiply(slope, free, out=c) @ ones
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = (total - fixed - fb) / fs
    ok = (fs > 0) & np.isfinite(exact)
    return np.where(ok, exact, theta)


def _bracket(base: Array, slope: Array, lo: Array, hi: Array, pos: npt.NDArray[np.bool_]):
    """θ below and above every organisation's bends (where it meets its floor or cap).

    Organisations with no slope, and caps that are infinite, have no bend.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if base.shape[1] and pos.all() and np.isfinite(hi).all():  # the usual case
            b_lo, b_hi = (lo - base) / slope, (hi - base) / slope
            return (
                np.minimum(b_lo.min(axis=1), b_hi.min(axis=1)) - 1.0,
                np.maximum(b_lo.max(axis=1), b_hi.max(axis=1)) + 1.0,
            )
        b_lo = np.where(pos, (lo - base) / slope, np.nan)
        b_hi = np.where(pos & np.isfinite(hi), (hi - base) / slope, np.nan)
    bends = np.concatenate([b_lo, b_hi], axis=1)
    t_lo = np.nan_to_num(np.nanmin(bends, axis=1, initial=np.inf) - 1.0, nan=-1.0, posinf=-1.0)
    t_hi = np.nan_to_num(np.nanmax(bends, axis=1, initial=-np.inf) + 1.0, nan=1.0, neginf=1.0)
    return t_lo, t_hi
