"""``xlalloc demo-ledger``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, month, output_file


def run(args: argparse.Namespace) -> int:
    """Write a demo ledger extract for a model workbook."""
    from .. import demo
    from ..engine.errors import InputError
    from ..model.runner import run_model
    from ..readers.model import read_model
    from ..workbook.files import atomic_write
    from ..workbook.tables import csv_bytes

    out = output_file(args, args.model, suffixes=(".csv",))
    result = run_model(read_model(args.model))
    if result.apportionment is None:
        raise InputError("the model has no budget lines", where=args.model)
    atomic_write(
        out, csv_bytes(demo.ledger(result.apportionment.cells, result.practices, args.month))
    )
    print(f"wrote {out}")
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("--month", type=month, default=6, help="months of actuals, 1 = April; default 6")
    c.add_argument("-o", "--output", default="ledger.csv", help="OUT.csv")
    force_option(c)
    c.set_defaults(func=run)
