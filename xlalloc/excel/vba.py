"""The add-in's VBA project: xlwings' own, with its ribbon module rewritten for xlalloc.

xlwings' quickstart add-in runs ``import <file name>; <file name>.main()`` from a module
called ``RibbonMyAddin`` in a project called ``MyAddin``, so the add-in worked only while
its file was named ``xlalloc.xlam``. :func:`rewrite_project` keeps every other module
byte for byte (xlwings' ``RunPython`` and the rest) and replaces that one:

* the module is ``xlallocRibbon``, whose ``RunMain`` runs ``import xlalloc;
  xlalloc.main()`` whatever the file is called, and the project is ``xlalloc``;
* its source is stored compressed as [MS-OVBA] 2.4.1 specifies, without compiled code;
  the project already tells Excel to compile from source (``_VBA_PROJECT`` version
  0xFFFF), so Excel builds it on first load;
* the ``dir``, ``PROJECT`` and ``PROJECTwm`` streams name the new module, and the
  compound file ([MS-CFB], version 3) is written afresh.

olefile and oletools, which read VBA projects for malware analysts, read the result
back in the tests, and LibreOffice opens the add-in and imports its modules.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "PROJECT_NAME",
    "RIBBON_MODULE",
    "RIBBON_SOURCE",
    "compress",
    "rewrite_project",
    "write_compound_file",
]

#: The VBA project's name and its ribbon module's.
PROJECT_NAME = "xlalloc"
RIBBON_MODULE = "xlallocRibbon"

#: The ribbon module: the Run button's callback, independent of the add-in's file name.
RIBBON_SOURCE = (
    f'Attribute VB_Name = "{RIBBON_MODULE}"\r\n'
    "Sub RunMain(control As IRibbonControl)\r\n"
    "    ' xlalloc's ribbon: run the action named on the model's Policy sheet.\r\n"
    '    RunPython "import xlalloc; xlalloc.main()"\r\n'
    "End Sub\r\n"
)

_TEMPLATE_MODULE = "RibbonMyAddin"
_TEMPLATE_PROJECT = "MyAddin"


# --------------------------------------------------------------------- compression


def compress(data: bytes) -> bytes:
    """[MS-OVBA] 2.4.1 compression: 4,096-byte chunks of literals and copy tokens."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start : start + 4096]
        body = _compress_chunk(chunk)
        if len(body) >= 4096 and len(chunk) == 4096:  # store raw: flag 0, 4,096 bytes
            out += struct.pack("<H", 0x3000 | 4095) + chunk
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


def _offset_bits(pos: int) -> int:
    """Bits of a copy token's offset at ``pos`` in its chunk; the rest give its length."""
    return max((pos - 1).bit_length(), 4)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while pos < len(chunk):
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= len(chunk):
                break
            offset, length = _match(chunk, pos)
            if length >= 3:
                token = ((offset - 1) << (16 - _offset_bits(pos))) | (length - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                pos += length
            else:
                out.append(chunk[pos])
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def _match(chunk: bytes, pos: int) -> tuple[int, int]:
    """The longest earlier copy of the bytes at ``pos`` a token can name (offset, length)."""
    if pos == 0:
        return 0, 0
    bits = _offset_bits(pos)
    start = max(0, pos - (1 << bits))  # the farthest an offset of ``bits`` bits reaches
    longest = min((0xFFFF >> bits) + 3, len(chunk) - pos)
    for length in range(longest, 2, -1):
        at = chunk.rfind(chunk[pos : pos + length], start, pos + length - 1)  # begins < pos
        if at != -1:
            return pos - at, length
    return 0, 0


# ------------------------------------------------------------------- the project


@dataclass
class _Record:
    id: int
    data: bytes


def _records(dir_stream: bytes) -> list[_Record]:
    out, i = [], 0
    while i < len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, i)
        if rid == 0x0009:  # PROJECTVERSION: its size field says 4, its data is 6 bytes
            size = 6
        out.append(_Record(rid, bytes(dir_stream[i + 6 : i + 6 + size])))
        i += 6 + size
    return out


def _serialise(records: list[_Record]) -> bytes:
    out = bytearray()
    for r in records:
        size = 4 if r.id == 0x0009 else len(r.data)
        out += struct.pack("<HI", r.id, size) + r.data
    return bytes(out)


