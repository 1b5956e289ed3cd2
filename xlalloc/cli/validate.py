"""``xlalloc validate``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any


def run(args: argparse.Namespace) -> int:
    """Report every input problem of a model workbook."""
    from ..api import validate

    problems = validate(args.model)
    if problems:
        print(f"{args.model}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"{args.model}: no problems found")
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("model", help="MODEL.xlsx")
    c.set_defaults(func=run)
