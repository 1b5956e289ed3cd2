"""Write xlalloc's sheets into a workbook package, leaving every other part as it was.

An ``.xlsx``/``.xlsm`` file is a zip package of parts. A run adds or replaces only
the parts xlalloc owns: its output sheets with their relationships, drawings and
charts. It also edits the parts that must list them, each parsed and re-serialised
with lxml through :mod:`xlalloc.readers.ooxml` (so any valid spelling of them is
handled: prefixes, quotes, namespace declarations on any element):

* ``xl/workbook.xml``: the ``<sheet>`` entries of its sheets, its own defined name
  ``_xlalloc_outputs`` (the record of which sheets are xlalloc's) and
  ``fullCalcOnLoad`` on ``<calcPr>``;
* ``xl/_rels/workbook.xml.rels`` and ``[Content_Types].xml``: entries for its parts;
* ``xl/styles.xml``: number formats, fonts, fills and cell formats appended (never
  changed or removed), reused on the next run so the file does not grow.

Every other part is copied byte for byte, whatever it holds (VBA, custom ribbons,
sensitivity labels, connections, comments, pictures, charts on input sheets ...).
A sheet whose name xlalloc wants but that is not on its record is the user's: the
run stops with a message instead of overwriting it.

Formula cells carry stored values (the engine's figures) as well as their formulas,
so pandas, previews and Power BI read numbers; Excel recalculates on load.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

from ..engine.errors import InputError
from ..readers.archive import Limits, read_parts, read_parts_bytes
from ..readers.cells import cell_rc, col_index, sheet_cell
from ..readers.ooxml import (
    XML_DECL,
    Element,
    attrs,
    canonical,
    children,
    defined_names,
    descendants,
    fragment,
    local,
    namespace_of,
    norm_part,
    parse,
    qname,
    read,
    rels_of,
    rels_part,
    resolve_target,
    serialise,
    sheets,
    workbook_part,
)
from .pinned import chart_part, copy_stored
from .sheetspec import (
    BODY_FONT,
    CHART_PT,
    DEFAULT_PT,
    MARGINS_PT,
    PAPER,
    VERTICAL_MARGINS_PT,
    CellSpec,
    ChartSpec,
    SheetSpec,
    TableSpec,
    col,
    header_footer,
    is_figure,
    print_fit,
    printed_width,
    quote_sheet,
    shown,
    wrapped_heights,
)

__all__ = [
    "OWNER_NAME",
    "not_owned",
    "owner_record",
    "Limits",
    "defined_cells",
    "fill_template",
    "new_package",
    "owned_sheets",
    "read_parts",
    "read_parts_bytes",
    "replace_sheets",
    "write_package",
]

#: The defined name recording which sheets xlalloc wrote (a hidden, constant name).
OWNER_NAME = "_xlalloc_outputs"

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL_SHEET = NS_REL + "/worksheet"
REL_DRAWING = NS_REL + "/drawing"
REL_CHART = NS_REL + "/chart"
REL_TABLE = NS_REL + "/table"
CT_TABLE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
#: The defined name Excel uses for rows repeated at the top of printed pages.
PRINT_TITLES = "_xlnm.Print_Titles"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"

CONTENT_TYPES = "[Content_Types].xml"
STYLES_PART = "xl/styles.xml"

#: Number formats Excel knows by id without a ``<numFmt>`` entry.
BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}


# --------------------------------------------------------------------------- small XML


def _parse_check(data: bytes, name: str) -> None:
    """Parse a part safely (no document type, no entities) before editing it."""
    read(data, name)


def _text(v: str) -> str:
    """Text escaped for writing into XML, control characters as Excel writes them."""
    return _safe(escape(v))


def _one(xml: str, namespace: str | None) -> Element:
    """One element from text in a namespace's default form (see :func:`fragment`)."""
    return fragment(xml, namespace)[0]


def _insert_at(parent: Element, index: int, elements: Iterable[Element]) -> None:
    for k, el in enumerate(elements):
        parent.insert(index + k, el)


def _index_after(parent: Element, names: Sequence[str]) -> int:
    """The position just after the last child named one of ``names`` (0 if none)."""
    at = 0
    for k, c in enumerate(parent):
        if isinstance(c.tag, str) and local(c) in names:
            at = k + 1
    return at


def _index_before(parent: Element, followers: Sequence[str]) -> int:
    """The position of the first child named one of ``followers`` (the end if none)."""
    for k, c in enumerate(parent):
        if isinstance(c.tag, str) and local(c) in followers:
            return k
    return len(parent)


# --------------------------------------------------------------------------- styles


