"""Result tables as CSV or XLSX, each column labelled and formatted from the column registry.

CSV keeps the documented machine names as headers; a workbook shows each column's
plain-English label (:mod:`xlalloc.model.labels`), as an Excel table with
frozen headers, fitted widths, and a printed header and footer.

Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-``
or ``@``) is always written as text, never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..model.labels import label, number_format
from .files import atomic_write
from .sheetspec import (
    HEADER_FILL,
    HEADER_FONT,
    INDEX,
    MONEY,
    NUMBER,
    PCT,
    SHARE,
    ChartSpec,
    Drawing,
    Look,
    SheetSpec,
    col,
)

__all__ = [
    "INDEX",
    "MONEY",
    "NUMBER",
    "PCT",
    "SHARE",
    "csv_bytes",
    "csv_safe",
    "explanation_block",
    "spanned_block",
    "frame_sheet",
    "number_format",
    "table_name",
    "write_tables",
]


def table_name(sheet: str) -> str:
    """An Excel table name for a sheet's table (letters, digits and underscores)."""
    return "xla_" + re.sub(r"\W", "_", sheet)


def frame_sheet(
    d: Drawing,
    df: pd.DataFrame,
    start_row: int = 1,
    start_col: int = 1,
    wrap: Mapping[str, float] | None = None,
) -> int:
    """Draw a frame as an Excel table: each column's label and number format from its registry.

    The header row is frozen and repeated on every printed page; ``wrap`` names columns
    whose text wraps, with their widths.

    Returns:
        The last data row.
    """
    last = d.block(
        start_row,
        start_col,
        df,
        {str(c): number_format(str(c)) for c in df.columns},
        table=table_name(d.name),
        wrap=wrap,
    )
    d.freeze = f"A{start_row + 1}" if start_col == 1 else None
    d.print_setup(landscape=df.shape[1] > 5, title_rows=(start_row, start_row))
    return last


def spanned_block(
    d: Drawing, row: int, title: str, frame: pd.DataFrame, spans: Sequence[int]
) -> int:
    """A titled block of text whose columns each span the sheet's columns given.

    For words beside a table of figures: each column of ``frame`` is merged across
    ``spans[j]`` of the sheet's columns (those the figures above set) and wrapped in
    their width, so the words need no wide columns of their own and the sheet prints on
    one page across.

    Args:
        d: The sheet.
        row: The title's row (the header is the row below it).
        title: The block's title.
        frame: The columns by machine name (shown by their labels).
        spans: How many sheet columns each of the frame's columns spans, from column A.

    Returns:
        The last row written.
    """
    starts = [1]
    for k in spans[:-1]:
        starts.append(starts[-1] + k)
    d.note(row, 1, title, bold=True, size=12)
    for name, start, k in zip(frame.columns, starts, spans, strict=True):
        d.put(
            row + 1,
            start,
            label(str(name)),
            bold=True,
            font_color=HEADER_FONT,
            fill_color=HEADER_FILL,
            wrap=True,
            span=k,
        )
    for i, values in enumerate(frame.itertuples(index=False, name=None)):
        for value, start, k in zip(values, starts, spans, strict=True):
            d.put(row + 2 + i, start, value, wrap=True, span=k, fit=False)
    return row + 1 + len(frame)


def explanation_block(d: Drawing, row: int, title: str, frame: pd.DataFrame, span: int) -> int:
    """Each row's explanation below a table: its name, its rule, and the sentence.

    The sentence spans ``span`` columns from the third (:func:`spanned_block`): the
    table above prints across one page and the sentences below it, rather than a second
    page across holding one wide column.

    Args:
        d: The sheet.
        row: The title's row.
        title: The block's title.
        frame: The identifying column, the rule and the explanation.
        span: Columns the explanation spans.

    Returns:
        The last row written.
    """
    return spanned_block(d, row, title, frame, [1, 1, span])


