"""Reading a workbook package safely, before anything else reads it.

Every workbook xlalloc reads is checked here first: it must exist and be a file, not
be empty, be a zip package (an encrypted workbook or a legacy ``.xls`` is named as
such), stay within bounds when inflated (sizes and compression ratio are checked
before anything is inflated: no zip bombs), and declare no XML entities in any part
(no "billion laughs"). Cells holding a formula with no stored result, or an Excel
error value, are found here too, so readers report them instead of reading a blank.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import InputError
from .cells import cell_rc, error_message

__all__ = ["Limits", "cell_flags", "check_workbook", "read_parts", "read_parts_bytes"]

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """Bounds checked before any part is inflated (zip bombs, runaway files)."""

    part: int = 512 * 2**20
    total: int = 2 * 2**30
    ratio: float = 250.0
    parts: int = 20_000


def read_parts_bytes(data: bytes, name: str = "workbook") -> dict[str, bytes]:
    """:func:`read_parts` of a package held in memory."""
    return read_parts(io.BytesIO(data), name=name)


def read_parts(
    path: str | Path | io.BytesIO, limits: Limits = Limits(), name: str | None = None
) -> dict[str, bytes]:
    """Every part of a package, inflated only once the archive is known to be in bounds.

    Raises:
        InputError: Not a zip package, encrypted, or beyond a limit (naming it).
    """
    where = name or (Path(path).name if not isinstance(path, io.BytesIO) else "workbook")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, NotImplementedError) as e:  # (a version it lacks)
        raise InputError(f"cannot read as a workbook package: {e}", where=where) from None
    with z:
        infos = z.infolist()
        if len(infos) > limits.parts:
            raise InputError(
                f"holds {len(infos):,} parts; at most {limits.parts:,} expected", where=where
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError("the workbook is encrypted; save an unencrypted copy", where=where)
            size = info.file_size
            total += size
            if size > limits.part:
                raise InputError(
                    f"part {info.filename} would inflate to {size:,} bytes; at "
                    f"most {limits.part:,} expected",
                    where=where,
                )
            if size > 2**20 and size > limits.ratio * max(info.compress_size, 1):
                ratio = size / max(info.compress_size, 1)
                raise InputError(
                    f"part {info.filename} is compressed {ratio:,.0f} to 1; at "
                    f"most {limits.ratio:g} to 1 expected (a zip bomb?)",
                    where=where,
                )
        if total > limits.total:
            raise InputError(
                f"would inflate to {total:,} bytes; at most {limits.total:,} expected", where=where
            )
        parts = {}
        for info in infos:
            try:
                parts[info.filename] = z.read(info.filename)
            # A damaged header may claim a zip version or compression zipfile does not
            # know: NotImplementedError, damage all the same.
            except (
                zipfile.BadZipFile,
                zlib.error,
                EOFError,
                OSError,
                ValueError,
                NotImplementedError,
            ) as e:
                raise InputError(
                    f"the file is damaged: part {info.filename} cannot be read "
                    f"({e}); use a saved copy",
                    where=where,
                ) from None
        return parts


def check_workbook(path: str | Path) -> dict[str, bytes]:
    """A workbook file's parts, after every check in this module's description.

    Raises:
        InputError: Missing, a folder, empty, encrypted, legacy ``.xls``, not a
            workbook, beyond the archive limits, or declaring XML entities.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {p}", where=str(p))
    if p.is_dir():
        raise InputError(f"{p} is a folder; expected a workbook file", where=str(p))
    head = p.open("rb").read(8)
    if not head:
        raise InputError(
            "the file is empty (0 bytes); expected an Excel workbook (.xlsx)", where=p.name
        )
    if head == OLE_SIGNATURE:
        raise InputError(
            "the workbook is encrypted (password-protected) or in the legacy "
            ".xls format; in Excel remove the password (File > Info > Protect "
            "Workbook) or save as .xlsx",
            where=p.name,
        )
    if not head.startswith(b"PK"):
        raise InputError(
            "not an Excel workbook (.xlsx or .xlsm): the file is not a zip package", where=p.name
        )
    parts = read_parts(p)
    for name, data in parts.items():
        if name.endswith((".xml", ".rels")) and (
            b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data
        ):
            raise InputError(
                f"part {name} declares XML entities; xlalloc refuses them (they "
                "can expand without bound)",
                where=p.name,
            )
    return parts


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)


#: The start of a cell formula element, with or without a namespace prefix.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def cell_flags(parts: dict[str, bytes], sheet_part: str) -> dict[tuple[int, int], str]:
    """Cells of a sheet that must not be read as values: (row, 0-based column) -> why.

    A formula saved without its result (a workbook written by a tool that does not
    calculate) reads as blank; an Excel error (``#N/A``, ``#REF!``) reads as text.
    """
    data = parts.get(sheet_part, b"")
    # A formula element (<f>, <f t="shared" ...>, <x:f/>), not any tag beginning with f
    # (<firstHeader>, <formula1>): a data sheet without formulas is not scanned cell by cell.
    if not _FORMULA.search(data) and b't="e"' not in data:
        return {}
    out = {}
    for m in _CELL.finditer(data):
        attrs, body = m.group(1), m.group(2) or b""
        ref = re.search(rb'\br="([A-Z]+\d+)"', attrs)
        if ref is None:
            continue
        key = cell_rc(ref.group(1).decode())
        if b't="e"' in attrs:
            v = re.search(rb"<(?:\w+:)?v>([^<]*)<", body)
            out[key] = error_message(v.group(1).decode() if v else "#ERROR")
        elif b"<f" in body and not re.search(rb"<(?:\w+:)?v>[^<]+<", body):
            out[key] = (
                "holds a formula with no stored result (the workbook was saved "
                "without calculating); open and save it in Excel, or type the value"
            )
    return out
