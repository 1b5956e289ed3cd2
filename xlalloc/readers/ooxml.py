"""A workbook package's structure: relationships, its sheets' parts, its defined names.

Read from the parts as text (after :mod:`.archive` has checked them), so the reader and
the writer (:mod:`xlalloc.workbook.package`) resolve a sheet to its part the same way:
through the package's own relationships, never by assuming ``xl/workbook.xml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.sax.saxutils import unescape

from ..engine.errors import InputError

__all__ = [
    "Sheet",
    "defined_names",
    "find_elements",
    "norm_part",
    "opening_tag",
    "rels_of",
    "rels_part",
    "resolve_target",
    "sheet_parts",
    "sheets",
    "tag_attrs",
    "workbook_part",
]

_ATTR = re.compile(r'([\w:]+)\s*=\s*"([^"]*)"')
_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def tag_attrs(tag: str) -> dict[str, str]:
    """An element's attributes (unescaped) from its text."""
    return {k: unescape(v, _ENTITIES) for k, v in _ATTR.findall(tag)}


def find_elements(xml: str, name: str) -> list[re.Match[str]]:
    """Every ``<name .../>`` or ``<name ...>...</name>`` element (no nesting of ``name``)."""
    return list(
        re.finditer(rf"<(?:\w+:)?{name}\b[^>]*?(?:/>|>.*?</(?:\w+:)?{name}>)", xml, flags=re.S)
    )


def opening_tag(element: str) -> str:
    """An element's opening tag."""
    return element[: element.index(">") + 1]


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
    out = [
        tag_attrs(m.group(0)) for m in find_elements(parts[rels].decode("utf-8"), "Relationship")
    ]
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
    for m in find_elements(root.decode("utf-8"), "Relationship"):
        a = tag_attrs(m.group(0))
        if a.get("Type", "").endswith("/officeDocument"):
            return norm_part(a["Target"].lstrip("/"))
    raise InputError("not a workbook package: no main document", where="package")


@dataclass
class Sheet:
    """A sheet as the workbook lists it."""

    name: str
    rid: str
    part: str  # e.g. xl/worksheets/sheet3.xml
    tag: str  # the <sheet .../> element's text


def sheets(wb_xml: str, wb_part: str, rels: list[dict[str, str]]) -> list[Sheet]:
    """The workbook's sheets, in order, each with its part."""
    targets = {r["Id"]: norm_part(resolve_target(wb_part, r["Target"])) for r in rels}
    out = []
    for m in find_elements(wb_xml, "sheet"):
        a = tag_attrs(m.group(0))
        rid = next((v for k, v in a.items() if k.endswith(":id")), "")
        out.append(Sheet(a.get("name", ""), rid, targets.get(rid, ""), m.group(0)))
    return out


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet name -> the name of its part."""
    wb = workbook_part(parts)
    if wb not in parts:
        raise InputError(f"not a workbook package: no {wb}", where="package")
    return {s.name: s.part for s in sheets(parts[wb].decode("utf-8"), wb, rels_of(parts, wb))}


def defined_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Workbook-level defined names and what they refer to, as text."""
    out = {}
    for m in find_elements(parts[workbook_part(parts)].decode("utf-8"), "definedName"):
        a = tag_attrs(opening_tag(m.group(0)))
        if "localSheetId" not in a:
            text = re.sub(r"^<[^>]*>|</[^>]*>$", "", m.group(0))
            out[a.get("name", "")] = unescape(text, _ENTITIES).strip()
    return out
