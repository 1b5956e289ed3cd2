"""Output sheets as plain data, drawn once and written to any book.

xlalloc draws each output sheet as a :class:`SheetSpec` (cells with values or
formulas, number formats, fonts, fills, column widths, charts) through a
:class:`Drawing`. The same specs are then written into an openpyxl workbook
(headless, :mod:`xlalloc.workbook.xlsx`) or a live Excel book (through xlwings),
so the command line and the ribbon produce identical sheets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..readers.cells import col_letter

__all__ = ["CellSpec", "ChartSpec", "Drawing", "Highlight", "SheetSpec", "cell_value", "col"]

#: Text that a spreadsheet would read as a formula; always written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@")

HEADER_FILL = "1F4E78"
HEADER_FONT = "FFFFFF"


@dataclass(frozen=True)
class CellSpec:
    """One cell: its value (or formula text), format and style."""

    row: int
    col: int
    value: object
    formula: bool = False
    number_format: str = "General"
    bold: bool = False
    italic: bool = False
    size: float | None = None
    font_color: str | None = None
    fill_color: str | None = None
    cached: object = None  # a formula's value as the engine computed it


@dataclass(frozen=True)
class ChartSpec:
    """A line or bar chart of a block of cells.

    With ``by_rows`` (the default) each row from ``first_row`` to ``last_row`` is a
    series named in ``min_col``, its categories in ``header_row``; otherwise each column
    from ``first_series_col`` (default ``min_col + 1``) to ``max_col`` is a series named
    in ``header_row``, its categories in ``min_col``.
    """

    title: str
    y_title: str
    x_title: str
    y_format: str
    min_col: int
    max_col: int
    header_row: int
    first_row: int
    last_row: int
    anchor: str
    width: float = 18
    height: float = 9
    kind: str = "line"  # "line", "bar" (horizontal bars) or "scatter" (x in min_col)
    by_rows: bool = True
    first_series_col: int | None = None
    legend: bool = True
    data_sheet: str | None = None  # the sheet holding the data, if not the chart's own


@dataclass(frozen=True)
class Highlight:
    """Conditional formatting: fill ``ref`` where ``formula`` (relative to its top left) holds."""

    ref: str
    formula: str
    fill_color: str


@dataclass
class SheetSpec:
    """Everything needed to write one output sheet."""

    name: str
    cells: list[CellSpec] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)
    tab_color: str | None = None
    freeze: str | None = None
    highlights: list[Highlight] = field(default_factory=list)


def col(i: int) -> str:
    """Column letter of a 1-based column number (sheets count columns from 1)."""
    return col_letter(i - 1)


def cell_value(v: object) -> object:
    """Python value for a cell; NaN and empty text become blank, numpy scalars Python."""
    if v is None or (isinstance(v, str) and v == ""):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float | np.floating) and not np.isfinite(v):
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


class Drawing:
    """Draws one sheet: cells, widths and charts, collected into a :class:`SheetSpec`.

    A later write to a cell replaces the earlier one.
    """

    def __init__(self, name: str):
        self.name = name
        self._cells: dict[tuple[int, int], CellSpec] = {}
        self.widths: dict[str, float] = {}
        self.charts: list[ChartSpec] = []
        self.tab_color: str | None = None
        self.freeze: str | None = None
        self.highlights: list[Highlight] = []

    @property
    def last_row(self) -> int:
        """The last row drawn so far (0 if none)."""
        return max((r for r, _c in self._cells), default=0)

    def put(self, row: int, column: int, value: object, fmt: str | None = None, *,
            bold: bool = False, italic: bool = False, size: float | None = None,
            font_color: str | None = None, fill_color: str | None = None) -> None:
        """A value (text that looks like a formula stays text; formats apply to numbers)."""
        v = cell_value(value)
        number = isinstance(v, int | float) and not isinstance(v, bool)
        self._cells[(row, column)] = CellSpec(
            row, column, v, False, fmt if fmt and number else "General", bold, italic, size,
            font_color, fill_color)

    def formula(self, row: int, column: int, text: str, fmt: str | None = None, *,
                bold: bool = False, value: object = None) -> None:
        """A live formula (never text from inputs: see :meth:`put`).

        Args:
            row: Sheet row.
            column: Sheet column (1 = A).
            text: The formula, starting ``=``.
            fmt: Number format.
            bold: Bold font.
            value: The formula's value as the engine computed it, stored with the
                formula so that readers which do not recalculate see the figure.
        """
        self._cells[(row, column)] = CellSpec(row, column, text, True, fmt or "General", bold,
                                              cached=cell_value(value))

    def value(self, row: int, column: int) -> object:
        """What a cell holds (``None`` if nothing)."""
        c = self._cells.get((row, column))
        return None if c is None else c.value

    def title(self, title: str, note: str) -> None:
        """The sheet's title (A1) and a note under it (A2)."""
        self.put(1, 1, title, bold=True, size=14)
        self.put(2, 1, note, italic=True, font_color="595959")

    def header(self, row: int, column: int, names: list[str]) -> None:
        """A styled header row."""
        for j, name in enumerate(names):
            self.put(row, column + j, name, bold=True, font_color=HEADER_FONT,
                     fill_color=HEADER_FILL)

    def block(self, row: int, column: int, df: pd.DataFrame,
              formats: Mapping[str, str | None] | None = None) -> int:
        """A header row and the frame's values below it; returns the last data row."""
        self.header(row, column, [str(c) for c in df.columns])
        fmts = [(formats or {}).get(str(c)) for c in df.columns]
        values = df.to_numpy(dtype=object)
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                self.put(row + 1 + i, column + j, values[i, j], fmts[j])
        return row + len(df)

    def width(self, column: int | str, width: float) -> None:
        """A column's width (by number or letter)."""
        self.widths[column if isinstance(column, str) else col(column)] = width

    def spec(self) -> SheetSpec:
        """The drawing as a :class:`SheetSpec`."""
        cells = [self._cells[k] for k in sorted(self._cells)]
        return SheetSpec(self.name, cells, dict(self.widths), list(self.charts),
                         self.tab_color, self.freeze, list(self.highlights))
