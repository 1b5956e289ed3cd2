"""Reading small user tables (CSV or XLSX) at the command line's boundary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..engine.errors import InputError, Problems
from .cells import is_blank, parse_number

__all__ = ["read_table", "read_totals"]


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


def read_totals(path: str | Path) -> dict[str, float]:
    """A totals file ``year, total``: the amount available in each financial year.

    Raises:
        InputError: Missing columns, a total that is not a number, a blank or
            repeated year; every problem together.
    """
    df = read_table(path)
    where = str(path)
    problems = Problems()
    for c in ("year", "total"):
        if c not in df.columns:
            problems.add(where, f"missing column '{c}'; columns found: {list(df.columns)}")
    problems.raise_if_any()
    out: dict[str, float] = {}
    for i, (y, t) in enumerate(zip(df["year"], df["total"])):
        row = i + 2
        if is_blank(y):
            problems.add(where, "year is blank", row=row, column="year")
            continue
        try:
            value = parse_number(t)
        except ValueError:
            problems.add(where, f"total {t!r} is not a number", row=row, column="total")
            continue
        if str(y).strip() in out:
            problems.add(where, f"year {y} appears more than once", row=row, column="year")
        else:
            out[str(y).strip()] = value
    problems.raise_if_any()
    return out
