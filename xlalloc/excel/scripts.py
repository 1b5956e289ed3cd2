"""The ribbon's actions as xlwings scripts: classic xlwings, xlwings Lite and xlwings Server.

Each script takes the workbook and runs the same action as the command line and the
classic ribbon (:mod:`xlalloc.actions`). xlwings Lite and Server supply the workbook
(``book: xw.Book``); classic xlwings calls a script as a VBA ``Sub`` without arguments,
so there it is the calling workbook. On Windows and macOS the book is an
:class:`~xlalloc.excel.books.XlwingsBook`; through Office.js (Excel on the web, Windows
and Mac: xlwings Lite runs Python inside the add-in, xlwings Server on a server of the
ICB's own) an :class:`~xlalloc.excel.books.OfficeJsBook`. A failed run lists every problem on the
Checks sheet and in an alert; output sheets are drawn in full before any is written,
so the workbook is never left half-written.

:data:`SCRIPTS` pins the names users bind to buttons; a test keeps them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import xlwings as xw

from ..actions import refresh_action, run_action, validate_action
from .books import OfficeJsBook, XlwingsBook, book_for

__all__ = ["SCRIPTS", "xlalloc_packs", "xlalloc_refresh", "xlalloc_run", "xlalloc_validate"]


def _book(book: Any) -> XlwingsBook:
    """The workbook: given by xlwings Lite and Server; the caller's on classic xlwings.

    Classic xlwings imports a script as a VBA ``Sub`` that passes no arguments, so the
    calling workbook is taken from Excel.
    """
    return book_for(book if book is not None else xw.Book.caller())


@xw.script
def xlalloc_run(book: xw.Book | None = None) -> None:
    """Run every part of the model and write all output sheets."""
    run_action(_book(book))


@xw.script
def xlalloc_validate(book: xw.Book | None = None) -> None:
    """Check every input; list the problems on the Checks sheet and in an alert."""
    validate_action(_book(book))


@xw.script
def xlalloc_refresh(book: xw.Book | None = None) -> None:
    """Recompute and rewrite the output sheets (an alert only on failure)."""
    refresh_action(_book(book))


@xw.script
def xlalloc_packs(book: xw.Book | None = None) -> None:
    """Build the monthly packs named on the Policy sheet (desktop Excel only).

    Packs are files written to a folder: Office.js (Excel on the web, xlwings Lite and
    Server) has no folder to write to, so there the script says how to build them.
    """
    b = _book(book)
    if isinstance(b, OfficeJsBook):
        b.alert(
            "Monthly packs are files in a folder, which Excel on the web cannot write. "
            "Build them with desktop Excel (the xlalloc ribbon) or on the command line: "
            "xlalloc pack MODEL.xlsx --actuals LEDGER.csv --month M --out DIR",
            title="xlalloc: packs",
        )
        return
    from ..actions import packs_action

    packs_action(b)


#: Script names (what a button or the task pane calls) -> functions; pinned by a test.
SCRIPTS: dict[str, Callable[..., Any]] = {
    "xlalloc_run": xlalloc_run,
    "xlalloc_validate": xlalloc_validate,
    "xlalloc_refresh": xlalloc_refresh,
    "xlalloc_packs": xlalloc_packs,
}