@dataclass
class _Styles:
    """``xl/styles.xml`` with appended number formats, fonts, fills and cell formats.

    Entries are kept as namespace-free text (:func:`canonical`), so an entry xlalloc
    appended on an earlier run is found and reused however the part spells its prefixes.
    """

    data: bytes
    formats: dict[str, int] = field(default_factory=dict)
    new_formats: list[str] = field(default_factory=list)
    fonts: list[str] = field(default_factory=list)
    fills: list[str] = field(default_factory=list)
    xfs: list[str] = field(default_factory=list)
    dxfs: list[str] = field(default_factory=list)
    memo: dict[tuple[object, ...], int] = field(default_factory=dict)
    added: dict[str, int] = field(
        default_factory=lambda: {"fonts": 0, "fills": 0, "cellXfs": 0, "dxfs": 0}
    )

    @classmethod
    def parse(cls, data: bytes) -> _Styles:
        """The styles part's entries (parsed once per distinct part, then copied)."""
        t = _parse_styles(data)
        return cls(
            data, dict(t.formats), [], list(t.fonts), list(t.fills), list(t.xfs), list(t.dxfs)
        )

    @classmethod
    def _parse(cls, data: bytes) -> _Styles:
        s = cls(data)
        root = read(data, STYLES_PART)
        for el in descendants(root, "numFmt"):
            a = attrs(el)
            s.formats[a.get("formatCode", "")] = int(a.get("numFmtId", "0"))

        def items(block: str, item: str) -> list[str]:
            return [canonical(e) for b in children(root, block) for e in children(b, item)]

        s.fonts, s.fills, s.xfs = (
            items("fonts", "font"),
            items("fills", "fill"),
            items("cellXfs", "xf"),
        )
        s.dxfs = items("dxfs", "dxf")
        if not s.xfs:
            raise InputError("the styles part has no cell formats", where=STYLES_PART)
        return s

    def _index(self, kind: str, entries: list[str], xml: str) -> int:
        xml = _canonical_text(xml)
        if xml in entries:
            return entries.index(xml)
        entries.append(xml)
        self.added[kind] += 1
        return len(entries) - 1

    def xf(self, c: CellSpec, base: int = 0) -> int:
        """The cell-format index for a cell's number format, font and fill.

        Args:
            c: The cell.
            base: The cell format it has now (a template's styling); what ``c`` does not
                set (font, fill, borders, alignment) is kept from it.
        """
        wants_font = bool(c.bold or c.italic or c.size or c.font_color)
        if c.number_format == "General" and not wants_font and not c.fill_color and not c.wrap:
            return base
        key = (base, *c.style)
        if key not in self.memo:
            self.memo[key] = self._xf(c, base, wants_font)
        return self.memo[key]

    def _xf(self, c: CellSpec, base: int, wants_font: bool) -> int:
        number = self._format(c.number_format) if c.number_format != "General" else None
        font = None
        if wants_font:
            font = self._index(
                "fonts",
                self.fonts,
                (
                    "<font>"
                    + ("<b/>" if c.bold else "")
                    + ("<i/>" if c.italic else "")
                    + f'<sz val="{c.size or 11:g}"/>'
                    + (f'<color rgb="FF{c.font_color}"/>' if c.font_color else "")
                    + '<name val="Calibri"/><family val="2"/></font>'
                ),
            )
        fill = None
        if c.fill_color:
            fill = self._index(
                "fills",
                self.fills,
                (
                    f'<fill><patternFill patternType="solid"><fgColor rgb="FF{c.fill_color}"/>'
                    '<bgColor indexed="64"/></patternFill></fill>'
                ),
            )
        base_xml = self.xfs[base] if 0 <= base < len(self.xfs) else self.xfs[0]
        return self._index("cellXfs", self.xfs, _xf_text(base_xml, number, font, fill, c.wrap))

    def dxf(self, fill_color: str) -> int:
        """A differential format (conditional formatting) filling cells with a colour."""
        return self._index(
            "dxfs",
            self.dxfs,
            (f'<dxf><fill><patternFill><bgColor rgb="FF{fill_color}"/></patternFill></fill></dxf>'),
        )

    def _format(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code not in self.formats:
            self.formats[code] = max([163, *self.formats.values()]) + 1
            self.new_formats.append(code)
        return self.formats[code]

    def render(self) -> bytes:
        """The styles part with what was added (every existing entry kept as it was)."""
        if not self.new_formats and not any(self.added.values()):
            return self.data
        root = parse(self.data, STYLES_PART)
        for block, entries in (
            ("fonts", self.fonts),
            ("fills", self.fills),
            ("cellXfs", self.xfs),
            ("dxfs", self.dxfs),
        ):
            if self.added[block]:
                # Only dxfs may be missing; it follows cellStyles in the schema.
                after = _BEFORE_DXFS if block == "dxfs" else None
                _append(root, block, entries[-self.added[block] :], len(entries), after)
        if self.new_formats:
            add = [
                f'<numFmt numFmtId="{self.formats[c]}" formatCode={quoteattr(c)}/>'
                for c in self.new_formats
            ]
            _append(root, "numFmts", add, len(self.formats), ())
        return serialise(root)


@functools.lru_cache(maxsize=4096)
def _canonical_text(xml: str) -> str:
    """An entry's canonical text (:func:`canonical`), worked out once per text.

    Every pack from a template makes the same few dozen formats.
    """
    return canonical(_one(xml, None))


@functools.lru_cache(maxsize=4096)
def _xf_text(base: str, number: int | None, font: int | None, fill: int | None, wrap: bool) -> str:
    """A cell format's text, worked out once per format.

    ``base`` (a canonical ``<xf>``) with a number format, font and fill (their indices)
    and wrapping set.
    """
    xf = _one(base, None)
    if number is not None:
        xf.set("numFmtId", str(number))
        xf.set("applyNumberFormat", "1")
    if font is not None:
        xf.set("fontId", str(font))
        xf.set("applyFont", "1")
    if fill is not None:
        xf.set("fillId", str(fill))
        xf.set("applyFill", "1")
    if wrap:
        _wrap(xf)
    return canonical(xf)


def _wrap(xf: Element) -> None:
    """A cell format's text wrapped (alignment is an ``<xf>``'s first child)."""
    if "applyAlignment" not in xf.attrib:
        xf.set("applyAlignment", "1")
    align = children(xf, "alignment")
    if align:
        align[0].set("wrapText", "1")
    else:
        xf.insert(0, _one('<alignment vertical="top" wrapText="1"/>', None))


@functools.lru_cache(maxsize=16)
def _parse_styles(data: bytes) -> _Styles:
    return _Styles._parse(data)


#: The styles part's blocks that come before ``dxfs``, in schema order.
_BEFORE_DXFS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles")


def _append(
    root: Element, block: str, entries: Sequence[str], count: int, after: Sequence[str] | None
) -> None:
    """Append entries at the end of a block of the styles part and set its count.

    A missing block is created after the last of ``after`` present (first if none);
    with ``after`` None the block must be there.

    Raises:
        InputError: A block that must be there is not.
    """
    ns = namespace_of(root)
    found = children(root, block)
    if found:
        el = found[0]
    elif after is None:
        raise InputError(f"styles part has no <{block}>", where=STYLES_PART)
    else:
        el = root.makeelement(qname(ns, block), {})
        root.insert(_index_after(root, after), el)
    el.extend(fragment("".join(entries), ns))
    el.set("count", str(count))


# --------------------------------------------------------------------------- sheets


def _cell_xml(c: CellSpec, style: int) -> str:
    ref = f"{col(c.col)}{c.row}"
    s = f' s="{style}"' if style else ""
    v = c.value
    if c.formula:
        text = str(v)
        text = _text(text[1:] if text.startswith("=") else text)
        cached = c.cached
        if cached is None:
            return f'<c r="{ref}"{s}><f>{text}</f></c>'
        if is_figure(cached):
            return f'<c r="{ref}"{s}><f>{text}</f><v>{_number(cast(float, cached))}</v></c>'
        return f'<c r="{ref}"{s} t="str"><f>{text}</f><v>{_text(str(cached))}</v></c>'
    if is_figure(v):
        return f'<c r="{ref}"{s}><v>{_number(cast(float, v))}</v></c>'
    if v is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(v, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(v)}</v></c>'
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(str(v))}</t></is></c>'


