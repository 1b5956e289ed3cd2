"""Equity of resource use against need: underserved units, horizontal and vertical inequity.

Implements the measures in the workshop report on ICB resource allocation, section 6.1
("Variation in resource use within CCGs": proportion underserved, vertical inequity, the
extent to which unfair healthcare favours the neediest, and horizontal inequity, the
extent to which it favours the most deprived). For units ``i`` (practices, PCNs or
places) with population ``p_i``, need ``n_i`` and spend ``x_i``:

* expected spend ``e_i = X · n_i / N`` with ``X = Σ x`` and ``N = Σ n``; the
  need-standardised ratio ``r_i = x_i / e_i``;
* a unit is underserved when ``r_i < 1 − tolerance``; the proportion underserved is the
  population of underserved units over the total population;
* with a deprivation score (higher is more deprived), units are ranked from most to least
  deprived, ``w_i = p_i / Σp``, fractional rank
  ``R_i = Σ_{j before i} w_j + w_i / 2`` (units equally deprived share the midpoint of
  their span, so a tie is never broken by name); for a per-head quantity ``y`` with
  ``μ = Σ w_i y_i`` the concentration index is ``C(y) = (2/μ) Σ w_i (y_i − μ)(R_i − ½)``.
  Horizontal inequity is ``C(spend per head) − C(expected spend per head)``: positive means
  spend favours the less deprived beyond need (``C`` of expected spend equals ``C`` of need
  per head, since ``C`` does not change when ``y`` is scaled);
* vertical inequity: the population-weighted least-squares slope of ``ln(spend per head)``
  on ``ln(need per head)``; below 1 means higher-need units get less than proportionately
  more. Units with no spend have no logarithm and are left out of the slope (listed in
  the result's notes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, Problems, quoted, rows_text
from .frames import is_blank

__all__ = [
    "EquityResult",
    "EquitySettings",
    "MEASURES",
    "UNIT_COLUMNS",
    "concentration_index",
    "equity",
    "vertical_slope",
]

SOURCE = (
    "workshop report on ICB resource allocation, section 6.1 (variation in resource "
    "use within CCGs)"
)

#: Where the tolerance's default comes from: targets are accurate to about ±5%, so a
#: unit's spend within 5% of its need-based share is not a shortfall the targets can see.
TOLERANCE_SOURCE = (
    "workshop report on ICB resource allocation, ACRA's answer A1: target allocations "
    "accurate to within ±5% (shared/reference/000)"
)

#: Columns of the per-unit table.
UNIT_COLUMNS = ["unit", "population", "need", "spend", "expected", "ratio", "underserved"]

#: Summary measures, in order (the concentration measures need a deprivation score).
MEASURES = (
    "proportion_underserved",
    "concentration_spend",
    "concentration_need",
    "horizontal_inequity",
    "vertical_slope",
    "units",
    "population",
)


class EquitySettings(BaseModel):
    """Parameters of the equity measures."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tolerance: float = Field(
        0.05,
        ge=0,
        lt=1,
        description="a unit is underserved when its "
        "need-standardised ratio is below 1 − tolerance (0.05 is 5%): within it, spend "
        "is as close to need as targets can say",
        json_schema_extra={"source": TOLERANCE_SOURCE},
    )


@dataclass
class EquityResult:
    """Result of :func:`equity`.

    Attributes:
        units: One row per unit with :data:`UNIT_COLUMNS` (and ``deprivation`` if given).
        summary: ``measure, value`` for each of :data:`MEASURES` that could be computed.
        notes: Units left out of a measure, and why.
        tolerance: The tolerance "underserved" was judged with.
    """

    units: pd.DataFrame
    summary: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    tolerance: float = 0.0


