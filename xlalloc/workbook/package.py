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

This module edits the package (its parts, relationships, content types, defined names
and the record of xlalloc's sheets); the rest is by concern: :mod:`.styles` (the styles
part), :mod:`.sheetxml` (a sheet's XML), :mod:`.printing` (print scaling and breaks),
:mod:`.charts` (chart parts and their anchors) and :mod:`.xmlparts` (the namespaces and
small XML helpers they share).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path, PurePosixPath

from ..engine.errors import InputError, quoted
from ..readers.archive import Limits, read_parts, read_parts_bytes
from ..readers.cells import cell_rc, sheet_cell
from ..readers.ooxml import (
    XML_DECL,
    Element,
    attrs,
    children,
    defined_names,
    descendants,
    fragment,
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
from .charts import NS_A, NS_XDR, _anchor, chart_xml
from .pinned import copy_stored
from .printing import _printed_width, kept_breaks, print_scale
from .sheetspec import (
    CellSpec,
    ChartSpec,
    SheetSpec,
    TableSpec,
    col,
    quote_sheet,
    wrapped_heights,
)
from .sheetxml import _cell_xml, sheet_xml, table_xml
from .styles import _Styles
from .xmlparts import (
    CONTENT_TYPES,
    CT_CHART,
    CT_DRAWING,
    CT_SHEET,
    CT_TABLE,
    NS_MAIN,
    NS_PKG_REL,
    NS_REL,
    PRINT_TITLES,
    REL_CHART,
    REL_DRAWING,
    REL_SHEET,
    REL_TABLE,
    STYLES_PART,
    _index_after,
    _index_before,
    _insert_at,
    _one,
    _parse_check,
    _safe,
    _text,
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
        f"the workbook has sheet(s) {quoted(names)} that xlalloc did not write (they are not "
        f"on its record, the hidden name {OWNER_NAME}); xlalloc never overwrites a sheet of "
        "yours: "
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
        if spec.breaks:
            _add_breaks(root, spec.breaks, ns)
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


def _add_breaks(root: Element, rows: Sequence[int], ns: str | None) -> None:
    """Manual page breaks above ``rows``, beside any the sheet has (a template's)."""
    found = children(root, "rowBreaks")
    if not found:
        after = _AFTER_CF[_AFTER_CF.index("rowBreaks") + 1 :]
        _insert_at(root, _index_before(root, after), fragment("<rowBreaks/>", ns))
        found = children(root, "rowBreaks")
    breaks = found[0]
    for r in rows:
        breaks.append(fragment(f'<brk id="{r - 1}" max="16383" man="1"/>', ns)[0])
    n = str(len(children(breaks, "brk")))
    breaks.set("count", n)
    breaks.set("manualBreakCount", n)


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
    source: str | Path | io.BytesIO | None = None,
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
