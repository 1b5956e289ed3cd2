"""Output sheets as plain data, drawn once and written to any book.

xlalloc draws each output sheet as a :class:`SheetSpec` (cells with values or
formulas, number formats, fonts, fills, column widths, charts) through a
:class:`Drawing`. The same specs are then written into an openpyxl workbook
(headless, :mod:`xlalloc.workbook.xlsx`) or a live Excel book (through xlwings),
so the command line and the ribbon produce identical sheets.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple, cast

import numpy as np
import pandas as pd

from .._version import __version__
from ..model.labels import FORMATS, label, money_label
from ..readers.cells import col_index, col_letter

__all__ = [
    "INDEX",
    "MONEY",
    "CHART_PT",
    "MIN_PRINTED_PT",
    "MONEY_UNITS",
    "PAPER",
    "PENCE",
    "column_points",
    "print_fit",
    "printed_width",
    "NUMBER",
    "PCT",
    "SHARE",
    "CellSpec",
    "ChartSpec",
    "Drawing",
    "Highlight",
    "Look",
    "PageSetup",
    "SheetSpec",
    "TableSpec",
    "cell_value",
    "col",
    "header_footer",
    "is_figure",
    "quote_sheet",
    "shown",
    "wrapped_heights",
    "wrapped_lines",
]

#: Text that a spreadsheet would read as a formula; always written as text.
FORMULA_PREFIXES = ("=", "+", "-", "@")

HEADER_FILL = "1F4E78"
HEADER_FONT = "FFFFFF"

#: Each kind's format, from the column registry (:data:`xlalloc.model.labels.FORMATS`).
#: Money: £ with thousands separators, negatives in brackets, zero as a dash.
MONEY = cast(str, FORMATS["money"])
#: Money to the penny, whatever the money unit (reconciliations, ledger rows).
PENCE = cast(str, FORMATS["price"])
INDEX = cast(str, FORMATS["index"])
SHARE = cast(str, FORMATS["share"])
PCT = cast(str, FORMATS["rate"])
NUMBER = cast(str, FORMATS["count"])

#: Money shown in pounds, thousands or millions: the format (the value stays in £).
MONEY_UNITS = {"£": MONEY, "£000": '£#,##0,;(£#,##0,);"–"', "£m": '£#,##0.0,,;(£#,##0.0,,);"–"'}


#: Body text is at least this size on paper, in points, after any scaling to fit.
MIN_PRINTED_PT = 8.0
#: Text size of a cell with no size of its own (Excel's default, Calibri 11).
DEFAULT_PT = 11.0
#: The font every cell names (a font with no name is drawn in whatever the reader picks:
#: LibreOffice chose a serif). LibreOffice prints it with Carlito, Calibri's metrics.
BODY_FONT = "Calibri"
#: Text size of chart titles, axes and legends as openpyxl and LibreOffice draw them.
CHART_PT = 10.0
#: Paper sizes: Excel's ``paperSize`` code and the width and height in points.
PAPER = {"A4": (9, 595.28, 841.89), "A3": (8, 841.89, 1190.55)}
#: Left plus right page margins, in points (0.5 inch each).
MARGINS_PT = 72.0
#: Top plus bottom page margins, in points (0.75 inch each: they hold the header and footer).
VERTICAL_MARGINS_PT = 108.0
#: A sheet is fitted only when its text would print this much above the minimum: the
#: printed width is an estimate (:func:`column_points` is the wider of Excel's and
#: LibreOffice's measures) and Excel rounds a fitted scale down to a whole percent.
SAFETY = 1.03


def column_points(width: float) -> float:
    """A column's printed width in points from its width in characters.

    The larger of two measures, so that a sheet judged to fit fits in both: LibreOffice
    printing with Carlito (Calibri's metrics) draws 5.55 points a character (a column
    of 5 characters 27.7 points wide, 10 55.5, 30 166.4); Excel's rule is 7 pixels a
    character and 5 of padding, 5.25 points a character and 3.75 more.
    """
    return 5.6 * width + 4.0


def printed_width(
    widths: Sequence[float],
    spills: Sequence[tuple[int, float]] = (),
    objects: Sequence[tuple[int, float]] = (),
) -> float:
    """A sheet's printed width in points: its columns, text running past them, charts.

    Args:
        widths: Each column's width in characters, from column A.
        spills: ``(column, characters)`` of text that is not wrapped: it prints across
            the empty columns to its right, so the page holds it all.
        objects: ``(column, points)`` of charts and pictures anchored at a column.
    """
    starts = [0.0]
    for w in widths:
        starts.append(starts[-1] + column_points(w))
    total = starts[-1]

    def start(j: int) -> float:
        return (
            starts[j - 1]
            if j - 1 < len(starts)
            else total + column_points(8.43) * (j - len(starts))
        )

    for j, chars in spills:
        total = max(total, start(j) + column_points(chars))
    for j, points in objects:
        total = max(total, start(j) + points)
    return total


def print_fit(
    width_pt: float, smallest_pt: float, landscape: bool, paper: str = "A4"
) -> int | None:
    """How a sheet prints so that its body text stays legible: ``None`` or a scale.

    ``None``: fitted to one page wide, when that keeps the smallest text at
    :data:`MIN_PRINTED_PT` or more (with a margin, :data:`SAFETY`, for the estimate of
    the printed width). Otherwise the percentage that prints the smallest text at exactly
    :data:`MIN_PRINTED_PT`: the columns run on to further pages, each repeating the
    identifying first column (the print titles).

    Args:
        width_pt: The sheet's printed width in points (:func:`printed_width`).
        smallest_pt: The smallest body text size on the sheet, in points.
        landscape: The orientation.
        paper: ``A4`` or ``A3``.
    """
    _, short, long = PAPER[paper]
    printable = (long if landscape else short) - MARGINS_PT
    if not width_pt or printable >= width_pt:
        return None
    if printable / width_pt * smallest_pt >= MIN_PRINTED_PT * SAFETY:
        return None
    return min(100, math.ceil(100 * MIN_PRINTED_PT / smallest_pt))


class CellSpec(NamedTuple):
    """One cell: its value (or formula text), format and style.

    A named tuple (immutable, like the other specs): sheets hold tens of thousands of
    cells and a tuple is made several times faster than a frozen dataclass.
    """

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
    fit: bool = True  # the column is widened to show it (titles and notes may overflow)
    wrap: bool = False  # wrapped within its column (headers)
    span: int = 1  # columns the cell is merged across (its text wrapped in their width)

    @property
    def style(self) -> tuple[object, ...]:
        """What the cell's format depends on: cells with equal styles share one format."""
        return (
            self.number_format,
            self.bold,
            self.italic,
            self.size,
            self.font_color,
            self.fill_color,
            self.wrap,
        )


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
    kind: str = "line"  # "line", "bar" (horizontal bars), "scatter" (x in min_col) or
    # "waterfall" (stacked columns by column: an invisible base, then rises, falls, totals)
    by_rows: bool = True
    first_series_col: int | None = None
    legend: bool = True
    legend_position: str = "b"  # "b" (below) or "r" (beside: many series, a tall chart)
    data_sheet: str | None = None  # the sheet holding the data, if not the chart's own
    y_min: float | None = None  # where the value axis starts (default: the application's)
    #: Line charts: each series' dash ("solid", "dash", "sysDot" ...), in order, where a
    #: series' style is not the one :data:`~xlalloc.workbook.charts.SERIES_STYLES` gives.
    dashes: tuple[str, ...] = ()
    #: Scatter charts: each row a point of its own, named by this column (its legend
    #: names the row), the axes crossing at (``cross``, ``cross``).
    name_col: int | None = None
    cross: float | None = None


