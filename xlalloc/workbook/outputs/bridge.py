"""The Bridge sheet (the bridge part): each place's budget, and why, year by year."""

from __future__ import annotations

import math

import pandas as pd

from ...engine.bridge import BRIDGE_COLUMNS, WHY_THEY_DIFFER, Bridge
from ...model.labels import label, money_label, number_format
from ...model.runner import ModelResult
from ..sheetspec import Drawing, Look, SheetSpec, col
from ..tables import MONEY
from .common import HEADER_ROW, Ranges, col_sum, output_sheet, zero_checks

#: The sheet's columns: the place, then the bridge's money lines in the order they are
#: read; the target and the distances from it are a block of their own below (one
#: landscape page across holds either, at a legible size).
COLUMNS = ("place", *BRIDGE_COLUMNS[:6])
TARGET_COLUMNS = ("place", "convergence_target", "dft_before", "dft_after", "rule")
#: Where each line is (1-based columns): the adjustment and the gap are formulas over them.
_AT = {name: k + 1 for k, name in enumerate(COLUMNS)}
#: Each line's column letter.
L = {name: col(k) for name, k in _AT.items()}
_SUMMED = ("baseline", "core_growth", "convergence_adjustment", "allocation")
_SUMMED_IF_BUDGET = ("apportioned_budget", "budget_gap")


def _bridge_sheets(
    result: ModelResult, rng: Ranges, checks: list[tuple[str, str]], look: Look
) -> list[SheetSpec]:
    d = output_sheet("Bridge", "Each place's budget, and why", look)
    if not result.bridges:
        d.note(
            HEADER_ROW,
            1,
            "No baselines given: add them on the Baselines sheet and totals on the Totals "
            "sheet, and each place's bridge from baseline to budget is shown here.",
        )
        return [d.spec()]
    row = HEADER_ROW
    d.put(row, 1, WHY_THEY_DIFFER, span=len(COLUMNS), wrap=True)
    row += 2
    first_total_row = rng.first_row("Totals")
    for k, bridge in enumerate(result.bridges.values()):
        row = year_block(d, bridge, row, first_total_row + k, checks, look.money) + 3
    return [d.spec()]


def year_block(
    d: Drawing,
    b: Bridge,
    row: int,
    total_row: int,
    checks: list[tuple[str, str]],
    money: str = "£",
) -> int:
    """One year's bridge by place, its totals and checks; its last row.

    Args:
        d: The sheet.
        b: The year's bridge.
        row: The block's title row.
        total_row: The Totals sheet's row of the year's convergence total.
        checks: The part's checks (each reads 0 when all is well).
        money: The money unit of the labels.
    """
    budget = b.budget_total is not None
    where = "" if budget else " (no budget lines for this year: convergence only)"
    d.note(
        row,
        1,
        f"Bridge {b.year}: core growth {b.core_growth_rate:.2%}{where}",
        bold=True,
        size=12,
    )
    d.header(row + 1, 1, [money_label(label(c), money) for c in COLUMNS])
    first = row + 2
    places = b.table.iloc[:-1]
    _place_rows(d, places, first, budget)
    last = first + len(places) - 1
    tot = last + 1
    d.put(tot, 1, "Total", bold=True)
    summed = (*_SUMMED, *(_SUMMED_IF_BUDGET if budget else ()))
    for name in summed:
        value = float(places[name].sum())
        d.formula(tot, _AT[name], col_sum(_AT[name], first, last), MONEY, bold=True, value=value)
    conv_row = tot + 1
    d.put(conv_row, 1, f"Convergence total {b.year} (Totals sheet)")
    d.formula(
        conv_row, _AT["allocation"], f"=Totals!$B${total_row}", MONEY, value=b.convergence_total
    )
    checks.append(
        (
            f"Bridge {b.year}: allocations less the year's convergence total",
            f"=ROUND(Bridge!{L['allocation']}{tot}-Bridge!{L['allocation']}{conv_row},2)",
        )
    )
    end = _budget_rows(d, b, tot, conv_row, checks) if budget else conv_row
    # Each table on one page where it fits (a year of many places fills more than one):
    # a table that must run on repeats its header, only the last one's can.
    d.keep_together(row, end)
    target = end + 2
    end = _target_rows(d, b, target, conv_row, checks)
    d.keep_together(target, end)
    return end


