"""Ledger extracts and phasing profiles for monthly packs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..engine.errors import InputError, Problems
from .cells import is_blank, parse_number
from .tables import read_table

__all__ = ["read_actuals", "read_phasing"]


def read_actuals(path: str | Path) -> pd.DataFrame:
    """A ledger extract (CSV or the first sheet of a workbook), every cell as read.

    Rows are validated by the monitoring engine, which lists bad rows as exceptions.
    """
    return read_table(path)


def read_phasing(path: str | Path | None) -> pd.Series | None:
    """A phasing profile file with columns ``month, share`` (``None``: twelfths).

    Raises:
        InputError: Missing columns, or a month or share that is not a number (a
            month must be a whole number: 1.5 is not truncated to 1).
    """
    if path is None:
        return None
    df = read_table(path)
    if not {"month", "share"} <= set(df.columns):
        raise InputError(
            f"phasing needs columns 'month' and 'share'; columns found: {list(df.columns)}",
            where=str(path),
        )
    problems = Problems()
    months, shares = [], []
    for i, (m, s) in enumerate(zip(df["month"], df["share"])):
        row = i + 2
        try:
            month = parse_number(m) if not is_blank(m) else float("nan")
            if not float(month).is_integer():
                raise ValueError
            months.append(int(month))
        except ValueError:
            problems.add(
                str(path), f"month {m!r} is not a whole number 1 to 12", row=row, column="month"
            )
        try:
            shares.append(parse_number(s))
        except ValueError:
            problems.add(str(path), f"share {s!r} is not a number", row=row, column="share")
    problems.raise_if_any()
    return pd.Series(shares, index=months, dtype="float64")
