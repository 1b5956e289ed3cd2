"""How a sheet prints: the scale that fits it on the page legibly, and its breaks.

The scale fits the sheet's columns on one page across where its text stays legible;
the page breaks are kept at that scale.
"""

from __future__ import annotations

from ..readers.cells import cell_rc
from .sheetspec import (
    CHART_PT,
    DEFAULT_PT,
    MARGINS_PT,
    PAPER,
    VERTICAL_MARGINS_PT,
    SheetSpec,
    col,
    header_footer,
    print_fit,
    printed_width,
    shown,
)
from .xmlparts import _text

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