def _target_rows(
    d: Drawing, b: Bridge, row: int, conv_row: int, checks: list[tuple[str, str]]
) -> int:
    """Each place's target at the convergence total and its distance from it; last row."""
    d.header(row, 1, [label(c) for c in TARGET_COLUMNS])
    places = b.table.iloc[:-1]
    for i, r in enumerate(places.itertuples(index=False)):
        for j, name in enumerate(TARGET_COLUMNS, start=1):
            d.put(row + 1 + i, j, getattr(r, name), number_format(name))
    tot = row + 1 + len(places)
    d.put(tot, 1, "Total", bold=True)
    value = float(places["convergence_target"].sum())
    d.formula(tot, 2, col_sum(2, row + 1, tot - 1), MONEY, bold=True, value=value)
    checks.append(
        (
            f"Bridge {b.year}: targets less the year's convergence total",
            f"=ROUND(Bridge!B{tot}-Bridge!{L['allocation']}{conv_row},2)",
        )
    )
    return tot


def _budget_rows(
    d: Drawing, b: Bridge, tot: int, conv_row: int, checks: list[tuple[str, str]]
) -> int:
    """The budget's total, the difference from the convergence total, their checks.

    Returns:
        The last row written.
    """
    assert b.budget_total is not None and b.difference is not None
    budget_row, diff_row = conv_row + 1, conv_row + 2
    d.put(budget_row, 1, "Budget lines' total (Budget sheet)")
    d.put(budget_row, _AT["apportioned_budget"], b.budget_total, MONEY)
    d.put(diff_row, 1, "Budget's total less the convergence total", bold=True)
    d.formula(
        diff_row,
        _AT["budget_gap"],
        f"={L['apportioned_budget']}{budget_row}-{L['allocation']}{conv_row}",
        MONEY,
        bold=True,
        value=b.difference,
    )
    checks.append(
        (
            f"Bridge {b.year}: apportioned budgets less the budget lines' total",
            f"=ROUND(Bridge!{L['apportioned_budget']}{tot}"
            f"-Bridge!{L['apportioned_budget']}{budget_row},2)",
        )
    )
    if not b.not_in_both:
        checks.append(
            (
                f"Bridge {b.year}: the places' gaps less the difference between the totals",
                f"=ROUND(Bridge!{L['budget_gap']}{tot}-Bridge!{L['budget_gap']}{diff_row},2)",
            )
        )
    return diff_row


def _place_rows(d: Drawing, places: pd.DataFrame, first: int, budget: bool) -> None:
    """A row a place: the figures, the adjustment and the gap as formulas over them."""
    for i, r in enumerate(places.itertuples(index=False)):
        at = first + i
        for name in COLUMNS:
            value = getattr(r, name)
            if name == "convergence_adjustment":
                text = f"={L['allocation']}{at}-{L['baseline']}{at}-{L['core_growth']}{at}"
                d.formula(at, _AT[name], text, MONEY, value=value)
            elif name == "budget_gap" and budget and not math.isnan(value):
                text = f"={L['apportioned_budget']}{at}-{L['allocation']}{at}"
                d.formula(at, _AT[name], text, MONEY, value=value)
            elif isinstance(value, float) and math.isnan(value):
                d.put(at, _AT[name], None)
            else:
                d.put(at, _AT[name], value, number_format(name))


#: The bridge part's drawing function (named in :mod:`xlalloc.model.parts`).
draw = zero_checks(_bridge_sheets)
