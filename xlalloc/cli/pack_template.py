"""``xlalloc pack-template``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, report, written


def run(args: argparse.Namespace) -> int:
    """Write the default pack template."""
    from ..api import pack_template

    return report(pack_template(**written(args)))


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("output", nargs="?", default="PACK.xlsx", help="OUT.xlsx")
    force_option(c)
    c.set_defaults(func=run)
