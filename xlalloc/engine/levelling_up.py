"""A no-loser levelling-up payment: a fixed pot lifts the lowest-funded toward one level.

After Leicester, Leicestershire and Rutland's Health Equity Payment (sector report on
integrated care systems 2023/24, LLR case study: "levelling-up funding in low-funded
practices" so that "no practice receives less than" it did). For units with funding
``F_i`` and need ``n_i`` (e.g. weighted population) and an optional cap ``c_i``, the
level ``ℓ`` (£ per unit of need) solves

    Σ_i min(c_i, max(0, ℓ · n_i − F_i)) = pot,

and each unit's payment is ``min(c_i, max(0, ℓ · n_i − F_i))``: units funded below the
level are topped up to it (or to their cap), the others get nothing, and no unit loses.
The left side is continuous, piecewise linear and non-decreasing in ``ℓ``, so ``ℓ`` is
found exactly on the segment where the pot falls. Payments are rounded to the unit by
largest remainder so they sum to the pot exactly, never below 0 nor above a cap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, Problems, option, quoted, rows_text
from .rounding import MIN_UNIT, largest_remainder, units_of

__all__ = ["LevellingUpSettings", "LevellingUpResult", "RULES", "levelling_up", "solve_level"]

#: What set each unit's payment.
RULES = {
    "level": "topped up to the level",
    "cap": "capped: its payment is its cap",
    "none": "at or above the level: no payment",
}

SOURCE = (
    "Leicester, Leicestershire and Rutland Health Equity Payment (sector report on "
    "integrated care systems 2023/24, case study)"
)


class LevellingUpSettings(BaseModel):
    """Parameters of a levelling-up payment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pot: float = Field(
        ge=0,
        description="the fixed sum paid out (£); a whole number of units",
        json_schema_extra={"source": SOURCE},
    )
    unit: float = Field(
        1.0,
        ge=MIN_UNIT,
        description="rounding unit of the payments in £ (0.01 for pence, 1, or 1000 for £000)",
    )


@dataclass
class LevellingUpResult:
    """Result of :func:`levelling_up`.

    Attributes:
        table: One row per unit: ``org, funding, need, per_need_before, payment,
            funding_after, per_need_after, rule, explanation``.
        level: The level ``ℓ`` in £ per unit of need.
    """

    table: pd.DataFrame
    level: float


def solve_level(
    funding: npt.ArrayLike, need: npt.ArrayLike, pot: float, caps: npt.ArrayLike | None = None
) -> float:
    """The level ``ℓ`` at which the uncapped top-ups (within caps) sum to ``pot``.

    Raises:
        InputError: If the pot is more than the caps allow.
    """
    f = np.asarray(funding, dtype=np.float64)
    n = np.asarray(need, dtype=np.float64)
    c = np.full(f.shape, np.inf) if caps is None else np.asarray(caps, dtype=np.float64)
    live = n > 0
    f, n, c = f[live], n[live], c[live]
    start = f / n  # the level at which a unit starts to receive
    if pot <= 0 or not len(n):
        return float(start.min()) if len(n) else 0.0
    room = float(np.sum(c))
    if pot > room:
        raise InputError(
            f"the pot of £{pot:,.2f} is more than the caps allow in total "
            f"(£{room:,.2f}); lower the pot or raise the caps",
            where=option("pot"),
        )
    stop = (f + c) / n  # the level at which its cap binds (inf when uncapped)
    x = np.concatenate([start, stop[np.isfinite(stop)]])
    d = np.concatenate([n, -n[np.isfinite(stop)]])
    order = np.argsort(x, kind="stable")
    x, d = x[order], d[order]
    slope = np.cumsum(d)  # on [x_k, x_{k+1})
    paid = np.concatenate([[0.0], np.cumsum(slope[:-1] * np.diff(x))])  # f(x_k)
    k = int(np.searchsorted(paid, pot, side="right")) - 1
    while k > 0 and slope[k] <= 0:  # a flat stretch: the level where it is first reached
        k -= 1
    return float(x[k] + (pot - paid[k]) / slope[k])


