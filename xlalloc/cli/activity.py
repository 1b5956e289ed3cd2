"""``xlalloc activity``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import (
    columns_option,
    force_option,
    look,
    output_file,
    present_options,
    sidecar,
)


def run(args: argparse.Namespace) -> int:
    """Check activity extracts against a model and total them by line and practice."""
    from ..model.extracts import read_extracts
    from ..readers.model import read_model
    from ..workbook.tables import write_tables

    out = output_file(args, args.model, *args.extracts)
    for name in ("sources", "coverage", "line_totals"):
        sidecar(args, out, name, args.model, *args.extracts)
    extract = read_extracts(read_model(args.model), args.extracts, args.columns)
    write_tables(
        out,
        {
            "Activity": extract.values,
            "Sources": extract.files,
            "Coverage": extract.coverage,
            "Line totals": extract.line_totals,
        },
        look=look(args),
    )
    rows = int(extract.files["rows"].sum())
    print(
        f"read {len(extract.files)} file(s), {rows:,} rows; {len(extract.values):,} line and "
        f"practice totals, £{extract.line_totals['amount'].sum():,.2f} in all; wrote {out}"
    )
    return 0


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
