"""``xlalloc demo-ledger``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, month, output_file, sidecar


def run(args: argparse.Namespace) -> int:
    """Write a demo ledger extract for a model workbook."""
    from .. import demo
    from ..engine.errors import InputError
    from ..model.runner import run_model
    from ..readers.model import read_model
    from ..workbook.files import atomic_write
    from ..workbook.tables import csv_bytes

    out = output_file(args, args.model, suffixes=(".csv",))
    if args.style == "isfe":
        sidecar(args, out, "map", args.model)
    result = run_model(read_model(args.model))
    if result.apportionment is None:
        raise InputError("the model has no budget lines", where=args.model)
    cells, practices = result.apportionment.cells, result.practices
    if args.style == "isfe":
        year = result.inputs.policy.financial_year
        extract, mapping = demo.isfe_ledger(cells, practices, args.month, year)
        cc_map = out.with_name(f"{out.stem}-map.csv")
        atomic_write(out, csv_bytes(extract))
        atomic_write(cc_map, csv_bytes(mapping))
        print(f"wrote {out} and its cost-centre map {cc_map}")
        return 0
    atomic_write(out, csv_bytes(demo.ledger(cells, practices, args.month)))
    print(f"wrote {out}")
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("--month", type=month, default=6, help="months of actuals, 1 = April; default 6")
    c.add_argument(
        "--style",
        choices=("simple", "isfe"),
        default="simple",
        help="simple: month, programme, place, practice_code, amount (default); isfe: as an "
        "ICB's finance system exports it (Period, Cost Centre, Subjective, Actual), with "
        "its cost-centre map in OUT-map.csv",
    )
    c.add_argument("-o", "--output", default="ledger.csv", help="OUT.csv")
    force_option(c)
    c.set_defaults(func=run)
