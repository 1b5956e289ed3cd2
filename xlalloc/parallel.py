"""A second process where one is cheap: forked, with every module already imported.

On Linux a forked process starts in milliseconds holding the parent's imports and data,
so two independent pieces of one command (the two runs ``compare`` explains, the map of
practices that ``new`` draws beside the model) take as long as the longer of them on a
machine of two cores, not their sum. Elsewhere (Windows and macOS start a new
interpreter; xlwings Lite has no processes) :func:`second_process` gives ``None`` and
the command does the work in turn, with the same result.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

__all__ = ["forks", "second_process", "side_by_side"]

A = TypeVar("A")
R = TypeVar("R")


def forks() -> bool:
    """Whether a second process is cheap here: forked, with the modules already imported."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def second_process() -> Iterator[ProcessPoolExecutor | None]:
    """One forked worker process, or ``None`` where forking is not cheap or not possible.

    Leaving normally waits for the worker's tasks; leaving on an error cancels those not
    started and does not wait for the one running.
    """
    pool: ProcessPoolExecutor | None = None
    if forks():
        try:
            pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("fork")
            )
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
