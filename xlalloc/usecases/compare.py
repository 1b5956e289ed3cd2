"""``xlalloc compare``: what changed between two runs of a model.

Each workbook is read and run from its inputs; the changes are split into budget
amounts and shares, written as CSVs or a workbook with waterfall charts.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from ..engine.errors import InputError, Problems
from ..model.compare import compare_results
from ..model.runner import run_model
from ..parallel import side_by_side
from ..readers.model import read_model
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

if TYPE_CHECKING:
    from ..model.compare import Comparison
    from ..model.runner import ModelResult

__all__ = ["CompareRequest", "compared", "run"]


class CompareRequest(Written):
    """What changed between two runs of a model, written to a file (``xlalloc compare``)."""

    old: Path = Field(description="the earlier model workbook (e.g. last month's)")
    new: Path = Field(description="the later model workbook (or another policy option)")
    output: Path = Field(
        description="CHANGES.xlsx (with waterfall charts) or CHANGES.csv (places, targets "
        "and convergence written beside it)"
    )

    arguments: ClassVar[tuple[str, ...]] = ("old", "new", "output")


def compared(old: str | Path, new: str | Path) -> Comparison:
    """Both model workbooks read and run (side by side), and every change explained.

    Raises:
        InputError: Every input problem of either workbook, each named by its file.
    """
    problems = Problems()
    results = []
    # The two runs side by side (a forked second process where that is cheap).
    for path, run_or_problem in zip((old, new), side_by_side(_run_or_problem, old, new)):
        if isinstance(run_or_problem, InputError):
            name = Path(path).name
            for p in run_or_problem.problems:  # named by its file once ("a.xlsx: Budget")
                named = p.where.startswith(name) or Path(p.where).name == name
                where = p.where if named else f"{name}: {p.where}"
                problems.add(where, p.message, row=p.row, column=p.column)
        else:
            results.append(run_or_problem)
    problems.raise_if_any()
    return compare_results(*results)


def _run_or_problem(path: str | Path) -> ModelResult | InputError:
    """A model workbook read and run, or the problems that stopped it."""
    try:
        return run_model(read_model(path))
    except InputError as e:
        return e


def run(request: CompareRequest) -> Analysis:
    """Both workbooks run and compared, the changes written as CSVs or a workbook.

    The analysis's ``found`` is the :class:`~xlalloc.model.compare.Comparison`.

    Raises:
        InputError: The output breaks the one output rule (checked before either workbook
            is read), or an input problem of either workbook.
    """
    from ..workbook.changes_book import write_changes

    r = request
    out = r.checked_output(r.old, r.new, sidecars=("places", "targets", "convergence", "policy"))
    comparison = compared(r.old, r.new)
    tables = comparison.tables()
    if out.suffix.lower() == ".csv":
        _write(out, tables, r)
    else:
        write_changes(out, comparison, r.look(), (r.old.name, r.new.name))
    comparison.written = out
    return Analysis(
        out,
        tables,
        f"{comparison.summary()}\nwrote {out}",
        notes=comparison.notes,
        found=comparison,
    )
