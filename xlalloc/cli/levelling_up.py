"""``xlalloc levelling-up``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, number, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """A no-loser levelling-up payment."""
    from ..api import levelling_up

    return report(levelling_up(args.funding, pot=args.pot, unit=args.unit, **written(args)))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("funding", help="CSV/XLSX with columns org,funding,need[,cap]")
    c.add_argument(
        "--pot", type=number, required=True, help="the sum to pay out in £, e.g. 2000000"
    )
    c.add_argument(
        "--unit",
        type=number,
        default=1.0,
        help="rounding unit of the payments in £: 1 (default) or 1000 for £000",
    )
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
