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
    """Sheet names and a way to read each sheet's rows (read when asked).

    Attributes:
        sheet_names: The workbook's sheets, in order.
        read: One sheet's rows.
        engine: ``python-calamine`` or ``openpyxl``.
        read_many: Several sheets' rows at once, by name (a sheet that cannot be read
            has its exception in its place); on two threads where the reader parses
            without holding the GIL (python-calamine), else in turn.
    """

    sheet_names: list[str]
    read: Callable[[str], list[list[object]]]
    engine: str
    read_many: Callable[[list[str]], dict[str, list[list[object]] | Exception]] | None = None

    def rows_of(self, sheets: list[str]) -> dict[str, list[list[object]] | Exception]:
        """Each sheet's rows, or the exception reading it raised (:attr:`read_many`)."""
        if self.read_many is not None:
            return self.read_many(sheets)
        out: dict[str, list[list[object]] | Exception] = {}
        for sheet in sheets:
            try:
                out[sheet] = self.read(sheet)
            except Exception as e:  # named with its sheet by the caller
                out[sheet] = e
        return out


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

    def read(sheet: str, book: CalamineWorkbook = wb) -> list[list[object]]:
        # Already a list of lists (Python values): used as they are, not copied.
        return cast(
            list[list[object]], book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        )

    def read_many(sheets: list[str]) -> dict[str, list[list[object]] | Exception]:
        """python-calamine parses a sheet without holding the GIL: two sheets at a time.

        The largest sheets are given first; this thread reads with the workbook opened
        already, the other with one of its own (a workbook is read by one thread at a
        time). A national model's input sheets read in about 0.15 s, not 0.25 s.
        """
        from concurrent.futures import ThreadPoolExecutor  # only where sheets are many

        out: dict[str, list[list[object]] | Exception] = {}
        queue = list(sheets)

        def take(book: CalamineWorkbook) -> None:
            while queue:
                sheet = queue.pop(0)  # list.pop is atomic: each sheet read once
                try:
                    out[sheet] = read(sheet, book)
                except Exception as e:  # named with its sheet by the caller
                    out[sheet] = e

        if len(queue) < 2:
            take(wb)
            return out
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlalloc-read") as pool:
            other = pool.submit(lambda: take(CalamineWorkbook.from_path(str(path))))
            take(wb)
            other.result()
        return out

    return WorkbookValues(list(wb.sheet_names), read, "python-calamine", read_many)


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