@dataclass(frozen=True)
class Highlight:
    """Conditional formatting: fill ``ref`` where ``formula`` (relative to its top left) holds."""

    ref: str
    formula: str
    fill_color: str


@dataclass(frozen=True)
class TableSpec:
    """An Excel table over a block of cells: its header row and body.

    ``columns`` are the header cells' texts, which Excel requires to match.
    """

    name: str
    ref: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints.

    Every sheet prints fitted to one page wide on A4, with a footer of the sheet name,
    "Page N of M" and ``stamp`` (run date and xlalloc's version), and a header of the
    protective marking.

    Attributes:
        landscape: Landscape (wide tables) or portrait.
        title_rows: Rows repeated at the top of every printed page, e.g. ``(4, 4)``.
        marking: Protective marking printed at the top of every page ("" for none).
        stamp: Printed at the bottom right, e.g. "Run 2026-04-01 09:00 · xlalloc 1.0".
    """

    landscape: bool = True
    title_rows: tuple[int, int] | None = None
    marking: str = "OFFICIAL"
    stamp: str = ""
    paper: str = "A4"


@dataclass(frozen=True)
class Look:
    """How a workbook presents its figures and prints: the same for every sheet in it.

    Attributes:
        money: Money shown in ``£``, ``£000`` or ``£m`` (values stay in pounds).
        marking: Protective marking printed at the top of every page ("" for none).
        stamp: Printed at the bottom right of every page (run date and version).
    """

    money: str = "£"
    marking: str = "OFFICIAL"
    stamp: str = ""
    paper: str = "A4"

    @classmethod
    def of(
        cls,
        run_at: object = None,
        money: str | None = None,
        marking: str | None = "OFFICIAL",
        paper: str | None = None,
    ) -> Look:
        """A look stamped with a run's date and time and xlalloc's version.

        Args:
            run_at: When the figures were computed (a datetime; ``None``: no date).
            money: ``£`` (default), ``£000`` or ``£m``.
            marking: The protective marking (``None`` or "" for none).
            paper: ``A4`` (default) or ``A3``: the paper board papers print on.
        """
        when = f"Run {run_at:%d %b %Y %H:%M} · " if run_at is not None else ""
        return cls(money or "£", marking or "", f"{when}xlalloc {__version__}", paper or "A4")


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
    heights: dict[int, float] = field(default_factory=dict)
    page: PageSetup = field(default_factory=PageSetup)
    tables: list[TableSpec] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)  # page breaks above these rows
    keep: list[tuple[int, int]] = field(default_factory=list)  # rows kept on one page


@lru_cache(maxsize=1024)
def col(i: int) -> str:
    """Column letter of a 1-based column number (sheets count columns from 1)."""
    return col_letter(i - 1)


def is_figure(v: object) -> bool:
    """Whether a cell's value is a number its format applies to (not TRUE or FALSE)."""
    t = type(v)  # the common cases first: this runs for every cell of every sheet
    return t is float or t is int or (t is not bool and isinstance(v, int | float))


def cell_value(v: object) -> object:
    """Python value for a cell; NaN and empty text become blank, numpy scalars Python."""
    t = type(v)  # the common cases first: this runs for every cell of every sheet
    if t is float:
        return v if math.isfinite(cast(float, v)) else None
    if t is str:
        return v or None
    if t is int or t is bool:
        return v
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


def _python_values(values: Sequence[object] | np.ndarray | pd.Series) -> list[object]:
    """Values as :func:`cell_value` makes them, a numeric array converted in one step."""
    if isinstance(values, pd.Series):  # other kinds (dates, text) as Python objects
        kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else "O"
        a = values.to_numpy() if kind in "fiub" else values.to_numpy(dtype=object)
    else:
        a = values
    if isinstance(a, np.ndarray) and a.dtype.kind == "U":
        return [v or None for v in a.tolist()]
    if isinstance(a, np.ndarray) and a.dtype.kind in "fiub":
        out = a.tolist()  # Python numbers; NaN and infinities still to blank
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            bad = np.flatnonzero(~np.isfinite(a))
            for k in bad.tolist():
                out[k] = None
        return out
    return [cell_value(v) for v in a]


def quote_sheet(sheet: str) -> str:
    """A sheet name quoted for a formula or reference (``'Bob''s'``)."""
    return "'" + sheet.replace("'", "''") + "'"


#: The printed footer's left and centre: the sheet's name, and "Page N of M".
FOOTER_LEFT, FOOTER_CENTRE = "&A", "Page &P of &N"


def header_footer(page: PageSetup) -> tuple[str, str]:
    """The printed header (the protective marking) and footer of a sheet, as Excel codes.

    The footer holds the sheet's name (left), "Page N of M" (centre) and the run
    stamp (right); ``&`` in text is doubled, as Excel's codes require.
    """
    head = f'&C&"-,Bold"{page.marking.replace("&", "&&")}' if page.marking else ""
    foot = f"&L{FOOTER_LEFT}&C{FOOTER_CENTRE}" + (
        f"&R{page.stamp.replace('&', '&&')}" if page.stamp else ""
    )
    return head, foot


def shown(value: object, fmt: str = "General") -> str:
    """About the text a spreadsheet shows for a value in a number format (for widths).

    Covers the formats xlalloc writes: money (with thousands or millions), counts,
    percentages, indices and General.
    """
    v = cell_value(value)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "FALSE"
    if not isinstance(v, int | float):
        return str(v)
    if fmt == "General":
        return f"{v:.10g}"
    decimals, percent, divisor, commas, pound, brackets = _number_format(fmt)
    x = float(v)
    if percent:
        text = f"{_as_excel(abs(x) * 100, decimals)}%"
    else:
        x = x / divisor
        rounded = _as_excel(abs(x), decimals)
        text = pound + (f"{rounded:,}" if commas else str(rounded))
    if x < 0:
        text = f"({text})" if brackets else "-" + text
    return text


def _as_excel(x: float, decimals: int) -> Decimal:
    """``x`` to ``decimals`` places as a spreadsheet shows it.

    Its 15 significant digits, halves rounded away from zero (Python's own formatting
    rounds them to even: 0.5 would show as 0 where Excel shows 1).
    """
    return Decimal(f"{x:.15g}").quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE
    )