def _number(v: float) -> str:
    if type(v) is int and abs(v) < 2**53:
        return str(v)
    x = float(v)
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def sheet_xml(
    spec: SheetSpec,
    styles: _Styles,
    drawing_rid: str | None,
    table_rids: Sequence[str] = (),
    *,
    scale: int | None,
) -> str:
    """A worksheet part for a spec (inline strings, so no shared-strings part is touched).

    ``scale`` is the spec's :func:`print_scale` (worked out once by the caller, which
    also needs it for the print titles).
    """
    rows: dict[int, list[str]] = {}
    last_row = last_col = 1
    for c in spec.cells:
        xml = _cell_xml(c, styles.xf(c))
        if xml:
            rows.setdefault(c.row, []).append(xml)
            last_row, last_col = max(last_row, c.row), max(last_col, c.col)
    parts = [f'{XML_DECL}<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><sheetPr>']
    if spec.tab_color:
        parts.append(f'<tabColor rgb="FF{spec.tab_color}"/>')
    parts.append('<pageSetUpPr fitToPage="1"/></sheetPr>' if scale is None else "</sheetPr>")
    parts.append(f'<dimension ref="A1:{col(last_col)}{last_row}"/>')
    parts.append('<sheetViews><sheetView workbookViewId="0">')
    if spec.freeze:
        ys = cell_rc(spec.freeze)[0] - 1
        pane = (
            f'<pane ySplit="{ys}" topLeftCell="{spec.freeze}" activePane="bottomLeft" '
            'state="frozen"/>'
            if ys
            else ""
        )
        parts.append(pane)
    parts.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
    if spec.widths:
        parts.append("<cols>")
        for letter, width in sorted(spec.widths.items(), key=lambda kv: (len(kv[0]), kv[0])):
            n = col_index(letter) + 1
            parts.append(f'<col min="{n}" max="{n}" width="{width:g}" customWidth="1"/>')
        parts.append("</cols>")
    parts.append("<sheetData>")
    for r in sorted(rows):
        height = spec.heights.get(r)
        ht = f' ht="{height:g}" customHeight="1"' if height else ""
        parts.append(f'<row r="{r}"{ht}>' + "".join(rows[r]) + "</row>")
    parts.append("</sheetData>")
    merged = [
        f'<mergeCell ref="{col(c.col)}{c.row}:{col(c.col + c.span - 1)}{c.row}"/>'
        for c in spec.cells
        if c.span > 1
    ]
    if merged:
        parts.append(f'<mergeCells count="{len(merged)}">{"".join(merged)}</mergeCells>')
    parts.append(page_xml(spec, scale))
    if drawing_rid:
        parts.append(f'<drawing r:id="{drawing_rid}"/>')
    if table_rids:
        parts.append(
            f'<tableParts count="{len(table_rids)}">'
            + "".join(f'<tablePart r:id="{rid}"/>' for rid in table_rids)
            + "</tableParts>"
        )
    parts.append("</worksheet>")
    return "".join(parts)


#: Points in a centimetre (a chart's width is in centimetres).
CM = 72 / 2.54


def print_scale(spec: SheetSpec, printed: tuple[float, float] | None = None) -> int | None:
    """The sheet's print scale by the legibility rule (``None``: one page wide).

    See :func:`~xlalloc.workbook.sheetspec.print_fit`: the used columns' widths, text
    running past them, charts and the smallest text on the sheet decide. ``printed`` is
    :func:`_printed_width`'s result where the caller has it already.
    """
    width, smallest = printed or _printed_width(spec)
    return print_fit(width, smallest, spec.page.landscape, spec.page.paper) if width else None


def kept_breaks(spec: SheetSpec, scale: int | None, width: float | None = None) -> list[int]:
    """Page breaks above blocks kept together (:meth:`Drawing.keep_together`).

    Pages are estimated from the rows' heights at the sheet's print scale (fitted to the
    page width, or ``scale``): a block that would run over the end of a page and fits on
    one starts the next page instead, so no page holds a block's last row or two alone.
    """
    if not spec.keep:
        return []
    _, short, long = PAPER[spec.page.paper]
    if width is None:  # (the writer passes the width it worked out for the scale)
        width, _ = _printed_width(spec)
    across = (long if spec.page.landscape else short) - MARGINS_PT
    factor = scale / 100 if scale is not None else min(1.0, across / width) if width else 1.0
    page = ((short if spec.page.landscape else long) - VERTICAL_MARGINS_PT) / factor
    if spec.page.title_rows:
        r1, r2 = spec.page.title_rows
        page -= sum(spec.heights.get(r, 15.0) for r in range(r1, r2 + 1))
    starts = {first: last for first, last in spec.keep}
    last_row = max((c.row for c in spec.cells), default=0)
    breaks, used = [], 0.0
    manual = set(spec.breaks)
    for r in range(1, last_row + 1):
        if r in manual:
            used = 0.0
        if r in starts:
            block = sum(spec.heights.get(k, 15.0) for k in range(r, starts[r] + 1))
            if used and used + block > page and block <= page:
                breaks.append(r)
                used = 0.0
        h = spec.heights.get(r, 15.0)
        used = h if used + h > page else used + h
    return breaks


