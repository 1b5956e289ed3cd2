"""The optional parts of xlalloc and the command that installs each.

xlalloc is installed from this repository or from its wheel file, not (yet) from PyPI,
so asking pip for ``xlalloc[activity]`` would fail for most users. Every message that asks
for an optional part gives the packages themselves (``pip install "duckdb>=1.1"``), which
works however xlalloc was installed. :data:`EXTRAS` is ``pyproject.toml``'s optional
dependencies (a test keeps them equal).
"""

from __future__ import annotations

__all__ = ["EXTRAS", "install_hint"]

#: Each extra's packages, as ``[project.optional-dependencies]`` lists them.
EXTRAS: dict[str, tuple[str, ...]] = {
    "fast": ("python-calamine>=0.2",),
    "excel": ("xlwings>=0.30", "oletools>=0.60", "matplotlib>=3.7"),
    "activity": ("duckdb>=1.1",),
}


def install_hint(extra: str) -> str:
    """``pip install "duckdb>=1.1"``: the command installing one extra's packages."""
    return "pip install " + " ".join(f'"{p}"' for p in EXTRAS[extra])
