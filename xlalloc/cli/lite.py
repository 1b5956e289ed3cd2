"""``xlalloc lite``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .options import force_option


def run(args: argparse.Namespace) -> int:
    """Write main.py and requirements.txt for xlwings Lite."""
    from ..excel.lite import write_lite

    paths = write_lite(Path(args.folder), args.wheel, args.force)
    size = paths[0].stat().st_size
    print(
        f"wrote {', '.join(str(p) for p in paths)}"
        + (f" (main.py carries xlalloc itself, {size / 1e6:.1f} MB)" if not args.wheel else "")
        + ": paste them into xlwings Lite's editor (main.py and requirements.txt tabs)"
    )
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("folder", help="where to write main.py and requirements.txt")
    c.add_argument(
        "--wheel",
        metavar="URL",
        help="the URL of xlalloc's wheel where your ICB hosts it (default: main.py carries "
        "xlalloc itself, so nothing needs hosting)",
    )
    force_option(c)
    c.set_defaults(func=run)
