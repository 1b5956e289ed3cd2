"""The Convergence and Trajectory sheets (the convergence part)."""

from __future__ import annotations

from ...engine.convergence import MultiYearResult, YearResult
from ...model.labels import number_format
from ...model.runner import ModelResult
from ..sheetspec import ChartSpec, Drawing, Look, SheetSpec
from ..tables import MONEY, PCT, explanation_block
from .common import (
    HEADER_ROW,
    Ranges,
    col_sum,
    output_sheet,
    values_block,
    zero_checks,
)

#: The Convergence sheet's columns, each year (labels and formats from the registry).
#: The place first: it identifies each row, and is repeated on every page when the
#: columns run on. The financial year is each block's title, not a column.
CONVERGENCE_COLUMNS = (
    "place",
    "baseline",
    "target_share",
    "convergence_target",
    "dft_before",
    "growth",
    "allocation",
    "dft_after",
    "rule",
)


def _convergence_sheets(
    result: ModelResult, rng: Ranges, checks: list[tuple[str, str]], look: Look
) -> list[SheetSpec]:
    conv = result.convergence
    d = output_sheet("Convergence", "Convergence of place baselines toward target", look)
    d2 = output_sheet("Trajectory", "Distance from target by place and year", look)
    if conv is None:
        d.note(
            HEADER_ROW,
            1,
            "No baselines given: add them on the Baselines sheet and totals on the Totals sheet.",
        )
        return [d.spec(), d2.spec()]
    row = HEADER_ROW
    first_total_row = rng.first_row("Totals")
    for k, (year, res) in enumerate(conv.years.items()):
        row = _year_block(d, year, res, row, first_total_row + k, checks) + 3
    _trajectory(d2, conv)
    return [d.spec(), d2.spec()]


def _year_block(
    d: Drawing,
    year: str,
    res: YearResult,
    row: int,
    total_row: int,
    checks: list[tuple[str, str]],
) -> int:
    """A year's allocations with totals, checks and how each was set; its last row."""
    cols = list(CONVERGENCE_COLUMNS)
    fmts = {c: f for c in cols if (f := number_format(c)) is not None}
    # The target here is the share of the year's convergence total, not of the ICB
    # budget (the Targets sheet's): named so. The organisations here are the places.
    table = res.table.rename(columns={"target": "convergence_target", "org": "place"})
    h, last = values_block(
        d,
        row,
        f"Convergence {year} (core growth {res.core_growth:.2%}; method {res.policy.method})",
        table[cols],
        fmts,
    )
    tot = last + 1
    d.put(tot, 1, "Total", bold=True)
    for c in (2, 3, 4, 7):  # baseline, target share, target, allocation
        d.formula(
            tot,
            c,
            col_sum(c, h + 1, last),
            fmts[cols[c - 1]],
            bold=True,
            value=table[cols[c - 1]].sum(),
        )
    d.put(tot + 1, 1, "Control total (Totals sheet)")
    d.formula(tot + 1, 7, f"=Totals!$B${total_row}", MONEY, value=res.total)
    checks.append(
        (
            f"Convergence {year}: allocations less the year's total",
            f"=ROUND(Convergence!G{tot}-Convergence!G{tot + 1},2)",
        )
    )
    checks.append(
        (
            f"Convergence {year}: targets less the year's total",
            f"=ROUND(Convergence!D{tot}-Convergence!G{tot + 1},2)",
        )
    )
    # Each figure's explanation below its year's table, across the figures' columns
    # (a wide column of its own printed as a second page across).
    end = explanation_block(
        d,
        tot + 3,
        f"How each allocation was set, {year}",
        table[["place", "rule", "explanation"]],
        span=len(cols) - 2,
    )
    d.keep_together(row, end)  # a year's table and its explanations on one page
    return end


def _trajectory(d2: Drawing, conv: MultiYearResult) -> None:
    """Each place's distance from target by year, with its chart."""
    # The first column is the distance from target at the baseline: the Targets sheet's
    # "Distance from target (baseline)", named the same.
    traj = conv.trajectory.rename(columns={"org": "place", "baseline": "dft_baseline"})
    h, last = values_block(
        d2,
        HEADER_ROW,
        "Distance from target (positive: above target)",
        traj,
        {c: PCT for c in traj.columns[1:]},
    )
    years = list(conv.years)
    d2.chart_below(
        ChartSpec(
            title=f"Distance from target by place, baseline to {years[-1]} (positive: above "
            "target)",
            y_title="Distance from target",
            x_title="Financial year",
            y_format="0.0%",
            min_col=1,
            max_col=traj.shape[1],
            header_row=h,
            first_row=h + 1,
            last_row=last,
            anchor=f"A{last + 3}",
            width=22,
            height=11,
        )
    )


#: The convergence part's drawing function (named in :mod:`xlalloc.model.parts`).
draw = zero_checks(_convergence_sheets)
