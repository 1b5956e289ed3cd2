"""``xlalloc compare``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .options import force_option, look, output_file, present_options, sidecar


def run(args: argparse.Namespace) -> int:
    """Explain what changed between two runs of a model."""
    from ..api import compare
    from ..workbook.changes_book import write_changes
    from ..workbook.tables import write_tables

    out = output_file(args, args.old, args.new)
    for name in ("places", "targets", "convergence"):
        sidecar(args, out, name, args.old, args.new)
    comparison = compare(args.old, args.new)
    if out.suffix.lower() == ".csv":
        write_tables(out, comparison.tables())
    else:
        write_changes(out, comparison, look(args), (Path(args.old).name, Path(args.new).name))
    icb = comparison.places.iloc[0]
    print(
        f"ICB total £{icb['old']:,.0f} to £{icb['new']:,.0f}: £{icb['from_amounts']:+,.0f} "
        f"from budget line amounts, £{icb['from_shares']:+,.0f} from shares; wrote {out}"
    )
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
