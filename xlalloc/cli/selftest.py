"""``xlalloc selftest``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any


def run(args: argparse.Namespace) -> int:
    """Run the reference cases; exit status 1 if any fails."""
    from ..api import selftest

    result = selftest(args.cases)
    for case in result.cases:
        print(f"{'pass' if case.passed else 'FAIL'}  {case.id}")
        if not case.passed:
            print(f"      {case.detail}")
            print(f"      source: {case.source}")
    print(result.summary())
    return 0 if result.ok else 1


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument(
        "--cases",
        metavar="CASES.json",
        help="reference cases to run instead of those shipped with xlalloc (same layout)",
    )
    c.set_defaults(func=run)
