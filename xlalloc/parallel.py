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

__all__ = ["command_line", "forks", "second_process", "side_by_side"]

A = TypeVar("A")
R = TypeVar("R")


#: Set while the command line runs a command (:func:`command_line`): only then is a second
#: process forked. A notebook or a server has imported what it likes, and a forked copy of
#: a process holding another library's native threads or state can crash (a test run
#: with every extra imported did, collecting garbage in the copy); a command's process
#: holds xlalloc's own imports only.
_COMMAND = threading.Event()


@contextmanager
def command_line() -> Iterator[None]:
    """While the command line runs one command: a second process may be forked."""
    _COMMAND.set()
    try:
        yield
    finally:
        _COMMAND.clear()


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
    if forks():
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        try:
            fork = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(max_workers=1, mp_context=fork)
        except (OSError, RuntimeError, ValueError):  # no second process: work in turn
            pool = None
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
