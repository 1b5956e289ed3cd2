"""The Python API, mirroring the command line: for notebooks and pipelines.

Example:
    >>> import xlalloc
    >>> xlalloc.new("model.xlsx", demo=True)            # doctest: +SKIP
    >>> result = xlalloc.run("model.xlsx")             # doctest: +SKIP
    >>> result.tables()["table1"]                      # doctest: +SKIP
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from .engine.errors import InputError
from .model.reader import read_model
from .model.runner import ModelResult, run_model


def progress_printer(total: int = 4) -> Callable[[str], None]:
    """A progress callback: a bar on a terminal, silent in CI or when piped."""
    quiet = not sys.stderr.isatty() or os.environ.get("CI", "").lower() in ("1", "true", "yes")
    state = {"n": 0}

    def step(name: str) -> None:
        if quiet:
            return
        state["n"] += 1
        done = min(state["n"], total)
        bar = "#" * (done * 20 // total)
        sys.stderr.write(f"\r[{bar:<20}] {done}/{total} {name:<16}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return step


def new(path: str | Path, demo: bool = False, overwrite: bool = False) -> Path:
    """Write a new model workbook (empty, or with the demo ICB's inputs)."""
    from . import demo as demo_data
    from .workbook.model_book import build_model, save_model

    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} exists; choose another name (xlalloc never overwrites a "
                         "workbook unless told to)", where=str(path))
    tables = demo_data.model_tables() if demo else None
    params = demo_data.DEMO_PARAMS if demo else None
    return save_model(build_model(tables, params), path)


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
    from .excel.books import OpenpyxlBook
    from .excel.macros import run_book
    from .workbook.model_book import refuse_if_lossy

    path = Path(path)
    if output is not None and Path(output).resolve() == path.resolve() and not in_place:
        raise InputError("the output is the input workbook: pass in_place (--in-place) to "
                         "write back into it", where="output")
    target = path if in_place else Path(output) if output else default_output(path)
    book = OpenpyxlBook(path, target)
    book.sheet_names()  # a missing or unreadable file is an input problem, reported first
    if in_place:
        refuse_if_lossy(path)  # before the run, not only at save
    return run_book(book, progress)


def validate(path: str | Path) -> list[str]:
    """Every input problem in a model workbook, as readable lines (empty when valid)."""
    try:
        run_model(read_model(path))
    except InputError as e:
        return [str(p) for p in e.problems]
    return []
