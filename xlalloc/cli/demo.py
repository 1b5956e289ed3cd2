"""``xlalloc demo``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .options import run_summary


def run(args: argparse.Namespace) -> int:
    """Write the demo model workbook and run it, in one step."""
    from ..api import new
    from ..api import run as run_workbook
    from ..demo import RUN_AT
    from .progress import progress_printer

    path = Path(args.output)
    new(path, demo=True, overwrite=args.force)
    result = run_workbook(path, in_place=True, progress=progress_printer(), run_at=RUN_AT)
    print(run_summary(result, path))
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("output", nargs="?", default="xlalloc-demo.xlsx", help="OUT.xlsx")
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    c.set_defaults(func=run)
