"""A workbook's cell values: python-calamine where installed, openpyxl otherwise.

python-calamine (Rust) reads workbooks several times faster than openpyxl and reads
``.xls``, ``.xlsb`` and ``.ods`` too; it is an optional extra (``pip install
"xlalloc[fast]"``) because xlwings Lite runs pure-Python wheels only. Without it
``.xlsx`` and ``.xlsm`` files are read with openpyxl, and the values are given in
python-calamine's conventions: every sheet from A1, a blank cell as ``""``, numbers
as floats, dates at midnight as dates, trailing empty rows left out. A test reads the
same workbooks both ways.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from ..engine.errors import InputError
from ..extras import install_hint

__all__ = ["WorkbookValues", "has_calamine", "open_values"]


@dataclass
class WorkbookValues:
    """Sheet names and a way to read each sheet's rows (read when asked)."""

    sheet_names: list[str]
    read: Callable[[str], list[list[object]]]
    engine: str


def has_calamine() -> bool:
    """Whether python-calamine is installed."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def open_values(path: str | Path) -> WorkbookValues:
    """Open a workbook's values.

    Raises:
        InputError: The file cannot be read as a workbook, or it is not ``.xlsx`` or
            ``.xlsm`` and python-calamine is not installed.
    """
    path = Path(path)
    if has_calamine():
        return _calamine(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(
            f"reading {path.suffix} workbooks needs python-calamine: "
            f"{install_hint('fast')}, or save the file as .xlsx",
            where=path.name,
        )
    return _openpyxl(path)


def _calamine(path: Path) -> WorkbookValues:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types
        raise InputError(f"cannot read as a workbook: {e}", where=path.name) from None

    def read(sheet: str) -> list[list[object]]:
        # Already a list of lists (Python values): used as they are, not copied.
        return cast(
            list[list[object]], wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        )

    return WorkbookValues(list(wb.sheet_names), read, "python-calamine")


def _openpyxl(path: Path) -> WorkbookValues:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise InputError(f"cannot read as a workbook: {e}", where=path.name) from None

    def read(sheet: str) -> list[list[object]]:
        rows = [[_value(v) for v in r] for r in wb[sheet].iter_rows(values_only=True)]
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        # As wide as the cells with values (a merged or formatted cell past them is not
        # data: python-calamine leaves it out too).
        width = max(
            (max((j + 1 for j, v in enumerate(r) if v != ""), default=0) for r in rows),
            default=0,
        )
        return [(r + [""] * width)[:width] for r in rows]

    return WorkbookValues(list(wb.sheetnames), read, "openpyxl")


def _value(v: object) -> object:
    if v is None:
        return ""
    if isinstance(v, int) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time(0):
        return v.date()  # a date without a time, as python-calamine gives it
    return v
