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

from .errors import Problems

__all__ = ["SOURCE_ROW", "contract", "is_blank", "row_numbers", "source_rows", "text_codes"]

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


def contract(
    frame: pd.DataFrame,
    where: str,
    numbers: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
) -> None:
    """Assert the engine's contract on a typed frame: numbers are numbers, flags are flags.

    The readers turn cells into typed frames once, at the boundary, naming each bad cell
    (``xlalloc.readers``: the model reader, ``read_table``). The engine only asserts what
    it was given, a whole column at a time: a number column holds numbers or blanks, a
    flag column ``True``/``False``. Anything else is a frame that did not come through a
    reader, and the error says so with its rows.

    Raises:
        InputError: Each column that breaks the contract, with its rows.
    """
    problems = Problems()
    rows = row_numbers(frame)
    for c in numbers:
        if c not in frame.columns or pd.api.types.is_numeric_dtype(frame[c].dtype):
            if c in frame.columns and pd.api.types.is_bool_dtype(frame[c].dtype):
                problems.add(where, f"column '{c}' holds TRUE/FALSE, not numbers", column=c)
            continue
        values = frame[c].to_numpy(dtype=object)
        bad = [
            int(r)
            for v, r in zip(values, rows)
            if not (v is None or isinstance(v, int | float | np.integer | np.floating))
            or isinstance(v, bool | np.bool_)
        ]
        if bad:
            problems.add(where, _untyped(c, "numbers", bad), column=c)
    for c in flags:
        if c not in frame.columns or pd.api.types.is_bool_dtype(frame[c].dtype):
            continue
        values = frame[c].to_numpy(dtype=object)
        bad = [int(r) for v, r in zip(values, rows) if not isinstance(v, bool | np.bool_)]
        if bad:
            problems.add(where, _untyped(c, "TRUE or FALSE", bad), column=c)
    problems.raise_if_any()


def _untyped(column: str, kind: str, rows: list[int]) -> str:
    shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
    return (
        f"column '{column}' must hold {kind}; rows {shown} do not (read the table with "
        "xlalloc's readers, which convert and check each cell)"
    )
