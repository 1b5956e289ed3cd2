"""openpyxl for the workbooks xlalloc creates whole (a new model, the pack template).

The one place that turns a :class:`~xlalloc.workbook.sheetspec.CellSpec` into an
openpyxl cell, and that saves openpyxl workbooks reproducibly (fixed zip timestamps
and document dates, so the same content gives the same bytes) and atomically.
Sheets written into existing workbooks go through :mod:`xlalloc.workbook.package`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .._version import __version__
from .files import atomic_write
from .pinned import held_cells, same_style, style_key
from .sheetspec import (
    BODY_FONT,
    DEFAULT_PT,
    FOOTER_CENTRE,
    FOOTER_LEFT,
    MARGINS_PT,
    MIN_PRINTED_PT,
    PAPER,
    SAFETY,
    VERTICAL_MARGINS_PT,
    CellSpec,
    Drawing,
    SheetSpec,
    cell_value,
    col,
    is_figure,
    print_fit,
    printed_width,
    wrapped_lines,
)
from .sheetxml import value_xml

__all__ = [
    "fit_to_page",
    "header",
    "normalised_zip",
    "put",
    "put_as",
    "Look",
    "look_of",
    "put_at_save",
    "style_like",
    "save_atomic",
    "save_specs",
    "sheet_scale",
    "wrap_across",
]


def write_cell(ws: Worksheet, c: CellSpec):
    """Write one cell spec into an openpyxl worksheet; returns the cell."""
    cell = _cell_with(ws, c.row, c.col, c.value, c.formula)
    if c.number_format != "General":
        cell.number_format = c.number_format
    if c.bold or c.italic or c.size or c.font_color:
        cell.font = Font(
            name=BODY_FONT, b=c.bold or None, i=c.italic or None, sz=c.size, color=c.font_color
        )
    if c.fill_color:
        cell.fill = PatternFill("solid", fgColor=c.fill_color)
    return cell


def _cell_with(ws: Worksheet, row: int, col: int, value: object, formula: bool = False):
    """The cell at ``row``, ``col`` holding ``value`` (text stays text, never a formula)."""
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if formula:
        cell.data_type = "f"
    elif isinstance(value, str):
        cell.data_type = "s"
    return cell


def put_as(ws: Worksheet, row: int, col: int, value: object, like: Cell):
    """Write one value as :func:`put` does, in the style of ``like`` (a cell put already).

    The style is given at once (:func:`~.pinned.same_style`): thousands of cells written
    in the time of a few.
    """
    cell = _cell_with(ws, row, col, cell_value(value))
    same_style(like, cell)
    return cell


@dataclass
class RowsAtSave:
    """Rows of values a sheet's XML is given when it is saved, not held as openpyxl cells.

    A model's input tables (its practices, their data, its activity) run to thousands of
    cells, all in a few styles; made and written as openpyxl cells they took most of
    ``xlalloc new``'s time. :func:`put_at_save` writes each as its XML at once (the
    package writer's own cells, :func:`~.sheetxml.value_xml`), in the style of a cell
    openpyxl styled, and :func:`save_atomic` puts the rows into the sheet's part. The
    print scale counts them as it counts held cells (:func:`_printed`).

    Attributes:
        rows: Each row's cells, as XML, by row number (in the order put: by column).
        last_col: The last column holding a value or a fill.
        smallest: The smallest text size of a cell holding a value (``0``: none yet).
        spills: Each column's longest text that is not wrapped, in characters of the
            body size (see :func:`~.sheetspec.printed_width`).
        row_size: The largest text size of a cell holding a value.
        written_col: The last column a cell was written in (a value or a style).
    """

    rows: dict[int, list[str]] = field(default_factory=dict)
    last_col: int = 0
    written_col: int = 0
    smallest: float = 0.0
    spills: dict[int, float] = field(default_factory=dict)
    row_size: float = 0.0


#: The rows each sheet is given when saved (a sheet no longer used is forgotten).
_AT_SAVE: WeakKeyDictionary[Worksheet, RowsAtSave] = WeakKeyDictionary()


def style_like(ws: Worksheet, fmt: str | None = None) -> Cell:
    """A cell of ``ws`` held by no row, to be styled as a run of cells is (:func:`put_at_save`).

    Its number format is ``fmt`` (``General`` if ``None``); its font, fill and the rest
    are set on it as on any cell, in the workbook's own style table.
    """
    cell = Cell(ws)
    if fmt:
        cell.number_format = fmt
    return cell


@dataclass(frozen=True)
class Look:
    """What writing and printing a cell need of its style, read once (:func:`look_of`)."""

    style: int  # its index in the workbook's cell styles (the ``s`` of its XML)
    filled: bool
    size: float
    wrapped: bool


def look_of(like: Cell) -> Look:
    """The style of ``like`` (a cell :func:`style_like` gave) for :func:`put_at_save`."""
    return Look(
        like.style_id,
        bool(like.fill is not None and like.fill.fill_type),
        float(like.font.sz or DEFAULT_PT),
        bool(like.alignment.wrap_text),
    )


def put_at_save(ws: Worksheet, row: int, column: int, value: object, look: Look) -> None:
    """Write ``value`` (as :func:`cell_value` gives it) at save, in the style ``look``.

    ``value`` must be a figure, text, a true/false or blank (``None``): dates and the
    rest take :func:`put`. The sheet's openpyxl cells must all lie above the rows put
    here (:func:`save_atomic` adds these rows after them).
    """
    extent = _AT_SAVE.get(ws)
    if extent is None:
        extent = _AT_SAVE[ws] = RowsAtSave()
    xml = value_xml(f"{col(column)}{row}", look.style, value)
    if xml:
        extent.rows.setdefault(row, []).append(xml)
        extent.written_col = max(extent.written_col, column)
    if value is None:
        if look.filled:
            extent.last_col = max(extent.last_col, column)
        return
    extent.last_col = max(extent.last_col, column)
    size = look.size
    extent.smallest = min(extent.smallest or size, size)
    extent.row_size = max(extent.row_size, size)
    chars = _spill(value, size, look.wrapped)
    if chars > extent.spills.get(column, 0.0):
        extent.spills[column] = chars


def _spill(value: object, size: float, wrapped: bool) -> float:
    """How far a cell's text runs on past its column, in characters of the body size.

    Text that is not wrapped prints across the empty columns to its right; ``0`` for a
    figure, a formula or wrapped text (:func:`~.sheetspec.printed_width`).
    """
    if isinstance(value, str) and not wrapped and not value.startswith("="):
        return len(value) * size / DEFAULT_PT
    return 0.0


def _with_rows(xml: bytes, extent: RowsAtSave) -> bytes:
    """A worksheet part openpyxl wrote, with the rows put at save after its own."""
    rows = "".join(
        f'<row r="{r}">{"".join(cells)}</row>' for r, cells in sorted(extent.rows.items()) if cells
    ).encode()
    if b"</sheetData>" in xml:
        xml = xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    else:
        xml = xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>", 1)
    if extent.rows:
        found = re.search(rb'<dimension ref="A1(?::([A-Z]+)(\d+))?"', xml)
        if found:
            held = column_index_from_string(found.group(1).decode()) if found.group(1) else 1
            last_col = max(extent.written_col, held)
            last_row = max(extent.rows)
            ref = f'<dimension ref="A1:{col(last_col)}{last_row}"'.encode()
            xml = xml[: found.start()] + ref + xml[found.end() :]
    return xml


def put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None):
    """Write one value into an openpyxl worksheet (formula-like text stays text)."""
    v = cell_value(value)
    return write_cell(
        ws, CellSpec(row, col, v, number_format=fmt if fmt and is_figure(v) else "General")
    )


def header(ws: Worksheet, row: int, col: int, names: list[str]) -> None:
    """A styled header row in an openpyxl worksheet."""
    d = Drawing(ws.title)
    d.header(row, col, names)
    for c in d.spec().cells:
        write_cell(ws, c)


def wrap_across(ws: Worksheet, row: int, column: int = 1, least: float = 90.0) -> None:
    """A long note merged across the sheet's columns and wrapped in their width.

    A note left to run across empty cells widens the printed sheet (the page must hold
    it): an input sheet of three narrow columns and a long description printed on two
    pages, the second holding the end of the description. Merged from ``column`` across
    the columns given a width (at least ``least`` characters, adding default-width
    columns), wrapped, with the row as tall as its lines.
    """
    from openpyxl.utils import column_index_from_string

    cell = ws.cell(row=row, column=column)
    text = cell.value
    if not isinstance(text, str) or not text:
        return
    set_widths = {
        column_index_from_string(k): float(d.width)
        for k, d in ws.column_dimensions.items()
        if d.width
    }
    last = max([column, *set_widths])
    width = sum(set_widths.get(j, 8.43) for j in range(column, last + 1))
    while width < min(len(text), least):
        last += 1
        width += set_widths.get(last, 8.43)
    if last > column:
        ws.merge_cells(start_row=row, start_column=column, end_row=row, end_column=last)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    size = float(cell.font.sz or DEFAULT_PT) / DEFAULT_PT
    ws.row_dimensions[row].height = 15.0 * size * wrapped_lines(text, width - 1, size)


def fit_to_page(
    ws: Worksheet,
    marking: str | None = "OFFICIAL",
    stamp: str = "",
    title_rows: str | None = None,
    landscape: bool = True,
    paper: str = "A4",
    body_pt: float | None = None,
    one_page: bool = False,
    title_cols: str = "A:A",
) -> None:
    """Print on A4 one page wide, with the same header and footer as output sheets.

    Args:
        ws: The sheet.
        marking: Protective marking printed at the top of every page.
        stamp: Printed at the bottom right (default: xlalloc's version).
        title_rows: Rows repeated on every printed page, e.g. ``"4:4"``.
        landscape: Landscape or portrait.
        paper: ``A4`` or ``A3``.
        body_pt: The smallest text the sheet will hold, where it is filled later (a
            template): the scale keeps that legible too.
        one_page: Also one page tall where that keeps the text legible (a cover).
        title_cols: The columns that identify a row, repeated on every page where the
            columns run on (``"A:B"``: a practice's year and code).

    One page wide unless that makes the text illegible: then as few pages wide as keep
    it legible, the first column repeated (:func:`~xlalloc.workbook.sheetspec.print_fit`).
    """
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = PAPER[paper][0]
    scale = sheet_scale(ws, landscape, paper, body_pt)
    if scale is None:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if one_page and fits_one_page(ws, landscape, paper) else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:  # one page wide would be illegible: columns run on, the first repeated
        ws.page_setup.scale = scale
        ws.page_setup.pageOrder = "overThenDown"  # a table's pages read across first
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.print_title_cols = title_cols
    ws.print_options.horizontalCentered = True
    if marking:
        ws.HeaderFooter.oddHeader.center.text = marking.replace("&", "&&")
        ws.HeaderFooter.oddHeader.center.font = "-,Bold"
    ws.HeaderFooter.oddFooter.left.text = FOOTER_LEFT
    ws.HeaderFooter.oddFooter.center.text = FOOTER_CENTRE
    ws.HeaderFooter.oddFooter.right.text = (stamp or f"xlalloc {__version__}").replace("&", "&&")
    if title_rows:
        ws.print_title_rows = title_rows


def fits_one_page(ws: Worksheet, landscape: bool, paper: str = "A4") -> bool:
    """Whether the sheet fits one page, across and down, with its text still legible.

    Its height is its rows' (15 points unless set, larger text taller); its width as
    :func:`sheet_scale` estimates it.
    """
    _, short, long = PAPER[paper]
    width, smallest = _printed(ws)
    height = 0.0
    sizes: dict[int, list[float]] = {}  # each row's text sizes
    for c in held_cells(ws):
        if c.value not in (None, ""):
            sizes.setdefault(c.row, []).append(float(c.font.sz or DEFAULT_PT))
    extent = _AT_SAVE.get(ws)
    if extent is not None:  # the rows put at save: their largest text in every row
        for r in extent.rows:
            sizes.setdefault(r, []).append(extent.row_size)
    last_row = max([ws.max_row, *(extent.rows if extent is not None else ())])
    for r in range(1, last_row + 1):
        set_height = ws.row_dimensions[r].height if r in ws.row_dimensions else None
        height += set_height or 15.0 * max([DEFAULT_PT, *sizes.get(r, [])]) / DEFAULT_PT
    across = ((long if landscape else short) - MARGINS_PT) / width if width else 1.0
    down = ((short if landscape else long) - VERTICAL_MARGINS_PT) / height if height else 1.0
    return min(1.0, across, down) * smallest >= MIN_PRINTED_PT * SAFETY


def sheet_scale(
    ws: Worksheet, landscape: bool, paper: str = "A4", body_pt: float | None = None
) -> int | None:
    """An openpyxl sheet's print scale by the legibility rule (``None``: one page wide).

    The print area is every cell with a value or a fill, the columns given a width, and
    text that runs on past its column.
    """
    width, smallest = _printed(ws, body_pt)
    return print_fit(width, smallest, landscape, paper) if width else None


def _printed(ws: Worksheet, body_pt: float | None = None) -> tuple[float, float]:
    """A sheet's printed width in points (0 if it is empty) and its smallest text size."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    smallest, last = min(DEFAULT_PT, body_pt or DEFAULT_PT), 0
    spills: list[tuple[int, float]] = []
    looks: dict[tuple[int, ...], tuple[bool, float, bool]] = {}  # read once per style
    for cell in held_cells(ws):  # in any order: only the largest and smallest are kept
        key = style_key(cell)
        look = looks.get(key)
        if look is None:
            look = looks[key] = (
                bool(cell.fill is not None and cell.fill.fill_type),
                float(cell.font.sz or DEFAULT_PT),
                bool(cell.alignment.wrap_text),
            )
        filled, size, wrapped = look
        if cell.value in (None, ""):
            if filled:
                last = max(last, cell.column)
            continue
        last = max(last, cell.column)
        smallest = min(smallest, size)
        chars = _spill(cell.value, size, wrapped)
        if chars:
            spills.append((cell.column, chars))
    extent = _AT_SAVE.get(ws)
    if extent is not None:  # the rows put at save, counted as held cells are
        last = max(last, extent.last_col)
        smallest = min(smallest, extent.smallest or smallest)
        spills.extend(extent.spills.items())
    for merged in ws.merged_cells.ranges:  # a merged note prints across its columns
        last = max(last, merged.max_col)
    if not last:
        return 0.0, smallest
    # Columns the sheet sets a width for are part of its layout (a template's table
    # columns, filled later), so they count even while empty.
    for letter, dim in ws.column_dimensions.items():
        if dim.width:
            last = max(last, column_index_from_string(letter))
    widths = []
    for j in range(1, last + 1):
        dim = ws.column_dimensions.get(get_column_letter(j))
        widths.append(float(dim.width) if dim is not None and dim.width else 8.43)
    return printed_width(widths, spills), smallest


def save_specs(specs: Iterable[SheetSpec], path: str | Path) -> Path:
    """Write the specs as a new workbook at ``path`` (atomically, reproducibly).

    Written by the package writer, like every output sheet, so formulas carry their
    stored values.
    """
    from .package import new_package, replace_sheets, write_package

    parts = replace_sheets(new_package(), specs)
    out = io.BytesIO()
    write_package(parts, [], out)
    return atomic_write(path, out.getvalue())


#: Timestamp written into every workbook, so the same inputs give byte-identical files.
FIXED_TIME = "2000-01-01T00:00:00Z"


def normalised_zip(raw: bytes, rows: dict[str, RowsAtSave] | None = None) -> bytes:
    """A package with fixed entry timestamps and fixed document dates (reproducible bytes).

    ``rows``: worksheet parts (``xl/worksheets/sheet3.xml``) given the rows put at save.
    """
    rows = rows or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in rows:
                data = _with_rows(data, rows[info.filename])
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            zout.writestr(entry, data)
    return out.getvalue()


def save_atomic(wb: Workbook, path: str | Path) -> Path:
    """Save a workbook openpyxl built, reproducibly and atomically (see :mod:`.files`)."""
    wb.properties.creator = "xlalloc"
    wb.properties.lastModifiedBy = "xlalloc"
    for ws in wb.worksheets:  # before openpyxl writes (its table writer makes cells)
        extent = _AT_SAVE.get(ws)
        if extent is not None and extent.rows:
            held = max([0, *(c.row for c in held_cells(ws)), *ws.row_dimensions.keys()])
            if held >= min(extent.rows):
                raise ValueError(
                    f"sheet {ws.title}: openpyxl holds row {held}, at or below the first row "
                    f"put at save ({min(extent.rows)})"
                )
    raw = io.BytesIO()
    # openpyxl's own writer (what Workbook.save runs), into an archive left uncompressed:
    # normalised_zip compresses each part once, not a second time after inflating it.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
    # Each sheet's part as openpyxl named it while writing (xl/worksheets/sheetN.xml).
    rows = {ws.path.lstrip("/"): e for ws in wb.worksheets if (e := _AT_SAVE.get(ws)) is not None}
    return atomic_write(path, normalised_zip(raw.getvalue(), rows))
