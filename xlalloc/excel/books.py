"""A live Excel book through xlwings, as a :class:`~xlalloc.workbook.book.Book`.

The use cases in :mod:`xlalloc.api` are written once against that protocol; the
headless twin is :class:`~xlalloc.workbook.book.FileBook`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, cast

from ..readers.cells import EXCEL_ERRORS, error_message
from ..workbook.package import OWNER_NAME, not_owned, owner_record
from ..workbook.sheetspec import CellSpec, ChartSpec, SheetSpec, is_figure

__all__ = ["OfficeJsBook", "XlwingsBook", "book_for", "chart_figure"]


def _rgb(hex6: str) -> tuple[int, int, int]:
    return int(hex6[0:2], 16), int(hex6[2:4], 16), int(hex6[4:6], 16)


#: Pictures xlalloc draws for charts on Office.js are named with this prefix.
CHART_PICTURE = "xla_chart_"


def _runs(spec: SheetSpec) -> list[tuple[int, int, int, int, CellSpec]]:
    """Rectangles of neighbouring cells styled alike, unstyled cells left out.

    Runs along each row first, then runs of the same columns and style on consecutive
    rows are joined (a table's column shares one number format).

    Returns:
        ``(first row, last row, first column, last column, a cell of it)`` each.
    """
    plain = CellSpec(0, 0, None).style
    rows: list[tuple[int, int, int, CellSpec]] = []
    for c in sorted(spec.cells, key=lambda c: (c.row, c.col)):
        if c.style == plain:
            continue
        if (
            rows
            and rows[-1][0] == c.row
            and rows[-1][2] == c.col - 1
            and rows[-1][3].style == c.style
        ):
            rows[-1] = (c.row, rows[-1][1], c.col, rows[-1][3])
        else:
            rows.append((c.row, c.col, c.col, c))
    out: list[tuple[int, int, int, int, CellSpec]] = []
    open_by_key: dict[tuple[object, ...], int] = {}
    for row, first, last, c in rows:
        key = (first, last, *c.style)
        k = open_by_key.get(key)
        if k is not None and out[k][1] == row - 1:
            out[k] = (out[k][0], row, first, last, c)
        else:
            open_by_key[key] = len(out)
            out.append((row, row, first, last, c))
    return out


class XlwingsBook:
    """A live Excel book through xlwings (Windows or macOS).

    Args:
        book: An ``xlwings.Book`` (or an object with the same interface).
    """

    def __init__(self, book: Any):
        self.book = book
        self.name = book.name
        self._read: dict[str, tuple[list[list[object]], dict[tuple[int, int], str]]] = {}

    def sheet_names(self) -> list[str]:
        """Names of the book's sheets, in order."""
        return [s.name for s in self.book.sheets]

    def _sheet(
        self, sheet: str, fresh: bool = False
    ) -> tuple[list[list[object]], dict[tuple[int, int], str]]:
        """A sheet's values from A1 to its last used cell, and its cells holding errors.

        Read with Excel's errors as text (``err_to_str``; without it xlwings reads ``#N/A``
        as a blank): each error cell is blank in the values and named in the flags, as
        the file reader names it. ``fresh`` reads the sheet again; otherwise the read
        since the last :meth:`flags` is reused.
        """
        if sheet not in self._read or fresh:
            sh = self.book.sheets[sheet]
            last = sh.used_range.last_cell
            rng = sh.range((1, 1), (last.row, last.column))
            rows = rng.options(ndim=2, err_to_str=True).value
            flags: dict[tuple[int, int], str] = {}
            out = []
            for i, row in enumerate(rows):
                cells = []
                for j, v in enumerate(row):
                    if isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS:
                        flags[(i + 1, j)] = error_message(v.strip())
                        v = None
                    cells.append("" if v is None else v)
                out.append(cells)
            self._read[sheet] = (out, flags)
        return self._read[sheet]

    def values(self, sheet: str) -> list[list[object]] | None:
        """A sheet's values from A1 to its last used cell (an Excel error as a blank)."""
        if sheet not in self.sheet_names():
            return None
        return self._sheet(sheet, fresh=True)[0]

    def merged(self) -> dict[str, list[str]]:
        """Each sheet's merged areas (Excel's ``MergeArea``), found without a call per cell.

        A block of cells none of which is merged answers ``False`` at once; any other block
        is split in two until single cells, whose merge area is read. So a sheet with a
        merged title above its table costs a few dozen calls, not one per cell.
        """
        out: dict[str, list[str]] = {}
        for sh in self.book.sheets:
            used = sh.used_range
            if used.merge_cells is False:
                continue
            first, last = (used.row, used.column), (used.last_cell.row, used.last_cell.column)
            areas: dict[str, None] = {}
            _merge_areas(sh, first, last, areas)
            if areas:
                out[sh.name] = list(areas)
        return out

    def flags(self) -> Mapping[str, Mapping[tuple[int, int], str]]:
        """Cells holding Excel errors, by sheet (read with the sheet's values).

        Excel calculates as it goes: no formula lacks its result, so errors are the only
        flags. Each call starts a new read of the book (the user may have edited it since
        the last); each sheet is read when asked for, once.
        """
        self._read.clear()
        return _Flags(self)

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Write every spec: into its sheet, cleared, or a new sheet at the end.

        A sheet is cleared rather than deleted, so that formulas elsewhere in the book
        that refer to it keep working (Excel turns references to a deleted sheet into
        ``#REF!`` for good).
        """
        self._read.clear()
        owned = self._owned()
        theirs = [s.name for s in specs if s.name in self.sheet_names() and s.name not in owned]
        if theirs:  # checked before anything is cleared
            raise not_owned(theirs)
        self._record(list(dict.fromkeys([*owned, *(s.name for s in specs)])))
        for spec in specs:
            if spec.name in self.sheet_names():
                sh = self.book.sheets[spec.name]
                self._clear(sh)
            else:
                sh = self.book.sheets.add(
                    spec.name, after=self.book.sheets[len(self.book.sheets) - 1]
                )
            self._write(sh, spec)

    def _owned(self) -> list[str]:
        """The sheets the book's record (the defined name ``_xlalloc_outputs``) names.

        A book with no record at all (run in Excel before xlalloc kept one there) counts
        as xlalloc's only the output sheets that say so: their second row is the note
        every output sheet carries (the Checks sheet's after a sentence of its own). A sheet
        of the user's with an output's name does not.
        """
        from ..model.parts import output_sheets
        from ..workbook.outputs.common import OUTPUT_NOTE

        names = self.book.names
        if names.contains(OWNER_NAME):
            return owner_record(names(OWNER_NAME).refers_to)
        ours = set(output_sheets())
        return [
            sh.name
            for sh in self.book.sheets
            if sh.name in ours and str(sh.range("A2").value or "").strip().endswith(OUTPUT_NOTE)
        ]

    def _record(self, sheets: list[str]) -> None:
        """Set the record to ``sheets`` (as the file writer does), before they are written."""
        value = '="' + "|".join(sheets) + '"'
        names = self.book.names
        if names.contains(OWNER_NAME):
            names(OWNER_NAME).refers_to = value
        else:
            names.add(OWNER_NAME, value)

    @staticmethod
    def _clear(sh: Any) -> None:
        """Values, formats and the charts xlalloc drew."""
        sh.clear()
        for chart in list(sh.charts):
            chart.delete()

    def _write(self, sh: Any, spec: SheetSpec) -> None:
        if not spec.cells:
            return
        n_rows = max(c.row for c in spec.cells)
        n_cols = max(c.col for c in spec.cells)
        grid: list[list[object]] = [[None] * n_cols for _ in range(n_rows)]
        for c in spec.cells:
            v = c.value
            if isinstance(v, str) and not c.formula and v[:1] in ("=", "+", "-", "@", "'"):
                v = "'" + v  # text, never a formula
            grid[c.row - 1][c.col - 1] = v
        sh.range((1, 1), (n_rows, n_cols)).value = grid
        # One call per rectangle of neighbouring cells styled alike (one per cell is
        # thousands of round trips to Excel).
        for top, bottom, first, last, c in _runs(spec):
            cells = sh.range((top, first), (bottom, last))
            if c.number_format != "General":
                cells.number_format = c.number_format
            if c.bold:
                cells.font.bold = True
            if c.italic:
                cells.font.italic = True
            if c.size:
                cells.font.size = c.size
            if c.font_color:
                cells.font.color = _rgb(c.font_color)
            if c.fill_color:
                cells.color = _rgb(c.fill_color)
        for letter, width in spec.widths.items():
            sh.range(f"{letter}:{letter}").column_width = width
        for ch in spec.charts:
            self._chart(sh, spec, ch)

    def _chart(self, sh: Any, spec: SheetSpec, ch: ChartSpec) -> None:
        """A native Excel chart of the chart's cells."""
        chart = sh.charts.add()
        chart.chart_type = "line"
        chart.set_source_data(sh.range((ch.header_row, ch.min_col), (ch.last_row, ch.max_col)))
        chart.name = ch.title

    def print_pdfs(self, workbooks: list[Path]) -> list[Path]:
        """Each workbook printed to PDF beside it by Excel itself (``Book.to_pdf``).

        Each is opened read-only in this Excel, exported with its own page setup and
        closed again; the desktop's export needs nothing else installed.
        """
        written = []
        for path in workbooks:
            book = self.book.app.books.open(str(path), update_links=False, read_only=True)
            try:
                target = path.with_suffix(".pdf")
                book.to_pdf(str(target), show=False)
                written.append(target)
            finally:
                book.close()
        return written

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """A message box."""
        self.book.app.alert(message, title=title)

    def save(self) -> None:
        """Excel: the user decides when to save."""


class _Flags(Mapping[str, Mapping[tuple[int, int], str]]):
    """A book's error cells by sheet, each sheet read only when asked for."""

    def __init__(self, book: XlwingsBook):
        self._book = book

    def __getitem__(self, sheet: str) -> Mapping[tuple[int, int], str]:
        if sheet not in self._book.sheet_names():
            raise KeyError(sheet)
        return self._book._sheet(sheet)[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._book.sheet_names())

    def __len__(self) -> int:
        return len(self._book.sheet_names())


def _merge_areas(
    sh: Any, first: tuple[int, int], last: tuple[int, int], areas: dict[str, None]
) -> None:
    """Add the merged areas within the block ``first``..``last`` (1-based row, column)."""
    (r1, c1), (r2, c2) = first, last
    merged = sh.range(first, last).merge_cells
    if merged is False:
        return
    if (r1, c1) == (r2, c2):
        areas[sh.range(first).merge_area.address.replace("$", "")] = None
        return
    if r2 > r1:  # split the rows first: a title row is found in log2(rows) steps
        mid = (r1 + r2) // 2
        _merge_areas(sh, (r1, c1), (mid, c2), areas)
        _merge_areas(sh, (mid + 1, c1), (r2, c2), areas)
    else:
        mid = (c1 + c2) // 2
        _merge_areas(sh, (r1, c1), (r1, mid), areas)
        _merge_areas(sh, (r1, mid + 1), (r2, c2), areas)


class OfficeJsBook(XlwingsBook):
    """A book Excel sends through Office.js: xlwings Lite and xlwings Server.

    The same reading and writing as on the desktop, through xlwings' remote book, with
    two differences: Office.js cannot say synchronously which cells are merged (the
    merged-cell check is left to the desktop and the command line), and xlwings cannot
    draw native charts there, so each chart is drawn with matplotlib and placed as a
    picture where the desktop would put the chart.
    """

    def merged(self) -> dict[str, list[str]]:
        """Not known on Office.js (see the class)."""
        return {}

    def print_pdfs(self, workbooks: list[Path]) -> list[Path]:
        """Excel on the web opens no files from a folder: nothing is printed here."""
        raise RuntimeError(
            "PDFs not written: Excel on the web cannot open the packs to print them; run "
            "the packs from Excel on the desktop, or `xlalloc pack --pdf`"
        )

    @staticmethod
    def _clear(sh: Any) -> None:
        """Values, formats and the charts xlalloc drew as pictures."""
        sh.clear()
        for picture in list(sh.pictures):
            if picture.name.startswith(CHART_PICTURE):
                picture.delete()

    def _chart(self, sh: Any, spec: SheetSpec, ch: ChartSpec) -> None:
        fig = chart_figure(spec, ch)
        if fig is None:
            return
        points = 72 / 2.54  # the chart's size is in centimetres, as on the desktop
        picture = sh.pictures.add(
            fig,
            name=f"{CHART_PICTURE}{len(sh.pictures) + 1}",
            update=False,
            anchor=sh.range(ch.anchor),
        )
        picture.width, picture.height = ch.width * points, ch.height * points


def book_for(book: Any) -> XlwingsBook:
    """The :class:`~xlalloc.workbook.book.Book` for an xlwings book on any platform."""
    remote = type(getattr(book, "impl", None)).__module__.endswith("_xlremote")
    return OfficeJsBook(book) if remote else XlwingsBook(book)


def chart_figure(spec: SheetSpec, ch: ChartSpec) -> Any:
    """A matplotlib figure of a chart's cells as the engine computed them.

    Returns:
        The figure, or ``None`` when the chart's data is on another sheet.
    """
    if ch.data_sheet not in (None, spec.name):
        return None
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    at = {(c.row, c.col): (c.cached if c.formula else c.value) for c in spec.cells}
    fig = Figure(figsize=(ch.width / 2.54, ch.height / 2.54), dpi=150)  # cm, as Excel's
    ax = fig.add_subplot()
    cols = range(ch.first_series_col or ch.min_col + 1, ch.max_col + 1)
    if ch.by_rows:
        categories = [
            str(at.get((ch.header_row, j), "")) for j in range(ch.min_col + 1, ch.max_col + 1)
        ]
        series = [
            (
                str(at.get((r, ch.min_col), "")),
                [_number(at.get((r, j))) for j in range(ch.min_col + 1, ch.max_col + 1)],
            )
            for r in range(ch.first_row, ch.last_row + 1)
        ]
    else:
        categories = [
            str(at.get((r, ch.min_col), "")) for r in range(ch.first_row, ch.last_row + 1)
        ]
        series = [
            (
                str(at.get((ch.header_row, j), "")),
                [_number(at.get((r, j))) for r in range(ch.first_row, ch.last_row + 1)],
            )
            for j in cols
        ]
    if ch.kind == "bar":
        height = 0.8 / max(len(series), 1)
        for k, (name, ys) in enumerate(series):
            ax.barh([i + k * height for i in range(len(ys))], ys, height=height, label=name)
        ax.set_yticks(range(len(categories)), categories)
    elif ch.kind == "waterfall":
        bottom = [0.0] * len(categories)
        for name, ys in series:
            ax.bar(
                categories,
                ys,
                bottom=bottom,
                label=name,
                alpha=0.0 if name.lower().startswith("base") else 1.0,
            )
            bottom = [b + y for b, y in zip(bottom, ys)]
    elif ch.kind == "scatter":
        for name, ys in series:
            ax.scatter([_number(c) for c in categories], ys, label=name)
    else:
        for name, ys in series:
            ax.plot(categories, ys, marker="o", label=name)
    if ch.y_min is not None:
        ax.set_ylim(bottom=ch.y_min)
    if "%" in ch.y_format:
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(ch.title)
    ax.set_xlabel(ch.x_title)
    ax.set_ylabel(ch.y_title)
    if ch.legend and len(series) > 1:
        ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def _number(v: object) -> float:
    if is_figure(v):
        return float(cast(float, v))
    try:
        return float(str(v))
    except ValueError:
        return float("nan")
