"""Convergence results as a workbook.

A sheet per year, the trajectory with a chart, the policy, and a Checks sheet
whose cells read 0 when all is well.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from ..engine.convergence import ConvergencePolicy, MultiYearResult, YearResult
from ..model.labels import label
from .sheetspec import ChartSpec, Drawing, Look, SheetSpec, col, quote_sheet
from .tables import INDEX, MONEY, PCT, explanation_block, frame_sheet
from .xlsx import save_specs

__all__ = ["sheet_name", "write_convergence"]


def sheet_name(year: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet name for a financial year (``2026/27`` -> ``2026-27``).

    Characters Excel forbids (slashes, ``? * [ ] :``) become ``-``, quotes are dropped, the
    name is cut to 31 characters, and a repeat gets `` (2)``.
    """
    name = re.sub(r"[/\\?*\[\]:]", "-", year).replace("'", "").strip() or "Year"
    name = name[:31]
    taken = taken if taken is not None else set()
    base, k = name, 1
    while name.lower() in taken:
        k += 1
        name = f"{base[: 31 - len(f' ({k})')]} ({k})"
    taken.add(name.lower())
    return name


def _policy_sheet(policy: ConvergencePolicy, look: Look) -> SheetSpec:
    """A sheet listing every policy parameter, its value and meaning."""
    d = Drawing("Policy", look)
    rows = [
        {"parameter": name, "value": getattr(policy, name), "meaning": field.description or ""}
        for name, field in ConvergencePolicy.model_fields.items()
    ]
    frame_sheet(d, pd.DataFrame(rows))
    d.width("C", 80)
    d.print_setup(landscape=True, title_rows=(1, 1))
    return d.spec()


def _year_sheet(name: str, res: YearResult, checks: list[tuple[str, str]], look: Look) -> SheetSpec:
    d = Drawing(name, look)
    # The sheet is the year: no year column. The organisation first (repeated on every
    # page); each figure's explanation in a block of its own below the totals.
    table = res.table.drop(columns=["year", "explanation"], errors="ignore").rename(
        columns={"target": "convergence_target"}  # the share of the convergence total
    )
    frame_sheet(d, table, wrap={"org": 30})
    last = len(table) + 1
    tot = last + 1
    d.put(tot, 1, "Total", bold=True)
    cols = {c: i + 1 for i, c in enumerate(table.columns)}
    for c in (
        "baseline",
        "target_share",
        "convergence_target",
        "allocation",
        "hcdd_contribution",
        "remaining_allocation",
    ):
        if c in cols:
            L = col(cols[c])
            d.formula(
                tot,
                cols[c],
                f"=SUM({L}2:{L}{last})",
                MONEY if c != "target_share" else "0.0000%",
                bold=True,
                value=table[c].sum(),
            )
    d.put(tot + 1, 1, "Control total")
    d.put(tot + 1, cols["allocation"], res.total, MONEY)
    A, S, T = col(cols["allocation"]), col(cols["target_share"]), col(cols["convergence_target"])
    q = quote_sheet(name)
    checks.append(
        (f"{name}: allocations less control total", f"=ROUND({q}!{A}{tot}-{q}!{A}{tot + 1},2)")
    )
    checks.append(
        (f"{name}: targets less control total", f"=ROUND({q}!{T}{tot}-{q}!{A}{tot + 1},2)")
    )
    checks.append((f"{name}: target shares less 1", f"=ROUND({q}!{S}{tot}-1,9)"))
    if "explanation" in res.table.columns:
        explanation_block(
            d,
            tot + 3,
            "How each allocation was set",
            res.table[["org", "rule", "explanation"]],
            span=len(table.columns) - 2,
        )
    if "hcdd_contribution" in cols:
        H, R = col(cols["hcdd_contribution"]), col(cols["remaining_allocation"])
        checks.append(
            (
                f"{name}: HCDD + remaining less allocation",
                f"=ROUND({q}!{H}{tot}+{q}!{R}{tot}-{q}!{A}{tot},2)",
            )
        )
    return d.spec()


#: Above this many organisations a trajectory is drawn as sorted bars, not lines.
MAX_LINES = 12
#: The tallest chart, in centimetres: 16 cm is 454 points, inside a landscape A4 page.
MAX_CHART_HEIGHT = 16
#: Bars in one chart: 21 names at 10 points fit 16 cm without the chart skipping any.
BARS_PER_CHART = 21
#: Rows a chart of :data:`MAX_CHART_HEIGHT` covers (15-point rows), and a spare.
CHART_ROWS = 32


