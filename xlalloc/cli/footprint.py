"""``xlalloc footprint``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import components, force_option, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Re-map one year's practices to a later year's organisations."""
    from ..api import footprint

    options = {k: getattr(args, k) for k in ("old_year", "new_year", "component", "blank_as_zero")}
    return report(footprint(args.old, args.new, **written(args), **options))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("old", help="practice file of the year to re-map")
    c.add_argument("new", help="practice file whose organisations to map to")
    c.add_argument("--old-year", dest="old_year", help="year in OLD, e.g. 2025/26")
    c.add_argument("--new-year", dest="new_year", help="year in NEW, e.g. 2026/27")
    c.add_argument(
        "--component",
        default="core",
        choices=components(),
        help="weighted population compared (default core)",
    )
    c.add_argument(
        "--blank-as-zero",
        action="store_true",
        help="read blank weighted populations as zero (recorded per practice)",
    )
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