#: Room for any float's digits (a value of 1e300 is shown in full, as a spreadsheet would).
_WIDE = Context(prec=400)


@lru_cache(maxsize=256)
def _number_format(fmt: str) -> tuple[int, bool, float, bool, str, bool]:
    """What :func:`shown` needs of a number format, worked out once per format.

    Decimals, percent, the divisor (a thousands or millions scale), separators, a pound
    sign and negatives in brackets.
    """
    first = fmt.split(";")[0]
    m = re.search(r"0\.(0+)", first)
    scale = re.search(r"0(,+)(?:[^0#]|$)", first)
    return (
        len(m.group(1)) if m else 0,
        "%" in first,
        float(1000 ** len(scale.group(1))) if scale and "%" not in first else 1.0,
        "," in first,
        "£" if "£" in first else "",
        "(" in fmt,
    )


#: Widest a column is made to show text (longer text wraps or overflows).
MAX_WIDTH = 60
#: Text longer than this wraps within a column this wide.
LONG_TEXT = 60
#: Headers wrap beyond this many characters (unless a value needs the width).
HEADER_WIDTH = 14


class Drawing:
    """Draws one sheet: cells, widths and charts, collected into a :class:`SheetSpec`.

    A later write to a cell replaces the earlier one. Column widths are fitted to the
    widest value as shown in its number format (and to the headers) when the spec is
    made; :meth:`width` sets a column's width for text, never narrower than its figures.

    Args:
        name: The sheet's name.
        look: Money unit (values stay in pounds; the format scales them and headers say
            the unit), protective marking and run stamp.
    """

    def __init__(self, name: str, look: Look | None = None):
        self.name = name
        self.look = look or Look()
        self._cells: dict[tuple[int, int], CellSpec] = {}
        self.widths: dict[str, float] = {}
        self.charts: list[ChartSpec] = []
        self.tab_color: str | None = None
        self.freeze: str | None = None
        self.highlights: list[Highlight] = []
        self.page = PageSetup(
            marking=self.look.marking, stamp=self.look.stamp, paper=self.look.paper
        )
        self.tables: list[TableSpec] = []
        self.breaks: list[int] = []
        self.keep: list[tuple[int, int]] = []
        #: Headers wrap to lines of about this many characters (narrower: more lines).
        self.header_width: float = HEADER_WIDTH
        #: The rows :meth:`header` drew, in order.
        self.header_rows: list[int] = []
        #: Print the last table's header (and its title) at the top of every page after
        #: it: a table that runs on is readable page by page (:meth:`spec`).
        self.repeat_header = False

    @property
    def last_row(self) -> int:
        """The last row drawn so far (0 if none)."""
        return max((r for r, _c in self._cells), default=0)

    def _fmt(self, fmt: str | None) -> str:
        if not fmt:
            return "General"
        return MONEY_UNITS.get(self.look.money, MONEY) if fmt == MONEY else fmt

    def put(
        self,
        row: int,
        column: int,
        value: object,
        fmt: str | None = None,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        font_color: str | None = None,
        fill_color: str | None = None,
        fit: bool = True,
        wrap: bool = False,
        span: int = 1,
    ) -> None:
        """A value (text that looks like a formula stays text; formats apply to numbers).

        ``fit=False`` for titles and notes, which may run across empty cells beside them.
        ``span`` merges the cell across that many columns and wraps its text in their
        width (a paragraph that should neither widen a column nor run off the page).
        """
        v = cell_value(value)
        self._cells[(row, column)] = CellSpec(
            row,
            column,
            v,
            False,
            self._fmt(fmt) if is_figure(v) else "General",
            bold,
            italic,
            size,
            font_color,
            fill_color,
            fit=fit and span == 1,
            wrap=wrap or span > 1,
            span=span,
        )

    def note(
        self,
        row: int,
        column: int,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: float | None = None,
        font_color: str | None = None,
    ) -> None:
        """Text that may overflow into empty cells beside it (not fitted)."""
        self.put(
            row, column, text, bold=bold, italic=italic, size=size, font_color=font_color, fit=False
        )

    def formula(
        self,
        row: int,
        column: int,
        text: str,
        fmt: str | None = None,
        *,
        bold: bool = False,
        value: object = None,
        span: int = 1,
    ) -> None:
        """A live formula (never text from inputs: see :meth:`put`).

        Args:
            row: Sheet row.
            column: Sheet column (1 = A).
            text: The formula, starting ``=``.
            fmt: Number format.
            bold: Bold font.
            value: The formula's value as the engine computed it, stored with the
                formula so that readers which do not recalculate see the figure.
            span: Columns the cell is merged across (a figure wider than one column).
        """
        self._cells[(row, column)] = CellSpec(
            row,
            column,
            text,
            True,
            self._fmt(fmt),
            bold,
            cached=cell_value(value),
            fit=span == 1,
            span=span,
        )

    def column(
        self,
        row: int,
        column: int,
        values: Sequence[object] | np.ndarray | pd.Series,
        fmt: str | None = None,
        *,
        bold: bool = False,
        wrap: bool = False,
    ) -> None:
        """Values down a column from ``row``, each as :meth:`put` writes it.

        A long table's column in one call: the values are converted once (a numeric
        array's blanks, NaN and infinities, become empty cells) and share one style.
        """
        number_fmt = self._fmt(fmt)
        cells = self._cells
        for r, v in enumerate(_python_values(values), start=row):
            cells[(r, column)] = CellSpec(
                r,
                column,
                v,
                number_format=number_fmt if is_figure(v) else "General",
                bold=bold,
                wrap=wrap,
            )

    def formulas(
        self,
        row: int,
        column: int,
        texts: Sequence[str],
        fmt: str | None = None,
        *,
        values: Sequence[object] | np.ndarray | pd.Series | None = None,
        bold: bool = False,
    ) -> None:
        """Formulas down a column from ``row``, each as :meth:`formula` writes it.

        Args:
            row: The first row.
            column: The column (1 = A).
            texts: One formula per row, each starting ``=``.
            fmt: Number format.
            values: Each formula's value as the engine computed it (``None``: none).
            bold: Bold font.
        """
        number_fmt = self._fmt(fmt)
        cached = [None] * len(texts) if values is None else _python_values(values)
        if len(cached) != len(texts):
            raise ValueError(f"{len(texts)} formulas but {len(cached)} values")
        cells = self._cells
        for r, (text, v) in enumerate(zip(texts, cached), start=row):
            cells[(r, column)] = CellSpec(r, column, text, True, number_fmt, bold, cached=v)

    def value(self, row: int, column: int) -> object:
        """What a cell holds (``None`` if nothing)."""
        c = self._cells.get((row, column))
        return None if c is None else c.value

    def title(self, title: str, note: str) -> None:
        """The sheet's title (A1) and a note under it (A2)."""
        self.note(1, 1, title, bold=True, size=14)
        self.note(2, 1, note, italic=True, font_color="595959")

    def header(self, row: int, column: int, names: list[str]) -> None:
        """A styled header row (names as given; money labels in the sheet's unit)."""
        self.header_rows.append(row)
        for j, name in enumerate(names):
            self.put(
                row,
                column + j,
                money_label(str(name), self.look.money),
                bold=True,
                font_color=HEADER_FONT,
                fill_color=HEADER_FILL,
                wrap=True,
            )

    def block(
        self,
        row: int,
        column: int,
        df: pd.DataFrame,
        formats: Mapping[str, str | None] | None = None,
        *,
        table: str | None = None,
        wrap: Mapping[str, float] | None = None,
    ) -> int:
        """A header row of labels and the frame's values below it; returns the last data row.

        Args:
            row: The header row.
            column: The first column.
            df: The values, columns by machine name (shown by their labels).
            formats: Number format by machine name.
            table: Name an Excel table over the block (header and body).
            wrap: Columns (machine names) whose text wraps, and their widths.
        """
        heads = [label(c) for c in df.columns]
        self.header(row, column, heads)
        fmts = [(formats or {}).get(str(c)) for c in df.columns]
        values = df.to_numpy(dtype=object)
        # Long text (explanations, notes) wraps in a column of its own width.
        wraps = [
            str(c) in (wrap or {})
            or any(
                isinstance(v, str) and len(v) > LONG_TEXT and any(ch.isspace() for ch in v)
                for v in values[:, j]
            )
            for j, c in enumerate(df.columns)
        ]
        for j, w in enumerate(wraps):
            if w:
                self.width(column + j, (wrap or {}).get(str(df.columns[j]), LONG_TEXT))
            elif longest := _longest_identifier(values[:, j]):
                # An identifier (a SHA-256, a file name) cannot wrap: its column shows it.
                self.width(column + j, longest + 2)
        for j in range(df.shape[1]):
            self.column(row + 1, column + j, df.iloc[:, j], fmts[j], wrap=wraps[j])
        last = row + len(df)
        if table and len(df):
            ref = f"{col(column)}{row}:{col(column + len(heads) - 1)}{last}"
            self.tables.append(
                TableSpec(table, ref, tuple(money_label(h, self.look.money) for h in heads))
            )
        return last

    def print_setup(
        self, *, landscape: bool = True, title_rows: tuple[int, int] | None = None
    ) -> None:
        """Orientation and the rows repeated at the top of each printed page."""
        self.page = PageSetup(
            landscape, title_rows, self.look.marking, self.look.stamp, self.look.paper
        )

    def chart_below(self, chart: ChartSpec) -> None:
        """A chart on a page of its own after the rows above its anchor (never split)."""
        self.charts.append(chart)
        row = int(re.sub(r"[A-Z]+", "", chart.anchor))
        if row > 1:
            self.breaks.append(row)

    def keep_together(self, first: int, last: int) -> None:
        """Rows ``first`` to ``last`` printed on one page, where they fit on one.

        A page break goes above them rather than leaving their last rows alone on a page.
        """
        self.keep.append((first, last))

    def _title_rows(self) -> tuple[int, int]:
        """The last table's header row, with the title above it where it has one.

        Printed at the top of every page after the table starts (a spreadsheet repeats
        title rows only on the pages after them), so the table's continuation pages
        carry its header; the pages before it are as they were.
        """
        h = self.header_rows[-1]
        above = [cell for (r, _j), cell in self._cells.items() if r == h - 1]
        return (h - 1, h) if len(above) == 1 and isinstance(above[0].value, str) else (h, h)

    def width(self, column: int | str, width: float) -> None:
        """A column's width for text (by number or letter); figures still fit."""
        self.widths[column if isinstance(column, str) else col(column)] = width

    def spec(self, fit: bool = True) -> SheetSpec:
        """The drawing as a :class:`SheetSpec`, with widths fitted and header rows sized.

        Args:
            fit: Fit the columns' widths and size the rows; ``False`` for cells written
                onto a template's sheet, whose columns are the template's own (the rows
                of wrapped text are sized to them where the cells are written).
        """
        cells = [self._cells[k] for k in sorted(self._cells)]
        if not fit:
            return SheetSpec(
                self.name,
                cells,
                charts=list(self.charts),
                highlights=list(self.highlights),
                page=self.page,
                breaks=sorted(set(self.breaks)),
            )
        need: dict[int, float] = {}  # figures and headers: never narrower
        text: dict[int, float] = {}  # text: as wide as it is, up to MAX_WIDTH
        # Figures in a number format with fixed decimals show wider the further they are
        # from zero (a negative with its sign or brackets): a column's widest figure is
        # its largest or its most negative, so only those two are shown, not every cell.
        extremes: dict[tuple[int, str], list[float]] = {}  # (column, format) -> [low, high]
        for c in cells:
            if not c.fit:
                continue
            if c.formula and c.cached is None:
                continue
            v = c.cached if c.formula else c.value
            if is_figure(v) and c.number_format != "General" and not c.wrap:
                x = cast(float, v)
                low_high = extremes.get((c.col, c.number_format))
                if low_high is None:
                    extremes[(c.col, c.number_format)] = [x, x]
                elif x < low_high[0]:
                    low_high[0] = x
                elif x > low_high[1]:
                    low_high[1] = x
                continue
            shown_text = shown(v, c.number_format)
            n = len(shown_text) * (1.1 if c.bold else 1.0)
            if c.wrap and c.bold:  # a header
                longest = max((len(w) for w in shown_text.split()), default=0)
                need[c.col] = max(need.get(c.col, 0), longest * 1.1, min(n, self.header_width))
            elif isinstance(v, str):
                text[c.col] = max(text.get(c.col, 0), min(n, LONG_TEXT) if c.wrap else n)
            else:  # a figure: Calibri's digits are as wide bold as not (1.06 characters)
                need[c.col] = max(need.get(c.col, 0), len(shown_text) * 1.1)
        for (j, fmt), low_high in extremes.items():
            widest = max(len(shown(x, fmt)) for x in low_high)
            need[j] = max(need.get(j, 0), widest * 1.1)
        widths: dict[str, float] = {}
        for j in sorted(set(need) | set(text) | {col_index(k) + 1 for k in self.widths}):
            letter = col(j)
            base = self.widths.get(letter)
            if base is None:
                base = min(text.get(j, 0), MAX_WIDTH)
            widths[letter] = float(math.ceil(max(base, need.get(j, 0) + 2, 6)))
        cells = _wrap_long_notes(cells, widths)
        heights = wrapped_heights(cells, lambda j: widths.get(col(j), 8.43))
        page = self.page
        if self.repeat_header and self.header_rows:
            page = replace(page, title_rows=self._title_rows())
        return SheetSpec(
            self.name,
            cells,
            widths,
            list(self.charts),
            self.tab_color,
            self.freeze,
            list(self.highlights),
            heights,
            page,
            list(self.tables),
            sorted(set(self.breaks)),
            sorted(self.keep),
        )


