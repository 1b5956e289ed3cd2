"""``xlalloc footprint``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import blank_wp, components, force_option, look, output_file, present_options


def run(args: argparse.Namespace) -> int:
    """Re-map one year's practices to a later year's organisations."""
    from ..engine.capitation import derive_footprint, footprint_change
    from ..readers import nhse
    from ..workbook.tables import write_tables

    out = output_file(args, args.old, args.new)
    old = nhse.load_practices(args.old, args.old_year, blank_wp=blank_wp(args))
    new = nhse.load_practices(args.new, args.new_year, blank_wp=blank_wp(args))
    table, unmapped = footprint_change(old, derive_footprint(old, new), args.component)
    write_tables(out, {"Footprint": table}, look=look(args))
    print(
        f"{len(table)} new organisations from {old['icb_code'].nunique()}; "
        f"{len(unmapped)} practice(s) of the old file are not in the new one; wrote "
        f"{args.output}"
    )
    return 0


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