def concentration_index(
    y: npt.ArrayLike, weights: npt.ArrayLike, deprivation: npt.ArrayLike, names: npt.ArrayLike
) -> float:
    """Concentration index of a per-head quantity, most deprived first.

    ``C(y) = (2/μ) Σ w_i (y_i − μ)(R_i − ½)`` with population weights ``w``, ``μ = Σ w y``
    and fractional rank ``R`` from the most deprived unit (equally deprived units share
    the midpoint of their span).

    Raises:
        InputError: If the weighted mean of ``y`` is zero.
    """
    yv = np.asarray(y, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    d = np.asarray(deprivation, dtype=np.float64)
    order = np.lexsort((np.asarray(names, dtype=str), -d))  # most deprived first, then name
    yv, w, d = yv[order], w[order], d[order]
    # Units equally deprived share one rank, the midpoint of their span: so a tie is never
    # broken by name (renaming units changed the index's sign when all were equal).
    _, first, counts = np.unique(-d, return_index=True, return_counts=True)
    group = np.repeat(np.arange(len(first)), counts)
    span = np.bincount(group, weights=w)
    before = np.concatenate([[0.0], np.cumsum(span)[:-1]])
    rank = before[group] + span[group] / 2
    mu = float(np.sum(w * yv))
    if mu == 0:
        raise InputError("the weighted mean is zero: no concentration index", where="equity")
    return float(2.0 / mu * np.sum(w * (yv - mu) * (rank - 0.5)))


def vertical_slope(
    spend_per_head: npt.ArrayLike, need_per_head: npt.ArrayLike, weights: npt.ArrayLike
) -> float:
    """Population-weighted least-squares slope of ln(spend per head) on ln(need per head).

    Raises:
        InputError: With fewer than two distinct needs per head.
    """
    y = np.log(np.asarray(spend_per_head, dtype=np.float64))
    x = np.log(np.asarray(need_per_head, dtype=np.float64))
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mx, my = np.sum(w * x), np.sum(w * y)
    sxx = np.sum(w * (x - mx) ** 2)
    if sxx <= 1e-300:
        raise InputError("every unit has the same need per head: no vertical slope", where="equity")
    return float(np.sum(w * (x - mx) * (y - my)) / sxx)


def _checked_units(units: pd.DataFrame) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """The units' names and figures, every problem of the table reported together."""
    problems = Problems()
    missing = [c for c in ("unit", "population", "need", "spend") if c not in units.columns]
    if missing:
        raise InputError(
            f"missing column(s) {quoted(missing)}; columns found: {quoted(units.columns)}",
            where="equity",
        )
    rows = units.get("source_row", pd.Series(range(2, len(units) + 2), index=units.index))
    name = units["unit"].astype("string").str.strip()
    for r in rows[name.isna() | (name == "")]:
        problems.add("equity", "unit is blank", row=int(r), column="unit")
    for u in sorted(set(name[name.duplicated(keep=False)].dropna())):
        at = [int(r) for r in rows[name == u]]
        problems.add(
            "equity",
            f"unit {u!r} appears more than once (rows {rows_text(at)}); give each unit one row",
            row=at[0],
            column="unit",
        )
    has_dep = "deprivation" in units.columns
    num = {}
    for col in ("population", "need", "spend", *(("deprivation",) if has_dep else ())):
        v = pd.to_numeric(units[col], errors="coerce")
        bad = v.isna() | ~np.isfinite(v) | ((v < 0) if col != "deprivation" else False)
        if col in ("population", "need"):
            bad = bad | (v <= 0)
        for r, text in zip(rows[bad], units.loc[bad, col]):
            what = "more than 0" if col in ("population", "need") else "a number at least 0"
            if col == "deprivation":
                what = "a number (higher is more deprived)"
            shown = "blank" if is_blank(text) else repr(text)
            problems.add("equity", f"{col} is {shown}; expected {what}", row=int(r), column=col)
        num[col] = v.to_numpy(dtype=np.float64)
    if not len(units):
        problems.add("equity", "no units")
    problems.raise_if_any()
    return name, num


def equity(units: pd.DataFrame, settings: EquitySettings | None = None) -> EquityResult:
    """Equity measures of spend against need (see the module's formulas).

    Args:
        units: ``unit, population, need, spend`` and optionally ``deprivation``.
        settings: The tolerance for "underserved".

    Raises:
        InputError: Every problem together: a missing column, a blank, negative or
            non-numeric value, a duplicate unit, a unit with no population or need.
    """
    s = settings or EquitySettings()
    name, num = _checked_units(units)
    has_dep = "deprivation" in num
    p, n, x = num["population"], num["need"], num["spend"]
    if x.sum() <= 0:
        raise InputError("spend sums to zero: nothing to compare with need", where="spend")
    expected = x.sum() * n / n.sum()
    ratio = x / expected
    under = ratio < 1 - s.tolerance
    table = pd.DataFrame(
        {
            "unit": name.to_numpy(dtype=object),
            "population": p,
            "need": n,
            "spend": x,
            "expected": expected,
            "ratio": ratio,
            "underserved": under,
        }
    )
    measures: dict[str, float] = {"proportion_underserved": float(p[under].sum() / p.sum())}
    notes: list[str] = []
    if has_dep:
        table["deprivation"] = num["deprivation"]
        c_spend = concentration_index(x / p, p, num["deprivation"], table["unit"])
        c_need = concentration_index(n / p, p, num["deprivation"], table["unit"])
        measures.update(
            concentration_spend=c_spend,
            concentration_need=c_need,
            horizontal_inequity=c_spend - c_need,
        )
    spent = x > 0
    if (~spent).any():
        notes.append(
            f"vertical_slope leaves out {int((~spent).sum())} unit(s) with no spend "
            f"(no logarithm): {', '.join(map(str, table.loc[~spent, 'unit']))}"
        )
    if spent.sum() >= 2 and np.ptp(np.log(n[spent] / p[spent])) > 0:
        measures["vertical_slope"] = vertical_slope(
            x[spent] / p[spent], n[spent] / p[spent], p[spent]
        )
    else:
        notes.append(
            "vertical_slope needs at least two units with spend and different need per head"
        )
    measures.update(units=float(len(table)), population=float(p.sum()))
    summary = pd.DataFrame(
        {
            "measure": [m for m in MEASURES if m in measures],
            "value": [measures[m] for m in MEASURES if m in measures],
        }
    )
    return EquityResult(table, summary, notes, s.tolerance)
