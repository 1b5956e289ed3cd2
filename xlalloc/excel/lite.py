"""The files a user pastes into xlwings Lite's editor: ``main.py`` and ``requirements.txt``.

xlwings Lite runs Python inside the Excel add-in (Windows, Mac and Excel on the web,
through Pyodide in the browser) and registers the worksheet functions and scripts it
finds in ``main.py``. xlalloc is not on PyPI, and an ICB has nowhere to host a wheel that
Excel on the web can fetch, so by default ``main.py`` **carries xlalloc itself**: its
package, zipped and base64-encoded, with its SHA-256, unpacked on first import into a
folder of the Python's temporary directory that is put on ``sys.path``. It then imports
the functions and scripts from :mod:`xlalloc.excel.udfs` and :mod:`xlalloc.excel.scripts`,
so Lite, the desktop add-in and the command line run the same code.

``requirements.txt`` lists only what Lite installs itself: xlwings and xlalloc's pure-Python
dependencies (openpyxl, defusedxml), pinned to the versions tested here, and the packages
built into Pyodide (numpy, pandas, pydantic, lxml, matplotlib), unpinned as Lite asks
(their versions are Pyodide's). A wheel URL (``wheel=``) keeps the older route for an
ICB that hosts xlalloc's wheel: ``main.py`` then only imports, and ``requirements.txt``
names the wheel.
"""

from __future__ import annotations

import base64
import io
import zipfile
from hashlib import sha256
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from .._version import __version__
from ..engine.errors import InputError, option

__all__ = ["PYODIDE_BUILT", "main_py", "package_zip", "requirements_txt", "write_lite"]

#: xlalloc's dependencies (and its charts') that Pyodide builds itself: never pinned.
PYODIDE_BUILT = ("numpy", "pandas", "pydantic", "lxml", "matplotlib")

#: Pure-Python packages Lite installs from PyPI, pinned to the version installed here.
PURE = ("xlwings", "openpyxl", "defusedxml")

#: This version's wheel: the file a ``--wheel`` URL's path must end in.
WHEEL_FILE = f"xlalloc-{__version__}-py3-none-any.whl"

#: The lowest versions Lite may install where this machine has none to pin to (the core
#: install has no xlwings): pyproject's own bounds.
MINIMUM = {"xlwings": ">=0.30", "openpyxl": ">=3.1,<3.2", "defusedxml": ">=0.7"}

#: Files of the package carried in ``main.py`` (what the wheel holds: code and data).
_PACKAGE_FILES = ("*.py", "py.typed", "reference/*.csv", "reference/*.json")


def package_zip() -> bytes:
    """The installed xlalloc package (its code and data files), zipped reproducibly."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(
        {
            p
            for pattern in _PACKAGE_FILES
            for p in root.rglob(pattern)
            if "__pycache__" not in p.parts
        }
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for p in files:
            info = zipfile.ZipInfo(
                "xlalloc/" + p.relative_to(root).as_posix(), date_time=(1980, 1, 1, 0, 0, 0)
            )
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, p.read_bytes())
    return buffer.getvalue()


def _imports() -> str:
    from .scripts import SCRIPTS
    from .udfs import REGISTRY

    functions = ",\n    ".join(sorted(REGISTRY))
    scripts = ",\n    ".join(sorted(SCRIPTS))
    return f"""from xlalloc.excel.scripts import (  # noqa: E402, F401
    {scripts},
)
from xlalloc.excel.udfs import (  # noqa: E402, F401
    {functions},
)
"""


_UNPACK = '''
def _load_xlalloc():
    """Unpack the xlalloc carried below (once) and put it first on sys.path."""
    import base64
    import hashlib
    import io
    import os
    import sys
    import tempfile
    import zipfile

    data = base64.b64decode("".join(_XLALLOC.split()))
    if hashlib.sha256(data).hexdigest() != _SHA256:
        raise ImportError(
            "the xlalloc carried in main.py is damaged (its SHA-256 differs): write "
            "main.py again with `xlalloc lite` and paste it whole"
        )
    loaded = sys.modules.get("xlalloc")
    if loaded is not None and getattr(loaded, "__version__", None) != _VERSION:
        raise ImportError(
            f"xlalloc {loaded.__version__} is already loaded; restart xlwings Lite to "
            f"load the xlalloc {_VERSION} in main.py"
        )
    folder = os.path.join(tempfile.gettempdir(), f"xlalloc-{_VERSION}-{_SHA256[:12]}")
    if not os.path.isfile(os.path.join(folder, "xlalloc", "__init__.py")):
        part = f"{folder}.{os.getpid()}.part"
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.extractall(part)
        try:
            os.replace(part, folder)
        except OSError:  # unpacked meanwhile by another process: use that one
            pass
    if folder not in sys.path:
        sys.path.insert(0, folder)


_load_xlalloc()
'''


def main_py(embed: bool = True) -> str:
    """The ``main.py`` for xlwings Lite: every pinned function and script, imported.

    Args:
        embed: Carry xlalloc in the file (the default); ``False`` when the ICB hosts the
            wheel that ``requirements.txt`` names.
    """
    head = f'''"""xlalloc {__version__} in xlwings Lite (written by `xlalloc lite`).

