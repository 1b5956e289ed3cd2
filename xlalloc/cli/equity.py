"""``xlalloc equity``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, number, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Equity of spend against need."""
    from ..api import equity

    return report(equity(args.units, tolerance=args.tolerance, **written(args)))


def register(c: Any) -> None:
    """The command's arguments and options."""
    from ..engine.equity import EquitySettings

    c.add_argument(
        "units",
        help="CSV/XLSX with columns unit,population,need,spend"
        "[,deprivation] (deprivation: higher is more deprived)",
    )
    c.add_argument(
        "--tolerance",
        type=number,
        default=EquitySettings().tolerance,
        help="underserved when spend / expected spend is below 1 - tolerance (decimal; "
        "default 0.05: targets are accurate to about ±5%%, ACRA in the workshop report)",
    )
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.csv (per unit; the summary in OUT-summary.csv) or OUT.xlsx",
    )
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
