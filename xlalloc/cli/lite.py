"""``xlalloc lite``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .options import force_option, needs_extra


def run(args: argparse.Namespace) -> int:
    """Write main.py and requirements.txt for xlwings Lite."""
    needs_extra("excel", "xlwings")
    from ..engine.errors import InputError
    from ..excel.lite import write_lite
    from ..workbook.files import check_output

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"{folder} is a file; name the folder to write main.py and requirements.txt in",
            where="FOLDER",
        )
    for name in ("main.py", "requirements.txt"):
        check_output(folder / name, [], args.force, (Path(name).suffix,), where="FOLDER")
    paths = write_lite(folder, args.wheel)
    print(
        f"wrote {', '.join(str(p) for p in paths)}: paste them into xlwings Lite's editor "
        "(main.py and requirements.txt tabs)"
    )
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("folder", help="where to write main.py and requirements.txt")
    c.add_argument(
        "--wheel",
        metavar="URL",
        help="the URL of xlalloc's wheel where your ICB hosts it (default: xlalloc from PyPI)",
    )
    force_option(c)
    c.set_defaults(func=run)
