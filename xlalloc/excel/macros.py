"""Ribbon macros: run, validate, refresh and build packs, on any :class:`Book`.

The ribbon's one button calls :func:`main`, which runs the action named by the
``action`` parameter on the model's Policy sheet. The headless command line runs
the same functions on an :class:`~xlalloc.excel.books.OpenpyxlBook`.

A failed run writes every problem to the Checks sheet and a message box; output
sheets are rendered in full before any is written, so a workbook is never left
half-written by an input error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..engine.errors import InputError
from ..model.reader import ModelInputs, read_model_rows
from ..model.runner import ModelResult, run_model
from ..workbook.model_book import error_specs, render_outputs
from .books import Book

ACTIONS = ("run", "validate", "refresh", "packs")


def read_inputs(book: Book) -> ModelInputs:
    """Read and validate the model's inputs from the book."""
    return read_model_rows(book.values, book.merged())


def _fail(book: Book, error: InputError, quiet: bool = False) -> None:
    book.write_sheets(error_specs(error))
    book.save()
    if not quiet:
        shown = "\n".join(f"- {p}" for p in error.problems[:15])
        more = len(error.problems) - 15
        book.alert(f"{len(error.problems)} input problem(s); outputs were not updated.\n{shown}"
                   + (f"\n... and {more} more on the Checks sheet" if more > 0 else ""),
                   title="xlalloc: run failed")


def run_book(book: Book, progress: Callable[[str], None] | None = None) -> ModelResult:
    """Read, validate and run the model in ``book``, then write and save its outputs.

    Shared by the command line (an :class:`~xlalloc.excel.books.OpenpyxlBook`) and the
    ribbon (an :class:`~xlalloc.excel.books.XlwingsBook`).

    Raises:
        InputError: Every input problem; nothing has been written.
    """
    step = progress or (lambda _s: None)
    step("reading inputs")
    inputs = read_inputs(book)
    result = run_model(inputs, progress=step)
    specs = render_outputs(result)  # every sheet rendered before any is written
    step("writing")
    book.write_sheets(specs)
    book.save()
    return result


def _run(book: Book, quiet: bool,
         progress: Callable[[str], None] | None = None) -> ModelResult | None:
    try:
        return run_book(book, progress)
    except InputError as e:
        _fail(book, e, quiet)
        return None


def run_model_macro(book: Book, progress: Callable[[str], None] | None = None
                    ) -> ModelResult | None:
    """Run every part of the model and write all output sheets; report in a message box."""
    result = _run(book, quiet=False, progress=progress)
    if result is not None:
        parts = [f"{len(result.targets)} places"]
        if result.convergence is not None:
            parts.append(f"{len(result.convergence.years)} years of convergence")
        if result.apportionment is not None:
            parts.append(f"{len(result.apportionment.audit)} budget lines apportioned")
        book.alert("Done: " + ", ".join(parts) + ". The Checks sheet reads 0 when all is well.")
    return result


def refresh_outputs(book: Book) -> ModelResult | None:
    """Recompute and rewrite the output sheets quietly (a message only on failure)."""
    return _run(book, quiet=True)


def validate_model(book: Book) -> list[str]:
    """Check every input; list the problems on the Checks sheet and in a message box.

    Output sheets are not touched when inputs are valid.
    """
    try:
        run_model(read_inputs(book))
    except InputError as e:
        _fail(book, e)
        return [str(p) for p in e.problems]
    book.alert("No input problems found.")
    return []


def build_packs(book: Book) -> list[Any]:
    """Build the monthly reporting packs named on the Policy sheet."""
    from ..packs import build_packs_for_book

    try:
        return build_packs_for_book(book)
    except InputError as e:
        _fail(book, e)
        return []


#: Names Excel's ribbon and macros use; pinned by a test.
MACROS: dict[str, Callable[..., Any]] = {
    "run_model": run_model_macro,
    "validate_model": validate_model,
    "refresh_outputs": refresh_outputs,
    "build_packs": build_packs,
}

#: Policy ``action`` value -> macro.
DISPATCH: dict[str, Callable[..., Any]] = {
    "run": run_model_macro, "validate": validate_model, "refresh": refresh_outputs,
    "packs": build_packs,
}


def action_of(book: Book) -> str:
    """The action named on the Policy sheet (``run`` if none)."""
    rows = book.values("Policy") or []
    for row in rows:
        if row and str(row[0]).strip() == "action" and len(row) > 1:
            value = str(row[1]).strip()
            return value or "run"
    return "run"


def dispatch(book: Book) -> object:
    """Run the Policy sheet's action on ``book``."""
    action = action_of(book)
    if action not in DISPATCH:
        book.alert(f"Unknown action {action!r} on the Policy sheet; expected one of "
                   f"{list(ACTIONS)}", title="xlalloc")
        return None
    return DISPATCH[action](book)


def main() -> object:
    """Entry point of the ribbon button: run the calling workbook's action."""
    import xlwings as xw

    from .books import XlwingsBook

    return dispatch(XlwingsBook(xw.Book.caller()))
