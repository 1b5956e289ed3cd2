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

__all__ = ["SOURCE_ROW", "is_blank", "source_rows"]

#: Column in which readers record the sheet or file row of each data row.
SOURCE_ROW = "source_row"


def source_rows(frame: pd.DataFrame) -> list[int]:
    """The row number, as the user sees it, of each of the frame's rows (in order)."""
    if SOURCE_ROW in frame.columns:
        return [int(r) for r in frame[SOURCE_ROW]]
    return list(range(2, len(frame) + 2))


def is_blank(v: object) -> bool:
    """True for a missing value: ``None``, ``pd.NA``, NaN or text of spaces only."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return bool(np.isnan(v))
    return isinstance(v, str) and v.strip() == ""
