"""The only code that touches private parts of a third-party library: pinned and tested.

Four things xlalloc needs have no public API:

* copying a zip entry's compressed bytes into another archive unchanged (so a part
  xlalloc did not edit is stored exactly as it was, not inflated and deflated again):
  CPython's :mod:`zipfile` keeps its directory in ``filelist``, ``NameToInfo`` and
  ``start_dir``, and writes it on close only when ``_didModify`` is set;
* a chart part from openpyxl's chart model without a workbook: ``ChartBase._write()``;
* one cell's style given to many cells at once, and read once for the many cells that
  share it: openpyxl keeps a cell's style as the indices in its ``_style`` array (what
  its own worksheet copier copies). Setting a font, fill and number format instead hashes
  each one again for every cell, and reading them builds a proxy for every cell: most of
  the time ``xlalloc new`` took to write and measure a year's practices;
* the cells a sheet holds, without making the empty ones around them: openpyxl keeps
  them in ``Worksheet._cells``; ``iter_rows`` makes a blank cell at every position of
  the sheet's rectangle that has none (a third of the cells ``xlalloc new`` measured).

Each is pinned: ``openpyxl>=3.1,<3.2`` and ``requires-python >=3.11`` in
``pyproject.toml``, and ``tests/workbook/test_pinned.py`` fails on any version where these
internals are not what this module expects.
"""

from __future__ import annotations

import copy
import struct
import zipfile
from collections.abc import Iterable
from typing import Any

__all__ = ["chart_part", "copy_stored", "held_cells", "same_style", "style_key"]


def copy_stored(zin: zipfile.ZipFile, zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Copy one entry's stored (compressed) bytes from one zip into another, unchanged.

    Args:
        zin: The source archive, open for reading.
        zout: The archive being written.
        info: The entry of ``zin`` to copy.
    """
    assert zin.fp is not None and zout.fp is not None
    zin.fp.seek(info.header_offset)
    header = zin.fp.read(30)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    zin.fp.seek(info.header_offset + 30 + name_len + extra_len)
    data = zin.fp.read(info.compress_size)
    entry = copy.copy(info)
    entry.flag_bits &= ~0x08  # sizes in the local header, no data descriptor
    entry.extra = b""
    entry.header_offset = zout.fp.tell()
    zout.fp.write(entry.FileHeader(zip64=False))
    zout.fp.write(data)
    zout.start_dir = zout.fp.tell()
    zout.filelist.append(entry)
    zout.NameToInfo[entry.filename] = entry
    vars(zout)["_didModify"] = True  # zipfile writes its directory only when modified


def same_style(source: Any, target: Any) -> None:
    """Give ``target`` (an openpyxl cell) the font, fill, border and number format of ``source``.

    The result is the cell that setting each of them would give, in the same workbook's
    style table (a test compares the two).
    """
    target._style = copy.copy(source._style)


def style_key(cell: Any) -> tuple[int, ...]:
    """A key equal for two cells of one workbook exactly when their styles are the same."""
    from openpyxl.styles.cell_style import StyleArray

    style = cell._style  # None for a cell never styled: the default style
    return tuple(style if style is not None else StyleArray())


def held_cells(ws: Any) -> Iterable[Any]:
    """The cells an openpyxl worksheet holds (given a value or a style), in no set order.

    Every cell :meth:`~openpyxl.worksheet.worksheet.Worksheet.iter_rows` would give that
    is not blank and unstyled, without making the others.
    """
    cells: Iterable[Any] = ws._cells.values()
    return cells


def chart_part(chart: Any) -> str:
    """An openpyxl chart (``BarChart``, ``LineChart``, ``ScatterChart`` ...) as a chart part.

    The chart's references name their sheet already; no workbook is needed.
    """
    from openpyxl.xml.functions import tostring

    space = chart._write()
    # Every text in the chart in Calibri (its titles and labels otherwise fall to the
    # reader's default: LibreOffice drew them in a wider font than the sheet's).
    space.append(_fromstring(CHART_TEXT))  # after <chart>: its place in chartSpace
    return str(tostring(space).decode())


#: The chart's default text: Calibri, 10 points (:data:`~.sheetspec.CHART_PT`).
CHART_TEXT = (
    '<txPr xmlns="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:bodyPr/>'
    '<a:lstStyle/><a:p><a:pPr><a:defRPr sz="1000"><a:latin typeface="Calibri"/>'
    '</a:defRPr></a:pPr><a:endParaRPr lang="en-GB"/></a:p></txPr>'
)


def _fromstring(xml: str) -> Any:
    from openpyxl.xml.functions import fromstring

    return fromstring(xml)
