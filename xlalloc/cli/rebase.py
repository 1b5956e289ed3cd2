"""``xlalloc rebase``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import components, force_option, number, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Rebase the old ICBs' baselines onto the new ICBs."""
    from ..api import rebase

    options = {
        k: getattr(args, k) for k in ("component", "unit", "old_year", "new_year", "blank_as_zero")
    }
    return report(rebase(args.old, args.new, baselines=args.baselines, **written(args), **options))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("old", help="NHS England's practice file of the old footprint (2025/26)")
    c.add_argument("new", help="the practice file of the new footprint (2026/27)")
    c.add_argument(
        "--baselines",
        required=True,
        metavar="BASELINES.csv",
        help="CSV/XLSX with columns icb,baseline: every old ICB (code or name) and its £",
    )
    c.add_argument(
        "--component",
        default="core",
        choices=components(),
        help="the old year's weighted population that shares each baseline (default core)",
    )
    c.add_argument(
        "--unit", type=number, default=1.0, help="rounding unit of the parts in £ (default 1)"
    )
    c.add_argument("--old-year", dest="old_year", help="year in OLD, e.g. 2025/26")
    c.add_argument("--new-year", dest="new_year", help="year in NEW, e.g. 2026/27")
    c.add_argument(
        "--blank-as-zero",
        action="store_true",
        help="read blank weighted populations as zero (recorded per practice)",
    )
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="NEW_BASELINES.csv (the bridge in NEW_BASELINES-bridge.csv) or .xlsx (a Bridge "
        "sheet with its chart, and Checks)",
    )
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