def rewrite_project(vba_project: bytes) -> bytes:
    """Xlwings' quickstart ``vbaProject.bin`` with xlalloc's ribbon module and name.

    Raises:
        ValueError: The project is not the quickstart's (no ``RibbonMyAddin`` module).
    """
    import olefile
    from oletools.olevba import decompress_stream

    ole = olefile.OleFileIO(io.BytesIO(vba_project))
    streams = {
        "/".join(p): ole.openstream("/".join(p)).read()
        for p in ole.listdir(streams=True, storages=False)
    }
    root_clsid = ole.root.clsid
    ole.close()
    records = _records(decompress_stream(bytearray(streams["VBA/dir"])))
    names = [r.data for r in records if r.id == 0x0019]
    if _TEMPLATE_MODULE.encode() not in names:
        raise ValueError(
            f"the VBA project has no {_TEMPLATE_MODULE} module (modules: "
            f"{[n.decode('latin-1') for n in names]})"
        )
    in_ribbon = False
    for r in records:
        if r.id == 0x0004:  # PROJECTNAME
            r.data = PROJECT_NAME.encode()
        elif r.id == 0x0019:  # MODULENAME starts a module
            in_ribbon = r.data == _TEMPLATE_MODULE.encode()
        if not in_ribbon:
            continue
        if r.id in (0x0019, 0x001A):  # MODULENAME, MODULESTREAMNAME
            r.data = RIBBON_MODULE.encode()
        elif r.id in (0x0047, 0x0032):  # their UTF-16 forms
            r.data = RIBBON_MODULE.encode("utf-16-le")
        elif r.id == 0x0031:  # MODULEOFFSET: the new stream holds source only
            r.data = struct.pack("<I", 0)
    streams.pop(f"VBA/{_TEMPLATE_MODULE}")
    streams[f"VBA/{RIBBON_MODULE}"] = compress(RIBBON_SOURCE.encode("cp1252"))
    streams["VBA/dir"] = compress(_serialise(records))
    text = streams["PROJECT"].decode("cp1252")
    text = (
        text.replace(f"Module={_TEMPLATE_MODULE}\r\n", f"Module={RIBBON_MODULE}\r\n")
        .replace(f'Name="{_TEMPLATE_PROJECT}"', f'Name="{PROJECT_NAME}"')
        .replace(f"\r\n{_TEMPLATE_MODULE}=", f"\r\n{RIBBON_MODULE}=")
    )
    streams["PROJECT"] = text.encode("cp1252")
    streams["PROJECTwm"] = _name_map([r.data.decode("cp1252") for r in records if r.id == 0x0019])
    return write_compound_file(streams, root_clsid)


def _name_map(modules: list[str]) -> bytes:
    """The ``PROJECTwm`` stream: each module's name in the code page, then in UTF-16."""
    out = bytearray()
    for m in modules:
        out += m.encode("cp1252") + b"\x00" + m.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


# --------------------------------------------------------------- compound file

_SECTOR, _MINI, _CUTOFF = 512, 64, 4096
_FREE, _END, _FAT_SECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] | None = None
    clsid: bytes = b"\x00" * 16
    start: int = _END
    left: int = _FREE
    right: int = _FREE
    child: int = _FREE
    red: bool = False


