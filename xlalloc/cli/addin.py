"""``xlalloc addin``: its options, and the call to :mod:`xlalloc.excel.addin`."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, needs_extra


def run(args: argparse.Namespace) -> int:
    """Build (and verify) the xlalloc Excel add-in, or verify one."""
    needs_extra("excel", "xlwings", "oletools")
    from ..excel.addin import ADDIN_NAME, build, verify

    if args.action == "build":
        path = build(args.output or ADDIN_NAME, force=args.force)
        report = verify(path)
        print(
            f"wrote {path}: xlwings' ribbon add-in (its VBA project byte for byte, SHA-256 "
            f"{report.vba_sha256[:12]}...) with an 'xlalloc' tab whose Run button runs "
            f'{report.callbacks[0]} (RunPython "import xlalloc; xlalloc.main()"); UDF '
            f"Modules = {report.udf_modules}"
        )
        return 0
    target = args.output or ADDIN_NAME
    report = verify(target)
    for p in report.problems:
        print(f"problem: {p}")
    print(f"{target}: {'ok' if report.ok else 'FAILED'}")
    return 0 if report.ok else 1


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("action", choices=["build", "verify"])
    c.add_argument(
        "-o",
        "--output",
        help="the add-in file: xlalloc.xlam (the default, in this folder), or "
        "FOLDER/xlalloc.xlam; no other name runs xlalloc",
    )
    force_option(c)
    c.set_defaults(func=run)
