"""Provenance: where a run's figures came from, as typed rows.

One shape for every output that records it (the model's ``provenance`` table, the
``targets`` workbook's Provenance sheet): ``item, value, years, sha256``, with the items
:data:`ITEMS` in that order of appearance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from .._version import __version__
from ..engine.frames import is_blank

__all__ = ["COLUMNS", "ITEMS", "Provenance", "ProvenanceRow"]

#: The provenance table's columns.
COLUMNS = ["item", "value", "years", "sha256"]

#: The items a provenance may hold.
ITEMS = (
    "source file",
    "activity extract",
    "xlalloc version",
    "run at",
    "check status",
    "zero-filled",
)


@dataclass(frozen=True)
class ProvenanceRow:
    """One fact: what it is (one of :data:`ITEMS`), its value, the years and a SHA-256."""

    item: str
    value: str
    years: str | None = None
    sha256: str | None = None

    def __post_init__(self) -> None:
        if self.item not in ITEMS:
            raise ValueError(f"unknown provenance item {self.item!r}; expected one of {ITEMS}")


@dataclass
class Provenance:
    """The rows of a provenance, added in order."""

    rows: list[ProvenanceRow] = field(default_factory=list)

    def source(self, file: str, years: str | None, sha256: str | None) -> None:
        """A file the figures were read from."""
        self.rows.append(ProvenanceRow("source file", file, years, sha256))

    def extract(self, file: str, rows: int, sha256: str) -> None:
        """An activity extract read beside the model."""
        self.rows.append(ProvenanceRow("activity extract", f"{file} ({rows:,} rows)", None, sha256))

    def stamp(self, run_at: datetime, check_status: str) -> None:
        """The version, the run's time and the check status."""
        self.rows += [
            ProvenanceRow("xlalloc version", __version__),
            ProvenanceRow("run at", run_at.isoformat(sep=" ")),
            ProvenanceRow("check status", check_status),
        ]

    def zero_filled(self, practices: pd.DataFrame, column: str) -> None:
        """One row per practice and year whose blank weighted populations were read as 0.

        Args:
            practices: With ``practice_code, practice_name, year`` and ``column``.
            column: The column naming what was zero-filled (blank where nothing was).
        """
        if column not in practices.columns:
            return
        z = practices[practices[column].notna()]
        for code, name, filled, year in zip(
            z["practice_code"], z["practice_name"], z[column], z["year"]
        ):
            label = f"{code}" if is_blank(name) else f"{code} {name}"
            value = f"{label}: {filled} read as 0"
            self.rows.append(ProvenanceRow("zero-filled", value, year))

    def of(self, item: str) -> list[ProvenanceRow]:
        """The rows of one item."""
        return [r for r in self.rows if r.item == item]

    def frame(self) -> pd.DataFrame:
        """The rows as a table with :data:`COLUMNS`."""
        return pd.DataFrame(
            [[r.item, r.value, r.years, r.sha256] for r in self.rows], columns=COLUMNS
        )
