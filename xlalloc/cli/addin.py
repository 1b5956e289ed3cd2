"""``xlalloc addin``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import needs_extra


def run(args: argparse.Namespace) -> int:
    """Build and verify the xlalloc Excel add-in."""
    needs_extra("excel", "xlwings", "oletools")
    from ..excel.addin import build, verify

    if args.action == "build":
        path = build(args.output)
        report = verify(path)
        print(
            f"wrote {path}: ribbon tab 'xlalloc', button -> {report.callbacks[0]} "
            f"(RunPython xlalloc.main()), UDF Modules = {report.udf_modules}"
        )
        return 0
    report = verify(args.output)
    for p in report.problems:
        print(f"problem: {p}")
    print(f"{args.output}: {'ok' if report.ok else 'FAILED'}")
    return 0 if report.ok else 1


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("action", choices=["build", "verify"])
    c.add_argument(
        "-o",
        "--output",
        default="xlalloc.xlam",
        help="add-in file (default xlalloc.xlam; any name works)",
    )
    c.set_defaults(func=run)
