"""Write result tables to CSV or XLSX safely.

Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-``
or ``@``) is always written as text, never as a formula.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MONEY = '£#,##0;[Red](£#,##0);"–"'
INDEX = "0.000"
SHARE = "0.0000%"
PCT = "0.00%"
NUMBER = "#,##0"

HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")

FORMULA_PREFIXES = ("=", "+", "-", "@")


def number_format(column: str) -> str | None:
    """Choose a number format from a column's name."""
    c = column.lower()
    if c.endswith("_index") or "_index_" in c or c.startswith("index"):
        return INDEX
    if c.endswith("share") or c.endswith("_shares"):
        return SHARE
    if c.startswith("dft") or c.endswith("growth") or c.startswith("growth") or c.endswith("_pct"):
        return PCT
    if c.endswith("_wp") or c == "population" or "per_1000" in c:
        return NUMBER
    money_words = ("target", "allocation", "amount", "baseline", "budget", "contribution",
                   "total", "hcdd", "remaining", "actual", "variance", "forecast", "£")
    if any(w in c for w in money_words):
        return MONEY
    return None


def cell_value(v: object) -> object:
    """Python value for a cell; NaN and empty text become blank, numpy scalars Python."""
    if v is None or (isinstance(v, str) and v == ""):
        return None
    if isinstance(v, float | np.floating) and not np.isfinite(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def put(ws: Worksheet, row: int, col: int, value: object, fmt: str | None = None):
    """Write one cell; text that looks like a formula is stored as text."""
    v = cell_value(value)
    cell = ws.cell(row=row, column=col)
    if isinstance(v, str) and v.startswith(FORMULA_PREFIXES):
        cell.value = v
        cell.data_type = "s"
    else:
        cell.value = v
    if fmt is not None and isinstance(v, int | float):
        cell.number_format = fmt
    return cell


def fit_to_page(ws: Worksheet) -> None:
    """Print landscape on A4, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def header(ws: Worksheet, row: int, col: int, names: list[str]) -> None:
    """A styled header row."""
    for j, name in enumerate(names):
        c = put(ws, row, col + j, name)
        c.fill, c.font = HEADER_FILL, HEADER_FONT


def put_formula(ws: Worksheet, row: int, col: int, text: str, fmt: str | None = None):
    """Write a live formula (text from inputs never comes here: see :func:`put`)."""
    c = ws.cell(row=row, column=col, value=text)
    c.data_type = "f"
    if fmt:
        c.number_format = fmt
    return c


def write_block(ws: Worksheet, row: int, col: int, df: pd.DataFrame,
                formats: Mapping[str, str] | None = None) -> int:
    """A header row and the frame's values below it; returns the last data row."""
    header(ws, row, col, [str(c) for c in df.columns])
    formats = formats or {}
    fmts = [formats.get(str(c)) for c in df.columns]
    values = df.to_numpy(dtype=object)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            put(ws, row + 1 + i, col + j, values[i, j], fmts[j])
    return row + len(df)


def write_frame(ws: Worksheet, df: pd.DataFrame, start_row: int = 1, start_col: int = 1) -> None:
    """Write a frame with a styled header row and formats chosen from column names."""
    header(ws, start_row, start_col, [str(c) for c in df.columns])
    fmts = [number_format(str(c)) for c in df.columns]
    values = df.to_numpy(dtype=object)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            put(ws, start_row + 1 + i, start_col + j, values[i, j], fmts[j])
    for j, col in enumerate(df.columns):
        width = max(10, min(40, len(str(col)) + 4))
        ws.column_dimensions[get_column_letter(start_col + j)].width = width
    ws.freeze_panes = ws.cell(row=start_row + 1, column=start_col)


#: Timestamp written into every workbook, so the same inputs give byte-identical files.
FIXED_TIME = "2000-01-01T00:00:00Z"


def _normalise_zip(src: str, dst: str) -> None:
    """Copy an .xlsx zip with fixed entry timestamps and fixed document dates."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + FIXED_TIME.encode() + rb"\g<2>", data)
            out = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o600 << 16
            zout.writestr(out, data)


def _mode_for(path: Path) -> int:
    """The file mode a plain save would give: the existing file's, or 0666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def save_atomic(wb: Workbook, path: str | Path) -> None:
    """Save reproducibly to a temporary file beside ``path``, then rename over it.

    The same workbook content always gives the same bytes (fixed zip timestamps and
    document dates); the target is replaced only once the new file is complete.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, raw = tempfile.mkstemp(prefix=".~xlalloc-raw-", suffix=path.suffix, dir=folder)
    os.close(fd)
    fd, tmp = tempfile.mkstemp(prefix=".~xlalloc-", suffix=path.suffix, dir=folder)
    os.close(fd)
    try:
        wb.properties.creator = "xlalloc"
        wb.properties.lastModifiedBy = "xlalloc"
        wb.save(raw)
        _normalise_zip(raw, tmp)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    finally:
        for f in (raw, tmp):
            if os.path.exists(f):
                os.unlink(f)


def write_tables(path: str | Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write tables to ``.xlsx`` (a sheet each) or ``.csv`` (one table only).

    Args:
        path: Output file; the suffix chooses the format.
        tables: Sheet name -> frame. A CSV takes exactly one table, or a first
            table with further tables written beside it as ``NAME-SHEET.csv``.

    Returns:
        The path written.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        items = list(tables.items())
        items[0][1].to_csv(path, index=False)
        for name, df in items[1:]:
            df.to_csv(path.with_name(f"{path.stem}-{name.lower().replace(' ', '_')}.csv"),
                      index=False)
        return path
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in tables.items():
        write_frame(wb.create_sheet(name[:31]), df)
    save_atomic(wb, path)
    return path
