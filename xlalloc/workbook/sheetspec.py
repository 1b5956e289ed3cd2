"""Output sheets as plain data, written to any book.

xlalloc renders each output sheet once into a :class:`SheetSpec` (cells with
values or formulas, number formats, fonts, fills, column widths, charts). The
same specs are then written into an openpyxl workbook (headless) or an xlwings
``Book`` (Excel), so the command line and the ribbon produce identical sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.cell.cell import Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from .tables import fit_to_page


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


@dataclass(frozen=True)
class ChartSpec:
    """A line chart of series held in rows (one series per row)."""

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


@dataclass
class SheetSpec:
    """Everything needed to write one output sheet."""

    name: str
    cells: list[CellSpec] = field(default_factory=list)
    widths: dict[str, float] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)
    tab_color: str | None = None



def _rgb(color: object) -> str | None:
    rgb = getattr(color, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) and len(rgb) >= 6 else None


def spec_from_worksheet(ws: Worksheet, charts: list[ChartSpec] | None = None) -> SheetSpec:
    """Capture a rendered openpyxl worksheet as a :class:`SheetSpec`."""
    cells = []
    for (r, c), cell in sorted(ws._cells.items()):
        if cell.value is None and not cell.has_style:
            continue
        fill = cell.fill.fgColor if cell.fill is not None and cell.fill.fill_type else None
        cells.append(CellSpec(
            row=r, col=c, value=cell.value, formula=cell.data_type == "f",
            number_format=cell.number_format, bold=bool(cell.font.b), italic=bool(cell.font.i),
            size=cell.font.sz if cell.font.sz not in (None, 11) else None,
            font_color=_rgb(cell.font.color), fill_color=_rgb(fill)))
    widths = {k: float(v.width) for k, v in ws.column_dimensions.items() if v.width}
    tab = _rgb(ws.sheet_properties.tabColor)
    return SheetSpec(ws.title, cells, widths, list(charts or []), tab)


def write_spec_openpyxl(ws: Worksheet, spec: SheetSpec) -> None:
    """Write a spec into an (empty) openpyxl worksheet."""
    for c in spec.cells:
        cell: Cell = ws.cell(row=c.row, column=c.col)
        cell.value = c.value
        cell.data_type = "f" if c.formula else ("s" if isinstance(c.value, str) else cell.data_type)
        cell.number_format = c.number_format
        if c.bold or c.italic or c.size or c.font_color:
            cell.font = Font(b=c.bold or None, i=c.italic or None, sz=c.size,
                             color=c.font_color)
        if c.fill_color:
            cell.fill = PatternFill("solid", fgColor=c.fill_color)
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
    fit_to_page(ws)