def _printed_width(spec: SheetSpec) -> tuple[float, float]:
    """A spec's printed width in points (0 if empty) and its smallest text size."""
    written = [c for c in spec.cells if c.value not in (None, "")]
    if not written:
        return 0.0, DEFAULT_PT
    last = max(c.col + c.span - 1 for c in written)
    widths = [spec.widths.get(col(j), 8.43) for j in range(1, last + 1)]
    smallest = min((c.size or DEFAULT_PT) for c in written)
    spills = [
        (c.col, len(shown(c.value, c.number_format)) * (c.size or DEFAULT_PT) / DEFAULT_PT)
        for c in written
        if not c.wrap and isinstance(c.value, str) and not c.formula
    ]
    charts = [(cell_rc(ch.anchor)[1] + 1, ch.width * CM) for ch in spec.charts]
    width = printed_width(widths, spills, charts)
    if charts:  # their text prints at CHART_PT, scaled with the sheet
        smallest = min(smallest, CHART_PT)
    return width, smallest


def page_xml(spec: SheetSpec, scale: int | None) -> str:
    """Margins, page setup, header and footer, and page breaks.

    The page setup is the paper, and one page wide unless that makes the text illegible
    (:func:`print_scale`).
    """
    head, foot = header_footer(spec.page)
    orientation = "landscape" if spec.page.landscape else "portrait"
    paper = PAPER[spec.page.paper][0]
    # Columns that run on print beside each other first (a table's pages read across).
    fit = (
        'fitToWidth="1" fitToHeight="0"'
        if scale is None
        else f'scale="{scale}" pageOrder="overThenDown"'
    )
    xml = (
        '<printOptions horizontalCentered="1"/><pageMargins left="0.5" right="0.5" '
        'top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="{paper}" orientation="{orientation}" {fit}/><headerFooter>'
        + (f"<oddHeader>{_text(head)}</oddHeader>" if head else "")
        + f"<oddFooter>{_text(foot)}</oddFooter></headerFooter>"
    )
    if spec.breaks:
        xml += (
            f'<rowBreaks count="{len(spec.breaks)}" manualBreakCount="{len(spec.breaks)}">'
            + "".join(f'<brk id="{r - 1}" max="16383" man="1"/>' for r in spec.breaks)
            + "</rowBreaks>"
        )
    return xml


def table_xml(t: TableSpec, table_id: int) -> str:
    """A table part: a header row and body, filter buttons and a banded style."""
    cols = "".join(
        f'<tableColumn id="{k + 1}" name={quoteattr(c)}/>' for k, c in enumerate(t.columns)
    )
    return (
        f'{XML_DECL}<table xmlns="{NS_MAIN}" id="{table_id}" name={quoteattr(t.name)} '
        f'displayName={quoteattr(t.name)} ref="{t.ref}" totalsRowShown="0">'
        f'<autoFilter ref="{t.ref}"/><tableColumns count="{len(t.columns)}">{cols}'
        '</tableColumns><tableStyleInfo name="TableStyleLight9" showFirstColumn="0" '
        'showLastColumn="0" showRowStripes="1" showColumnStripes="0"/></table>'
    )


class _Named:
    """What openpyxl's ``Reference`` needs of a worksheet: its title."""

    def __init__(self, title: str):
        self.title = title


NS_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


#: Fills of a bar chart's series, in order (NHS blue, then a grey).
BAR_COLOURS = ("005EB8", "A6A6A6", "1F4E79", "7F7F7F")
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
    for series in chart.series:
        series.smooth = False  # straight lines between points: no overshoot
        if ch.kind == "line":
            series.marker.symbol = "circle"
            series.marker.size = 6
    _chart_style(chart, ch)
    if not ch.legend:
        chart.legend = None
    else:
        chart.legend.position = "b"
    return chart_part(chart)


def _scatter(ws: Any, ch: ChartSpec) -> Any:
    """A scatter chart of points: x from ``min_col``, y from ``first_series_col``."""
    from openpyxl.chart import Reference, ScatterChart, Series
    from openpyxl.chart.shapes import GraphicalProperties

    chart = ScatterChart()
    chart.title, chart.height, chart.width = _chart_title(ch.title), ch.height, ch.width
    chart.x_axis.title, chart.y_axis.title = ch.x_title or None, ch.y_title or None
    chart.y_axis.number_format = ch.y_format
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


# --------------------------------------------------------------------------- the package


def defined_cells(parts: dict[str, bytes]) -> dict[str, tuple[str, int, int]]:
    """Workbook-level defined names that point at one cell: name -> (sheet, row, column)."""
    out = {}
    for name, ref in defined_names(parts).items():
        hit = sheet_cell(ref)
        if hit:
            sheet, row, column = hit
            out[name] = (sheet, row, column + 1)
    return out


def not_owned(names: list[str]) -> InputError:
    """The refusal to replace sheets xlalloc did not write (the same on every surface)."""
    return InputError(
        f"the workbook has sheet(s) {names} that xlalloc did not write (they are not on its "
        f"record, the hidden name {OWNER_NAME}); xlalloc never overwrites a sheet of yours: "
        "rename or move them and run again",
        where="workbook",
    )


def owner_record(value: str | None) -> list[str]:
    """The sheet names in the record's value (``"Targets|Summary"``, with or without ``=``)."""
    return [s for s in str(value or "").lstrip("=").strip('"').split("|") if s]


def owned_sheets(parts: dict[str, bytes]) -> list[str]:
    """The sheets a package's record names as xlalloc's."""
    return owner_record(defined_names(parts).get(OWNER_NAME, ""))


