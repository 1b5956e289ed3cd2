"""The ``xlalloc`` command line: thin adapters over the readers, the engine and the writers.

Every command converts its input once at the boundary, calls the engine and
writes tables. Input errors print every problem and exit with status 2. Imports
happen inside the commands, so ``xlalloc --help`` starts quickly.

Money is in pounds; growth rates, shares and thresholds are decimals (``0.01`` is 1%).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import io
import sys
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .._version import __version__
from ..parallel import command_line
from ..usecases import UseCase, use_cases
from . import requests
from .requests import flags

__all__ = ["build_parser", "flags", "main"]

#: The commands that are not use cases of :mod:`xlalloc.usecases` (a model workbook's,
#: Excel's, the self-test): their help, and their module in ``cli/``.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("write the demo ICB's model workbook and run it", "demo"),
    "selftest": (
        "check xlalloc's figures against reference cases from published figures and "
        "worked examples; exit status 1 if any fails",
        "selftest",
    ),
    "addin": ("build (and verify) the xlalloc.xlam Excel add-in", "addin"),
    "lite": (
        "write main.py and requirements.txt for xlwings Lite (Excel on the web, Windows "
        "and Mac, no local Python)",
        "lite",
    ),
}

#: The order ``xlalloc --help`` lists the commands in; a use case not named here follows.
ORDER = (
    "targets",
    "converge",
    "table-y1",
    "new",
    "run",
    "validate",
    "activity",
    "compare",
    "demo",
    "pack",
    "pack-template",
    "demo-ledger",
    "footprint",
    "rebase",
    "equity",
    "drivers",
    "levelling-up",
    "methods",
    "selftest",
    "addin",
    "lite",
)


#: What ``xlalloc --help`` opens with: for the finance analyst running it.
DESCRIPTION = (
    "Need-based targets, convergence toward target and whole-budget apportionment for an "
    "ICB, written as Excel workbooks, with monthly reporting packs from the ledger. Money "
    "is in pounds; growth rates, shares and thresholds are decimals (0.01 is 1%). "
    "'xlalloc COMMAND --help' describes a command."
)


class VersionWithSelfTest(argparse.Action):
    """``--version``: the version and the self-test's result (run only when asked)."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        from ..self_test import selftest_summary

        print(f"xlalloc {__version__} (self-test: {selftest_summary()})")
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand named, the chosen one (or all) in full.

    Args:
        argv: The arguments to be parsed; ``None`` builds every subcommand in full.
    """
    p = argparse.ArgumentParser(prog="xlalloc", description=DESCRIPTION)
    p.add_argument(
        "--version",
        action=VersionWithSelfTest,
        nargs=0,
        help="show xlalloc's version and its self-test's result, and exit",
    )
    p.add_argument(
        "--debug",
        action="store_true",
        help="show Python's traceback when something fails (for reporting bugs)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    chosen = None if argv is None else next((a for a in argv if not a.startswith("-")), "")
    found = use_cases()
    helps = {n: h for n, (h, _m) in COMMANDS.items()} | {n: u.summary for n, u in found.items()}
    for name in sorted(helps, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n)):
        parser = sub.add_parser(name, help=helps[name], description=helps[name])
        if chosen is None or chosen == name:
            _register(parser, name, found.get(name))
    return p


def _register(parser: argparse.ArgumentParser, name: str, use_case: UseCase | None) -> None:
    """A command's arguments and options: its own module's, or its request's."""
    module = COMMANDS[name][1] if use_case is None else use_case.module
    if use_case is None or importlib.util.find_spec(f"{__name__}.{module}") is not None:
        importlib.import_module(f"{__name__}.{module}").register(parser)
    else:
        requests.register(parser, use_case)


class _Flagged(io.TextIOBase):
    """A text stream that writes options as flags (see :func:`flags`)."""

    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with its options as flags."""
        return int(self.stream.write(flags(text)))

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.stream.flush()

    def isatty(self) -> bool:
        """Whether the stream underneath is a terminal (progress is shown only there)."""
        return bool(self.stream.isatty())

    def fileno(self) -> int:
        """The stream underneath's file descriptor."""
        return int(self.stream.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand, printing input problems instead of tracebacks.

    Args:
        argv: The command's arguments; ``None`` (the ``xlalloc`` program) reads them
            from ``sys.argv``, and the process ends with the command.
    """
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Flagged(out), _Flagged(err)
    try:
        # A second process may be forked (xlalloc.parallel).
        with command_line(), _collector_for_one_command(program):
            return _dispatch(args)
    finally:
        sys.stdout, sys.stderr = out, err


@contextmanager
def _collector_for_one_command(program: bool) -> Iterator[None]:
    """Python's cycle collector paused while the program runs, and not run at its exit.

    A command makes its tables, cells and rows, almost none of them in reference cycles,
    and then its process ends. The collector's passes walk every object the process
    holds (pandas' and openpyxl's modules included), and Python's exit runs it once more
    over all of them: a tenth to a fifth of a one-ICB command, for nothing. So the
    ``xlalloc`` program pauses it and, when the command is done, freezes what is left
    (:func:`gc.freeze`) for the system to free with the process. Called from Python
    (``argv`` given: the tests, a notebook), the process goes on and nothing changes.
    """
    if not program:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command; every failure is one line and an exit status."""
    from ..engine.errors import InputError

    try:
        return int(args.func(args) or 0)
    except InputError as e:
        print(f"xlalloc {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM or SIGHUP: no traceback
        reason = str(e) or "interrupted"
        print(f"xlalloc {args.command}: {reason}; no file was left half-written", file=sys.stderr)
        return 130
    except (OSError, UnicodeError, zipfile.BadZipFile, MemoryError) as e:
        # The file system, an archive or an encoding failed: a reason, not a traceback.
        if args.debug:
            raise
        what = getattr(e, "strerror", None) or str(e) or type(e).__name__
        name = getattr(e, "filename", None)
        print(f"xlalloc {args.command}: {what}" + (f": {name}" if name else ""), file=sys.stderr)
        return 2
    except Exception as e:  # a bug: say so in one line, and how to see the traceback
        if args.debug:
            raise
        print(
            f"xlalloc {args.command}: unexpected error ({type(e).__name__}: {e}); nothing "
            "was written; run again with --debug for the traceback and please report it",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