#: Text a spreadsheet would run as a formula when it opens a CSV file.
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = frozenset(CSV_FORMULA_START)


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that begin like a formula, prefixed with ``'`` so they stay text."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            values = out[c].astype(object)
            starts = [isinstance(v, str) and v[:1] in _FORMULA_START for v in values.tolist()]
            if any(starts):
                values = values.copy()
                values[starts] = "'" + values[starts].astype(str)
            out[c] = values
    return out


def csv_bytes(df: pd.DataFrame) -> bytes:
    """A frame as CSV for Excel: UTF-8 with a byte-order mark, formulas defused.

    Money is written as a person writes it: whole pounds where every figure of the column
    is whole (``840000000``, never ``840000000.0``), otherwise to the penny.
    """
    # Defused first: money written as text afterwards is a number, never a formula (a
    # negative figure's "-" is not a formula's start).
    safe = csv_money(csv_safe(df))
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def csv_money(df: pd.DataFrame) -> pd.DataFrame:
    """Money columns as text, whole pounds or pence.

    Money columns are those the column registry declares as money
    (:mod:`xlalloc.model.labels`).
    """
    out = df.copy()
    for c in out.columns:
        money = number_format(str(c)) == MONEY
        if not money or not pd.api.types.is_float_dtype(out[c]):
            continue
        v = out[c]
        finite = v[np.isfinite(v)]
        whole = bool((finite == finite.round()).all())
        shown = "{:.0f}".format if whole else "{:.2f}".format
        out[c] = pd.Series(
            [shown(x) if f else "" for x, f in zip(v.tolist(), np.isfinite(v).tolist())],
            index=v.index,
            dtype=object,
        )
    return out


#: A table of more columns than this wraps its headers at :data:`WIDE_HEADER_WIDTH`.
WIDE_TABLE = 9
WIDE_HEADER_WIDTH = 10


def _total_row(d: Drawing, df: pd.DataFrame, last: int, columns: Sequence[str]) -> None:
    """A bold Total row under a table (header in row 1): ``=SUM`` of each column named."""
    d.put(last + 1, 1, "Total", bold=True)
    for name in columns:
        j = list(df.columns).index(name) + 1
        d.formula(
            last + 1,
            j,
            f"=SUM({col(j)}2:{col(j)}{last})",
            number_format(name),
            bold=True,
            value=float(df[name].sum()),
        )


def write_tables(
    path: str | Path,
    tables: Mapping[str, pd.DataFrame],
    charts: Mapping[str, list[ChartSpec]] | None = None,
    look: Look | None = None,
    totals: Mapping[str, Sequence[str]] | None = None,
) -> Path:
    """Write tables to ``.xlsx`` (a sheet each) or ``.csv`` (one table only).

    Args:
        path: Output file; the suffix chooses the format.
        tables: Sheet name -> frame. A CSV takes exactly one table, or a first
            table with further tables written beside it as ``NAME-SHEET.csv``.
        charts: Charts by sheet name (workbooks only); each on a page of its own.
        look: Money unit, protective marking and run stamp (workbooks only).
        totals: Columns summed in a Total row under a sheet's table, by sheet name
            (workbooks only: a CSV keeps only the rows).

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
        if df.shape[1] > WIDE_TABLE:  # headers over more lines, so the figures fit a page
            d.header_width = WIDE_HEADER_WIDTH
        explained = {"rule", "explanation"} <= set(df.columns) and not (charts or {}).get(name)
        if explained:  # the sentences below the table, across its columns
            table = df.drop(columns="explanation")
            last = frame_sheet(d, table)
            explanation_block(
                d,
                last + 3,
                "How each figure was set",
                df[[df.columns[0], "rule", "explanation"]],
                span=max(1, len(table.columns) - 2),
            )
        else:
            last = frame_sheet(d, df)
            if (totals or {}).get(name):
                _total_row(d, df, last, (totals or {})[name])
        for chart in (charts or {}).get(name, []):
            d.chart_below(chart)
        specs.append(d.spec())
    from .xlsx import save_specs  # openpyxl: imported by the commands that write tables

    return save_specs(specs, path)
