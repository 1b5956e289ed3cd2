"""A workbook's styles part: number formats, fonts, fills and cell formats appended.

Never changed or removed: a run reuses the entries it appended before, so the file
does not grow.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import quoteattr

from ..engine.errors import InputError
from ..readers.ooxml import (
    Element,
    attrs,
    canonical,
    children,
    descendants,
    fragment,
    namespace_of,
    parse,
    qname,
    read,
    serialise,
)
from .sheetspec import (
    CellSpec,
)
from .xmlparts import BUILTIN_FORMATS, STYLES_PART, _index_after, _one

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
