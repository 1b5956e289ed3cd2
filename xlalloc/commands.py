"""Further subcommands, registered with :mod:`xlalloc.cli`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

REGISTER: list[Callable[[argparse._SubParsersAction], None]] = []
