"""A second process where one is cheap: forked, with every module already imported.

On Linux a forked process starts in milliseconds holding the parent's imports and data,
so two independent pieces of one command (the two runs ``compare`` explains, the map of
practices that ``new`` draws beside the model) take as long as the longer of them on a
machine of two cores, not their sum. Only a command run from the command line forks
(:func:`forks` says why); elsewhere (the Python API in a notebook, Excel, a server,
Windows and macOS, xlwings Lite) :func:`second_process` gives ``None`` and the work is
done in turn, with the same result.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # imported when a command forks: `xlalloc --help` stays light
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["command_line", "forks", "second_process", "side_by_side", "start_second_process"]

A = TypeVar("A")
R = TypeVar("R")


#: Set while the command line runs a command (:func:`command_line`): only then is a second
#: process forked. A notebook or a server has imported what it likes, and a forked copy of
#: a process holding another library's native threads or state can crash (a test run
#: with every extra imported did, collecting garbage in the copy); a command's process
#: holds xlalloc's own imports only.
_COMMAND = threading.Event()


#: The second process :func:`start_second_process` forked early, until
#: :func:`second_process` takes it.
_EARLY: list[ProcessPoolExecutor] = []


@contextmanager
def command_line() -> Iterator[None]:
    """While the command line runs one command: a second process may be forked.

    A process forked early and never used (the command stopped first) is stopped at the
    end, its tasks not begun dropped.
    """
    _COMMAND.set()
    try:
        yield
    finally:
        _COMMAND.clear()
        while _EARLY:
            _EARLY.pop().shutdown(wait=False, cancel_futures=True)


def start_second_process(prepare: Callable[[], None]) -> None:
    """Fork the second process now, while this one has imported little, and run ``prepare``.

    For a command that will want one (:func:`second_process`): forked before the command
    imports pandas, the process runs ``prepare`` (importing what its work needs) on the
    other core while this one imports and reads. Nothing happens where :func:`forks` is
    false. ``prepare`` must be a module-level function of a module imported already.
    """
    if _EARLY or not forks():
        return
    pool = _fork_one()
    if pool is not None:
        pool.submit(prepare)
        _EARLY.append(pool)


def _fork_one() -> ProcessPoolExecutor | None:
    """One worker process forked from this one, or ``None`` where the system refuses."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        fork = multiprocessing.get_context("fork")
        return ProcessPoolExecutor(max_workers=1, mp_context=fork)
    except (OSError, RuntimeError, ValueError):  # no second process: work in turn
        return None


def forks() -> bool:
    """Whether a second process is cheap and safe here: forked, with the modules imported.

    Only on Linux, for a command run from the command line (:func:`command_line`), in a
    process running one Python thread, and unless ``XLALLOC_SECOND_PROCESS`` is ``0``
    (the tests' own process sets it: they run commands in the process that imported
    everything).
    """
    if not (
        _COMMAND.is_set()
        and os.environ.get("XLALLOC_SECOND_PROCESS", "1") != "0"
        and sys.platform.startswith("linux")
        and threading.active_count() == 1
    ):
        return False
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def second_process() -> Iterator[ProcessPoolExecutor | None]:
    """One forked worker process, or ``None`` where forking is not cheap or not possible.

    Leaving normally waits for the worker's tasks; leaving on an error cancels those not
    started and does not wait for the one running.
    """
    pool: ProcessPoolExecutor | None = None
    if _EARLY:  # forked as the command began (start_second_process)
        pool = _EARLY.pop()
    elif forks():
        pool = _fork_one()
    try:
        yield pool
    except BaseException:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    if pool is not None:
        pool.shutdown(wait=True)


def side_by_side(work: Callable[[A], R], first: A, second: A) -> tuple[R, R]:
    """``work(first)`` in a second process while this one does ``work(second)``.

    In turn where :func:`second_process` has none. ``work`` should return its problems
    rather than raise them when both sides' problems are wanted.
    """
    with second_process() as pool:
        if pool is None:
            return work(first), work(second)
        there = pool.submit(work, first)
        here = work(second)
        return there.result(), here