def _drop_owned_parts(parts: dict[str, bytes], sheet_part: str) -> list[str]:
    """Remove a sheet part of xlalloc's with its relationships, drawings and charts."""
    removed = [sheet_part]
    for r in rels_of(parts, sheet_part):
        if r.get("Type") == REL_TABLE:
            removed.append(norm_part(resolve_target(sheet_part, r["Target"])))
        if r.get("Type") == REL_DRAWING:
            d = norm_part(resolve_target(sheet_part, r["Target"]))
            for rr in rels_of(parts, d):
                if rr.get("Type") == REL_CHART:
                    removed.append(norm_part(resolve_target(d, rr["Target"])))
            removed += [d, rels_part(d)]
    removed.append(rels_part(sheet_part))
    for p in removed:
        parts.pop(p, None)
    return removed


def _free(parts: dict[str, bytes], pattern: str) -> int:
    k = 1
    while pattern.format(k) in parts:
        k += 1
    return k


#: Worksheet children that come after conditional formatting, and after a drawing.
_AFTER_CF = (
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
)
_AFTER_DRAWING = _AFTER_CF[_AFTER_CF.index("legacyDrawing") :]


def _rels_xml(entries: Iterable[str]) -> bytes:
    return (
        f'{XML_DECL}<Relationships xmlns="{NS_PKG_REL}">' + "".join(entries) + "</Relationships>"
    ).encode("utf-8")


def _add_rels(parts: dict[str, bytes], rels: str, entries: Sequence[str]) -> None:
    """Relationships appended to a relationships part (created if there is none)."""
    if rels not in parts:
        parts[rels] = _rels_xml(entries)
        return
    root = parse(parts[rels], rels)
    root.extend(fragment("".join(entries), namespace_of(root)))
    parts[rels] = serialise(root)


