"""Chart parts, serialised by openpyxl's chart model, and their drawing anchors."""

from __future__ import annotations

import functools
from typing import Any
from xml.sax.saxutils import quoteattr

from ..readers.cells import cell_rc
from .pinned import chart_part
from .sheetspec import (
    BODY_FONT,
    ChartSpec,
)
from .xmlparts import NS_REL


class _Named:
    """What openpyxl's ``Reference`` needs of a worksheet: its title."""

    def __init__(self, title: str):
        self.title = title


NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


#: Fills of a bar chart's series, in order (NHS blue, then a grey).
BAR_COLOURS = ("005EB8", "A6A6A6", "1F4E79", "7F7F7F")
#: Line colours: NHS identity colours, each distinct from the others in print.
LINE_COLOURS = ("005EB8", "ED8B00", "009639", "330072", "DA291C", "00A499", "768692", "003087")
#: Markers and dashes that tell apart series sharing a colour (and a black-and-white page).
LINE_MARKERS = ("circle", "square", "triangle", "diamond", "x")
LINE_DASHES = ("solid", "dash", "sysDot")


def series_style(k: int) -> tuple[str, str, str]:
    """The ``k``-th line series' colour, marker and dash: no two of 24 series alike.

    Colour changes every series, the dash every eight and the marker every series as
    well, so series ``k`` and ``k + 8`` differ in dash and marker, not only colour (the
    guide: colour, marker and dash together).
    """
    return (
        LINE_COLOURS[k % len(LINE_COLOURS)],
        LINE_MARKERS[k % len(LINE_MARKERS)],
        LINE_DASHES[(k // len(LINE_COLOURS)) % len(LINE_DASHES)],
    )


#: Fills of a waterfall's rises, falls and totals.
WATERFALL_COLOURS = ("00843D", "C00000", "1F4E79")


@functools.lru_cache(maxsize=256)
def chart_xml(sheet: str, ch: ChartSpec) -> str:
    """A chart part, serialised by openpyxl's chart model (never a user's part)."""
    ws: Any = _Named(ch.data_sheet or sheet)
    if ch.kind == "scatter":  # points: x from min_col, y from first_series_col
        return chart_part(_scatter(ws, ch))
    from openpyxl.chart import BarChart, LineChart

    chart = LineChart() if ch.kind == "line" else BarChart()
    if ch.kind == "bar":
        chart.type = "bar"
    if ch.kind == "waterfall":
        chart.type, chart.grouping, chart.overlap, chart.gapWidth = "col", "stacked", 100, 60
    chart.title = _chart_title(ch.title)
    chart.y_axis.title = ch.y_title or None
    chart.x_axis.title = ch.x_title or None
    chart.y_axis.number_format = ch.y_format
    chart.x_axis.tickLblPos = "low"
    chart.height, chart.width = ch.height, ch.width
    _chart_data(chart, ws, ch)
    for k, series in enumerate(chart.series):
        series.smooth = False  # straight lines between points: no overshoot
        if ch.kind == "line":
            _line_style(series, k, ch.dashes[k] if k < len(ch.dashes) else None)
    _chart_style(chart, ch)
    if not ch.legend:
        chart.legend = None
    else:
        chart.legend.position = ch.legend_position
    return chart_part(chart)


def _line_style(series: Any, k: int, dash: str | None) -> None:
    """A line series' colour, marker and dash (:func:`series_style`), or the dash given."""
    from openpyxl.chart.shapes import GraphicalProperties

    colour, marker, default_dash = series_style(k)
    if series.graphicalProperties is None:
        series.graphicalProperties = GraphicalProperties()
    series.graphicalProperties.line.solidFill = colour
    series.graphicalProperties.line.width = 22225  # 1.75 points
    series.graphicalProperties.line.prstDash = dash or default_dash
    series.marker.symbol = marker
    series.marker.size = 6
    series.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
    series.marker.graphicalProperties.line.solidFill = colour


def _scatter(ws: Any, ch: ChartSpec) -> Any:
    """A scatter chart of points: x from ``min_col``, y from ``first_series_col``."""
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.chart.shapes import GraphicalProperties

    chart = ScatterChart()
    chart.title, chart.height, chart.width = _chart_title(ch.title), ch.height, ch.width
    chart.x_axis.title, chart.y_axis.title = ch.x_title or None, ch.y_title or None
    chart.y_axis.number_format = ch.y_format
    if ch.name_col is not None:
        return _scatter_rows(chart, ws, ch)
    xs = Reference(ws, min_col=ch.min_col, min_row=ch.first_row, max_row=ch.last_row)
    ys = Reference(
        ws,
        min_col=ch.first_series_col or ch.min_col + 1,
        min_row=ch.header_row,
        max_row=ch.last_row,
    )
    points = Series(ys, xs, title_from_data=True)
    points.marker.symbol = "circle"
    points.marker.size = 7
    points.marker.graphicalProperties = GraphicalProperties(solidFill="1F4E79")
    points.marker.graphicalProperties.line.solidFill = "1F4E79"
    points.graphicalProperties.line.noFill = True
    chart.style = 13
    chart.series.append(points)
    chart.legend = None
    return chart


def _scatter_rows(chart: Any, ws: Any, ch: ChartSpec) -> Any:
    """A scatter chart with a point a row, each its own series named by ``name_col``.

    Each point has its colour and marker (:func:`series_style`), the legend names it,
    and the axes cross at ``cross`` (1 for indices: above or below the comparator).
    """
    from openpyxl.chart import Reference, Series
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.chart.shapes import GraphicalProperties

    y_col = ch.first_series_col or ch.min_col + 1
    assert ch.name_col is not None
    for k, r in enumerate(range(ch.first_row, ch.last_row + 1)):
        xs = Reference(ws, min_col=ch.min_col, min_row=r, max_row=r)
        ys = Reference(ws, min_col=y_col, min_row=r, max_row=r)
        point = Series(ys, xs)
        name = Reference(ws, min_col=ch.name_col, min_row=r, max_row=r)
        point.tx = SeriesLabel(strRef=_str_ref(name))
        colour, marker, _dash = series_style(k)
        point.marker.symbol = marker
        point.marker.size = 8
        point.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
        point.marker.graphicalProperties.line.solidFill = colour
        point.graphicalProperties.line.noFill = True
        chart.series.append(point)
    chart.x_axis.number_format = ch.y_format
    if ch.cross is not None:  # the axes cross at the comparator; their labels at the edges
        chart.x_axis.crossesAt = ch.cross
        chart.y_axis.crossesAt = ch.cross
        chart.x_axis.tickLblPos = chart.y_axis.tickLblPos = "low"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = ch.legend_position
    return chart


def _str_ref(ref: Any) -> Any:
    """A series name's cell, as openpyxl's ``StrRef``."""
    from openpyxl.chart.data_source import StrRef

    return StrRef(f=str(ref))


def _chart_data(chart: Any, ws: Any, ch: ChartSpec) -> None:
    """The chart's series and categories: by rows (a series a row) or by columns."""
    from openpyxl.chart import Reference

    if ch.by_rows:
        chart.add_data(
            Reference(
                ws,
                min_col=ch.min_col,
                max_col=ch.max_col,
                min_row=ch.first_row,
                max_row=ch.last_row,
            ),
            from_rows=True,
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(
                ws,
                min_col=ch.min_col + 1,
                max_col=ch.max_col,
                min_row=ch.header_row,
                max_row=ch.header_row,
            )
        )
        return
    first = ch.first_series_col or ch.min_col + 1
    chart.add_data(
        Reference(
            ws, min_col=first, max_col=ch.max_col, min_row=ch.header_row, max_row=ch.last_row
        ),
        titles_from_data=True,
    )
    chart.set_categories(
        Reference(ws, min_col=ch.min_col, min_row=ch.first_row, max_row=ch.last_row)
    )


def _chart_style(chart: Any, ch: ChartSpec) -> None:
    """A waterfall's invisible base and coloured steps; a bar chart's filled bars."""
    from openpyxl.chart.shapes import GraphicalProperties

    if ch.kind == "waterfall":  # the base is invisible; rises green, falls red, totals blue
        for series, colour in zip(chart.series, (None, *WATERFALL_COLOURS)):
            props = GraphicalProperties()
            if colour is None:
                props.noFill = True
                props.line.noFill = True
            else:
                props.solidFill = colour
            series.graphicalProperties = props
        chart.x_axis.delete = False
        chart.y_axis.delete = False
    if ch.y_min is not None:
        chart.y_axis.scaling.min = ch.y_min
    if ch.kind == "bar":
        chart.y_axis.majorGridlines = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.axPos = "b"  # horizontal bars: the values run along the bottom
        # Filled bars: a series with only a line style printed as nothing in LibreOffice.
        for series, colour in zip(chart.series, BAR_COLOURS, strict=False):
            series.graphicalProperties = GraphicalProperties(solidFill=colour)


def _chart_title(text: str) -> Any:
    """A chart title in 12-point bold (the default is too large for a page)."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (
        CharacterProperties,
        Font,
        Paragraph,
        ParagraphProperties,
        RegularTextRun,
    )

    props = CharacterProperties(sz=1200, b=True, latin=Font(typeface=BODY_FONT))
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _anchor(ch: ChartSpec, rid: str, shape_id: int) -> str:
    """A one-cell anchor placing a chart at its anchor cell (namespaces declared on it)."""
    row, c0 = cell_rc(ch.anchor)
    cx, cy = int(ch.width * 360000), int(ch.height * 360000)
    return (
        f'<xdr:oneCellAnchor xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}" xmlns:c="{NS_C}" '
        f'xmlns:r="{NS_REL}"><xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0'
        f"</xdr:colOff><xdr:row>{row - 1}</xdr:row><xdr:rowOff>0</xdr:rowOff>"
        f'</xdr:from><xdr:ext cx="{cx}" cy="{cy}"/><xdr:graphicFrame macro="">'
        f'<xdr:nvGraphicFramePr><xdr:cNvPr id="{shape_id}" name={quoteattr(ch.title)}/>'
        '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/>'
        '<a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.'
        f'openxmlformats.org/drawingml/2006/chart"><c:chart r:id="{rid}"/></a:graphicData>'
        "</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>"
    )
