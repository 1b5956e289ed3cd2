"""``xlalloc drivers``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import columns_option, force_option, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Why each place spends above or below its need."""
    from ..api import drivers

    return report(
        drivers(
            args.model,
            activity=args.activity or (),
            columns=args.columns,
            min_activity=args.min_activity,
            **written(args),
        )
    )


def register(c: Any) -> None:
    """The command's arguments and options."""
    from ..engine.drivers import DriversSettings

    c.add_argument(
        "model",
        help="the model workbook: its practices, budget lines and Activity sheet",
    )
    c.add_argument(
        "--activity",
        nargs="+",
        metavar="EXTRACT",
        help="activity extracts (.csv, .csv.gz or .parquet, any number of rows) added to "
        "the Activity sheet's rows; each row is one record (a spell, an attendance, an item)",
    )
    columns_option(c)
    c.add_argument(
        "--min-activity",
        type=int,
        default=DriversSettings().min_activity,
        help="a place and programme with fewer records is marked too small to read "
        "(default 100: a count's chance variation is then within about 10%%)",
    )
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.csv (the sentences in OUT-why.csv) or OUT.xlsx (the Drivers sheet, "
        "with a chart per programme)",
    )
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
