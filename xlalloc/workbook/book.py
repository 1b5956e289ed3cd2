"""One small protocol over the books xlalloc runs in.

* :class:`FileBook`: a model workbook file, used headless (the command line and
  the Python API).
* ``XlwingsBook`` (:mod:`xlalloc.excel.books`): a live Excel book through xlwings.

The use cases in :mod:`xlalloc.actions` are written once against :class:`Book`, so
testing them on one kind of book tests the code the other runs.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from ..engine.errors import InputError, Problem, Problems, option
from ..model.schema import POLICY
from ..readers.cells import parse_number
from ..readers.model import SheetFile, find_header, open_sheets
from ..readers.tables import header_key
from .files import Snapshot, atomic_write, snapshot
from .package import fill_template, read_parts, replace_sheets, write_package
from .pdf import to_pdfs
from .sheetspec import CellSpec, SheetSpec

__all__ = ["Book", "FileBook", "scenario_rows"]


class Book(Protocol):
    """What the use cases need from a workbook."""

    name: str

    def sheet_names(self) -> list[str]:
        """Names of the book's sheets, in order."""

    def values(self, sheet: str) -> list[list[object]] | None:
        """A sheet's values as rows from A1 (blank cells as ``""``), or ``None``."""

    def merged(self) -> dict[str, list[str]]:
        """Merged-cell ranges by sheet."""

    def flags(self) -> Mapping[str, Mapping[tuple[int, int], str]]:
        """Cells not to read as values (formulas without results, Excel errors), by sheet."""

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Replace (or add) the named sheets with the specs; other sheets untouched."""

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """Tell the user (a message box in Excel)."""

    def save(self) -> None:
        """Persist what was written (headless: write the file; Excel: leave to the user)."""

    def print_pdfs(self, workbooks: list[Path]) -> list[Path]:
        """Each workbook printed to PDF beside it (Excel's own export on the desktop).

        Raises:
            RuntimeError: Nothing here can print them (the message says what would).
        """


class FileBook:
    """A model workbook file: read with python-calamine, written part by part.

    :meth:`save` writes the package with xlalloc's sheets added or replaced and every
    other part copied byte for byte (:mod:`xlalloc.workbook.package`), atomically,
    and only if the file has not changed since it was read (:mod:`.files`).

    A *scenario* runs a variant of the model without editing it: named Policy-sheet
    values are read as given instead of as the sheet has them, and the output workbook
    (never the input) holds them on its Policy sheet, each cell's style kept, so the
    variant's outputs, formulas and Checks agree with its Policy sheet.

    Args:
        path: The model workbook.
        output: Where :meth:`save` writes (default: ``path``, i.e. in place).
        scenario: Policy parameter -> value (as typed in the Policy sheet's value cell).
    """

    def __init__(
        self,
        path: str | Path,
        output: str | Path | None = None,
        scenario: Mapping[str, str] | None = None,
    ):
        self.path = Path(path)
        self.output = Path(output) if output else self.path
        self.name = self.path.name
        self.messages: list[str] = []
        self.notes: list[str] = []
        self.scenario = dict(scenario or {})
        self._edits: list[CellSpec] = []
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
        """A sheet's cached values (python-calamine), rows from A1 (with the scenario's)."""
        rows = self._file().rows(sheet)
        if sheet != POLICY or not self.scenario or rows is None:
            return rows
        rows, self._edits, self.notes = scenario_rows(rows, self.scenario, self.name)
        self._scenario_at = {
            c.row: name
            for c in self._edits
            for name in self.scenario
            if name in [str(v).strip() for v in rows[c.row - 1]]
        }
        return rows

    def relabel(self, error: InputError) -> InputError:
        """A Policy problem in a row the scenario set, reported against the scenario.

        The user typed the scenario ``min_growth=2``, not cell B11 of the Policy sheet: the
        problem names what they typed (and the cell is left out of the message).
        """
        at = getattr(self, "_scenario_at", {})
        if not at:
            return error
        out = []
        for p in error.problems:
            name = at.get(p.row) if p.where == POLICY and isinstance(p.row, int) else None
            if name is None:
                out.append(p)
                continue
            message = re.sub(r" \(cell [A-Z]+\d+\)", "", p.message)
            out.append(Problem(f"{option('scenario')} {name}={self.scenario[name]}", message))
        return InputError(out)

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
        if self._edits:
            if self.output.resolve() == self.path.resolve():
                raise InputError(
                    "a scenario is written to a new workbook, never into the model itself",
                    where="scenario",
                )
            new = fill_template(parts, [SheetSpec(POLICY, self._edits, {})], self._specs.values())
        else:
            new = replace_sheets(parts, self._specs.values())
        with zipfile.ZipFile(self.path) as z:
            infos = {i.filename: i for i in z.infolist()}
        out = io.BytesIO()
        write_package(new, list(infos), out, infos, source=self.path, original=parts)
        atomic_write(self.output, out.getvalue(), unchanged=self._read)

    def print_pdfs(self, workbooks: list[Path]) -> list[Path]:
        """Headless: printed by LibreOffice (:func:`~xlalloc.workbook.pdf.to_pdfs`)."""
        return to_pdfs(workbooks)


def scenario_rows(
    rows: list[list[object]], scenario: Mapping[str, str], model: str
) -> tuple[list[list[object]], list[CellSpec], list[str]]:
    """The Policy sheet's rows with a scenario's values in place of the sheet's.

    Args:
        rows: The Policy sheet's values, rows from A1.
        scenario: Parameter -> value as typed (a number where it reads as one).
        model: The model's file name, for notes.

    Returns:
        The rows, the value cells to write into the output's Policy sheet, and one note
        per parameter changed (its value in the model and in the scenario).

    Raises:
        InputError: A parameter the Policy sheet does not list, or a sheet with no
            ``parameter`` and ``value`` header; every problem together.
    """
    problems = Problems()
    at = find_header(rows, "parameter")  # the row the reader reads the Policy from
    if at is None or "value" not in [header_key(v) for v in rows[at]]:
        raise InputError(
            "the Policy sheet has no header row with 'parameter' and 'value'", where=POLICY
        )
    header = [header_key(v) for v in rows[at]]
    jp, jv = header.index("parameter"), header.index("value")
    where = {str(r[jp]).strip(): i for i, r in enumerate(rows) if i > at and jp < len(r)}
    out = [list(r) for r in rows]
    cells: list[CellSpec] = []
    notes: list[str] = []
    for name, text in scenario.items():
        if name not in where:
            problems.add(
                option("scenario"),
                f"{name!r} is not a parameter on {model}'s Policy "
                f"sheet; expected one of {sorted(where)}",
            )
            continue
        i = where[name]
        try:
            value: object = parse_number(text)
        except ValueError:
            value = text.strip()
        row = out[i] + [""] * (jv + 1 - len(out[i]))
        was = row[jv]
        row[jv] = value
        out[i] = row
        cells.append(CellSpec(i + 1, jv + 1, value, fit=False))
        notes.append(
            f"scenario: {name} = {text} ({model}'s Policy sheet says "
            f"{'blank' if was in ('', None) else was})"
        )
    problems.raise_if_any()
    return out, cells, notes
