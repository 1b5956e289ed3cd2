"""What the commands share: option types, output checks, presentation options."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, cast


def number(text: str) -> float:
    """An option's number, by the readers' rules (``1,5``, ``nan`` and ``inf`` refused)."""
    from ..readers.cells import parse_number

    try:
        return parse_number(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def month(text: str) -> int:
    """A financial-year month, 1 (April) to 12 (March), by the requests' rule."""
    from ..request import checked_month

    try:
        return checked_month(int(text) if text.strip().isdigit() else 0, typed=text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def force_option(c: Any) -> None:
    """``--force``: replace the output if it exists."""
    c.add_argument("--force", action="store_true", help="replace the output if it exists")


def present_options(c: Any) -> None:
    """Options for how a workbook output shows money and prints (CSV keeps full £).

    Choices and defaults are the presentation's (:mod:`xlalloc.model.presentation`, the
    Policy sheet's too).
    """
    from typing import get_args

    from ..model.presentation import MARKING, MONEY_UNIT, PAPER_SIZE, MoneyUnit, PaperSize

    units = list(get_args(MoneyUnit))
    c.add_argument(
        "--money-unit",
        dest="money_unit",
        choices=units,
        default=MONEY_UNIT,
        help=f"show money in {MONEY_UNIT} (default), "
        + " or ".join(u for u in units if u != MONEY_UNIT)
        + " in a workbook; the values stay in pounds",
    )
    c.add_argument(
        "--marking",
        default=MARKING,
        help=f"protective marking printed on every page (default {MARKING}; '' for none)",
    )
    c.add_argument(
        "--paper-size",
        dest="paper_size",
        choices=list(get_args(PaperSize)),
        default=PAPER_SIZE,
        help=f"paper the workbook prints on (default {PAPER_SIZE}; A3 for board papers)",
    )


def columns(text: str) -> dict[str, str]:
    """``line=Contract,practice_code=GP,amount=Cost``: an extract's headers (the requests')."""
    from ..request import extract_headers

    try:
        return cast("dict[str, str]", extract_headers(text))
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def ledger_columns(text: str) -> dict[str, str]:
    """``month=Period,cost_centre=Cost Centre,amount=Actual``: a ledger's headers."""
    from ..engine.errors import InputError
    from ..readers.ledger import parse_ledger_columns

    try:
        return parse_ledger_columns(text)
    except InputError as e:
        raise argparse.ArgumentTypeError("; ".join(p.message for p in e.problems)) from None


def columns_option(c: Any) -> None:
    """``--columns``: which extract headers hold the line, practice code and amount."""
    c.add_argument(
        "--columns",
        type=columns,
        metavar="line=H,practice_code=H,amount=H",
        help="the extracts' headers, where they are not line, practice_code and "
        "amount, e.g. --columns line=Contract,practice_code=GP,amount=Cost",
    )


def assignment(text: str) -> tuple[str, str]:
    """``name=value`` (a Policy parameter and its value)."""
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE, e.g. min_growth=0.02")
    return name.strip(), value.strip()


def run_summary(result: Any, target: Path) -> str:
    """The line a run prints: what ran, and where it was written."""
    parts = [result.summary]
    if result.convergence is not None:
        parts.append(f"convergence over {len(result.convergence.years)} years")
    if result.apportionment is not None:
        a = result.apportionment
        parts.append(
            f"{len(a.audit)} budget lines apportioned (£{a.table1.loc['Total', 'Total']:,.0f})"
        )
    return f"ran {', '.join(parts)}; wrote {target}"


def needs_extra(extra: str, *modules: str) -> None:
    """Raise a one-line input problem naming the extra to install, if a module is missing."""
    import importlib.util

    from ..engine.errors import InputError
    from ..extras import install_hint

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f"this command needs {', '.join(missing)}: {install_hint(extra)}",
            where="install",
        )


def written(args: argparse.Namespace) -> dict[str, Any]:
    """The options every request that writes a file shares, from the flags."""
    shown = ("money_unit", "marking", "paper_size")  # where the command offers them
    return {
        "output": args.output,
        "overwrite": args.force,
        **{k: getattr(args, k) for k in shown if hasattr(args, k)},
    }


def report(analysis: Any) -> int:
    """Print an analysis's warnings (to stderr), notes and summary line; exit status 0."""
    import sys

    for w in analysis.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for note in analysis.notes:
        print(f"note: {note}")
    print(analysis.summary)
    return 0
