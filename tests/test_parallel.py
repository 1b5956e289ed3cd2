"""A second process where one is cheap: the same results as working in turn."""

import os
import sys

import pytest

from xlalloc.engine.errors import InputError, Problem
from xlalloc.parallel import forks, second_process, side_by_side


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _problem_or_half(x: int) -> float | InputError:
    if x < 0:
        return InputError([Problem("Budget", f"{x} is negative", row=x, column="amount")])
    return x / 2


def test_the_first_is_worked_in_a_second_process_where_linux_forks():
    (pid_a, a), (pid_b, b) = side_by_side(_pid_and_square, 3, 4)
    assert (a, b) == (9, 16)
    assert pid_b == os.getpid()  # the second, here
    assert (pid_a != os.getpid()) == forks()  # the first, in a process of its own on Linux
    assert forks() == sys.platform.startswith("linux")


def test_problems_come_back_whole_from_the_second_process():
    there, here = side_by_side(_problem_or_half, -3, 5)
    assert here == 2.5
    assert isinstance(there, InputError)
    assert there.problems == [Problem("Budget", "-3 is negative", row=-3, column="amount")]
    assert str(there).startswith("1 input problem:")


def test_an_error_here_stops_without_waiting_and_is_raised():
    with pytest.raises(RuntimeError, match="stop"), second_process() as pool:
        if pool is not None:
            pool.submit(_pid_and_square, 2)
        raise RuntimeError("stop")
