"""xlalloc: an allocation engine for NHS Integrated Care Board finance teams.

The engine (:mod:`xlalloc.engine`) is pure pandas/numpy; workbooks, Excel and the
command line are thin adapters around it. The Python API mirrors the command line:
:func:`new`, :func:`run` and :func:`validate`.
"""

__version__ = "0.1.0"

from .api import new, run, validate  # noqa: E402


def main() -> object:
    """The ribbon button's entry point (``RunPython "import xlalloc; xlalloc.main()"``)."""
    from .excel.macros import main as _main

    return _main()


__all__ = ["__version__", "main", "new", "run", "validate"]
