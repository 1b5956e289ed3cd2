"""``xlalloc pack-template``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, output_file


def run(args: argparse.Namespace) -> int:
    """Write the default pack template."""
    from ..workbook.packs import build_template
    from ..workbook.xlsx import save_atomic

    out = output_file(args, suffixes=(".xlsx",))
    save_atomic(build_template(), out)
    print(f"wrote {out}")
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("output", nargs="?", default="PACK.xlsx", help="OUT.xlsx")
    force_option(c)
    c.set_defaults(func=run)