Worksheet functions: =XLA_TARGET_SHARES(...) and the others, as on the desktop.
Scripts (task pane, or a button bound to them): xlalloc_run, xlalloc_validate,
xlalloc_refresh (and xlalloc_packs, which says where packs are built).
'''
    if not embed:
        return head + '"""\n\n' + _imports()
    data = package_zip()
    text = base64.b64encode(data).decode("ascii")
    lines = "\n".join(text[i : i + 96] for i in range(0, len(text), 96))
    return (
        head
        + f"""
xlalloc itself is carried at the end of this file ({len(data):,} bytes, zipped), with its
SHA-256: it is unpacked on first import, so nothing has to be hosted or installed from
anywhere but PyPI and Pyodide (requirements.txt).
Do not edit below this line.
\"\"\"

_VERSION = {__version__!r}
_SHA256 = {sha256(data).hexdigest()!r}
_XLALLOC = \"\"\"
{lines}
\"\"\"
"""
        + _UNPACK
        + "\n"
        + _imports()
    )


def requirements_txt(wheel: str | None = None) -> str:
    """``requirements.txt``: only packages Lite installs (and the wheel, if it is hosted).

    Raises:
        InputError: A wheel URL that is not an http(s) address of a pure-Python wheel (a
            line break in it would add a requirement of its own).
    """
    lines = [_pinned(name) for name in PURE]
    lines += list(PYODIDE_BUILT)
    if wheel is not None:
        check_wheel_url(wheel)
        lines.insert(0, f"xlalloc @ {wheel}")
    return "\n".join(lines) + "\n"


def _pinned(name: str) -> str:
    """A requirement pinned to the version installed here, or pyproject's bounds."""
    try:
        return f"{name}=={metadata.version(name)}"
    except metadata.PackageNotFoundError:  # the core install: no xlwings here
        return f"{name}{MINIMUM[name]}"


def check_wheel_url(wheel: str) -> None:
    """One https address whose path ends in this version's wheel, and nothing after it.

    A query (``?``) or fragment (``#``) could hide what is fetched, a line break would
    add a requirement of its own, and another package's wheel is not xlalloc.

    Raises:
        InputError: Saying what the URL must be.
    """
    parts = urlsplit(wheel)
    ok = (
        parts.scheme == "https"
        and bool(parts.netloc)
        and not parts.query
        and not parts.fragment
        and "?" not in wheel
        and "#" not in wheel
        and not any(c.isspace() or ord(c) < 32 for c in wheel)
        and parts.path.endswith("/" + WHEEL_FILE)
    )
    if not ok:
        raise InputError(
            f"{wheel!r} is not the address of xlalloc's wheel: expected one https URL "
            f"whose path ends in {WHEEL_FILE} (this version's wheel), with nothing after "
            "it: no spaces, line breaks, ? query or # fragment",
            where=option("wheel"),
        )


def write_lite(folder: str | Path, wheel: str | None = None, force: bool = False) -> list[Path]:
    """Write ``main.py`` and ``requirements.txt`` into ``folder`` (by the output rule).

    Raises:
        InputError: ``folder`` is a file, a file exists without ``force``, or a bad
            ``wheel`` URL; nothing is written then.
    """
    from ..workbook.files import atomic_write, check_output

    out = Path(folder)
    if out.exists() and not out.is_dir():
        raise InputError(
            f"{out} is a file; name the folder to write main.py and requirements.txt in",
            where="FOLDER",
        )
    for name in ("main.py", "requirements.txt"):
        check_output(out / name, [], force, (Path(name).suffix,), where="FOLDER")
    requirements = requirements_txt(wheel)  # checked before anything is written
    main = main_py(embed=wheel is None)
    out.mkdir(parents=True, exist_ok=True)
    return [
        atomic_write(out / "main.py", main.encode("utf-8")),
        atomic_write(out / "requirements.txt", requirements.encode("utf-8")),
    ]
