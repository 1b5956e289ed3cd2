"""The Equity sheet (the equity part)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...engine.equity import EquityResult
from ...model.labels import label, labels
from ...model.runner import ModelResult
from ..sheetspec import Drawing, Look, SheetSpec
from ..tables import INDEX, MONEY, NUMBER
from .common import (
    HEADER_ROW,
    Ranges,
    col_sum,
    output_sheet,
    zero_checks,
)

#: The Equity sheet's columns (the first is each level's own: place or practice).
EQUITY_COLUMNS = (
    "population",
    "need",
    "spend",
    "expected",
    "ratio",
    "underserved",
    "deprivation",
)


def _equity_sheet(
    result: ModelResult, rng: Ranges, checks: list[tuple[str, str]], look: Look
) -> SheetSpec:
    """Equity of spend against need, for places and practices (see ``engine/equity.py``)."""
    d = output_sheet("Equity", "Equity: spend against need by place and by practice", look)
    if not result.equity:
        d.note(
            HEADER_ROW,
            1,
            "No budget lines apportioned: equity compares the apportioned spend with need.",
        )
        return d.spec()
    titles = {
        "places": "Places: Table 1 spend against core weighted population",
        "practices": "Practices: spend attributed to practices (practice-data and "
        "capitation lines) against core weighted population",
    }
    tol = next(iter(result.equity.values())).tolerance  # the Policy's, or the default
    d.note(
        HEADER_ROW - 1,
        1,
        f"Underserved: spend below {1 - tol:.0%} of the spend its need would give "
        f"(1 less the Policy's equity_tolerance, {tol:.0%}: targets are accurate to about "
        "±5%, as ACRA judges them, so a smaller shortfall is not one they can show).",
        italic=True,
    )
    row = HEADER_ROW
    for level, eq in result.equity.items():
        # The measures first, then the table: the practices' table, the longest, comes
        # last, so its header repeats on every page it runs on to.
        d.note(row, 1, titles[level], bold=True, size=12)
        row = _measures(d, eq, row + 1) + 1
        first = "place" if level == "places" else "practice_code"
        d.note(row, 1, f"Each {label(first).lower()}'s spend against its need", bold=True)
        d.header(row + 1, 1, labels([first, *EQUITY_COLUMNS]))
        tot = _units(d, eq.units, row + 2, 1 - tol)
        if level == "places":
            checks.append(
                (
                    "Equity: places' spend less the budget lines' total",
                    f"=ROUND(Equity!D{tot}-SUM({rng.column('Budget', 'amount')}),2)",
                )
            )
        row = tot + 3
    return d.spec()


def _units(d: Drawing, u: pd.DataFrame, r1: int, limit: float) -> int:
    """Each unit's spend against its need, as formulas; returns the Total row.

    A unit is underserved where its ratio is below ``limit`` (1 less the tolerance).
    """
    r2 = r1 + len(u) - 1
    tot = r2 + 1
    rows = range(r1, r2 + 1)
    d.column(r1, 1, u["unit"])
    d.column(r1, 2, u["population"], NUMBER)
    d.column(r1, 3, u["need"], NUMBER)
    d.column(r1, 4, u["spend"], MONEY)
    d.formulas(r1, 5, [f"=$D${tot}*C{r}/$C${tot}" for r in rows], MONEY, values=u["expected"])
    d.formulas(r1, 6, [f"=IF(E{r}=0,0,D{r}/E{r})" for r in rows], INDEX, values=u["ratio"])
    d.formulas(
        r1,
        7,
        [f'=IF(F{r}<{limit:.12g},"yes","no")' for r in rows],
        values=np.where(u["underserved"].to_numpy(dtype=bool), "yes", "no"),
    )
    d.column(r1, 8, u["deprivation"], INDEX)
    d.put(tot, 1, "Total", bold=True)
    for c, fmt, v in (
        (2, NUMBER, u["population"].sum()),
        (3, NUMBER, u["need"].sum()),
        (4, MONEY, u["spend"].sum()),
        (5, MONEY, u["expected"].sum()),
    ):
        d.formula(tot, c, col_sum(c, r1, r2), fmt, bold=True, value=v)
    return tot


def _measures(d: Drawing, eq: EquityResult, row: int) -> int:
    """The summary measures and the notes below them; returns the last row used."""
    d.header(row, 1, [label("measure"), label("value")])
    for k, rec in enumerate(eq.summary.itertuples(index=False)):
        fmt = (
            "#,##0"
            if rec.measure in ("units", "population")
            else ("0.0%" if rec.measure == "proportion_underserved" else "0.0000")
        )
        d.put(row + 1 + k, 1, label(rec.measure))
        d.put(row + 1 + k, 2, rec.value, fmt)
    row += len(eq.summary) + 2
    for note in eq.notes:
        d.note(row, 1, note, italic=True)
        row += 1
    return row


#: The equity part's drawing function (named in :mod:`xlalloc.model.parts`).
draw = zero_checks(lambda r, g, c, k: [_equity_sheet(r, g, c, k)])
