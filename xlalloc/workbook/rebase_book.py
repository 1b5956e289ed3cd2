"""The rebase workbook: new baselines, the bridge with its chart, and Checks reading 0.

Inputs, calculations and outputs apart (FAST): *Old baselines* holds the baselines as
given; *Bridge* each old ICB's parts in the new ICBs, and *Bridge chart* the parts that
moved (an old ICB split, or a new ICB formed from several) as bars; *Baselines* the new ICBs'
baselines, each a ``SUMIFS`` of its parts; *Left out* the practices in one file only;
*Checks* live formulas that read 0 when the new total equals the old and every old ICB's
parts add up to its baseline, each part within one unit of its exact share.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..engine.rebase import RebaseResult
from ..model.labels import label
from .sheetspec import MONEY, ChartSpec, Drawing, Look, SheetSpec, col, quote_sheet
from .tables import frame_sheet
from .xlsx import save_specs

__all__ = ["write_rebase"]

#: Bars in one chart (as the convergence workbook's): every name prints.
BARS_PER_CHART = 21

#: Names wrap at this many characters, so each table prints one page across.
NAMES = {"old_name": 26, "new_name": 26, "icb_name": 30, "practice_name": 26}


def _changed(bridge: pd.DataFrame) -> pd.DataFrame:
    """The bridge's parts that moved: an old ICB split, or a new ICB of several."""
    splits = bridge.groupby("old_code")["new_code"].transform("nunique") > 1
    merges = bridge.groupby("new_code")["old_code"].transform("nunique") > 1
    return bridge[splits | merges]


def _bridge_sheet(bridge: pd.DataFrame, look: Look) -> SheetSpec:
    d = Drawing("Bridge", look)
    frame_sheet(d, bridge, wrap=NAMES)
    return d.spec()


def _chart_sheet(bridge: pd.DataFrame, look: Look) -> SheetSpec | None:
    """The parts that moved, grouped by new ICB, as bars (at most 21 to a chart)."""
    changed = _changed(bridge).sort_values(["new_code", "old_code"], kind="stable")
    if not len(changed):
        return None
    d = Drawing("Bridge chart", look)
    d.print_setup(landscape=True)  # each block has a header of its own
    parts = math.ceil(len(changed) / BARS_PER_CHART)
    size = math.ceil(len(changed) / parts)
    row = 1
    for k in range(parts):
        chunk = changed.iloc[k * size : (k + 1) * size]
        which = (
            f", {k * size + 1} to {k * size + len(chunk)} of {len(changed)}" if parts > 1 else ""
        )
        if k:
            d.breaks.append(row)
        d.note(
            row,
            1,
            "The parts that moved: each old ICB's part in the new ICB it moved to" + which,
            bold=True,
            size=12,
        )
        frame = pd.DataFrame(
            {
                "New ICB": chunk["new_code"].to_numpy(),
                "From old ICB": chunk["old_code"].to_numpy(),
                "Old ICB to new ICB": [
                    f"{o} to {n}" for o, n in zip(chunk["old_code"], chunk["new_code"])
                ],
                label("amount"): chunk["amount"].to_numpy(),
            }
        )
        end = d.block(row + 1, 1, frame, {label("amount"): MONEY})
        d.charts.append(  # beside its block, on the same page
            ChartSpec(
                title="Baselines rebased: each old ICB's part in its new ICB (£ million)" + which,
                y_title="£ million",
                x_title="",
                y_format="#,##0,,",
                min_col=3,
                max_col=4,
                header_row=row + 1,
                first_row=row + 2,
                last_row=end,
                anchor=f"F{row + 1}",
                width=15,
                height=min(max(8, 0.7 * len(chunk)), 16),
                kind="bar",
                by_rows=False,
                legend=False,
            )
        )
        row = max(end, row + 34) + 3
    return d.spec()


def _baselines_sheet(new: pd.DataFrame, n_bridge: int, look: Look) -> SheetSpec:
    """The new ICBs' baselines: each the sum of its parts on the Bridge (a live formula)."""
    d = Drawing("Baselines", look)
    last = frame_sheet(d, new, wrap=NAMES)
    bridge = quote_sheet("Bridge")
    amounts = f"{bridge}!$I$2:$I${n_bridge + 1}"
    codes = f"{bridge}!$C$2:$C${n_bridge + 1}"
    for i, value in enumerate(new["baseline"], start=2):
        d.formula(i, 3, f"=SUMIFS({amounts},{codes},A{i})", MONEY, value=float(value))
    d.note(last + 2, 1, "Each new ICB's baseline is the sum of its parts on the Bridge sheet.")
    return d.spec()


def _checks_sheet(
    old: pd.DataFrame, new: pd.DataFrame, bridge: pd.DataFrame, look: Look, unit: float
) -> SheetSpec:
    d = Drawing("Checks", look)
    d.title("Checks", "Each reads 0 when all is well; the first is the sum of the others.")
    d.header(3, 1, ["Check", "Value (0 when all is well)"])
    n_old, n_new, n_bridge = len(old), len(new), len(bridge)
    o, b, n = quote_sheet("Old baselines"), quote_sheet("Bridge"), quote_sheet("Baselines")
    amount, exact = f"{b}!$I$2:$I${n_bridge + 1}", f"{b}!$H$2:$H${n_bridge + 1}"
    old_codes = f"{b}!$A$2:$A${n_bridge + 1}"
    rows = [
        (
            "New ICBs' baselines less the old ICBs' (£)",
            f"=ROUND(SUM({n}!$C$2:$C${n_new + 1})-SUM({o}!$C$2:$C${n_old + 1}),2)",
        ),
        (
            "Old ICBs whose parts do not add up to their baseline",
            f"=SUMPRODUCT(--(ROUND(SUMIFS({amount},{old_codes},{o}!$A$2:$A${n_old + 1})"
            f"-{o}!$C$2:$C${n_old + 1},2)<>0))",
        ),
        (
            "Parts a unit or more from their exact share",
            f"=SUMPRODUCT(--(ABS({amount}-{exact})>={unit:g}))",
        ),
    ]
    d.put(4, 1, "Overall check (0 when all is well)", bold=True)
    d.formula(4, 2, f"=SUM(B5:B{4 + len(rows)})", "0", bold=True, value=0)
    for i, (name, formula) in enumerate(rows, start=5):
        d.put(i, 1, name)
        d.formula(i, 2, formula, "0", value=0)
    d.width(col(1), 60)
    return d.spec()


def write_rebase(
    path: str | Path,
    old: pd.DataFrame,
    result: RebaseResult,
    look: Look | None = None,
    unit: float = 1.0,
) -> Path:
    """Write the rebase workbook (see the module) to ``path``.

    Args:
        path: The ``.xlsx`` to write.
        old: The old ICBs' baselines as given: ``icb_code, icb_name, baseline``.
        result: :func:`~xlalloc.engine.rebase.rebase`'s result.
        look: Money unit, marking, paper.
        unit: The rounding unit of the parts (£): each within one unit of its exact share.
    """
    look = look or Look()
    inputs = Drawing("Old baselines", look)
    frame_sheet(inputs, old, wrap=NAMES)
    left = Drawing("Left out", look)
    frame_sheet(left, result.left_out, wrap=NAMES)
    chart = _chart_sheet(result.bridge, look)
    specs = [
        _baselines_sheet(result.baselines, len(result.bridge), look),
        _bridge_sheet(result.bridge, look),
        *([chart] if chart is not None else []),
        inputs.spec(),
        left.spec(),
        _checks_sheet(old, result.baselines, result.bridge, look, unit),
    ]
    return save_specs(specs, path)