def _longest_identifier(values: np.ndarray) -> int:
    """The length of the longest one-word text wider than a column is made (0: none)."""
    longest = 0
    for v in values:
        if isinstance(v, str) and len(v) > MAX_WIDTH - 2 and not any(ch.isspace() for ch in v):
            longest = max(longest, len(v))
    return longest


def _wrap_long_notes(cells: list[CellSpec], widths: Mapping[str, float]) -> list[CellSpec]:
    """Notes longer than the sheet's tables are wide, merged across them and wrapped.

    A note left to run across empty cells makes the printed sheet as wide as the note
    (the page must hold it): a sentence under a title shrank a whole sheet's text or sent
    its end to a page of its own. A note alone in its row, running past the last column
    a table uses, is merged from its column to that column and wrapped instead.
    """
    notes = [
        k
        for k, c in enumerate(cells)
        if not c.fit and c.span == 1 and not c.wrap and isinstance(c.value, str)
    ]
    table_cols = [c.col + c.span - 1 for c in cells if c.fit or c.span > 1]
    if not notes or not table_cols:
        return cells
    last = max(table_cols)
    per_row = Counter(c.row for c in cells)
    out = list(cells)
    for k in notes:
        c = cells[k]
        if last > c.col and per_row[c.row] == 1:
            room = sum(widths.get(col(j), 8.43) for j in range(c.col, last + 1))
            if len(str(c.value)) * (c.size or DEFAULT_PT) / DEFAULT_PT > room:
                out[k] = c._replace(wrap=True, span=last - c.col + 1)
    return out


