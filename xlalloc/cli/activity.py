"""``xlalloc activity``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import columns_option, force_option, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Check activity extracts against a model and total them by line and practice."""
    from ..api import activity

    return report(activity(args.extracts, args.model, columns=args.columns, **written(args)))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument(
        "extracts",
        nargs="+",
        metavar="EXTRACT",
        help="activity extracts: .csv, .csv.gz or .parquet, one row per contract "
        "line, any number of rows",
    )
    c.add_argument(
        "--model",
        required=True,
        help="the model workbook whose budget lines and practices the extracts must use",
    )
    columns_option(c)
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="VALUES.csv (Activity sheet rows; sources, coverage and line totals "
        "beside it) or VALUES.xlsx (a sheet each)",
    )
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