def write_compound_file(streams: Mapping[str, bytes], root_clsid: str = "") -> bytes:
    """An [MS-CFB] version 3 file holding ``streams`` (paths such as ``VBA/dir``).

    Sectors after the header: the FAT, the directory, the mini FAT, then the mini stream
    and every stream of 4,096 bytes or more. Smaller streams live in the mini stream.
    Each storage's children form a balanced red-black tree in the order the format
    sets (name length, then upper-case name).
    """
    root = _Entry("Root Entry", 5, children=[])
    if root_clsid:
        import uuid

        root.clsid = uuid.UUID(root_clsid).bytes_le
    entries = _directory(root, streams)
    mini = bytearray()
    minifat: list[int] = []
    for e in entries:
        if e.kind == 2 and 0 < len(e.data) < _CUTOFF:
            e.start = len(minifat)
            n = -(-len(e.data) // _MINI)
            minifat += [e.start + k + 1 for k in range(n - 1)] + [_END]
            mini += e.data.ljust(n * _MINI, b"\x00")
    root.data = bytes(mini)
    big = [e for e in entries if e.data and (e.kind == 5 or len(e.data) >= _CUTOFF)]

    def sectors(n_bytes: int) -> int:
        return -(-n_bytes // _SECTOR)

    n_dir = sectors(len(entries) * 128)
    n_minifat = sectors(len(minifat) * 4)
    n_data = sum(sectors(len(e.data)) for e in big)
    n_fat = 1
    while n_fat * (_SECTOR // 4) < n_fat + n_dir + n_minifat + n_data:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("a VBA project this large needs DIFAT sectors, not written here")
    fat: list[int] = [_FAT_SECT] * n_fat  # index = sector number
    body = bytearray()

    def chain(data: bytes) -> int:
        start, n = len(fat), sectors(len(data))
        fat.extend([start + k + 1 for k in range(n - 1)] + [_END])
        body.extend(data.ljust(n * _SECTOR, b"\x00"))
        return start

    dir_start = chain(b"\x00" * (n_dir * _SECTOR))  # filled in once every start is known
    minifat_start = chain(b"".join(struct.pack("<I", x) for x in minifat)) if minifat else _END
    for e in big:
        e.start = chain(e.data)
    directory = b"".join(_dir_entry(e) for e in entries).ljust(n_dir * _SECTOR, b"\x00")
    body[(dir_start - n_fat) * _SECTOR : (dir_start - n_fat) * _SECTOR + len(directory)] = directory
    fat += [_FREE] * (n_fat * (_SECTOR // 4) - len(fat))
    header = bytearray(_SECTOR)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into(
        "<IIIIIIIIII",
        header,
        40,
        0,
        n_fat,
        dir_start,
        0,
        _CUTOFF,
        minifat_start,
        n_minifat,
        _END,
        0,
        0,
    )
    struct.pack_into("<109I", header, 76, *(list(range(n_fat)) + [_FREE] * (109 - n_fat)))
    return bytes(header) + b"".join(struct.pack("<I", x) for x in fat) + bytes(body)


def _directory(root: _Entry, streams: Mapping[str, bytes]) -> list[_Entry]:
    """Every storage and stream under ``root``, numbered in directory order.

    Each storage's children are linked as a red-black tree (name length, then upper-case
    name).
    """
    for path, data in sorted(streams.items()):
        parent = root
        parts = path.split("/")
        for part in parts[:-1]:
            assert parent.children is not None
            found = next((c for c in parent.children if c.name == part and c.kind == 1), None)
            if found is None:
                found = _Entry(part, 1, children=[])
                parent.children.append(found)
            parent = found
        assert parent.children is not None
        parent.children.append(_Entry(parts[-1], 2, data=data))
    entries: list[_Entry] = []

    def number(e: _Entry) -> None:
        entries.append(e)
        for c in e.children or []:
            number(c)

    number(root)
    index = {id(e): i for i, e in enumerate(entries)}
    for e in entries:
        if e.children:
            kids = sorted(e.children, key=lambda c: (len(c.name), c.name.upper()))
            e.child = _tree(kids, index, 0, (len(kids) + 1).bit_length() - 1)
    return entries


def _tree(kids: list[_Entry], index: dict[int, int], depth: int, full: int) -> int:
    """A balanced tree of the sorted ``kids``; returns its root's entry number.

    Splitting at the median leaves every empty link at depth ``full`` or ``full + 1``
    (``full`` complete levels), so nodes below the complete levels are coloured red and
    every path from the root meets the same number of black nodes.
    """
    if not kids:
        return _FREE
    mid = len(kids) // 2
    node = kids[mid]
    node.left = _tree(kids[:mid], index, depth + 1, full)
    node.right = _tree(kids[mid + 1 :], index, depth + 1, full)
    node.red = depth >= full
    return index[id(node)]


def _dir_entry(e: _Entry) -> bytes:
    name = e.name.encode("utf-16-le") + b"\x00\x00"
    out = bytearray(128)
    out[0 : len(name)] = name
    struct.pack_into("<HBB", out, 64, len(name), e.kind, 0 if e.red else 1)
    struct.pack_into("<III", out, 68, e.left, e.right, e.child)
    out[80:96] = e.clsid
    start = 0 if e.kind == 1 else e.start if e.data else _END
    struct.pack_into("<IQ", out, 116, start, len(e.data))
    return bytes(out)
