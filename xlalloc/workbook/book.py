"""One small protocol over the books xlalloc runs in.

* :class:`FileBook`: a model workbook file, used headless (the command line and
  the Python API).
* ``XlwingsBook`` (:mod:`xlalloc.excel.books`): a live Excel book through xlwings.

The use cases in :mod:`xlalloc.api` are written once against :class:`Book`, so
testing them on one kind of book tests the code the other runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from ..readers.model import SheetFile, open_sheets
from .model_book import apply_specs, load_model, refuse_if_lossy, save_model
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

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Replace (or add) the named sheets with the specs; other sheets untouched."""

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """Tell the user (a message box in Excel)."""

    def save(self) -> None:
        """Persist what was written (headless: write the file; Excel: leave to the user)."""


class FileBook:
    """A model workbook file: read with python-calamine, written with openpyxl.

    Args:
        path: The model workbook.
        output: Where :meth:`save` writes (default: ``path``, i.e. in place).
    """

    def __init__(self, path: str | Path, output: str | Path | None = None):
        self.path = Path(path)
        self.output = Path(output) if output else self.path
        self.name = self.path.name
        self.messages: list[str] = []
        self._wb: Any = None
        self._sheets: SheetFile | None = None

    def _file(self) -> SheetFile:
        if self._sheets is None:
            self._sheets = open_sheets(self.path)
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

    def workbook(self) -> Any:
        """The openpyxl workbook (loaded on first use)."""
        if self._wb is None:
            self._wb = load_model(self.path)
        return self._wb

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Replace the named sheets in the openpyxl workbook."""
        apply_specs(self.workbook(), specs)

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """Headless: keep the message for the caller to print."""
        self.messages.append(f"{title}: {message}")

    def save(self) -> None:
        """Write the workbook atomically (refusing in place if content would be lost)."""
        if self.output.resolve() == self.path.resolve():
            refuse_if_lossy(self.path)
        save_model(self.workbook(), self.output)