class _Edit:
    """One editing session over a package: xlalloc's parts added, others kept."""

    def __init__(self, parts: dict[str, bytes]):
        self.parts = dict(parts)
        self.wb_part = workbook_part(self.parts)
        self.wb_rels_part = rels_part(self.wb_part)
        for name in (self.wb_part, self.wb_rels_part, CONTENT_TYPES):
            if name not in self.parts:
                raise InputError(f"not a workbook package: no {name}", where="package")
            _parse_check(self.parts[name], name)
        self.wb = parse(self.parts[self.wb_part], self.wb_part)
        self.wb_rels = rels_of(self.parts, self.wb_part)
        styles = next(
            (
                norm_part(resolve_target(self.wb_part, r["Target"]))
                for r in self.wb_rels
                if r.get("Type", "").endswith("/styles")
            ),
            None,
        )
        if styles is None or styles not in self.parts:
            raise InputError("the workbook has no styles part", where=STYLES_PART)
        _parse_check(self.parts[styles], styles)
        self.styles_part = styles
        self.styles = _Styles.parse(self.parts[styles])
        self.sheets = {s.name: s for s in sheets(self.wb, self.wb_part, self.wb_rels)}
        self.owned = owned_sheets(self.parts)
        self.removed: list[str] = []
        self.added_ct: list[tuple[str, str]] = []
        self.new_sheets: list[tuple[str, int, str]] = []  # name, sheetId, relationship id
        self.new_rels: list[str] = []
        self.used_rids = {r.get("Id", "") for r in self.wb_rels}
        self.max_id = max([0, *(s.sheet_id for s in self.sheets.values())])
        self.written: list[str] = []
        self.print_titles: dict[str, str] = {}

    # ---- xlalloc's own sheets
    def replace(self, spec: SheetSpec) -> None:
        """Add xlalloc's sheet, or replace it if the package's record says it is ours."""
        if spec.name in self.sheets and spec.name not in self.owned:
            raise not_owned([spec.name])
        if spec.name in self.sheets:
            part = self.sheets[spec.name].part
            self.removed += _drop_owned_parts(self.parts, part)
            self.added_ct.append((part, CT_SHEET))  # the same part, rewritten: entry kept
        else:
            part = f"xl/worksheets/sheet{_free(self.parts, 'xl/worksheets/sheet{}.xml')}.xml"
            k = 1
            while f"rId{k}" in self.used_rids:
                k += 1
            rid = f"rId{k}"
            self.used_rids.add(rid)
            self.max_id += 1
            self.new_sheets.append((spec.name, self.max_id, rid))
            target = str(PurePosixPath(part).relative_to(PurePosixPath(self.wb_part).parent))
            self.new_rels.append(f'<Relationship Id="{rid}" Type="{REL_SHEET}" Target="{target}"/>')
            self.added_ct.append((part, CT_SHEET))
            self.parts[part] = b""  # reserve the name
        drawing_rid = None
        rels = []
        if spec.charts:
            dpart = self._new_drawing(spec.name, spec.charts)
            drawing_rid = "rId1"
            rels.append(
                f'<Relationship Id="rId1" Type="{REL_DRAWING}" '
                f'Target="../drawings/{PurePosixPath(dpart).name}"/>'
            )
        table_rids = []
        for k, t in enumerate(spec.tables):
            n = _free(self.parts, "xl/tables/table{}.xml")
            tpart = f"xl/tables/table{n}.xml"
            t = TableSpec(self._table_name(t.name), t.ref, t.columns)
            self.parts[tpart] = table_xml(t, self._table_id()).encode("utf-8")
            self.added_ct.append((tpart, CT_TABLE))
            table_rids.append(f"rIdT{k + 1}")
            rels.append(
                f'<Relationship Id="rIdT{k + 1}" Type="{REL_TABLE}" '
                f'Target="../tables/table{n}.xml"/>'
            )
        if rels:
            self.parts[rels_part(part)] = _rels_xml(rels)
        printed = _printed_width(spec)  # once: for the scale and the page breaks
        scale = print_scale(spec, printed)
        kept = kept_breaks(spec, scale, printed[0])
        if kept:
            spec = replace(spec, breaks=sorted({*spec.breaks, *kept}))
        xml = sheet_xml(spec, self.styles, drawing_rid, table_rids, scale=scale)
        self.parts[part] = xml.encode("utf-8")
        self.written.append(spec.name)
        titles = []
        if scale is not None:  # columns run on: repeat the identifying column
            titles.append(f"{quote_sheet(spec.name)}!$A:$A")
        if spec.page.title_rows:
            r1, r2 = spec.page.title_rows
            titles.append(f"{quote_sheet(spec.name)}!${r1}:${r2}")
        if titles:
            self.print_titles[spec.name] = ",".join(titles)

    def _tables(self) -> list[dict[str, str]]:
        """The root attributes of every table part in the package."""
        return [
            attrs(read(data, name))
            for name, data in self.parts.items()
            if name.startswith("xl/tables/") and name.endswith(".xml") and data
        ]

    def _table_id(self) -> int:
        return max([0, *(int(a.get("id", "0")) for a in self._tables())]) + 1

    def _table_name(self, name: str) -> str:
        """A table name no other table in the workbook has (names are workbook-wide)."""
        taken = {a.get("displayName", "").lower() for a in self._tables()}
        taken |= {n.lower() for n in defined_names(self.parts)}
        k, out = 1, name
        while out.lower() in taken:
            k += 1
            out = f"{name}_{k}"
        return out

    def _charts(
        self, sheet: str, charts: Sequence[ChartSpec], drawing_part: str, rid_prefix: str
    ) -> tuple[list[str], list[str]]:
        """Chart parts for a drawing: (anchors, relationships)."""
        anchors, rels = [], []
        for k, ch in enumerate(charts):
            n = _free(self.parts, "xl/charts/chart{}.xml")
            cpart = f"xl/charts/chart{n}.xml"
            self.parts[cpart] = chart_xml(sheet, ch).encode("utf-8")
            self.added_ct.append((cpart, CT_CHART))
            rid = f"{rid_prefix}{k + 1}"
            rels.append(
                f'<Relationship Id="{rid}" Type="{REL_CHART}" Target="../charts/chart{n}.xml"/>'
            )
            anchors.append(_anchor(ch, rid, 1000 + k))
        return anchors, rels

    def _new_drawing(self, sheet: str, charts: Sequence[ChartSpec]) -> str:
        dpart = f"xl/drawings/drawing{_free(self.parts, 'xl/drawings/drawing{}.xml')}.xml"
        self.parts[dpart] = b""  # reserve the name
        anchors, rels = self._charts(sheet, charts, dpart, "rId")
        self.parts[dpart] = (
            f'{XML_DECL}<xdr:wsDr xmlns:xdr="{NS_XDR}" xmlns:a="{NS_A}">'
            + "".join(anchors)
            + "</xdr:wsDr>"
        ).encode("utf-8")
        self.parts[rels_part(dpart)] = _rels_xml(rels)
        self.added_ct.append((dpart, CT_DRAWING))
        return dpart

    # ---- a template's sheets, filled
    def overlay(self, spec: SheetSpec) -> None:
        """Write cells, highlights and charts onto an existing sheet, keeping the rest of it.

        A cell already there keeps its styling except what the spec sets (a template's
        fonts, fills and borders survive); pictures and charts already on the sheet stay.
        """
        if spec.name not in self.sheets:
            raise InputError(f"the template has no sheet {spec.name!r}", where="template")
        part = self.sheets[spec.name].part
        root = parse(self.parts[part], part)
        _merge_cells(root, spec.cells, self.styles, _wrapped_heights(root, spec))
        _fill_tokens(root, spec)
        ns = namespace_of(root)
        _add_merges(root, spec.cells)
        if spec.highlights:
            prio = max(
                [0, *(int(attrs(r).get("priority", "0")) for r in descendants(root, "cfRule"))]
            )
            add = "".join(
                f'<conditionalFormatting sqref="{h.ref}"><cfRule type="expression" '
                f'dxfId="{self.styles.dxf(h.fill_color)}" priority="{prio + k + 1}"><formula>'
                f"{_text(h.formula)}</formula></cfRule></conditionalFormatting>"
                for k, h in enumerate(spec.highlights)
            )
            _insert_at(root, _index_before(root, _AFTER_CF), fragment(add, ns))
        if spec.charts:
            self._overlay_charts(root, part, spec)
        self.parts[part] = serialise(root)

    def _overlay_charts(self, root: Element, part: str, spec: SheetSpec) -> None:
        """A template sheet's charts: in a new drawing, or beside the template's own."""
        drawing = next((r for r in rels_of(self.parts, part) if r.get("Type") == REL_DRAWING), None)
        if drawing is None:
            dpart = self._new_drawing(spec.name, spec.charts)
            entry = (
                f'<Relationship Id="rIdXlalloc1" Type="{REL_DRAWING}" '
                f'Target="../drawings/{PurePosixPath(dpart).name}"/>'
            )
            _add_rels(self.parts, rels_part(part), [entry])
            tag = _one(f'<drawing xmlns:r="{NS_REL}" r:id="rIdXlalloc1"/>', namespace_of(root))
            root.insert(_index_before(root, _AFTER_DRAWING), tag)
            return
        # The template's own drawing (a logo, say): add the charts beside it.
        dpart = norm_part(resolve_target(part, drawing["Target"]))
        droot = parse(self.parts[dpart], dpart)
        anchors, chart_rels = self._charts(spec.name, spec.charts, dpart, "rIdXlalloc")
        droot.extend(fragment("".join(anchors), None))
        self.parts[dpart] = serialise(droot)
        _add_rels(self.parts, rels_part(dpart), chart_rels)

    def finish(self) -> dict[str, bytes]:
        """The edited package: workbook, relationships, content types and styles updated."""
        self.parts[self.styles_part] = self.styles.render()
        wb, ns = self.wb, namespace_of(self.wb)
        if self.new_sheets:
            block = children(wb, "sheets")
            if not block:
                raise InputError("workbook.xml has no <sheets>", where=self.wb_part)
            for name, sheet_id, rid in self.new_sheets:
                block[0].append(
                    wb.makeelement(
                        qname(ns, "sheet"),
                        {"name": name, "sheetId": str(sheet_id), qname(NS_REL, "id"): rid},
                    )
                )
        if self.written:
            _set_owner(wb, sorted(set(self.owned) | set(self.written)))
        order = [*self.sheets, *(n for n in self.written if n not in self.sheets)]
        for name in self.written:
            _set_defined(wb, PRINT_TITLES, self.print_titles.get(name), order.index(name))
        _full_calc(wb)
        self.parts[self.wb_part] = serialise(wb)
        if self.new_rels:
            _add_rels(self.parts, self.wb_rels_part, self.new_rels)
        self.parts[CONTENT_TYPES] = _content_types(
            self.parts[CONTENT_TYPES], self.removed, self.added_ct
        )
        return self.parts


