"""The Python API, mirroring the command line: for notebooks and pipelines.

Use cases: :func:`new`, :func:`run`, :func:`validate` and :func:`packs`. None of
them needs xlwings or :mod:`xlalloc.excel`.

Example:
    >>> import xlalloc
    >>> xlalloc.new("model.xlsx", demo=True)            # doctest: +SKIP
    >>> result = xlalloc.run("model.xlsx")             # doctest: +SKIP
    >>> result.tables()["table1"]                      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .engine.errors import InputError
from .engine.monitoring import DEFAULT_THRESHOLD
from .model.runner import ModelResult, run_model
from .packs import PackRun, build_packs
from .readers.model import read_model

__all__ = ["default_output", "new", "packs", "run", "validate"]


def new(path: str | Path, demo: bool = False, overwrite: bool = False) -> Path:
    """Write a new model workbook (empty, or with the demo ICB's inputs)."""
    from . import demo as demo_data
    from .workbook.model_book import build_model, save_model

    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} exists; choose another name (xlalloc never overwrites a "
                         "workbook unless told to)", where=str(path))
    tables = demo_data.model_tables() if demo else None
    policy = demo_data.DEMO_POLICY if demo else None
    return save_model(build_model(tables, policy), path)


def default_output(path: Path) -> Path:
    """Where ``run`` writes when neither ``output`` nor ``in_place`` is given."""
    return path.with_name(f"{path.stem}-results{path.suffix}")


def run(path: str | Path, output: str | Path | None = None, in_place: bool = False,
        progress: Callable[[str], None] | None = None) -> ModelResult:
    """Read, validate and run a model workbook, and write its output sheets.

    Args:
        path: The model workbook.
        output: Where to write (default: ``MODEL-results.xlsx`` beside it).
        in_place: Write back into ``path`` (atomically; input sheets unchanged).
        progress: Called with each step's name.

    Returns:
        The :class:`~xlalloc.model.runner.ModelResult`.

    Raises:
        InputError: Every input problem; nothing is written.
    """
    from .actions import run_book
    from .workbook.book import FileBook

    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(f"{path.name}: xlalloc runs .xlsx and .xlsm workbooks; open it in Excel "
                         "and save it as an Excel Workbook (.xlsx)", where=str(path))
    if in_place and output is not None:
        raise InputError("give either an output (-o) or in_place (--in-place), not both",
                         where="output")
    if output is not None and Path(output).resolve() == path.resolve() and not in_place:
        raise InputError("the output is the input workbook: pass in_place (--in-place) to "
                         "write back into it", where="output")
    target = path if in_place else Path(output) if output else default_output(path)
    if target.suffix.lower() != path.suffix.lower():
        raise InputError(f"the output {target.name} must keep the input's extension "
                         f"({path.suffix}): a workbook's type follows its contents (macros "
                         "only in .xlsm)", where="output")
    book = FileBook(path, target)
    book.sheet_names()  # a missing or unreadable file is an input problem, reported first
    return run_book(book, progress)


def validate(path: str | Path) -> list[str]:
    """Every input problem in a model workbook, as readable lines (empty when valid)."""
    try:
        run_model(read_model(path))
    except InputError as e:
        return [str(p) for p in e.problems]
    return []


def packs(model: str | Path, actuals: str | Path, month: int, out_dir: str | Path,
          template: str | Path | None = None, places: Sequence[str] | None = None,
          phasing: str | Path | None = None, threshold: float = DEFAULT_THRESHOLD,
          progress: Callable[[str], None] | None = None,
          allow_empty_month: bool = False) -> PackRun:
    """Run the model and write its monthly reporting packs (``xlalloc pack``)."""
    return build_packs(model, actuals, month, out_dir, template, places, phasing, threshold,
                       progress, allow_empty_month)
