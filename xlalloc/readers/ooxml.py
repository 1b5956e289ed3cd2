"""A workbook package's parts as XML trees: the one adapter that parses and re-serialises them.

Every part xlalloc reads for the package's structure (relationships, the workbook's sheet
list and defined names) and every part it edits but does not own (the workbook, its
relationships, content types, styles, a template's sheets and drawings) goes through
:func:`parse` and :func:`serialise`, with lxml: any well-formed XML is handled, single or
double quotes, any namespace prefixes, nested elements and namespace declarations on
any element, and only the parts edited are re-serialised (every other part is copied
byte for byte by the package writer). The reader and the writer
(:mod:`xlalloc.workbook.package`) resolve a sheet to its part the same way: through the
package's own relationships, never by assuming ``xl/workbook.xml``.

Parsing is safe: a document type declaration (and so any entity) is refused, as
defusedxml refuses it, and nothing is fetched from the network.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from lxml import etree

from ..engine.errors import InputError

__all__ = [
    "XML_DECL",
    "Sheet",
    "Element",
    "attrs",
    "canonical",
    "children",
    "defined_names",
    "descendants",
    "fragment",
    "local",
    "namespace_of",
    "norm_part",
    "parse",
    "qname",
    "read",
    "rels_of",
    "rels_part",
    "resolve_target",
    "serialise",
    "sheet_parts",
    "sheets",
    "workbook_part",
]

#: A parsed element (lxml's element type).
Element = Any

#: The declaration written at the top of every part xlalloc serialises.
XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(data: bytes, name: str) -> Element:
    """A part's root element, a copy of its own to edit.

    Args:
        data: The part's bytes.
        name: The part's name, for messages.

    Raises:
        InputError: The part is not well-formed XML, or declares a document type
            (entities are refused in every part).
    """
    return copy.deepcopy(read(data, name).getroottree()).getroot()


@functools.lru_cache(maxsize=256)
def read(data: bytes, name: str) -> Element:
    """A part's root element to read, never to edit (one parse shared by every reader).

    Parsed once per distinct part (a template's parts are read for every pack).

    Raises:
        InputError: As :func:`parse`.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as e:
        raise InputError(
            f"part {name} is not well-formed XML or uses entities: {e}", where=name
        ) from None
    if root.getroottree().docinfo.doctype:
        raise InputError(
            f"part {name} is not well-formed XML or uses entities: it declares a document type",
            where=name,
        )
    return root


def serialise(root: Element) -> bytes:
    """A tree as a part's bytes: the declaration, then the document (with any comments)."""
    return XML_DECL.encode("utf-8") + etree.tostring(root.getroottree(), encoding="UTF-8")


def local(el: Element) -> str:
    """An element's local name (without its namespace)."""
    return str(el.tag).rpartition("}")[2]


def qname(namespace: str | None, name: str) -> str:
    """A qualified name in lxml's ``{namespace}name`` form."""
    return f"{{{namespace}}}{name}" if namespace else name


def namespace_of(el: Element) -> str | None:
    """An element's namespace URI."""
    return etree.QName(el).namespace


def children(el: Element, name: str) -> list[Element]:
    """An element's children with a local name (in any namespace)."""
    return list(el.iterchildren(f"{{*}}{name}"))


def descendants(el: Element, name: str) -> Iterator[Element]:
    """Every element below ``el`` (and ``el`` itself) with a local name, in document order."""
    return iter(el.iter(f"{{*}}{name}"))


def attrs(el: Element) -> dict[str, str]:
    """An element's attributes by local name (``r:id`` is ``id``)."""
    return {k.rpartition("}")[2]: v for k, v in el.attrib.items()}


def fragment(xml: str, namespace: str | None) -> list[Element]:
    """Elements from text written in a namespace's default form, ready to insert.

    ``fragment('<font><b/></font>', NS_MAIN)`` gives a ``font`` element in the main
    namespace, which lxml serialises with whatever prefix the target part uses.
    """
    ns = f' xmlns="{namespace}"' if namespace else ""
    wrapper = etree.fromstring(f"<fragment{ns}>{xml}</fragment>".encode(), _PARSER)
    return list(wrapper)


def canonical(el: Element) -> str:
    """An element as namespace-free text (local names, attributes in order).

    So entries compare equal however the part spells its prefixes.
    """
    # Attributes in other namespaces (Excel's extensions) are left out: an entry derived
    # from this text is valid without them.
    a = "".join(f' {k}="{_escape(v)}"' for k, v in el.attrib.items() if not k.startswith("{"))
    name = local(el)
    inner = "".join(canonical(c) for c in el if isinstance(c.tag, str))
    text = _escape(el.text) if el.text and el.text.strip() else ""
    if not inner and not text:
        return f"<{name}{a}/>"
    return f"<{name}{a}>{text}{inner}</{name}>"


def _escape(v: str) -> str:
    return v.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def resolve_target(base: str, target: str) -> str:
    """A relationship's target as a part name, relative to the part that holds it."""
    if target.startswith("/"):
        return target.lstrip("/")
    return str(PurePosixPath(base).parent.joinpath(target)).replace("\\", "/")


def norm_part(p: str) -> str:
    """A part name with ``.`` and ``..`` resolved."""
    out: list[str] = []
    for seg in p.split("/"):
        if seg == "..":
            if out:
                out.pop()
        elif seg not in ("", "."):
            out.append(seg)
    return "/".join(out)


def rels_part(part: str) -> str:
    """The name of a part's relationships part."""
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def rels_of(parts: dict[str, bytes], part: str) -> list[dict[str, str]]:
    """A part's relationships, each as its attributes.

    Raises:
        InputError: A relationship without its ``Id`` or ``Target`` (a damaged package).
    """
    rels = rels_part(part)
    if rels not in parts:
        return []
    out = [attrs(r) for r in descendants(read(parts[rels], rels), "Relationship")]
    for a in out:
        if not a.get("Id") or "Target" not in a:
            raise InputError(
                f"the workbook is damaged: a relationship in {rels} has no "
                "Id or Target; open it in Excel and save it again",
                where="package",
            )
    return out


def workbook_part(parts: dict[str, bytes]) -> str:
    """The workbook part's name, from the package's root relationships.

    Raises:
        InputError: The package has no workbook.
    """
    root = parts.get("_rels/.rels")
    if root is None:
        raise InputError("not a workbook package: no _rels/.rels part", where="package")
    for r in descendants(read(root, "_rels/.rels"), "Relationship"):
        a = attrs(r)
        if a.get("Type", "").endswith("/officeDocument"):
            return norm_part(a["Target"].lstrip("/"))
    raise InputError("not a workbook package: no main document", where="package")


@dataclass
class Sheet:
    """A sheet as the workbook lists it."""

    name: str
    rid: str
    part: str  # e.g. xl/worksheets/sheet3.xml
    sheet_id: int  # the workbook's sheetId


def sheets(wb: Element, wb_part: str, rels: list[dict[str, str]]) -> list[Sheet]:
    """The workbook's sheets, in order, each with its part.

    Args:
        wb: The workbook part's root element (:func:`parse`).
        wb_part: The workbook part's name.
        rels: The workbook's relationships (:func:`rels_of`).
    """
    targets = {r["Id"]: norm_part(resolve_target(wb_part, r["Target"])) for r in rels}
    out = []
    for el in (s for block in children(wb, "sheets") for s in children(block, "sheet")):
        a = attrs(el)
        rid = a.get("id", "")
        out.append(
            Sheet(a.get("name", ""), rid, targets.get(rid, ""), int(a.get("sheetId", "0") or 0))
        )
    return out


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> the name of its part."""
    wb = workbook_part(parts)
    if wb not in parts:
        raise InputError(f"not a workbook package: no {wb}", where="package")
    return {s.name: s.part for s in sheets(read(parts[wb], wb), wb, rels_of(parts, wb))}


def defined_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Workbook-level defined names and what they refer to, as text."""
    wb = workbook_part(parts)
    out = {}
    for el in descendants(read(parts[wb], wb), "definedName"):
        a = attrs(el)
        if "localSheetId" not in a:
            out[a.get("name", "")] = (el.text or "").strip()
    return out
