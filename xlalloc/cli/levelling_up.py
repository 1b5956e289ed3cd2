"""``xlalloc levelling-up``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, look, number, output_file, present_options


def run(args: argparse.Namespace) -> int:
    """A no-loser levelling-up payment."""
    from ..engine.levelling_up import LevellingUpSettings, levelling_up
    from ..readers.tables import read_table
    from ..workbook.tables import write_tables

    out = output_file(args, args.funding)
    orgs = read_table(
        args.funding, numbers=["funding", "need", "cap"], required=["org", "funding", "need"]
    )
    result = levelling_up(orgs, LevellingUpSettings(pot=args.pot, unit=args.unit))
    write_tables(out, {"Levelling up": result.table}, look=look(args))
    paid = int((result.table["payment"] > 0).sum())
    print(
        f"level £{result.level:,.2f} per unit of need; {paid} of {len(result.table)} "
        f"organisations receive a payment; wrote {out}"
    )
    return 0


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
