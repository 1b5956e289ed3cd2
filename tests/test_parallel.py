"""A second process where one is cheap: the same results as working in turn."""

import os
import subprocess
import sys

import pytest

from xlalloc.engine.errors import InputError, Problem
from xlalloc.parallel import command_line, forks, second_process, side_by_side


def _pid_and_square(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def _problem_or_half(x: int) -> float | InputError:
    if x < 0:
        return InputError([Problem("Budget", f"{x} is negative", row=x, column="amount")])
    return x / 2


@pytest.fixture
def allowed(monkeypatch):
    """This process as a command's: the tests' own setting (work in turn) lifted."""
    monkeypatch.setenv("XLALLOC_SECOND_PROCESS", "1")
    with command_line():
        yield


def test_only_a_command_forks_and_only_where_linux_does(monkeypatch):
    import threading

    monkeypatch.setenv("XLALLOC_SECOND_PROCESS", "1")
    assert not forks()  # the Python API, a notebook, a server: in turn
    with command_line():
        # On Linux, from a process running one Python thread (an earlier test of the
        # session may have left one running: then in turn here too).
        alone = threading.active_count() == 1
        assert forks() == (sys.platform.startswith("linux") and alone)
        monkeypatch.setenv("XLALLOC_SECOND_PROCESS", "0")
        assert not forks()
    assert not forks()


#: Run as a command's own process runs (one thread, as the command line has it): the
#: test session's process may hold other threads, and then rightly never forks.
_EARLY_SCRIPT = """
import os, sys
from xlalloc import parallel

PREPARED = []

def prepare_here():
    PREPARED.append(os.getpid())

def prepared_in():
    return list(PREPARED)

def pid_and_square(x):
    return os.getpid(), x * x

with parallel.command_line():
    assert parallel.forks()
    if sys.argv[1] == "used":
        parallel.start_second_process(prepare_here)
        parallel.start_second_process(prepare_here)  # one process only, prepared once
        with parallel.second_process() as pool:
            worker, square = pool.submit(pid_and_square, 5).result()
            assert worker != os.getpid() and square == 25
            assert pool.submit(prepared_in).result() == [worker]  # prepared, in it, once
        assert PREPARED == []  # never here
    else:
        parallel.start_second_process(prepare_here)
        (pool,) = parallel._EARLY
assert parallel._EARLY == []  # stopped with the command
if sys.argv[1] == "unused":
    try:
        pool.submit(pid_and_square, 2)
    except RuntimeError as e:
        assert "shutdown" in str(e)
    else:
        raise AssertionError("the unused process still takes work")
print("ok")
"""


@pytest.mark.parametrize("case", ["used", "unused"])
def test_a_process_forked_early_is_the_one_used_or_is_stopped_with_the_command(case):
    """Forked early (before pandas), prepared once, and the one the command then uses;
    never used (the command stopped first), stopped when the command ends."""
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux forks")
    env = {**os.environ, "XLALLOC_SECOND_PROCESS": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _EARLY_SCRIPT, case], capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_a_process_running_other_threads_does_not_fork(monkeypatch):
    import threading

    monkeypatch.setenv("XLALLOC_SECOND_PROCESS", "1")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with command_line():
            assert not forks()  # a server's worker threads: a forked copy could deadlock
    finally:
        stop.set()
        other.join()


def test_the_first_is_worked_in_a_second_process_where_linux_forks(allowed):
    (pid_a, a), (pid_b, b) = side_by_side(_pid_and_square, 3, 4)
    assert (a, b) == (9, 16)
    assert pid_b == os.getpid()  # the second, here
    assert (pid_a != os.getpid()) == forks()  # the first, in a process of its own on Linux


def test_in_turn_the_same(monkeypatch):
    monkeypatch.setenv("XLALLOC_SECOND_PROCESS", "0")
    (pid_a, a), (pid_b, b) = side_by_side(_pid_and_square, 3, 4)
    assert (a, b, pid_a, pid_b) == (9, 16, os.getpid(), os.getpid())


def test_problems_come_back_whole_from_the_second_process(allowed):
    there, here = side_by_side(_problem_or_half, -3, 5)
    assert here == 2.5
    assert isinstance(there, InputError)
    assert there.problems == [Problem("Budget", "-3 is negative", row=-3, column="amount")]
    assert str(there).startswith("1 input problem:")


def test_an_error_here_stops_without_waiting_and_is_raised(allowed):
    with pytest.raises(RuntimeError, match="stop"), second_process() as pool:
        if pool is not None:
            pool.submit(_pid_and_square, 2)
        raise RuntimeError("stop")


def test_a_command_line_compare_writes_the_same_workbook_either_way(tmp_path):
    # As users run it: a fresh process, its two runs side by side (forked) or in turn.
    from conftest import demo_model

    old = demo_model(tmp_path / "old.xlsx")
    new = tmp_path / "new.xlsx"
    new.write_bytes(old.read_bytes())
    written = {}
    for setting in ("1", "0"):
        out = tmp_path / f"changes-{setting}.xlsx"
        env = {**os.environ, "XLALLOC_SECOND_PROCESS": setting}
        argv = [sys.executable, "-m", "xlalloc.cli", "compare", str(old), str(new), "-o", str(out)]
        proc = subprocess.run(argv, capture_output=True, text=True, env=env)
        assert proc.returncode == 0, proc.stderr
        written[setting] = out.read_bytes()
    assert written["1"] == written["0"]


def test_new_forks_the_map_before_importing_pandas(tmp_path):
    """As users run it: ``xlalloc new`` from NHS England's files forks the process that
    draws its map while it has imported neither pandas nor numpy (so that process
    imports matplotlib on the other core while this one imports pandas)."""
    from conftest import SHARED

    pytest.importorskip("matplotlib")
    files = sorted(SHARED.glob("ICB_Place_Based_Tool_2627-2829__2026_2027.csv"))
    if not files:
        pytest.skip("NHS England's files are not here")
    code = (
        "import sys\n"
        "from xlalloc import parallel\n"
        "start = parallel.start_second_process\n"
        "def spy(prepare):\n"
        "    print('forking with', sorted({'pandas', 'numpy'} & set(sys.modules)), flush=True)\n"
        "    start(prepare)\n"
        "parallel.start_second_process = spy\n"
        "from xlalloc.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    out = tmp_path / "m.xlsx"
    argv = [sys.executable, "-c", code, "new", str(out), "--practices", str(files[0])]
    env = {**os.environ, "XLALLOC_SECOND_PROCESS": "1"}
    proc = subprocess.run([*argv, "--icb", "T02"], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "forking with []"
    assert (tmp_path / "m-places.png").read_bytes().startswith(b"\x89PNG")
