"""What the output sheets share.

Ranges of the input sheets, formula helpers, the blocks they draw, check labels and
number formats.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

import numpy as np
import pandas as pd

from ...model.labels import FORMATS, label
from ...model.runner import ModelResult
from ...model.schema import (
    CHECKS,
)
from ...readers.model import TableLayout
from ..sheetspec import Drawing, Look, SheetSpec, col, quote_sheet

OUTPUT_NOTE = "Written by xlalloc on every run: do not edit (edit the input sheets and re-run)."
HEADER_ROW = 4
PER_1000 = cast(str, FORMATS["per_1000"])  # £ per 1,000 weighted population: never in £000
SHARE = "0.00%"


def find_beside(sheet: str, label: str, fallback: str) -> str:
    """A live formula: the value beside ``label`` in column A of an output sheet."""
    return (
        f'=IFERROR(INDEX({quote_sheet(sheet)}!B:B,MATCH("{label}",'
        f'{quote_sheet(sheet)}!A:A,0)),"{fallback}")'
    )


#: Labels of the run's provenance, in column A of the Summary sheet (the Cover finds them).
RUN_AT, CHECK_STATUS = "Run at", "Check status"
#: The one cell that says whether all is well: the sum of every check's absolute value.
OVERALL_CHECK = "Overall check (0 when all is well)"
CHECK_FORMAT = "#,##0.00;(#,##0.00);0"


class Ranges:
    """Where input columns are, for formulas that trace outputs to inputs.

    Read from the layout the reader recorded for each input table, so the same
    formulas serve a workbook file and a live Excel book.
    """

    def __init__(self, layout: Mapping[str, TableLayout]):
        self.layout = layout

    def column(self, sheet: str, name: str) -> str:
        """Absolute range of a named column's data in an input sheet's table."""
        lay = self.layout[sheet]
        first = lay.header_row + 1
        last = first + max(lay.n_rows, 1) - 1
        L = col(lay.columns[name] + 1)
        return f"{quote_sheet(sheet)}!${L}${first}:${L}${last}"

    def first_row(self, sheet: str) -> int:
        """Sheet row of an input table's first data row."""
        return self.layout[sheet].header_row + 1


def sum_where(criteria_range: str, cell: str, sum_range: str, also: str = "") -> str:
    """``SUMIF`` by exact match (``also``: further ``*(range="value")`` criteria).

    A name holding ``*``, ``?``, ``=`` or ``<>`` is a name, not a pattern or a comparison
    (SUMIF would read it as one).
    """
    return f"=SUMPRODUCT(({criteria_range}={cell}){also}*{sum_range})"


def in_year(result: ModelResult, rng: Ranges, year: str) -> str:
    """The year criterion of formulas over Practices (none when the sheet has no years)."""
    if not result.inputs.years_given:
        return ""
    return f'*({rng.column("Practices", "year")}="{year}")'


def col_sum(column: int, r1: int, r2: int) -> str:
    """``=SUM`` of a column's rows ``r1`` to ``r2``."""
    L = col(column)
    return f"=SUM({L}{r1}:{L}{r2})"


def output_sheet(name: str, title: str, look: Look | None = None) -> Drawing:
    """A new output sheet with its title and the note that xlalloc writes it."""
    d = Drawing(name, look)
    d.title(title, OUTPUT_NOTE)
    d.print_setup(landscape=True, title_rows=(1, 2))
    d.repeat_header = True  # a table that runs on repeats its header on every page
    d.tab_color = "C00000" if name == CHECKS else "A6A6A6"
    return d


def values_block(
    d: Drawing, row: int, title: str, df: pd.DataFrame, formats: Mapping[str, str] | None = None
) -> tuple[int, int]:
    """Write a titled table of values; returns (header row, last data row)."""
    d.note(row, 1, title, bold=True, size=12)
    return row + 1, d.block(row + 1, 1, df, formats)


def grouped_values_block(
    d: Drawing,
    row: int,
    title: str,
    df: pd.DataFrame,
    formats: Mapping[str, str] | None,
    keys: Sequence[str],
    per_group: int,
) -> int:
    """A table too wide for a page as blocks of columns, one below another.

    Each block repeats the ``keys`` (the columns that name a row) and holds up to
    ``per_group`` of the others, so every block prints on one page across at a legible
    size; a table narrow enough is one block. Returns the last row written.
    """
    keys = list(keys)
    rest = [c for c in df.columns if c not in keys]
    groups = [rest[k : k + per_group] for k in range(0, len(rest), per_group)] or [[]]
    for g, cols in enumerate(groups):
        part = f" ({g + 1} of {len(groups)})" if len(groups) > 1 else ""
        _, last = values_block(d, row, title + part, df[keys + cols], formats)
        row = last + 2
    return row - 2


def formula_block(
    d: Drawing,
    row: int,
    title: str,
    columns: list[str],
    labels_from: int,
    values: np.ndarray,
    formula: Callable[[str, int, int], str],
    fmt: str,
) -> int:
    """A titled block of formulas, one per cell: ``formula(letter, source_row, i)``.

    ``values`` holds each formula's value as computed from the engine's figures (stored
    with the formula). Row labels are copied from column A of the rows starting at
    ``labels_from``. Returns the first formula row.
    """
    n_rows, n_cols = values.shape
    d.note(row, 1, title, bold=True, size=12)
    d.header(row + 1, 1, columns)
    first = row + 2
    for i in range(n_rows):
        src = labels_from + i
        d.put(first + i, 1, d.value(src, 1))
        for j in range(n_cols):
            d.formula(first + i, 2 + j, formula(col(2 + j), src, i), fmt, value=values[i, j])
    return first


