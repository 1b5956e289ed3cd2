"""A sheet's XML from its :class:`~xlalloc.workbook.sheetspec.SheetSpec`.

Cells by type, merges, the print setup, and its tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast
from xml.sax.saxutils import quoteattr

from ..readers.cells import cell_rc, col_index
from ..readers.ooxml import (
    XML_DECL,
)
from .printing import page_xml
from .sheetspec import (
    CellSpec,
    SheetSpec,
    TableSpec,
    col,
    is_figure,
)
from .styles import _Styles
from .xmlparts import NS_MAIN, NS_REL, _text

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
    return value_xml(ref, style, v)


def value_xml(ref: str, style: int, v: object) -> str:
    """A cell holding a value (a figure, text, a true/false, or nothing), in style ``style``.

    Text is an inline string, so no shared-strings part is touched; a blank cell is
    written only where it has a style (``""`` otherwise).
    """
    s = f' s="{style}"' if style else ""
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
