"""Rounding rules used across xlalloc.

Two rules, both named in the guidance xlalloc follows:

* **Half-up rounding** of published figures, as NHS England's place-based
  allocation tool presents them: weighted populations and population to 1,
  indices to 0.001. Halves round away from zero *on the decimal value shown*,
  as :class:`decimal.Decimal` with ``ROUND_HALF_UP`` does on ``str(x)``. A
  binary float such as 0.9465 is stored as 0.94649999...; naive
  ``floor(x * 1000 + 0.5)`` would round it down. We round the shortest decimal
  representation instead.
* **Largest-remainder rounding** of money to a unit (£1 by default, or £000),
  so that rounded parts sum to their control total exactly. Ties are broken by
  a caller-supplied stable key, so results never depend on row order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from .errors import InputError

__all__ = ["MAX_AMOUNT", "MIN_UNIT", "largest_remainder", "round_half_up", "units_of"]

#: The largest amount any figure may have: £10 trillion, fifty times NHS England's whole
#: budget; beyond it a figure is a mistake (and would exhaust exact pennies in floats).
MAX_AMOUNT = 1e13

#: The smallest rounding unit: a penny.
MIN_UNIT = 0.01

FloatArray = npt.NDArray[np.float64]


def round_half_up(values: npt.ArrayLike, decimals: int = 0) -> FloatArray:
    """Round half away from zero on the decimal representation, vectorised.

    Args:
        values: Numbers to round (NaN stays NaN).
        decimals: Decimal places to keep (0 rounds to whole numbers).

    Returns:
        Rounded values as float64.

    Example:
        >>> round_half_up([0.9465, 2.5, -2.5, 0.0005], 3).tolist()
        [0.947, 2.5, -2.5, 0.001]
    """
    x = np.asarray(values, dtype=np.float64)
    scale = 10.0**decimals
    scaled = np.abs(x) * scale
    out = np.sign(x) * np.floor(scaled + 0.5) / scale
    # Values whose scaled fraction is within float noise of one half are
    # decided exactly on their shortest decimal form.
    frac = scaled - np.floor(scaled)
    near = np.isfinite(x) & (np.abs(frac - 0.5) < 1e-6)
    if near.any():
        q = Decimal(1).scaleb(-decimals)
        flat = out.reshape(-1)
        for i in np.flatnonzero(near.reshape(-1)):
            v = float(x.reshape(-1)[i])
            flat[i] = float(Decimal(repr(v)).quantize(q, rounding=ROUND_HALF_UP))
        out = flat.reshape(x.shape)
    return out


def units_of(total: float, unit: float, name: str = "total") -> int:
    """Return ``total`` as a whole number of ``unit``, or raise.

    Args:
        total: A money amount.
        unit: The rounding unit, e.g. 1 (£1) or 1000 (£000).
        name: Parameter name for the error message.

    Raises:
        InputError: If ``unit`` is not positive or ``total`` is not a whole
            number of units.
    """
    if not (unit > 0 and math.isfinite(unit)):
        raise InputError(f"unit must be a positive number of pounds; got {unit}", where="unit")
    if unit < MIN_UNIT:
        # Below a penny a rounding unit means nothing in money, and the units to share
        # out would be beyond counting (a unit of 1e-300 would never finish).
        raise InputError(
            f"the rounding unit £{unit:g} is below a penny; use 0.01 (pence), 1 (£1) or "
            "1000 (£000)",
            where="unit",
        )
    if not math.isfinite(total) or abs(total) > MAX_AMOUNT:
        raise InputError(
            f"{name} {total:g} is beyond any NHS budget (at most £{MAX_AMOUNT:g})", where=name
        )
    n = round(total / unit)
    if abs(n * unit - total) > 1e-9 * max(1.0, abs(total)):
        raise InputError(
            f"{name} {total:,.2f} is not a whole number of the rounding unit £{unit:,g}",
            where=name,
        )
    return int(n)


def largest_remainder(
    values: npt.ArrayLike,
    total: float,
    unit: float = 1.0,
    order: Sequence[object] | None = None,
    lower: npt.ArrayLike | None = None,
    upper: npt.ArrayLike | None = None,
) -> FloatArray:
    """Round ``values`` to ``unit`` so that they sum to ``total`` exactly.

    ``values`` are first scaled to sum to ``total`` (they are usually exact
    shares of it already). Each part is rounded down to a whole unit and the
    units left over go one each to the parts with the largest remainders.
    Ties go to the part whose ``order`` key sorts first, so results do not
    depend on row order.

    Optional ``lower`` and ``upper`` bounds (in money) are honoured in whole
    units where that is possible (ceil of the lower bound, floor of the upper);
    the units this sheds go to parts not held at a bound, where there are any.
    Only where every part is bounded and the bounds cannot all hold in whole
    units is a bound relaxed to the nearest whole unit on the other side, never
    by more than one unit.

    Args:
        values: Non-negative weights or exact amounts.
        total: Control total; must be a whole number of ``unit``.
        unit: Rounding unit (1 = £1, 1000 = £000, 0.01 = pence).
        order: Stable tie-break keys, one per value (default: position).
        lower: Optional lower bounds per value.
        upper: Optional upper bounds per value.

    Returns:
        Rounded amounts (float64 holding whole multiples of ``unit``) summing
        to ``total`` exactly in units.

    Raises:
        InputError: If ``total`` is not a whole number of units, a value is
            negative or not finite, or all weights are zero with a non-zero total.

    Example:
        >>> largest_remainder([1, 1, 1], 100).tolist()
        [34.0, 33.0, 33.0]
    """
    w = np.asarray(values, dtype=np.float64)
    n_units = units_of(total, unit)
    if w.size == 0:
        if n_units != 0:
            raise InputError(f"cannot share {total:,.2f} among no parts", where="total")
        return w.copy()
    if not np.all(np.isfinite(w)):
        raise InputError("values to round contain blanks or non-finite numbers", where="values")
    sign = 1
    if n_units < 0:
        sign, n_units = -1, -n_units
        w, lower, upper = _magnitudes(w, lower, upper)
    if np.any(w < 0):
        raise InputError("values to round must all have the sign of the total", where="values")
    s = w.sum()
    if s == 0:
        if n_units != 0:
            raise InputError(
                f"cannot share {total:,.2f} by weights that are all zero", where="values"
            )
        return np.zeros_like(w)
    exact = w / s * n_units
    lo, hi, at_bound = _unit_bounds(exact, n_units, unit, lower, upper)
    counts = np.clip(np.floor(exact + 1e-9).astype(np.int64), lo, np.maximum(lo, hi))
    keys = list(range(w.size)) if order is None else list(order)
    if len(keys) != w.size:
        raise InputError("order keys must match values one for one", where="order")
    counts = _distribute(exact, counts, n_units, lo, hi, at_bound, [_key(k) for k in keys])
    if counts is None:
        raise InputError(
            f"bounds leave no way to reach the total {total:,.2f} in units of £{unit:,g}",
            where="total",
        )
    return sign * counts.astype(np.float64) * unit


def _magnitudes(
    w: FloatArray, lower: npt.ArrayLike | None, upper: npt.ArrayLike | None
) -> tuple[FloatArray, npt.ArrayLike | None, npt.ArrayLike | None]:
    """A negative total (income, a contra line) is rounded as its magnitude.

    Weights stay as they are; exact amounts, which carry the total's sign, are flipped,
    and the bounds with them (the lower bound of the magnitude is minus the upper).
    """
    if w.sum() < 0:
        w = -w
    return (
        w,
        None if upper is None else -np.asarray(upper, dtype=np.float64),
        None if lower is None else -np.asarray(lower, dtype=np.float64),
    )


def _unit_bounds(
    exact: FloatArray,
    n_units: int,
    unit: float,
    lower: npt.ArrayLike | None,
    upper: npt.ArrayLike | None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Bounds in whole units (ceil of a floor, floor of a cap) and which parts sit on one.

    Where every part is bounded and the bounds cannot all hold in whole units, they are
    relaxed to the nearest whole unit on the other side.
    """
    lo = np.full(exact.shape, np.iinfo(np.int64).min // 4, dtype=np.int64)
    hi = np.full(exact.shape, np.iinfo(np.int64).max // 4, dtype=np.int64)
    at_bound = np.zeros(exact.shape, dtype=bool)
    if lower is not None:
        lb = np.asarray(lower, dtype=np.float64) / unit
        has = np.isfinite(lb)
        lo = np.where(has, np.ceil(lb - 1e-9), lo).astype(np.int64)
        # (Sums over the bounded parts only: an unbounded part has room without limit.)
        if has.all() and lo.sum() > n_units:
            lo = np.where(has, np.floor(lb + 1e-9), lo).astype(np.int64)
        at_bound |= has & (exact <= lb + 1e-9)
    if upper is not None:
        ub = np.asarray(upper, dtype=np.float64) / unit
        has = np.isfinite(ub)
        hi = np.where(has, np.floor(ub + 1e-9), hi).astype(np.int64)
        if has.all() and hi.sum() < n_units:
            hi = np.where(has, np.ceil(ub - 1e-9), hi).astype(np.int64)
        at_bound |= has & (exact >= ub - 1e-9)
    return lo, hi, at_bound


def _distribute(
    exact: FloatArray,
    counts: npt.NDArray[np.int64],
    n_units: int,
    lo: npt.NDArray[np.int64],
    hi: npt.NDArray[np.int64],
    at_bound: npt.NDArray[np.bool_],
    sort_keys: list[tuple[int, object]],
) -> npt.NDArray[np.int64] | None:
    """Units added (or taken) one each by largest remainder until the total is reached.

    Returns:
        The counts, or ``None`` where the bounds leave no way to reach the total.
    """
    need = n_units - int(counts.sum())
    while need != 0:
        # Largest remainder first (recomputed each pass, so units shed by parts held at a
        # bound go first to the parts furthest below their exact share), then the stable key.
        # (To a millionth of a unit: remainders equal but for floating-point noise, e.g.
        # two allocations of exactly a third computed by different sums (1e-8 apart), are
        # a tie, settled by the stable key.)
        rem = np.round(exact - counts, 6)
        step = 1 if need > 0 else -1
        room = counts < hi if step > 0 else counts > lo
        cand = [i for i in np.flatnonzero(room)]
        # Units shed by parts held at a bound go only to parts that are not, where any can
        # take them: a floor or cap is never loosened by another part's rounding.
        free = [i for i in cand if not at_bound[i]]
        cand = free or cand
        if not cand:
            return None
        cand.sort(key=lambda i: (-step * rem[i], sort_keys[i]))
        for i in cand[: abs(need)]:
            counts[i] += step
        need = n_units - int(counts.sum())
    return counts


def _key(k: object) -> tuple[int, object]:
    # Keys of mixed types sort numbers before text without raising.
    return (0, k) if isinstance(k, int | float) else (1, str(k))
