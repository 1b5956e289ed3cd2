"""The model's actions on any book: run, validate, refresh and packs.

Written once against :class:`~xlalloc.workbook.book.Book`: the command line and
the Python API run them on a :class:`~xlalloc.workbook.book.FileBook`, the Excel
ribbon (:mod:`xlalloc.excel.macros`) on a live book through xlwings.

A failed run writes every problem to the Checks sheet and an alert; output sheets
are drawn in full before any is written, so a workbook is never left half-written
by an input error.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from .engine.errors import InputError, listed
from .model.runner import ModelResult, run_model
from .readers.ledger import parse_ledger_columns, read_actuals
from .readers.model import ModelInputs, read_model_rows
from .usecases.pack import MODEL_MAP, make_packs, model_cost_centres, reconciliation_lines
from .workbook.book import Book
from .workbook.outputs import error_specs, render_outputs

__all__ = [
    "ACTIONS",
    "DISPATCH",
    "action_of",
    "dispatch",
    "packs_action",
    "read_book",
    "refresh_action",
    "run_action",
    "run_book",
    "validate_action",
]

ACTIONS = ("run", "validate", "refresh", "packs")


def read_book(book: Book) -> ModelInputs:
    """Read and validate the model's inputs from the book (with a scenario's notes)."""
    try:
        inputs = read_model_rows(book.values, book.merged(), book.flags())
    except InputError as e:
        relabel = getattr(book, "relabel", None)  # a scenario's values: by what was typed
        raise (relabel(e) if relabel else e) from None
    inputs.notes.extend(getattr(book, "notes", []))
    return inputs


def report_failure(book: Book, error: InputError) -> None:
    """List every problem on the Checks sheet (outputs untouched) and alert the user.

    Always alerted, quiet actions included (a refresh says nothing only when it worked).
    Where the Checks sheet cannot be written (a sheet of the user's has its name), the
    alert says so and lists the problems itself.
    """
    try:
        book.write_sheets(error_specs(error))
        book.save()
        where = "on the Checks sheet"
    except InputError as e:
        error = InputError([*error.problems, *e.problems])
        where = "(not written to the Checks sheet)"
    shown = "\n".join(f"- {p}" for p in error.problems[:15])
    more = len(error.problems) - 15
    book.alert(
        f"{len(error.problems)} input problem(s); outputs were not updated.\n{shown}"
        + (f"\n... and {more} more {where}" if more > 0 else ""),
        title="xlalloc: run failed",
    )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a run works, then restored.

    A run makes hundreds of thousands of cells and rows, none of them in reference
    cycles. Each of the collector's passes walks every object the process holds: a
    national run made it pass over and over, for nothing, for a fifth of the run's time.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run_book(
    book: Book,
    progress: Callable[[str], None] | None = None,
    run_at: datetime | None = None,
    extracts: Sequence[str | Path] = (),
    extract_columns: Mapping[str, str] | None = None,
) -> ModelResult:
    """Read, validate and run the model in ``book``, then write and save its outputs.

    Args:
        book: The model.
        progress: Called with each step's name.
        run_at: The run's time stamp (default: now).
        extracts: Activity extracts (CSV or Parquet) to add to the Activity sheet's rows.
        extract_columns: The extracts' headers for ``line``, ``practice_code`` and
            ``amount`` (default: those names).

    Raises:
        InputError: Every input problem; nothing has been written.
    """
    step = progress or (lambda _s: None)
    with collector_paused():
        step("reading inputs")
        inputs = read_book(book)
        if extracts:
            from .model.extracts import with_extracts  # DuckDB's: the activity extra

            step("reading activity extracts")
            inputs = with_extracts(inputs, list(extracts), dict(extract_columns or {}) or None)
        result = run_model(inputs, progress=step, run_at=run_at)
        specs = render_outputs(result)  # every sheet drawn before any is written
        step("writing")
        book.write_sheets(specs)
        book.save()
    return result


def _run(book: Book, progress: Callable[[str], None] | None = None) -> ModelResult | None:
    try:
        return run_book(book, progress)
    except InputError as e:
        report_failure(book, e)
        return None


def run_action(book: Book, progress: Callable[[str], None] | None = None) -> ModelResult | None:
    """Run every part of the model and write all output sheets; report in an alert."""
    result = _run(book, progress=progress)
    if result is not None:
        parts = [result.summary]
        if result.convergence is not None:
            parts.append(f"{len(result.convergence.years)} years of convergence")
        if result.apportionment is not None:
            parts.append(f"{len(result.apportionment.audit)} budget lines apportioned")
        book.alert("Done: " + ", ".join(parts) + ". The Checks sheet reads 0 when all is well.")
    return result


def refresh_action(book: Book) -> ModelResult | None:
    """Recompute and rewrite the output sheets quietly (an alert only on failure)."""
    return _run(book)


def validate_action(book: Book) -> list[str]:
    """Check every input; list the problems on the Checks sheet and in an alert.

    Output sheets are not touched when inputs are valid.
    """
    try:
        run_model(read_book(book))
    except InputError as e:
        report_failure(book, e)
        return [str(p) for p in e.problems]
    book.alert("No input problems found.")
    return []


def book_file(book: Book) -> list[str]:
    """The book's own file where Excel has one (``fullname``), to be never written over."""
    live = getattr(book, "book", None)
    name = getattr(live, "fullname", None)
    return [name] if isinstance(name, str) and name else []


def packs_action(book: Book) -> list[Path]:
    """Build the monthly reporting packs named on the Policy sheet."""
    try:
        result = run_model(read_book(book))
        policy = result.inputs.policy
        p = policy.run_control  # what the ribbon runs, where packs go
        missing = [
            k for k in ("pack_actuals", "pack_month", "pack_dir") if getattr(p, k) in (None, "")
        ]
        if missing:
            raise InputError(
                f"set {listed(missing)} on the Policy sheet to build packs", where="Policy"
            )
        assert p.pack_actuals is not None and p.pack_month is not None and p.pack_dir
        ledger = read_actuals(
            p.pack_actuals,
            parse_ledger_columns(p.pack_columns, where="Policy, pack_columns"),
            policy.financial_year,
        )
        run = make_packs(
            result,
            ledger,
            p.pack_month,
            p.pack_dir,
            threshold=policy.packs().threshold,
            sources=[f"model: {book.name}", f"ledger: {Path(p.pack_actuals).name}"],
            cost_centres=model_cost_centres(result, ledger),
            cost_centres_from=MODEL_MAP,
            # The ribbon never replaces a pack: a month's packs already in pack_dir are
            # named, to be moved or deleted first; the model and the ledger never.
            inputs=[p.pack_actuals, *book_file(book)],
            pdf=p.pack_pdf == "yes",
            printer=book.print_pdfs,  # on the desktop, Excel's own export
        )
    except InputError as e:
        report_failure(book, e)
        return []
    pdfs = f" and {len(run.pdfs)} PDFs" if run.pdfs else ""
    book.alert(
        f"Wrote {len(run.paths)} packs{pdfs} to {p.pack_dir}. "
        + " ".join(line[0].upper() + line[1:] + "." for line in reconciliation_lines(run.figures))
        + "".join(f" {note}." for note in run.notes)
        if run.figures is not None
        else f"Wrote {len(run.paths)} packs{pdfs} to {p.pack_dir}."
    )
    return run.paths


#: Policy ``action`` value -> action.
DISPATCH: dict[str, Callable[..., Any]] = {
    "run": run_action,
    "validate": validate_action,
    "refresh": refresh_action,
    "packs": packs_action,
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
        book.alert(
            f"Unknown action {action!r} on the Policy sheet; expected one of {listed(ACTIONS)}",
            title="xlalloc",
        )
        return None
    return DISPATCH[action](book)
