"""``docs/commands.md``: every command's usage and options, written from its parser.

A use case's parser comes from its request (:mod:`xlalloc.cli.requests`), so its page
here does too: each option's meaning, choices and default as the request declares them.
``tests/cli/test_docs.py`` fails when the file is not what this writes.
Run ``python -m xlalloc.cli.docs`` to rewrite it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import build_parser

__all__ = ["WIDTH", "render"]

#: The width the help is wrapped to (a terminal's, fixed so the file is the same anywhere).
WIDTH = 100


def render() -> str:
    """The Markdown document: the commands in ``xlalloc --help``'s order, each its help."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(WIDTH)  # argparse wraps to the terminal's width
    try:
        parser = build_parser()
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        out = [
            "# Commands",
            "",
            "Every command's usage and options, as `xlalloc COMMAND --help` prints them. A use "
            "case's options are its request's fields (`xlalloc/usecases/`): this page is "
            "written from them by `python -m xlalloc.cli.docs`, and a test fails when it is "
            "not up to date.",
        ]
        for name, sub in commands.choices.items():
            out += ["", f"## `xlalloc {name}`", "", "```text", sub.format_help().rstrip(), "```"]
        return "\n".join(out) + "\n"
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/commands.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
