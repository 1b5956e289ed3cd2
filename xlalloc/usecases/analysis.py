"""What a stand-alone use case returns, and how it writes its tables.

Light on purpose (pandas and the request only): a use case's module imports this, not
another use case's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..request import Written

__all__ = ["Analysis", "write"]


@dataclass
class Analysis:
    """What an analysis wrote and found.

    Attributes:
        path: The file written.
        tables: Its tables by sheet name (a CSV holds the first; the rest beside it).
        summary: One line: what was found, and where it was written.
        notes: What was chosen or assumed, each a sentence.
        warnings: What the user should check (e.g. practices in no place).
        found: The use case's own result, where it has one beyond its tables (a
            :class:`~xlalloc.model.compare.Comparison`).
    """

    path: Path
    tables: dict[str, pd.DataFrame]
    summary: str
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    found: Any = None


def write(
    out: Path,
    tables: dict[str, pd.DataFrame],
    r: Written,
    charts: dict[str, Any] | None = None,
    totals: dict[str, tuple[str, ...]] | None = None,
) -> Path:
    """Write ``tables`` to ``out`` as the request asks (CSV, or a workbook in its look)."""
    from ..workbook.tables import write_tables

    return write_tables(out, tables, charts=charts, look=r.look(), totals=totals)
