"""The namespaces, part names and small XML helpers of the package writer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from ..readers.ooxml import (
    Element,
    fragment,
    local,
    read,
)

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


#: The control characters XML 1.0 forbids, each to Excel's ``_xHHHH_`` form.
_CONTROL = {c: f"_x{c:04X}_" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))}


def _safe(v: str) -> str:
    """Text with the control characters XML 1.0 forbids in Excel's ``_xHHHH_`` form."""
    if v.isprintable():  # the usual case: nothing to replace
        return v
    return v.translate(_CONTROL)


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
