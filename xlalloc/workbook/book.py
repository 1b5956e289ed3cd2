"""One small protocol over the books xlalloc runs in.

* :class:`FileBook`: a model workbook file, used headless (the command line and
  the Python API).
* ``XlwingsBook`` (:mod:`xlalloc.excel.books`): a live Excel book through xlwings.

The use cases in :mod:`xlalloc.actions` are written once against :class:`Book`, so
testing them on one kind of book tests the code the other runs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Protocol

from ..readers.model import SheetFile, open_sheets
from .files import Snapshot, atomic_write, snapshot
from .package import read_parts, replace_sheets, write_package
from .sheetspec import SheetSpec

__all__ = ["Book", "FileBook"]


class Book(Protocol):
    """What the use cases need from a workbook."""

    name: str

    def sheet_names(self) -> list[str]:
        """Names of the book's sheets, in order."""

    def values(self, sheet: str) -> list[list[object]] | None:
        """A sheet's values as rows from A1 (blank cells as ``""``), or ``None``."""

    def merged(self) -> dict[str, list[str]]:
        """Merged-cell ranges by sheet."""

    def flags(self) -> dict[str, dict[tuple[int, int], str]]:
        """Cells not to read as values (formulas without results, Excel errors), by sheet."""

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Replace (or add) the named sheets with the specs; other sheets untouched."""

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """Tell the user (a message box in Excel)."""

    def save(self) -> None:
        """Persist what was written (headless: write the file; Excel: leave to the user)."""


class FileBook:
    """A model workbook file: read with python-calamine, written part by part.

    :meth:`save` writes the package with xlalloc's sheets added or replaced and every
    other part copied byte for byte (:mod:`xlalloc.workbook.package`), atomically,
    and only if the file has not changed since it was read (:mod:`.files`).

    Args:
        path: The model workbook.
        output: Where :meth:`save` writes (default: ``path``, i.e. in place).
    """

    def __init__(self, path: str | Path, output: str | Path | None = None):
        self.path = Path(path)
        self.output = Path(output) if output else self.path
        self.name = self.path.name
        self.messages: list[str] = []
        self._specs: dict[str, SheetSpec] = {}
        self._sheets: SheetFile | None = None
        self._read: Snapshot | None = None

    def _file(self) -> SheetFile:
        if self._sheets is None:
            self._sheets = open_sheets(self.path)
            self._read = snapshot(self.path)
        return self._sheets

    def sheet_names(self) -> list[str]:
        """Names of the book's sheets, in order."""
        return list(self._file().names)

    def values(self, sheet: str) -> list[list[object]] | None:
        """A sheet's cached values (python-calamine), rows from A1."""
        return self._file().rows(sheet)

    def merged(self) -> dict[str, list[str]]:
        """Merged-cell ranges, from the file's XML."""
        return dict(self._file().merged)

    def flags(self) -> dict[str, dict[tuple[int, int], str]]:
        """Formulas saved without results and Excel errors, from the file's XML."""
        return dict(self._file().flags)

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Hold the sheets to write; :meth:`save` writes them."""
        for spec in specs:
            self._specs[spec.name] = spec

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """Headless: keep the message for the caller to print."""
        self.messages.append(f"{title}: {message}")

    def save(self) -> None:
        """Write xlalloc's sheets into the package (a new file, or in place)."""
        # The parts as read and checked; the snapshot refuses the write if the file has
        # changed since.
        parts = self._file().parts or read_parts(self.path)
        new = replace_sheets(parts, self._specs.values())
        with zipfile.ZipFile(self.path) as z:
            infos = {i.filename: i for i in z.infolist()}
        out = io.BytesIO()
        write_package(new, list(infos), out, infos, source=self.path, original=parts)
        atomic_write(self.output, out.getvalue(), unchanged=self._read)