def levelling_up(orgs: pd.DataFrame, settings: LevellingUpSettings) -> LevellingUpResult:
    """Share a pot so the lowest-funded units rise toward one funding level per need.

    Args:
        orgs: ``org, funding, need`` and optionally ``cap`` (blank: no cap), in £ and
            units of need (e.g. weighted population).
        settings: The pot and the rounding unit.

    Returns:
        The payments with the rule and a plain-English explanation for each.

    Raises:
        InputError: Every problem together: missing columns, blank or negative values,
            duplicate organisations, a pot not in whole units or beyond the caps.
    """
    org, cap = _checked_orgs(orgs)
    _check_pot(settings)
    unit = settings.unit
    f = pd.to_numeric(orgs["funding"]).to_numpy(dtype=np.float64)
    n = pd.to_numeric(orgs["need"]).to_numpy(dtype=np.float64)
    c = cap.fillna(np.inf).to_numpy(dtype=np.float64)
    # Caps hold in whole units (each rounded down to the unit): a pot they cannot hold so
    # is refused, never paid past a cap by rounding.
    whole = np.floor(c / unit + 1e-9) * unit
    room = float(c.sum())  # (a pot past the caps themselves: solve_level says so)
    if np.isfinite(c).all() and float(whole.sum()) < settings.pot - 1e-9 <= room:
        raise InputError(
            f"the pot of £{settings.pot:,.2f} is more than the caps allow in whole £{unit:,g} "
            f"(each cap rounded down: £{float(whole.sum()):,.2f} in all); lower the pot, "
            "raise the caps, or round to a smaller unit",
            where=option("pot"),
        )
    if n.sum() <= 0:
        raise InputError("need sums to zero: nothing to level", where="need")
    level = solve_level(f, n, settings.pot, c)
    exact = np.minimum(c, np.maximum(0.0, level * n - f))
    exact = np.where(n > 0, exact, 0.0)
    finite = np.isfinite(c)
    tol = 1e-9 * np.maximum(1.0, np.where(finite, c, 1.0))
    capped = finite & (exact >= np.where(finite, c, np.inf) - tol) & (exact > 0)
    upper = np.where(exact > 0, c, 0.0)
    payment = (
        largest_remainder(
            exact,
            settings.pot,
            settings.unit,
            order=list(org),
            lower=np.zeros_like(exact),
            upper=upper,
        )
        if settings.pot > 0
        else np.zeros_like(exact)
    )
    rule = np.where(capped, "cap", np.where(exact > 0, "level", "none"))
    with np.errstate(divide="ignore", invalid="ignore"):
        before = np.where(n > 0, f / n, np.nan)
        after = np.where(n > 0, (f + payment) / n, np.nan)
    table = pd.DataFrame(
        {
            "org": org.to_numpy(dtype=object),
            "funding": f,
            "need": n,
            "per_need_before": before,
            "payment": payment,
            "funding_after": f + payment,
            "per_need_after": after,
            "rule": rule,
        }
    )
    table["explanation"] = [
        _explain(b, a, p, r, level, cap_i)
        for b, a, p, r, cap_i in zip(before, after, payment, rule, c)
    ]
    return LevellingUpResult(table, level)


def _checked_orgs(orgs: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The organisations' names and caps, every problem of the table reported together."""
    problems = Problems()
    missing = [c for c in ("org", "funding", "need") if c not in orgs.columns]
    if missing:
        raise InputError(
            f"missing column(s) {quoted(missing)}; columns found: {quoted(orgs.columns)}",
            where="levelling-up",
        )
    rows = orgs.get("source_row", pd.Series(range(2, len(orgs) + 2), index=orgs.index))
    org = orgs["org"].astype("string").str.strip()
    for col in ("funding", "need"):
        v = pd.to_numeric(orgs[col], errors="coerce")
        for r in rows[v.isna() | (v < 0)]:
            problems.add(
                "levelling-up", f"{col} must be a number at least 0", row=int(r), column=col
            )
    cap = (
        pd.to_numeric(orgs["cap"], errors="coerce")
        if "cap" in orgs.columns
        else pd.Series(np.nan, index=orgs.index)
    )
    for r, v in zip(rows[cap < 0], cap[cap < 0]):
        problems.add(
            "levelling-up",
            f"cap is {v:,g}; expected a cap of at least 0 (blank for none)",
            row=int(r),
            column="cap",
        )
    for name in sorted(set(org[org.duplicated(keep=False)].dropna())):
        at = [int(r) for r in rows[org == name]]
        problems.add(
            "levelling-up",
            f"organisation {name!r} appears more than once (rows {rows_text(at)}); give each "
            "organisation one row",
            row=at[0],
            column="org",
        )
    if org.isna().any():
        for r in rows[org.isna()]:
            problems.add("levelling-up", "organisation is blank", row=int(r), column="org")
    if not len(orgs):
        problems.add("levelling-up", "no organisations")
    problems.raise_if_any()
    return org, cap


def _check_pot(settings: LevellingUpSettings) -> None:
    """A pot in whole units of the rounding unit."""
    unit = settings.unit
    try:
        units_of(settings.pot, unit, name="pot")  # a pot in whole units
    except InputError as e:
        if "not a whole number" not in str(e):
            raise InputError(e.problems[0].message, where=option("pot")) from None
        raise InputError(
            f"the pot of £{settings.pot:,.2f} is not a whole number of the rounding unit "
            f"£{unit:,g}; give a pot in whole units, or a smaller unit (0.01 for pence)",
            where=option("pot"),
        ) from None


def _explain(
    before: float, after: float, payment: float, rule: str, level: float, cap: float
) -> str:
    if np.isnan(before):
        return "no need recorded: no payment"
    gap = (level - before) / level if level else 0.0
    where = (
        f"funded £{before:,.2f} per weighted patient, {abs(gap):.1%} "
        f"{'below' if gap > 0 else 'above'} the level of £{level:,.2f}"
    )
    if rule == "level":
        return f"{where}; a payment of £{payment:,.0f} brings it to the level"
    if rule == "cap":
        short = (level - after) / level if level else 0.0
        return (
            f"{where}; a payment of £{payment:,.0f} (its cap of £{cap:,.0f}) brings it to "
            f"£{after:,.2f}, still {short:.1%} below the level"
        )
    return (
        f"{where}; no payment"
        if gap < 0
        else (
            f"funded £{before:,.2f} per weighted patient, at the level of £{level:,.2f}; no payment"
        )
    )
