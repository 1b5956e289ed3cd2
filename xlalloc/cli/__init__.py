"""The ``xlalloc`` command line: thin adapters over the readers, the engine and the writers.

Every command converts its input once at the boundary, calls the engine and
writes tables. Input errors print every problem and exit with status 2. Imports
happen inside the commands, so ``xlalloc --help`` starts quickly.

Money is in pounds; growth rates, shares and thresholds are decimals (``0.01`` is 1%).
"""

from __future__ import annotations

import argparse
import importlib
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from typing import Any

from .._version import __version__
from ..parallel import command_line

__all__ = ["build_parser", "flags", "main"]

#: Every command: its help, and its module in ``cli/`` (``register(parser)``, ``run(args)``).
COMMANDS: dict[str, tuple[str, str]] = {
    "targets": ("need indices, target shares and target £ by place", "targets"),
    "converge": ("converge baselines toward target under a policy", "converge"),
    "table-y1": ("demonstration: converge Table Y1's 42 ICBs over five years", "table_y1"),
    "new": ("write a new model workbook (empty, or --demo)", "new"),
    "run": ("run a model workbook headless and write its outputs", "run"),
    "validate": ("report every input problem of a model workbook", "validate"),
    "activity": (
        "check activity extracts (CSV or Parquet, any size) against a model and "
        "total them by line and practice",
        "activity",
    ),
    "compare": (
        "what changed between two runs of a model, split into budget amounts and shares",
        "compare",
    ),
    "demo": ("write the demo ICB's model workbook and run it", "demo"),
    "pack": ("monthly reporting packs: one per place and an ICB summary", "pack"),
    "pack-template": ("write the default pack template to restyle", "pack_template"),
    "demo-ledger": ("write a demo ledger extract for a model", "demo_ledger"),
    "footprint": (
        "re-map practices to new organisations (e.g. 42 ICBs to 36) and compare "
        "with their predecessors",
        "footprint",
    ),
    "rebase": (
        "rebase last year's ICB baselines onto this year's ICBs (mergers and splits), with "
        "the bridge",
        "rebase",
    ),
    "equity": (
        "equity of spend against need: underserved units, horizontal and vertical inequity",
        "equity",
    ),
    "drivers": (
        "why each place spends above or below its need: activity volume and cost per "
        "record, programme by programme",
        "drivers",
    ),
    "levelling-up": (
        "a no-loser payment lifting the lowest-funded toward one level of funding per need",
        "levelling_up",
    ),
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
    for name, (help_text, module) in COMMANDS.items():
        parser = sub.add_parser(name, help=help_text, description=help_text)
        if chosen is None or chosen == name:
            importlib.import_module(f"{__name__}.{module}").register(parser)
    return p


#: Options whose flag is not ``--`` and the option's name with hyphens.
FLAGS = {"output": "-o", "overwrite": "--force"}


_OPTION = re.compile(r"`([a-z][a-z0-9_]*)`")


def flags(text: str) -> str:
    """Text with each option a message names written as its flag.

    Messages name options as :func:`~xlalloc.engine.errors.option` marks them
    (```places_by```); the command line shows ``--places-by``. Only ``cli/`` knows flags;
    the Python API and Excel name the options.
    """
    return _OPTION.sub(lambda m: FLAGS.get(m[1], "--" + m[1].replace("_", "-")), text)


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
    """Entry point: run a subcommand, printing input problems instead of tracebacks."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Flagged(out), _Flagged(err)
    try:
        with command_line():  # a second process may be forked (xlalloc.parallel)
            return _dispatch(args)
    finally:
        sys.stdout, sys.stderr = out, err


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
