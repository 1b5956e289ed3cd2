"""Write sheet specs into openpyxl workbooks and save them safely.

The one place that turns a :class:`~xlalloc.workbook.sheetspec.CellSpec` into an
openpyxl cell, and that saves workbooks: reproducibly (fixed zip timestamps and
document dates, so the same content gives the same bytes) and atomically.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .files import atomic_write
from .sheetspec import CellSpec, Drawing, SheetSpec, cell_value

__all__ = ["fit_to_page", "header", "normalised_zip", "put", "put_formula", "save_atomic",
           "save_specs", "write_block", "write_spec"]


def write_cell(ws: Worksheet, c: CellSpec):
    """Write one cell spec into an openpyxl worksheet; returns the cell."""
    cell = ws.cell(row=c.row, column=c.col)
    cell.value = c.value
    if c.formula:
        cell.data_type = "f"
    elif isinstance(c.value, str):
        cell.data_type = "s"  # text, never a formula
    if c.number_format != "General":
        cell.number_format = c.number_format
    if c.bold or c.italic or c.size or c.font_color:
        cell.font = Font(b=c.bold or None, i=c.italic or None, sz=c.size, color=c.font_color)
    if c.fill_color:
        cell.fill = PatternFill("solid", fgColor=c.fill_color)
    return cell


def put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None):
    """Write one value into an openpyxl worksheet (formula-like text stays text)."""
    v = cell_value(value)
    number = isinstance(v, int | float) and not isinstance(v, bool)
    return write_cell(ws, CellSpec(row, col, v, number_format=fmt if fmt and number
                                   else "General"))


def put_formula(ws: Worksheet, row: int, col: int, text: str, fmt: str | None = None):
    """Write a live formula into an openpyxl worksheet."""
    return write_cell(ws, CellSpec(row, col, text, formula=True,
                                   number_format=fmt or "General"))


def _draw_into(ws: Worksheet, d: Drawing) -> None:
    for c in d.spec().cells:
        write_cell(ws, c)


def header(ws: Worksheet, row: int, col: int, names: list[str]) -> None:
    """A styled header row in an openpyxl worksheet."""
    d = Drawing(ws.title)
    d.header(row, col, names)
    _draw_into(ws, d)


def write_block(ws: Worksheet, row: int, col: int, df: pd.DataFrame,
                formats: dict[str, str] | None = None) -> int:
    """A header row and the frame's values in an openpyxl worksheet; the last data row."""
    d = Drawing(ws.title)
    last = d.block(row, col, df, formats)
    _draw_into(ws, d)
    return last


def fit_to_page(ws: Worksheet) -> None:
    """Print landscape on A4, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def write_spec(ws: Worksheet, spec: SheetSpec) -> None:
    """Write a spec into an (empty) openpyxl worksheet."""
    for c in spec.cells:
        write_cell(ws, c)
    for k, w in spec.widths.items():
        ws.column_dimensions[k].width = w
    for ch in spec.charts:
        chart = LineChart()
        chart.title = ch.title
        chart.y_axis.title = ch.y_title
        chart.x_axis.title = ch.x_title
        chart.y_axis.number_format = ch.y_format
        chart.height, chart.width = ch.height, ch.width
        chart.add_data(Reference(ws, min_col=ch.min_col, max_col=ch.max_col,
                                 min_row=ch.first_row, max_row=ch.last_row),
                       from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=ch.min_col + 1, max_col=ch.max_col,
                                       min_row=ch.header_row, max_row=ch.header_row))
        ws.add_chart(chart, ch.anchor)
    if spec.tab_color:
        ws.sheet_properties.tabColor = spec.tab_color
    if spec.freeze:
        ws.freeze_panes = spec.freeze
    fit_to_page(ws)


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


def normalised_zip(raw: bytes) -> bytes:
    """A package with fixed entry timestamps and fixed document dates (reproducible bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w",
                                                                   zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            zout.writestr(entry, data)
    return out.getvalue()


def save_atomic(wb: Workbook, path: str | Path) -> Path:
    """Save a workbook openpyxl built, reproducibly and atomically (see :mod:`.files`)."""
    wb.properties.creator = "xlalloc"
    wb.properties.lastModifiedBy = "xlalloc"
    raw = io.BytesIO()
    wb.save(raw)
    return atomic_write(path, normalised_zip(raw.getvalue()))
