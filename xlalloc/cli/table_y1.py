"""``xlalloc table-y1``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Converge NHS England's Table Y1 ICBs over five years under the example policy."""
    from ..api import table_y1

    return report(table_y1(**written(args)))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("-o", "--output", required=True, help="OUT.xlsx or OUT.csv")
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