def _trajectory_sheet(result: MultiYearResult, look: Look) -> SheetSpec:
    d = Drawing("Trajectory", look)
    traj = result.trajectory.rename(columns={"baseline": "dft_baseline"})
    d.block(1, 1, traj, {c: PCT for c in traj.columns[1:]}, table="xla_Trajectory")
    d.freeze = "A2"
    d.print_setup(landscape=True, title_rows=(1, 1))
    n_org, n_col = len(traj), traj.shape[1]
    years = list(result.years)
    when = f"{years[0]} to {years[-1]}" if len(years) > 1 else years[0]
    if n_org <= MAX_LINES:
        d.chart_below(
            ChartSpec(
                title=f"Distance from target by organisation, {when} (positive: above target)",
                y_title="Distance from target",
                x_title="Financial year",
                y_format="0%",
                min_col=1,
                max_col=n_col,
                header_row=1,
                first_row=2,
                last_row=n_org + 1,
                anchor=f"A{n_org + 4}",
                width=24,
                height=12,
            )
        )
        return d.spec()
    # Many organisations: before and after, sorted, as bars (42 lines are unreadable),
    # in charts of at most BARS_PER_CHART organisations, so every name prints.
    d.print_setup(landscape=True)  # the blocks below have headers of their own
    _ranked_bars(d, traj, when, n_org + 4)
    return d.spec()


def _ranked_bars(d: Drawing, traj: pd.DataFrame, when: str, row: int) -> None:
    """Before and after by organisation, sorted, in blocks each with its bar chart."""
    n_org = len(traj)
    first, last = traj.columns[1], traj.columns[-1]
    ranked = traj.sort_values(first, ascending=False, kind="stable").reset_index(drop=True)
    before, after = "Distance from target before", f"Distance from target after ({last})"
    parts = math.ceil(n_org / BARS_PER_CHART)
    size = math.ceil(n_org / parts)
    for k in range(parts):
        chunk = ranked.iloc[k * size : (k + 1) * size]
        which = f", organisations {k * size + 1} to {k * size + len(chunk)} of {n_org}"
        d.breaks.append(row)  # each block starts a page, its chart the next
        d.note(
            row,
            1,
            f"Distance from target before (baseline) and after ({last}), sorted"
            + (which if parts > 1 else ""),
            bold=True,
            size=12,
        )
        end = d.block(
            row + 1,
            1,
            pd.DataFrame(
                {  # headers in words: shown as they are
                    label("org"): chunk["org"],
                    before: chunk[first],
                    after: chunk[last],
                }
            ),
            {before: PCT, after: PCT},
        )
        d.chart_below(
            ChartSpec(
                title=f"Distance from target before and after convergence, {when} "
                "(positive: above target)" + (which if parts > 1 else ""),
                y_title="Distance from target",
                x_title="",
                y_format="0%",
                min_col=1,
                max_col=3,
                header_row=row + 1,
                first_row=row + 2,
                last_row=end,
                anchor=f"A{end + 2}",
                width=24,
                # Tall enough for a bar per organisation, no taller than a landscape A4
                # page holds (487 points between its margins).
                height=min(max(12, 0.7 * len(chunk)), MAX_CHART_HEIGHT),
                kind="bar",
                by_rows=False,
            )
        )
        row = end + 2 + CHART_ROWS  # the next block starts below the chart


def write_convergence(
    path: str | Path, result: YearResult | MultiYearResult, look: Look | None = None
) -> Path:
    """Write convergence results (one year or several) to ``path`` (.xlsx).

    Each year sheet ends with a totals row of live ``SUM`` formulas; the Checks
    sheet compares them with the control totals and reads 0 when they agree.

    Args:
        path: The workbook to write.
        result: One year's convergence or several.
        look: Money unit, protective marking and run stamp.
    """
    look = look or Look.of()
    years = result.years if isinstance(result, MultiYearResult) else {"": result}
    checks: list[tuple[str, str]] = []
    taken = {"trajectory", "policy", "checks"}
    specs = [
        _year_sheet(sheet_name(year, taken) if year else "Convergence", res, checks, look)
        for year, res in years.items()
    ]
    if isinstance(result, MultiYearResult):
        specs.append(_trajectory_sheet(result, look))
    specs.append(_policy_sheet(next(iter(years.values())).policy, look))
    d = Drawing("Checks", look)
    frame_sheet(d, pd.DataFrame({"check": [c[0] for c in checks], "value": 0.0}))
    for i, (_, formula) in enumerate(checks):
        d.formula(i + 2, 2, formula, INDEX, value=0)  # 0 by construction; LibreOffice checks
    d.width("B", 12)
    specs.append(d.spec())
    return save_specs(specs, path)
