"""``xlalloc equity``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, look, number, output_file, present_options, sidecar


def run(args: argparse.Namespace) -> int:
    """Equity of spend against need."""
    from ..engine.equity import EquitySettings, equity
    from ..readers.tables import read_table
    from ..workbook.sheetspec import ChartSpec
    from ..workbook.tables import write_tables

    out = output_file(args, args.units)
    sidecar(args, out, "summary", args.units)
    numbers = ["population", "need", "spend", "deprivation"]
    units = read_table(
        args.units, numbers=numbers, required=["unit", "population", "need", "spend"]
    )
    result = equity(units, EquitySettings(tolerance=args.tolerance))
    n = len(result.units)
    chart = ChartSpec(
        title="Spend against need: need-standardised ratio by need",
        y_title="Ratio of spend to expected spend",
        x_title="Need",
        y_format="0.00",
        min_col=3,
        max_col=6,
        header_row=1,
        first_row=2,
        last_row=n + 1,
        anchor=f"A{n + 4}",
        kind="scatter",
        first_series_col=6,
    )
    write_tables(
        out,
        {"Units": result.units, "Summary": result.summary},
        charts={"Units": [chart]},
        look=look(args),
    )
    for note in result.notes:
        print(f"note: {note}")
    m = dict(zip(result.summary["measure"], result.summary["value"]))
    print(
        f"{n} units; {m['proportion_underserved']:.1%} of the population in underserved "
        f"units; wrote {out}"
    )
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument(
        "units",
        help="CSV/XLSX with columns unit,population,need,spend"
        "[,deprivation] (deprivation: higher is more deprived)",
    )
    c.add_argument(
        "--tolerance",
        type=number,
        default=0.0,
        help="underserved when spend / expected spend is below 1 - tolerance (decimal; default 0)",
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