def wrapped_heights(cells: Sequence[CellSpec], width: Callable[[int], float]) -> dict[int, float]:
    """Heights of the rows whose wrapped cells need more than one line.

    Args:
        cells: The cells; those with ``wrap`` and text count, across their ``span``.
        width: A column's width in characters, by column number (1 = A).
    """
    heights: dict[int, float] = {}
    for c in cells:
        if c.wrap and isinstance(c.value, str):
            size = (c.size or DEFAULT_PT) / DEFAULT_PT  # larger text: fewer characters a line
            w = sum(width(c.col + k) for k in range(c.span))
            lines = wrapped_lines(c.value, w - 1, (1.1 if c.bold else 1.0) * size)
            if lines > 1:
                heights[c.row] = max(heights.get(c.row, 15.0), 15.0 * size * lines)
    return heights


#: A character of running text, in column characters (the width of a digit): Calibri's
#: letters average about 0.76 of a digit (measured from LibreOffice's printing with
#: Carlito); 0.9 leaves room, as a row cut short would hide text.
TEXT_CHAR = 0.9


def wrapped_lines(text: str, width: float, scale: float = 1.0) -> int:
    """Lines a text takes wrapped by words at ``width`` characters (bold: ``scale`` 1.1)."""
    lines, used = 1, 0.0
    for word in text.split():
        n = len(word) * scale * TEXT_CHAR
        if used and used + 1 + n > width:
            lines, used = lines + 1, n
        else:
            used = used + (1 if used else 0) + n
    return lines
