"""``xlalloc demo-ledger``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, month, report, written


def run(args: argparse.Namespace) -> int:
    """Write a demo ledger extract for a model workbook."""
    from ..api import demo_ledger

    return report(demo_ledger(args.model, month=args.month, style=args.style, **written(args)))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("--month", type=month, default=6, help="months of actuals, 1 = April; default 6")
    c.add_argument(
        "--style",
        choices=("simple", "isfe"),
        default="simple",
        help="simple: month, programme, place, practice_code, amount (default); isfe: as an "
        "ICB's finance system exports it (Period, Cost Centre, Subjective, Actual), with "
        "its cost-centre map in OUT-map.csv",
    )
    c.add_argument("-o", "--output", default="ledger.csv", help="OUT.csv")
    force_option(c)
    c.set_defaults(func=run)