Check = tuple[str, str, float]  # label, formula, the value it reads


def matrix_block(
    d: Drawing, row: int, title: str, table: pd.DataFrame, value_fmt: str
) -> tuple[int, int, int]:
    """Table 1 style block: values in the body, SUM formulas for the Total column and row.

    Returns (header row, first body row, last body row); the total row follows.
    """
    body = table.drop(index="Total").drop(columns="Total")
    d.note(row, 1, title, bold=True, size=12)
    d.header(row + 1, 1, [label("programme")] + [str(c) for c in body.columns] + ["Total"])
    r1 = row + 2
    n = len(body.columns)
    for i, (prog, vals) in enumerate(body.iterrows()):
        r = r1 + i
        d.put(r, 1, prog)
        for j, v in enumerate(vals):
            d.put(r, 2 + j, float(v), value_fmt)
        d.formula(
            r, 2 + n, f"=SUM(B{r}:{col(1 + n)}{r})", value_fmt, bold=True, value=float(vals.sum())
        )
    r2 = r1 + len(body) - 1
    tot = r2 + 1
    d.put(tot, 1, "Total", bold=True)
    totals = [*body.sum(axis=0), body.to_numpy().sum()]
    for j in range(n + 1):
        d.formula(tot, 2 + j, col_sum(2 + j, r1, r2), value_fmt, bold=True, value=totals[j])
    return row + 1, r1, r2


def grouped_matrix_block(
    d: Drawing, row: int, title: str, table: pd.DataFrame, value_fmt: str, per_group: int
) -> tuple[int, str]:
    """A Table 1 style block too wide for a page, as blocks of columns one below another.

    Each block names the programmes and holds up to ``per_group`` columns; the last also
    holds the Total column, each row's total a ``SUM`` over that programme's row in every
    block. Each block has its Total row of ``SUM`` formulas. One block when it fits.

    Returns:
        The last row written and the grand total's cell (``"F40"``).
    """
    body = table.drop(index="Total").drop(columns="Total")
    names = [str(c) for c in body.columns]
    groups = [names[k : k + per_group] for k in range(0, len(names), per_group)] or [[]]
    if len(groups) > 1 and len(groups[-1]) == per_group:
        groups.append([])  # the Total column needs a place in the last block
    n_rows = len(body)
    firsts: list[tuple[int, int]] = []  # each block's first body row and column count
    r = row
    for g, cols in enumerate(groups):
        part = f" ({g + 1} of {len(groups)})" if len(groups) > 1 else ""
        last_block = g == len(groups) - 1
        d.note(r, 1, title + part, bold=True, size=12)
        d.header(r + 1, 1, [label("programme"), *cols, *(["Total"] if last_block else [])])
        r1 = r + 2
        firsts.append((r1, len(cols)))
        for i, (prog, vals) in enumerate(body[cols].iterrows()):
            d.put(r1 + i, 1, prog)
            for j, v in enumerate(vals):
                d.put(r1 + i, 2 + j, float(v), value_fmt)
        tot = r1 + n_rows
        d.put(tot, 1, "Total", bold=True)
        for j, name in enumerate(cols):
            d.formula(
                tot,
                2 + j,
                col_sum(2 + j, r1, tot - 1),
                value_fmt,
                bold=True,
                value=float(body[name].sum()),
            )
        if last_block:
            tc = 2 + len(cols)
            for i in range(n_rows):
                parts = [f"SUM(B{f + i}:{col(1 + k)}{f + i})" for f, k in firsts if k]
                d.formula(
                    r1 + i,
                    tc,
                    "=" + "+".join(parts),
                    value_fmt,
                    bold=True,
                    value=float(body.iloc[i].sum()),
                )
            d.formula(
                tot,
                tc,
                col_sum(tc, r1, tot - 1),
                value_fmt,
                bold=True,
                value=float(body.to_numpy().sum()),
            )
            return tot, f"{col(tc)}{tot}"
        r = tot + 3
    raise AssertionError("unreachable: the last block returns")


def ratio(x: np.ndarray, total: np.ndarray) -> np.ndarray:
    """``IF(total=0, 0, x/total)``, as the sheet computes it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0, 0.0, x / np.where(total == 0, 1.0, total))


def zero_checks(
    draw: Callable[[ModelResult, Ranges, list[tuple[str, str]], Look], list[SheetSpec]],
) -> Callable[[ModelResult, Ranges, list[Check], Look], list[SheetSpec]]:
    """A drawing function whose checks always read 0 on a successful run, as a part's."""

    def part(result: ModelResult, rng: Ranges, checks: list[Check], look: Look) -> list[SheetSpec]:
        found: list[tuple[str, str]] = []
        specs = draw(result, rng, found, look)
        checks += [(label, formula, 0) for label, formula in found]
        return specs

    return part
