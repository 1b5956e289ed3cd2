"""Conventions shared by the engine's input frames.

Readers convert files and sheets into frames before the engine sees them. Where a
frame's rows came from a sheet, the reader records each row's number as the user
sees it in a ``source_row`` column, and the engine names that row in its messages;
without the column, rows are numbered as in a CSV file (header on row 1, data from
row 2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["SOURCE_ROW", "is_blank", "row_numbers", "source_rows", "text_codes"]

#: Column in which readers record the sheet or file row of each data row.
SOURCE_ROW = "source_row"


def source_rows(frame: pd.DataFrame) -> list[int]:
    """The row number, as the user sees it, of each of the frame's rows (in order)."""
    if SOURCE_ROW in frame.columns:
        return [int(r) for r in frame[SOURCE_ROW]]
    return list(range(2, len(frame) + 2))


def row_numbers(frame: pd.DataFrame) -> np.ndarray:
    """:func:`source_rows` as an integer array, for tables that can be long."""
    if SOURCE_ROW in frame.columns:
        return frame[SOURCE_ROW].to_numpy(dtype=np.int64)
    return np.arange(2, len(frame) + 2, dtype=np.int64)


def text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each value as stripped text, worked out once per distinct value.

    The same texts as ``values.astype("string").str.strip()``, given as codes into the
    distinct texts, so that a column of ten million rows and a few thousand distinct
    values costs one hash pass rather than ten million string operations.

    Args:
        values: A column of text (numbers are shown as ``str`` shows them).

    Returns:
        ``(codes, texts)``: ``texts[codes[i]]`` is row ``i``'s stripped text; ``codes[i]``
        is -1 where the value is missing. ``texts`` are distinct, in order of first
        appearance, and may include ``""`` (a value of spaces only).
    """
    s = pd.Series(values)
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) not in ("string", "empty"):
        # Mixed types (1 and 1.0 would share a hash slot): value by value.
        s = s.astype("string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) == 0:
        return codes.astype(np.int64), np.array([], dtype=object)
    texts = pd.Series(np.asarray(uniques, dtype=object)).astype("string").str.strip()
    # Values differing only in spaces share one text.
    merged, distinct = pd.factorize(texts, use_na_sentinel=True)
    codes = np.where(codes >= 0, merged[np.maximum(codes, 0)], -1)
    return codes.astype(np.int64), np.asarray(distinct, dtype=object)


def is_blank(v: object) -> bool:
    """True for a missing value: ``None``, ``pd.NA``, NaN or text of spaces only."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return bool(np.isnan(v))
    return isinstance(v, str) and v.strip() == ""
