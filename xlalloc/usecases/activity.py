"""``xlalloc activity``: activity extracts checked against a model and totalled.

Each extract (CSV or Parquet, any number of rows) is read by DuckDB against the model's
budget lines and its financial year's practices, totalled by line and practice as
Activity sheet rows, with the files read, each line's coverage and each line's total
beside them. The model's Practices, Budget and Policy sheets are read while DuckDB totals
the extracts; nothing else of the model is read or run.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..model.extracts import read_model_and_extracts, unread_lines
from ..request import ExtractColumns, Written
from .analysis import Analysis, write

__all__ = ["ActivityRequest", "run"]


class ActivityRequest(Written):
    """Activity extracts checked against a model and totalled (``xlalloc activity``)."""

    extracts: tuple[Path, ...] = Field(description="CSV or Parquet extracts, any size")
    model: Path = Field(description="the model workbook whose lines and practices they use")
    columns: ExtractColumns = None

    arguments: ClassVar[tuple[str, ...]] = ("extracts", "model", "output")


def run(request: ActivityRequest) -> Analysis:
    """Each extract's rows totalled by line and practice, as Activity sheet rows.

    Raises:
        InputError: Every problem in the model or the extracts.
    """
    r = request
    names = ("sources", "coverage", "line_totals")
    out = r.checked_output(r.model, *r.extracts, sidecars=names)
    # The model's practices and lines only, read while DuckDB totals the extracts.
    inputs, extract = read_model_and_extracts(r.model, [str(e) for e in r.extracts], r.columns)
    tables = {
        "Activity": extract.values,
        "Sources": extract.files,
        "Coverage": extract.coverage,
        "Line totals": extract.line_totals,
    }
    path = write(out, tables, r, totals={"Sources": ("rows",)})
    rows = int(extract.files["rows"].sum())
    summary = (
        f"read {len(extract.files)} file(s), {rows:,} rows; {len(extract.values):,} line and "
        f"practice totals, £{extract.line_totals['amount'].sum():,.2f} in all; wrote {out}"
    )
    return Analysis(path, tables, summary, warnings=unread_lines(inputs, extract))
