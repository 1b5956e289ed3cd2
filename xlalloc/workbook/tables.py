"""Result tables as CSV or XLSX, with number formats chosen from column names.

CSV keeps the documented machine names as headers; a workbook shows each column's
plain-English label (:mod:`xlalloc.model.labels`), as an Excel table with
frozen headers, fitted widths, and a printed header and footer.

Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-``
or ``@``) is always written as text, never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from .files import atomic_write
from .sheetspec import INDEX, MONEY, NUMBER, PCT, SHARE, ChartSpec, Drawing, Look, SheetSpec
from .xlsx import save_specs

__all__ = [
    "INDEX",
    "MONEY",
    "NUMBER",
    "PCT",
    "SHARE",
    "csv_bytes",
    "csv_safe",
    "frame_sheet",
    "number_format",
    "table_name",
    "write_tables",
]


#: Columns of words whose names contain a money word.
TEXT_COLUMNS = ("against_target",)


def number_format(column: str) -> str | None:
    """Choose a number format from a column's name (a percentile's, ``_p05``, as its own)."""
    c = re.sub(r"_p\d\d$", "", column.lower())
    if c in TEXT_COLUMNS:
        return None
    if c.endswith("_index") or "_index_" in c or c.startswith("index"):
        return INDEX
    if c.endswith("share") or c.endswith("_shares") or c == "coverage":
        return SHARE
    if c.startswith("dft") or c.endswith("growth") or c.startswith("growth") or c.endswith("_pct"):
        return PCT
    if c.endswith("_wp") or c in ("population", "rows") or "per_1000" in c:
        return NUMBER
    money_words = (
        "target",
        "allocation",
        "amount",
        "baseline",
        "budget",
        "contribution",
        "total",
        "hcdd",
        "remaining",
        "actual",
        "variance",
        "forecast",
        "attributed",
        "£",
    )
    if any(w in c for w in money_words):
        return MONEY
    return None


def table_name(sheet: str) -> str:
    """An Excel table name for a sheet's table (letters, digits and underscores)."""
    return "xla_" + re.sub(r"\W", "_", sheet)


def frame_sheet(d: Drawing, df: pd.DataFrame, start_row: int = 1, start_col: int = 1) -> int:
    """Draw a frame as an Excel table: labelled headers, formats chosen from column names.

    The header row is frozen and repeated on every printed page.

    Returns:
        The last data row.
    """
    last = d.block(
        start_row,
        start_col,
        df,
        {str(c): number_format(str(c)) for c in df.columns},
        table=table_name(d.name),
    )
    d.freeze = f"A{start_row + 1}" if start_col == 1 else None
    d.print_setup(landscape=df.shape[1] > 5, title_rows=(start_row, start_row))
    return last


#: Text a spreadsheet would run as a formula when it opens a CSV file.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that begin like a formula, prefixed with ``'`` so they stay text."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = (
                out[c]
                .astype(object)
                .map(
                    lambda v: (
                        "'" + v if isinstance(v, str) and v.startswith(CSV_FORMULA_START) else v
                    )
                )
            )
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A frame as CSV for Excel: UTF-8 with a byte-order mark, formulas defused."""
    return csv_safe(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def write_tables(
    path: str | Path,
    tables: Mapping[str, pd.DataFrame],
    charts: Mapping[str, list[ChartSpec]] | None = None,
    look: Look | None = None,
) -> Path:
    """Write tables to ``.xlsx`` (a sheet each) or ``.csv`` (one table only).

    Args:
        path: Output file; the suffix chooses the format.
        tables: Sheet name -> frame. A CSV takes exactly one table, or a first
            table with further tables written beside it as ``NAME-SHEET.csv``.
        charts: Charts by sheet name (workbooks only); each on a page of its own.
        look: Money unit, protective marking and run stamp (workbooks only).

    Returns:
        The path written.
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        items = list(tables.items())
        atomic_write(path, csv_bytes(items[0][1]))
        for name, df in items[1:]:
            atomic_write(
                path.with_name(f"{path.stem}-{name.lower().replace(' ', '_')}.csv"), csv_bytes(df)
            )
        return path
    specs: list[SheetSpec] = []
    for name, df in tables.items():
        d = Drawing(name[:31], look)
        frame_sheet(d, df)
        for chart in (charts or {}).get(name, []):
            d.chart_below(chart)
        specs.append(d.spec())
    return save_specs(specs, path)
