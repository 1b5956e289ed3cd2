"""xlalloc: an allocation engine for NHS Integrated Care Board finance teams.

The engine (:mod:`xlalloc.engine`) is pure numpy/pandas/pydantic; readers,
workbook writers, Excel and the command line are thin adapters around it. The
Python API mirrors the command line: :func:`new`, :func:`run`, :func:`validate`,
:func:`packs` and :func:`compare` on model workbooks, :func:`targets`, :func:`converge`,
:func:`equity`, :func:`levelling_up`, :func:`footprint`, :func:`table_y1`,
:func:`activity` and :func:`drivers` on files; :func:`demo_ledger` and
:func:`pack_template` (imported on first use, so ``import xlalloc`` stays light).
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = [
    "__version__",
    "activity",
    "compare",
    "converge",
    "demo_ledger",
    "drivers",
    "equity",
    "footprint",
    "levelling_up",
    "main",
    "new",
    "pack_template",
    "packs",
    "rebase",
    "run",
    "selftest",
    "table_y1",
    "targets",
    "validate",
]

_API = tuple(n for n in __all__ if n not in ("__version__", "main"))


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'xlalloc' has no attribute {name!r}")


def main() -> object:
    """The ribbon button's entry point (``RunPython "import xlalloc; xlalloc.main()"``)."""
    from .excel.macros import main as _main

    return _main()
