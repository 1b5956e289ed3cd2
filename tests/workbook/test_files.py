"""File safety: atomic, never behind the user's back, never stale, never half-written."""

import errno
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import demo_model, sha

from xlalloc.cli import main
from xlalloc.engine.errors import InputError
from xlalloc.workbook import files
from xlalloc.workbook.book import FileBook
from xlalloc.workbook.files import TEMP_PREFIX, atomic_write, remove_leftovers, snapshot


def _temps(folder):
    return [p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_replaces_atomically_keeping_the_mode(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"old")
    os.chmod(p, 0o640)
    atomic_write(p, b"new")
    assert p.read_bytes() == b"new" and (p.stat().st_mode & 0o777) == 0o640
    assert _temps(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_refuses_a_read_only_target_as_a_user(tmp_path):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"old")
    os.chmod(p, 0o444)
    with pytest.raises(InputError, match="is read-only; xlalloc will not replace it"):
        atomic_write(p, b"new")
    assert p.read_bytes() == b"old"


def test_refuses_a_read_only_target(tmp_path, monkeypatch):
    # Root may write anything; what matters is that xlalloc asks and refuses.
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"old")
    real_access = os.access
    monkeypatch.setattr(
        files.os, "access", lambda f, mode: False if str(f) == str(p) else real_access(f, mode)
    )
    with pytest.raises(InputError, match="is read-only; xlalloc will not replace it"):
        atomic_write(p, b"new")
    assert p.read_bytes() == b"old"


def test_writes_through_a_symbolic_link(tmp_path):
    real = tmp_path / "real.xlsx"
    real.write_bytes(b"old")
    link = tmp_path / "link.xlsx"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_full_disk_leaves_the_original(tmp_path, monkeypatch):
    p = tmp_path / "a.xlsx"
    p.write_bytes(b"old")

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(InputError, match="the disk is full; a.xlsx was left as it was"):
        atomic_write(p, b"new")
    assert p.read_bytes() == b"old" and _temps(tmp_path) == []


def test_a_missing_folder_or_a_folder_as_target(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "a.xlsx", b"x")
    with pytest.raises(InputError, match="is a folder, not a file"):
        atomic_write(tmp_path, b"x")


def test_a_workbook_changed_during_the_run_is_not_overwritten(tmp_path):
    model = demo_model(tmp_path / "m.xlsx")
    book = FileBook(model)
    book.sheet_names()  # read
    with open(model, "ab") as f:  # saved meanwhile (e.g. in Excel)
        f.write(b"\0")
    changed = sha(model)
    with pytest.raises(InputError, match="changed on disk during the run"):
        book.save()
    assert sha(model) == changed and _temps(tmp_path) == []
    assert snapshot(model).sha256 == changed


def test_interrupted_write_removes_its_temporary_file(tmp_path):
    # A SIGTERM arriving mid-write (sent from inside fsync, so the timing is certain).
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    code = textwrap.dedent(f"""
        import os, signal
        from xlalloc.workbook import files
        files.os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGTERM)
        try:
            files.atomic_write({str(target)!r}, b"new" * 1000)
        except KeyboardInterrupt as e:
            print("stopped:", e)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "stopped: stopped by signal SIGTERM" in out.stdout, out.stderr
    assert target.read_bytes() == b"old" and _temps(tmp_path) == []


def test_leftovers_of_a_killed_run_are_removed_next_time(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    stale = tmp_path / f"{TEMP_PREFIX}{dead}-abcd.xlsx"
    mine = tmp_path / f"{TEMP_PREFIX}{os.getpid()}-abcd.xlsx"
    stale.write_bytes(b"x")
    mine.write_bytes(b"x")
    assert remove_leftovers(tmp_path) == [stale]
    assert mine.exists()


def test_in_place_and_output_together_is_an_error(tmp_path, capsys):
    model = demo_model(tmp_path / "m.xlsx")
    assert main(["run", str(model), "--in-place", "-o", str(tmp_path / "o.xlsx")]) == 2
    assert "-o: give either -o or --in-place, not both" in (capsys.readouterr().err)


def test_ctrl_c_gives_a_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    model = demo_model(tmp_path / "m.xlsx")

    def stop(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("xlalloc.api.run", stop)
    assert main(["run", str(model)]) == 130
    assert capsys.readouterr().err == ("xlalloc run: interrupted; no file was left half-written\n")
