"""A pack's page 1: the key messages, written from the figures, and the year so far by month.

A month's finance report opens with three to five sentences: the position to date, the
forecast outturn, the largest variances and whether the place is moving toward its
need-based target (``board-papers.md``). Every figure in them is written as the pack's
cell shows it (:func:`~xlalloc.workbook.sheetspec.shown`, in that cell's number format),
so a reader finds each one in a table of the same pack.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .workbook.packs import PCT_SIGNED
from .workbook.sheetspec import MONEY, MONEY_UNITS, shown

__all__ = ["distance_words", "key_messages", "months_table"]

#: How many of the largest variances the messages name.
LARGEST = 3


#: What a sentence adds to an amount shown in thousands or millions (its cell's header
#: or the page says the unit; a sentence read alone says it too): £7.4 -> £7.4m.
SUFFIX = {"£000": "k", "£m": "m"}


def _money(value: float, unit: str) -> str:
    """An amount as the pack's money cells show it, without its sign, with its unit."""
    return shown(abs(value), MONEY_UNITS.get(unit, MONEY)) + SUFFIX.get(unit, "")


def _pct(value: float) -> str:
    """A percentage as the pack's variance cells show it, without its sign."""
    return shown(abs(value), PCT_SIGNED)


def _side(value: float, text: str, favourable: str, adverse: str) -> str:
    """The word for a variance's side: none ("") where it shows as nothing (zero)."""
    if text.strip("£0.,%–mk") == "":
        return ""
    return favourable if value > 0 else adverse


def distance_words(value: float) -> str:
    """A distance from target as a reader says it: "3.3% below", "on target"."""
    text = _pct(value)
    if text.strip("0.%") == "":
        return "on target"
    return f"{text} {'below' if value < 0 else 'above'}"


def key_messages(
    who: str,
    period: str,
    totals: dict[str, float],
    lines: pd.DataFrame,
    threshold: float,
    trajectory: pd.DataFrame | None,
    unit: str,
    whose: str = "its",
) -> list[str]:
    """The key messages of one pack, each figure as its cell shows it.

    Args:
        who: Who the pack is for ("Brookvale", "NHS Demoshire ICB").
        period: The period as the pack names it ("Month 6 (Sep) 2026/27").
        totals: annual_budget, ytd_budget, ytd_actual, forecast (the Total row).
        lines: ``line, ytd_budget, ytd_actual`` for the lines named by size (programmes).
        threshold: |variance %| beyond which a line needs commentary.
        trajectory: Distance from target: a row a place, ``baseline`` then a column a
            year (``None`` without convergence).
        unit: The money unit (``£``, ``£000``, ``£m``).
        whose: The possessive used of the targets ("its", "their").
    """
    ytd, actual = totals["ytd_budget"], totals["ytd_actual"]
    variance = ytd - actual
    pct = variance / ytd if ytd else 0.0
    v_text = _money(variance, unit)
    side = _side(variance, v_text, "underspent (favourable)", "overspent (adverse)")
    position = f"{v_text} ({_pct(pct)}) {side}" if side else "on budget"
    out = [
        f"At {period} {who} has spent {_money(actual, unit)} against a budget to date of "
        f"{_money(ytd, unit)}: {position}."
    ]
    annual, forecast = totals["annual_budget"], totals["forecast"]
    f_text = _money(annual - forecast, unit)
    f_side = _side(annual - forecast, f_text, "favourable", "adverse")
    out.append(
        f"At the run rate the forecast outturn is {_money(forecast, unit)} against an "
        f"annual budget of {_money(annual, unit)}: "
        + (f"{f_text} {f_side}." if f_side else "on budget.")
    )
    out += _largest(lines, threshold, unit)
    if trajectory is not None and trajectory.shape[1] > 2 and len(trajectory):
        out.append(_toward(who, trajectory, whose))
    return out


