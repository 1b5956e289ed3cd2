"""The files a user pastes into xlwings Lite's editor: ``main.py`` and ``requirements.txt``.

xlwings Lite runs Python inside the Excel add-in (Windows, Mac and Excel on the web)
and registers the worksheet functions and scripts it finds in ``main.py``. xlalloc's
``main.py`` only imports them from :mod:`xlalloc.excel.udfs` and
:mod:`xlalloc.excel.scripts`, so Lite, the desktop add-in and the command line run the
same code. ``requirements.txt`` names xlalloc (a pure-Python wheel: numpy, pandas and
pydantic come with Lite, openpyxl and defusedxml are pure-Python wheels from PyPI).
"""

from __future__ import annotations

from pathlib import Path

from .._version import __version__

__all__ = ["main_py", "requirements_txt", "write_lite"]


def main_py() -> str:
    """The ``main.py`` for xlwings Lite: every pinned function and script, imported."""
    from .scripts import SCRIPTS
    from .udfs import REGISTRY

    functions = ",\n    ".join(sorted(REGISTRY))
    scripts = ",\n    ".join(sorted(SCRIPTS))
    return f'''"""xlalloc {__version__} in xlwings Lite (written by `xlalloc lite`).

Worksheet functions: =XLA_TARGET_SHARES(...) and the others, as on the desktop.
Scripts (task pane, or a button bound to them): xlalloc_run, xlalloc_validate,
xlalloc_refresh (and xlalloc_packs, which says where packs are built).
"""

from xlalloc.excel.scripts import (  # noqa: F401
    {scripts},
)
from xlalloc.excel.udfs import (  # noqa: F401
    {functions},
)
'''


def requirements_txt(wheel: str | None = None) -> str:
    """``requirements.txt``: xlalloc from PyPI, or from the wheel's URL where it is hosted."""
    line = f"xlalloc @ {wheel}" if wheel else f"xlalloc=={__version__}"
    return f"{line}\nopenpyxl\ndefusedxml\n"


def write_lite(folder: str | Path, wheel: str | None = None) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` into ``folder``."""
    from ..workbook.files import atomic_write

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return [
        atomic_write(out / "main.py", main_py().encode("utf-8")),
        atomic_write(out / "requirements.txt", requirements_txt(wheel).encode("utf-8")),
    ]
