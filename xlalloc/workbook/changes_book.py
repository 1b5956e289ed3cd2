"""What changed between two runs, as a workbook (``xlalloc compare``).

Sheets: ``Changes`` (care programme × place), ``Places`` (the ICB and each place),
``Waterfall`` (old total to new total through the change from amounts and from shares,
a chart for the ICB and one for each place), ``Targets``, ``Convergence`` (when both
runs converge) and ``Checks``. Each table's ``change`` is a formula (new less old) and
the Checks sheet tests ``old + from amounts + from shares = new`` in every row.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..model.compare import Comparison
from ..model.labels import label
from .sheetspec import MONEY, ChartSpec, Drawing, Look, SheetSpec, col, quote_sheet
from .tables import frame_sheet
from .xlsx import save_specs

__all__ = ["write_changes"]

#: Rows a waterfall chart (9 cm high) covers, with a margin.
CHART_ROWS = 20

#: Columns of the waterfall's data: a step, then the stacked series.
STEPS = ("Old total", "From amounts", "From shares", "New total")


#: Each sheet's title and the sentence under it: what a committee reads the page for.
TITLES = {
    "Changes": (
        "What changed by care programme and place",
        "Each line's change from the old run to the new, split into the change from the "
        "budget lines' amounts and the change from the shares the methods gave.",
    ),
    "Places": (
        "What changed for the ICB and each place",
        "The change in each place's budget, split into the change from the budget lines' "
        "amounts and the change from the shares.",
    ),
    "Targets": (
        "What changed in the need-based targets",
        "Each place's target, split into the change from the ICB budget and the change "
        "from need (its target share).",
    ),
    "Convergence": (
        "What changed in convergence",
        "Each place's allocation, target share and distance from target in the two runs.",
    ),
    "Policy": (
        "What changed in the Policy",
        "The parameters that differ between the two runs: what was changed to make the difference.",
    ),
}
#: The row of each table's header, under its sheet's title and note.
HEADER_ROW = 4


def _titled(name: str, look: Look) -> Drawing:
    """A comparison sheet with its title and the note saying what it shows."""
    d = Drawing(name, look)
    d.title(*TITLES[name])
    return d


def _table_sheet(
    name: str,
    df: pd.DataFrame,
    look: Look,
    checks: list[tuple[str, str, float]],
    parts: tuple[str, str],
) -> SheetSpec:
    """A table with ``change`` as a formula, and its identity checked."""
    d = _titled(name, look)
    last = frame_sheet(d, df, start_row=HEADER_ROW)
    at = {c: i + 1 for i, c in enumerate(df.columns)}
    o, n, ch = (col(at[c]) for c in ("old", "new", "change"))
    a, s = (col(at[c]) for c in parts)
    first = HEADER_ROW + 1
    for i, v in enumerate(df["change"]):
        r = i + first
        d.formula(r, at["change"], f"={n}{r}-{o}{r}", MONEY, value=float(v))
    q = quote_sheet(name)
    rng = {k: f"{q}!${k}${first}:${k}${last}" for k in (o, n, a, s)}
    checks.append(
        (
            f"{name}: old + {label(parts[0]).lower()} + {label(parts[1]).lower()} "
            "less new, every row (£)",
            f"=ROUND(SUMPRODUCT(ABS({rng[o]}+{rng[a]}+{rng[s]}-{rng[n]})),2)",
            0.0,
        )
    )
    return d.spec()


def _waterfall_sheet(places: pd.DataFrame, look: Look) -> SheetSpec:
    """For the ICB and each place, old total to new total: formulas over Places."""
    d = Drawing("Waterfall", look)
    d.title(
        "Old total to new total: the change from amounts and from shares",
        "Each bar starts where the one before ends; the axis starts near the smaller "
        "total, so small changes show.",
    )
    d.print_setup(landscape=True, title_rows=None)
    at = {c: i + 1 for i, c in enumerate(places.columns)}
    src = quote_sheet("Places")
    row = 4
    for k, rec in enumerate(places.itertuples(index=False)):
        p = k + HEADER_ROW + 1  # the row of this place on the Places sheet
        ref = {c: f"{src}!${col(at[c])}${p}" for c in ("old", "new", "from_amounts", "from_shares")}
        old, a, s, new = rec.old, rec.from_amounts, rec.from_shares, rec.new
        if k:
            d.breaks.append(row)  # each place's steps and chart on a page of their own
        d.note(row, 1, str(rec.place), bold=True, size=12)
        d.header(row + 1, 1, ["Step", "Base (£)", "Increase (£)", "Decrease (£)", "Total (£)"])
        r1 = row + 2
        d.put(r1, 1, STEPS[0])
        d.formula(r1, 5, f"={ref['old']}", MONEY, value=old)
        running = old
        for j, (step, v, name) in enumerate(
            ((STEPS[1], a, "from_amounts"), (STEPS[2], s, "from_shares")), start=1
        ):
            r = r1 + j
            prev = f"E{r1}" if j == 1 else f"B{r - 1}+C{r - 1}"
            before = running
            d.put(r, 1, step)
            d.formula(
                r, 2, f"=MIN({prev},{prev}+{ref[name]})", MONEY, value=min(before, before + v)
            )
            d.formula(r, 3, f"=MAX({ref[name]},0)", MONEY, value=max(v, 0.0))
            d.formula(r, 4, f"=MAX(-{ref[name]},0)", MONEY, value=max(-v, 0.0))
            running = before + v
        d.put(r1 + 3, 1, STEPS[3])
        d.formula(r1 + 3, 5, f"={ref['new']}", MONEY, value=new)
        low = min(old, new, old + a)
        span = max(old, new, old + a) - low
        d.charts.append(
            ChartSpec(
                title=f"{rec.place}: £{old:,.0f} to £{new:,.0f}",
                y_title="£",
                x_title="",
                y_format="£#,##0",
                min_col=1,
                max_col=5,
                header_row=row + 1,
                first_row=r1,
                last_row=r1 + 3,
                anchor=f"A{r1 + 5}",
                width=18,
                height=9,
                kind="waterfall",
                by_rows=False,
                legend=False,
                y_min=_axis_start(low, span),
            )
        )
        row = r1 + 5 + CHART_ROWS
    return d.spec()


def _axis_start(low: float, span: float) -> float | None:
    """Where the value axis starts: a round value about ``span`` below ``low``.

    Small changes then show; ``None`` (the axis starts at 0) when ``low`` is not positive.
    """
    if low <= 0:
        return None
    gap = max(span, low * 0.001)
    step = 10 ** math.floor(math.log10(gap))
    return max(0.0, math.floor((low - gap) / step) * step)


def write_changes(
    path: str | Path,
    comparison: Comparison,
    look: Look | None = None,
    sources: tuple[str, str] = ("old", "new"),
) -> Path:
    """Write a comparison of two runs to ``path`` (.xlsx).

    Args:
        path: The workbook to write.
        comparison: :func:`~xlalloc.model.compare.compare_results`' result.
        look: Money unit, protective marking and run stamp.
        sources: The two runs' names, for the Checks sheet's notes.
    """
    look = look or Look.of()
    checks: list[tuple[str, str, float]] = []
    amounts = ("from_amounts", "from_shares")
    specs = [
        _table_sheet("Changes", comparison.programmes, look, checks, amounts),
        _table_sheet("Places", comparison.places, look, checks, amounts),
        _waterfall_sheet(comparison.places, look),
        _table_sheet("Targets", comparison.targets, look, checks, ("from_budget", "from_need")),
    ]
    if comparison.convergence is not None:
        d = _titled("Convergence", look)
        frame_sheet(d, comparison.convergence, start_row=HEADER_ROW)
        specs.append(d.spec())
    d = _titled("Policy", look)  # what was changed to make the difference
    policy = comparison.policy
    if len(policy):
        frame_sheet(d, policy.astype(object).where(policy.notna(), "(blank)"), HEADER_ROW)
    else:
        d.note(HEADER_ROW, 1, "No Policy parameter differs between the two runs.")
    specs.append(d.spec())
    d = Drawing("Checks", look)
    d.title(
        "Checks: each reads 0 when all is well",
        f"Old: {sources[0]}. New: {sources[1]}."
        + "".join(f" {n[0].upper()}{n[1:]}." for n in comparison.notes),
    )
    d.header(4, 1, [label("check"), label("value")])
    for i, (text, formula, value) in enumerate(checks):
        d.put(5 + i, 1, text)
        d.formula(5 + i, 2, formula, MONEY, value=value)
    d.print_setup(landscape=False, title_rows=(4, 4))
    specs.append(d.spec())
    return save_specs(specs, path)