#: Placeholders a template's printed header and footer may hold, filled on every write.
TOKENS = {"[marking]": lambda spec: spec.page.marking, "[run]": lambda spec: spec.page.stamp}


def _fill_tokens(root: Element, spec: SheetSpec) -> None:
    """A template sheet's header and footer with ``[marking]`` and ``[run]`` filled in."""
    for block in children(root, "headerFooter"):
        for el in block:
            if isinstance(el.tag, str) and el.text:
                for token, value in TOKENS.items():
                    el.text = el.text.replace(token, _safe(value(spec).replace("&", "&&")))


#: The control characters XML 1.0 forbids, each to Excel's ``_xHHHH_`` form.
_CONTROL = {c: f"_x{c:04X}_" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}


def _safe(v: str) -> str:
    """Text with the control characters XML 1.0 forbids in Excel's ``_xHHHH_`` form."""
    if v.isprintable():  # the usual case: nothing to replace
        return v
    return v.translate(_CONTROL)


#: What follows ``<mergeCells>`` in a worksheet (the schema's order).
_AFTER_MERGE = ("phoneticPr", "conditionalFormatting", *_AFTER_CF)


def _add_merges(root: Element, cells: Sequence[CellSpec]) -> None:
    """Cells spanning several columns merged on a template's sheet (beside its own merges)."""
    refs = [f"{col(c.col)}{c.row}:{col(c.col + c.span - 1)}{c.row}" for c in cells if c.span > 1]
    if not refs:
        return
    ns = namespace_of(root)
    found = children(root, "mergeCells")
    block = found[0] if found else None
    if block is None:
        block = root.makeelement(qname(ns, "mergeCells"), {})
        root.insert(_index_before(root, _AFTER_MERGE), block)
    have = {attrs(m).get("ref") for m in block}
    for ref in refs:
        if ref not in have:
            block.append(block.makeelement(qname(ns, "mergeCell"), {"ref": ref}))
    block.set("count", str(len(block)))


def _wrapped_heights(root: Element, spec: SheetSpec) -> dict[int, float]:
    """Heights of rows whose wrapped cells need more than one line in the template's columns."""
    widths: dict[int, float] = {}
    for el in descendants(root, "col"):
        a = attrs(el)
        for j in range(int(a.get("min", "1")), int(a.get("max", "1")) + 1):
            widths[j] = float(a.get("width", "8.43"))
    return wrapped_heights(spec.cells, lambda j: widths.get(j, 8.43))


def _merge_cells(
    root: Element,
    cells: Sequence[CellSpec],
    styles: _Styles,
    heights: dict[int, float] | None = None,
) -> None:
    """Cells written into a sheet's ``<sheetData>``, in row and column order.

    ``heights`` sets rows' heights (wrapped headers); other rows keep theirs. Rows lose
    their optional ``spans`` hint, which the new cells may make wrong.
    """
    found = children(root, "sheetData")
    if not found:
        raise InputError("a template sheet has no cell data", where="template")
    data = found[0]
    ns = namespace_of(root)
    rows: dict[int, Element] = {}
    for row in children(data, "row"):
        row.attrib.pop("spans", None)
        rows[int(row.get("r"))] = row

    def row_of(r: int) -> Element:
        if r not in rows:
            new = data.makeelement(qname(ns, "row"), {"r": str(r)})
            after = [k for k in rows if k < r]
            data.insert(data.index(rows[max(after)]) + 1 if after else 0, new)
            rows[r] = new
        return rows[r]

    for r, height in (heights or {}).items():
        row = row_of(r)
        row.set("ht", f"{height:g}")
        row.set("customHeight", "1")
    columns: dict[int, dict[int, Element]] = {}  # row -> column -> its cell, read once
    written: list[tuple[CellSpec, Element, str]] = []
    for c in cells:
        row = row_of(c.row)
        if c.row not in columns:
            columns[c.row] = {cell_rc(x.get("r"))[1] + 1: x for x in children(row, "c")}
        old = columns[c.row].get(c.col)
        base = int(old.get("s", "0")) if old is not None else 0
        new_xml = _cell_xml(c, styles.xf(c, base))
        if new_xml:
            written.append((c, row, new_xml))
    # Every new cell parsed in one go, then put in place one by one.
    made = fragment("".join(x for _c, _r, x in written), ns) if written else []
    for (c, row, _xml), new in zip(written, made, strict=True):
        by_col = columns[c.row]
        old = by_col.get(c.col)
        if old is not None:
            row.replace(old, new)
        else:
            later = [k for k in by_col if k > c.col]
            row.insert(row.index(by_col[min(later)]) if later else len(row), new)
        by_col[c.col] = new


def replace_sheets(parts: dict[str, bytes], specs: Iterable[SheetSpec]) -> dict[str, bytes]:
    """The package with xlalloc's sheets added or replaced; every other part unchanged.

    Args:
        parts: The source package's parts (:func:`read_parts`); not modified.
        specs: The sheets to write; one already on the package's record of xlalloc's
            sheets is replaced in place, others are added at the end.

    Raises:
        InputError: A sheet of the same name exists that xlalloc did not write, or a
            part xlalloc must edit is missing or malformed.
    """
    edit = _Edit(parts)
    for spec in specs:
        edit.replace(spec)
    return edit.finish()


