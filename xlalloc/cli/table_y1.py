"""``xlalloc table-y1``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, look, output_file, present_options


def run(args: argparse.Namespace) -> int:
    """Converge NHS England's Table Y1 ICBs over five years under the example policy."""
    from .. import demo
    from ..engine.convergence import converge_years
    from ..workbook.convergence_book import write_convergence

    out = output_file(args)
    orgs, totals = demo.table_y1_orgs()
    result = converge_years(orgs, totals, demo.Y1_POLICY)
    if out.suffix.lower() == ".xlsx":
        write_convergence(out, result, look(args))
    else:
        import pandas as pd

        from ..workbook.tables import write_tables

        write_tables(
            out,
            {
                "convergence": pd.concat([r.table for r in result.years.values()]),
                "trajectory": result.trajectory,
            },
            look=look(args),
        )
    print(f"wrote {out}")
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("-o", "--output", required=True, help="OUT.xlsx or OUT.csv")
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
