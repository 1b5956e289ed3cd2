"""``xlalloc compare``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, present_options, written


def run(args: argparse.Namespace) -> int:
    """Explain what changed between two runs of a model."""
    from ..api import compare

    comparison = compare(args.old, args.new, **written(args))
    print(comparison.summary())
    print(f"wrote {comparison.written}")
    for n in comparison.notes:
        print(f"note: {n}")
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("old", help="the earlier model workbook (e.g. last month's)")
    c.add_argument("new", help="the later model workbook (or another policy option)")
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="CHANGES.xlsx (with waterfall charts) or CHANGES.csv (places, "
        "targets and convergence written beside it)",
    )
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