def fill_template(
    parts: dict[str, bytes], overlays: Iterable[SheetSpec], new: Iterable[SheetSpec] = ()
) -> dict[str, bytes]:
    """A template package with cells, highlights and charts written onto its sheets.

    Everything else in the template (styling, logos, pictures, charts, text) is kept.

    Args:
        parts: The template's parts; not modified.
        overlays: What to write onto existing sheets (named as in the template).
        new: Sheets of xlalloc's own to add.
    """
    edit = _Edit(parts)
    for spec in overlays:
        edit.overlay(spec)
    for spec in new:
        edit.replace(spec)
    return edit.finish()


def _set_owner(wb: Element, names: list[str]) -> None:
    """Add or replace the hidden defined name recording xlalloc's sheets."""
    _set_defined(wb, OWNER_NAME, '"' + "|".join(names) + '"', hidden=True)


def _set_defined(
    wb: Element, name: str, value: str | None, local: int | None = None, hidden: bool = False
) -> None:
    """Add, replace or (``value=None``) remove one defined name, global or a sheet's.

    Args:
        wb: The workbook part's root element.
        name: The defined name.
        value: Its formula text; ``None`` removes it.
        local: The sheet's position (``localSheetId``) for a sheet-level name.
        hidden: Hidden from Excel's name manager.
    """
    ns = namespace_of(wb)
    tag = None
    if value is not None:
        a = {"name": name}
        if local is not None:
            a["localSheetId"] = str(local)
        if hidden:
            a["hidden"] = "1"
        tag = wb.makeelement(qname(ns, "definedName"), a)
        tag.text = value
    scope = None if local is None else str(local)
    for el in descendants(wb, "definedName"):
        if el.get("name") == name and el.get("localSheetId") == scope:
            if tag is None:
                el.getparent().remove(el)
            else:
                tag.tail = el.tail
                el.getparent().replace(el, tag)
            return
    if tag is None:
        return
    block = children(wb, "definedNames")
    if not block:
        if not children(wb, "sheets"):
            raise InputError("workbook.xml has no <sheets>", where="xl/workbook.xml")
        # definedNames follows sheets (and functionGroups, externalReferences) in the schema.
        block = [wb.makeelement(qname(ns, "definedNames"), {})]
        after = ("sheets", "functionGroups", "externalReferences")
        wb.insert(_index_after(wb, after), block[0])
    block[0].append(tag)


def _full_calc(wb: Element) -> None:
    """The workbook set to recalculate every formula when Excel opens it."""
    calc = children(wb, "calcPr")
    if calc:
        calc[0].set("fullCalcOnLoad", "1")
        return
    after = ("sheets", "functionGroups", "externalReferences", "definedNames")
    el = wb.makeelement(qname(namespace_of(wb), "calcPr"), {"fullCalcOnLoad": "1"})
    wb.insert(_index_after(wb, after), el)


def _content_types(data: bytes, removed: list[str], added: list[tuple[str, str]]) -> bytes:
    """Drop overrides of removed parts and add those of new ones.

    A part replaced under the same name keeps its entry where it was, so a second run
    gives the same file.
    """
    root = parse(data, CONTENT_TYPES)
    kept = {"/" + p for p, _ in added}
    gone = {"/" + p for p in removed} - kept
    present = set()
    for el in list(children(root, "Override")):
        name = el.get("PartName", "")
        present.add(name)
        if name in gone:
            root.remove(el)
    add = "".join(
        f'<Override PartName="/{p}" ContentType="{ct}"/>'
        for p, ct in added
        if "/" + p not in present
    )
    root.extend(fragment(add, namespace_of(root)))
    return serialise(root)


def write_package(
    parts: dict[str, bytes],
    order: Sequence[str],
    out: io.BufferedIOBase | str | Path,
    infos: dict[str, zipfile.ZipInfo] | None = None,
    source: str | Path | None = None,
    original: dict[str, bytes] | None = None,
) -> None:
    """Write parts as a zip package.

    The source's entries come first, in their order and with their own entry metadata;
    then new parts, in name order. With ``source`` and ``original`` (its parts as read),
    a part left unchanged is copied from the source file as it is stored there,
    compressed bytes and all, without being compressed again.
    """
    infos = infos or {}
    raw = zipfile.ZipFile(source) if source is not None and original is not None else None
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            seen = set()
            for name in [*order, *sorted(set(parts) - set(order))]:
                if name not in parts or name in seen:
                    continue
                seen.add(name)
                src = infos.get(name)
                if (
                    raw is not None
                    and original is not None
                    and src is not None
                    and (original.get(name) is parts[name] or original.get(name) == parts[name])
                ):
                    copy_stored(raw, z, raw.getinfo(name))
                    continue
                info = zipfile.ZipInfo(
                    name, date_time=src.date_time if src else (1980, 1, 1, 0, 0, 0)
                )
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = src.external_attr if src else 0o600 << 16
                z.writestr(info, parts[name])
    finally:
        if raw is not None:
            raw.close()


def new_package() -> dict[str, bytes]:
    """The parts of an empty workbook package (sheets are added by :func:`replace_sheets`)."""
    return {
        "[Content_Types].xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats'
            b'-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml"'
            b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+'
            b'xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.'
            b'openxmlformats-package.core-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{NS_REL}/'
            'officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://'
            'schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
            'Target="docProps/core.xml"/></Relationships>'
        ).encode(),
        "docProps/core.xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            b'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            b'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/'
            b'XMLSchema-instance"><dc:creator>xlalloc</dc:creator><dcterms:created xsi:type='
            b'"dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created></cp:coreProperties>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}"><bookViews><workbookView/>'
            '</bookViews><sheets></sheets><calcPr calcId="191029" fullCalcOnLoad="1"/>'
            "</workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{NS_PKG_REL}"><Relationship Id="rId1" Type="{NS_REL}/'
            'styles" Target="styles.xml"/></Relationships>'
        ).encode(),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="11"/>'
            '<name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill>'
            '<patternFill patternType="none"/></fill><fill><patternFill patternType='
            '"gray125"/></fill></fills><borders count="1"><border><left/><right/><top/>'
            '<bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
            'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
            'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles '
            'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        ).encode(),
    }
