"""Reading small user tables (CSV or XLSX) at the command line's boundary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .engine.errors import InputError


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or the first sheet of a workbook, every cell as text (parsed later).

    Headers are stripped of spaces and any byte-order mark; blank cells are missing.

    Raises:
        InputError: If the file does not exist.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {path}", where=str(path))
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook

        rows = CalamineWorkbook.from_path(str(p)).get_sheet_by_index(0).to_python()
        return pd.DataFrame(rows[1:], columns=[str(h).strip() for h in rows[0]]).replace("", None)
    return pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                       na_values=[""]).rename(columns=lambda c: str(c).strip())
