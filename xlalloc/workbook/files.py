"""Writing files safely: atomically, never behind the user's back, never half-written.

Every file xlalloc writes goes through :func:`atomic_write`:

* a read-only target (or folder) is refused, never replaced;
* a symbolic link is followed: the real file is replaced and the link kept;
* the bytes go to a temporary file beside the target, are flushed and fsynced, and
  only then renamed over it; a full disk or any other failure leaves the original
  intact and says so in one line;
* a workbook read at the start of a run is checked again before the rename: if it
  changed on disk meanwhile (size, time or content), the stale outputs are refused;
* SIGTERM, SIGHUP and Ctrl-C during the write remove the temporary file; temporary
  files left by a run that was killed outright are recognised (their process is
  gone) and removed by the next write in that folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..engine.errors import InputError, option
from ..readers.tables import file_sha256

__all__ = [
    "Snapshot",
    "atomic_write",
    "check_not_open",
    "check_output",
    "held_by",
    "remove_leftovers",
    "snapshot",
]

TEMP_PREFIX = ".~xlalloc-"


@dataclass(frozen=True)
class Snapshot:
    """What a file was when read: size, modification time and SHA-256."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str


def snapshot(path: str | Path) -> Snapshot:
    """Record a file's size, time and content hash."""
    p = Path(path)
    st = p.stat()
    return Snapshot(p, st.st_size, st.st_mtime_ns, file_sha256(p))


def _changed(s: Snapshot) -> bool:
    try:
        st = s.path.stat()
    except OSError:
        return True
    if (st.st_size, st.st_mtime_ns) != (s.size, s.mtime_ns):
        return True
    return file_sha256(s.path) != s.sha256


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove temporary files of xlalloc runs in ``folder`` whose process has gone."""
    removed = []
    for f in folder.glob(TEMP_PREFIX + "*"):
        parts = f.name[len(TEMP_PREFIX) :].split("-", 1)
        if parts[0].isdigit() and not _alive(int(parts[0])):
            with contextlib.suppress(OSError):
                f.unlink()
                removed.append(f)
    return removed


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; nothing was written."""


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception while a file is being written."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise Interrupted(f"stopped by signal {signal.Signals(signum).name}")

    old = {}
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            old[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _mode_for(path: Path) -> int:
    """The file mode a plain save would give: the existing file's, or 0666 less the umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(target: str | Path, data: bytes, unchanged: Snapshot | None = None) -> Path:
    """Replace ``target`` with ``data`` atomically (see the module's rules).

    Args:
        target: The file to write (a symbolic link writes its real file).
        data: The complete new content.
        unchanged: A file that must not have changed since it was read (the input
            workbook of an in-place run, or of a run to a new file).

    Returns:
        The real path written.

    Raises:
        InputError: Read-only target or folder, a missing folder, a changed input,
            a full disk or another file-system failure; the original is intact.
    """
    link = Path(target)
    real = link.resolve() if link.is_symlink() else link
    folder = real.parent if str(real.parent) else Path(".")
    where = str(link)
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist", where=where)
    if real.exists() and real.is_dir():
        raise InputError(f"{real} is a folder, not a file", where=where)
    if real.exists() and not os.access(real, os.W_OK):
        raise InputError(
            f"{real} is read-only; xlalloc will not replace it (make it "
            "writable, or write elsewhere with -o)",
            where=where,
        )
    if not os.access(folder, os.W_OK):
        raise InputError(f"the folder {folder} is read-only", where=where)
    remove_leftovers(folder)
    tmp = folder / f"{TEMP_PREFIX}{os.getpid()}-{os.urandom(4).hex()}{real.suffix}"
    try:
        with _signals_interrupt():
            try:
                with open(tmp, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.chmod(tmp, _mode_for(real))
                if unchanged is not None and _changed(unchanged):
                    raise InputError(
                        f"{unchanged.path} changed on disk during the run (saved "
                        "in Excel?); nothing was written: run again",
                        where=str(unchanged.path),
                    )
                os.replace(tmp, real)
            except OSError as e:
                what = (
                    "the disk is full"
                    if e.errno == errno.ENOSPC
                    else f"cannot write: {e.strerror or e}"
                )
                raise InputError(f"{what}; {real.name} was left as it was", where=where) from None
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    finally:
        if tmp.exists():
            with contextlib.suppress(OSError):
                tmp.unlink()
    return real


def _lock_files(path: Path) -> list[tuple[Path, str]]:
    """The lock files an office program keeps beside a workbook it has open.

    Excel writes ``~$NAME`` (for a long name, ``~$`` and the name less its first two
    characters); LibreOffice writes ``.~lock.NAME#``.
    """
    name = path.name
    excel = {f"~${name}", f"~${name[2:]}"} if len(name) > 2 else {f"~${name}"}
    return [(path.with_name(n), "Excel") for n in sorted(excel)] + [
        (path.with_name(f".~lock.{name}#"), "LibreOffice")
    ]


def _owner(lock: Path, program: str) -> str:
    """Who a lock file says holds the workbook ("" when it does not say).

    LibreOffice's is one line, ``,Name,host,date,profile;``; Excel's opens with a byte
    giving the length of the user's name, then the name.
    """
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return ""
    if program == "LibreOffice":
        fields = data.decode("utf-8", "replace").split(",")
        return fields[1].strip() if len(fields) > 1 else ""
    if data:
        n = data[0]
        return data[1 : 1 + n].decode("latin-1", "replace").strip("\x00 ").strip()
    return ""


def held_by(path: str | Path) -> str | None:
    """Who holds a workbook open, in words, or ``None`` when no lock file is beside it."""
    for lock, program in _lock_files(Path(path)):
        if lock.is_file():
            who = _owner(lock, program)
            return f"{program}" + (f" ({who})" if who else "") + f": its lock file {lock.name}"
    return None


def check_not_open(path: str | Path, where: str) -> None:
    """Refuse to write a workbook that Excel or LibreOffice holds open.

    Raises:
        InputError: Naming the program, who its lock file says holds it, and the lock.
    """
    holder = held_by(path)
    if holder is not None:
        raise InputError(
            f"{Path(path).name} is open in {holder}; close it there first (xlalloc never "
            "writes a workbook another program has open: its next save would overwrite "
            "xlalloc's, or xlalloc's its)",
            where=where,
        )


def check_output(
    path: str | Path,
    inputs: Iterable[str | Path] = (),
    force: bool = False,
    suffixes: Iterable[str] = (".csv", ".xlsx"),
    where: str = option("output"),
) -> Path:
    """The one rule for every file a command writes.

    The format follows the extension (one of ``suffixes``); an existing file is
    replaced only with ``force``; an input is never written over.

    Raises:
        InputError: An unknown extension, an existing file without ``force``, an
            input named as the output, or a folder.
    """
    out = Path(path)
    allowed = tuple(suffixes)
    if out.suffix.lower() not in allowed:
        raise InputError(
            f"{out.name}: the output's format follows its extension; expected "
            f"one of {', '.join(allowed)}",
            where=where,
        )
    real = out.resolve()
    for i in inputs:
        if Path(i).resolve() == real:
            raise InputError(
                f"{out} is an input of this command; xlalloc never writes over "
                "an input: choose another name",
                where=where,
            )
    if out.is_dir():
        raise InputError(f"{out} is a folder; expected a file name", where=where)
    if out.exists() and not force:
        raise InputError(f"{out} exists; pass {option('overwrite')} to replace it", where=where)
    if out.exists():
        check_not_open(out, where)
    return out
