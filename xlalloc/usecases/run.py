"""``xlalloc run``: a model workbook read, validated and run headless, its outputs written.

Every part of the model runs (:mod:`xlalloc.model.parts`) and its output sheets are
written to a new workbook beside the model (``MODEL-results.xlsx``), to the output
named, or back into the model (``in_place``: atomically, its input sheets unchanged). A
scenario runs a variant of the Policy without editing the model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field

from ..actions import run_book
from ..engine.errors import InputError, option
from ..readers.model import model_path
from ..request import ExtractColumns, Request

if TYPE_CHECKING:
    from ..model.runner import ModelResult

__all__ = ["RunRequest", "default_output", "run"]


class RunRequest(Request):
    """A model workbook's run (``xlalloc run``, ``xlalloc.run``)."""

    path: Path = Field(description="the model workbook")
    output: Path | None = Field(
        None, description="where to write (default: MODEL-results.xlsx beside it)"
    )
    in_place: bool = Field(
        False, description="write back into the model (atomically; input sheets unchanged)"
    )
    run_at: datetime | None = Field(
        None,
        description="the run's time stamp in its provenance (default: now, or "
        "SOURCE_DATE_EPOCH when set)",
    )
    scenario: dict[str, Any] | None = Field(
        None,
        description="Policy parameter -> value: a variant run without editing the model; "
        "the output's Policy sheet holds the variant's values (needs an output)",
    )
    activity: tuple[Path, ...] = Field(
        (),
        description="activity extracts (CSV or Parquet, any number of rows) added to the "
        "Activity sheet's rows, checked and totalled by DuckDB",
    )
    activity_columns: ExtractColumns = None

    arguments: ClassVar[tuple[str, ...]] = ("path", "output")


def default_output(path: Path) -> Path:
    """Where ``run`` writes when neither ``output`` nor ``in_place`` is given."""
    return path.with_name(f"{path.stem}-results{path.suffix}")


def run(request: RunRequest, progress: Callable[[str], None] | None = None) -> ModelResult:
    """Read, validate and run a model workbook, and write its output sheets.

    Args:
        request: The model, where to write, and the run's variants.
        progress: Called with each step's name.

    Returns:
        The :class:`~xlalloc.model.runner.ModelResult`.

    Raises:
        InputError: Every input problem; nothing is written.
    """
    from ..workbook.book import FileBook
    from ..workbook.files import check_not_open

    r = request
    path = model_path(r.path)
    target = _checked_target(r, path)
    book = FileBook(path, target, r.scenario)
    book.sheet_names()  # a missing or unreadable file is an input problem, reported first
    if target.exists():
        check_not_open(target, option("in_place") if r.in_place else option("output"))
    return run_book(book, progress, r.run_at, r.activity, r.activity_columns)


def _checked_target(r: RunRequest, path: Path) -> Path:
    """Where the run writes, checked against the one output rule.

    Raises:
        InputError: A scenario without its own output, columns without extracts, both
            an output and ``in_place``, the model or an extract as the output, or an
            output of another type than the model.
    """
    if r.scenario and (r.in_place or r.output is None):
        raise InputError(
            f"a scenario is a variant: write it to its own workbook with {option('output')} "
            "(never into the model, nor MODEL-results.xlsx)",
            where=option("scenario"),
        )
    if r.activity_columns and not r.activity:
        raise InputError(
            f"{option('columns')} names the activity extracts' headers: give the extracts "
            f"with {option('activity')} EXTRACT",
            where=option("columns"),
        )
    if r.in_place and r.output is not None:
        raise InputError(
            f"give either {option('output')} or {option('in_place')}, not both",
            where=option("output"),
        )
    if r.output is not None and r.output.resolve() == path.resolve() and not r.in_place:
        raise InputError(
            f"the output is the input workbook: pass {option('in_place')} to write back into it",
            where=option("output"),
        )
    target = path if r.in_place else r.output if r.output else default_output(path)
    if any(a.resolve() == target.resolve() for a in r.activity):
        raise InputError(
            f"{target} is an input of this command (an activity extract); xlalloc never "
            "writes over an input: choose another name",
            where=option("output"),
        )
    if target.suffix.lower() != path.suffix.lower():
        raise InputError(
            f"the output {target.name} must keep the input's extension "
            f"({path.suffix}): a workbook's type follows its contents (macros "
            "only in .xlsm)",
            where="output",
        )
    return target
