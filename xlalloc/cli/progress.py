"""Progress on the terminal: a bar on stderr, silent in CI or when piped."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

__all__ = ["progress_printer"]


def progress_printer(total: int = 4) -> Callable[[str], None]:
    """A progress callback: a bar on a terminal, silent in CI or when piped."""
    quiet = not sys.stderr.isatty() or os.environ.get("CI", "").lower() in ("1", "true", "yes")
    state = {"n": 0}

    def step(name: str) -> None:
        if quiet:
            return
        state["n"] += 1
        done = min(state["n"], total)
        bar = "#" * (done * 20 // total)
        sys.stderr.write(f"\r[{bar:<20}] {done}/{total} {name:<16}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return step