def _largest(lines: pd.DataFrame, threshold: float, unit: str) -> list[str]:
    """The largest variances by size, and how many lines need commentary."""
    budget = lines["ytd_budget"].to_numpy(dtype=float)
    v = budget - lines["ytd_actual"].to_numpy(dtype=float)
    pct = np.divide(v, budget, out=np.zeros(len(v)), where=budget != 0)
    names = lines["line"].tolist()
    named = []
    for k in np.argsort(-np.abs(v), kind="stable")[:LARGEST].tolist():
        text = _money(float(v[k]), unit)
        side = _side(float(v[k]), text, "favourable", "adverse")
        if side:
            named.append(f"{names[k]} {text} {side} ({_pct(float(pct[k]))})")
    out = ["The largest variances to date: " + "; ".join(named) + "."] if named else []
    beyond = int((np.abs(pct) > threshold).sum())
    if beyond:
        out.append(
            f"{beyond} line{'s are' if beyond != 1 else ' is'} beyond the "
            f"{_pct(threshold)} threshold either way: commentary beside "
            f"{'each' if beyond != 1 else 'it'} on page 2."
        )
    return [" ".join(out)] if out else []


def _toward(who: str, trajectory: pd.DataFrame, whose: str) -> str:
    """Whether convergence moves the place (or the places) toward need-based target."""
    years = list(trajectory.columns[1:])
    first, last = trajectory[years[0]], trajectory[years[-1]]
    if len(trajectory) == 1:
        d0, dn = float(first.iloc[0]), float(last.iloc[0])
        start = f"{who} starts {distance_words(d0)} {whose} need-based target; by {years[-1]} "
        if distance_words(dn) == "on target":
            return start + f"convergence brings it to {whose} target."
        moving = "toward it" if abs(dn) < abs(d0) else "no nearer it"
        return start + f"convergence brings it to {distance_words(dn)}, {moving}."
    low, high = distance_words(float(last.min())), distance_words(float(last.max()))
    end = (
        f"by {years[-1]} every place is on target"
        if low == high == "on target"
        else f"by {years[-1]} from {low} to {high}"
    )
    return (
        f"At {years[0].lower()} the places range from {distance_words(float(first.min()))} to "
        f"{distance_words(float(first.max()))} {whose} need-based targets; {end}."
    )


def months_table(
    budget_by_month: Sequence[float] | np.ndarray,
    actual_by_month: Sequence[float] | np.ndarray,
    month: int,
    actual_to_date: float,
    budget_to_date: float | None = None,
    forecast_total: float | None = None,
) -> pd.DataFrame:
    """Cumulative budget and actual by month, and the run-rate forecast to month 12.

    Args:
        budget_by_month: The phased budget of months 1 to 12.
        actual_by_month: The ledger's actual of months 1 to ``month``.
        month: The month reported.
        actual_to_date: The actual to date as the pack's Total shows it (exact): the
            last actual point, so the chart ends where the table does.
        budget_to_date: The budget to date as the pack's Total shows it: the month's
            budget point (the others are the exact cumulative budget rounded to £1).
        forecast_total: The forecast outturn as the pack's Total shows it (its lines rounded
            together): the forecast's point at month 12.

    Returns:
        ``month, budget_to_date, actual_to_date, forecast``: actual blank after the
        month reported, the forecast blank before it (it starts from the actual).
    """
    budget = np.floor(np.cumsum(np.asarray(budget_by_month, dtype=float)) + 0.5)
    if budget_to_date is not None:
        budget[month - 1] = budget_to_date
    actual = np.full(12, np.nan)
    # In pence, as the ledger is: sums of pounds and pence carry float noise otherwise.
    actual[:month] = np.round(np.cumsum(np.asarray(actual_by_month[:month], dtype=float)), 2)
    actual[month - 1] = actual_to_date
    forecast = np.full(12, np.nan)
    months = np.arange(month, 13)
    forecast[month - 1 :] = actual_to_date / month * months
    if forecast_total is not None:
        forecast[11] = forecast_total
    return pd.DataFrame(
        {
            "month": np.arange(1, 13),
            "budget_to_date": budget,
            "actual_to_date": actual,
            "forecast": forecast,
        }
    )
