"""``xlalloc table-y1``: NHS England's Table Y1 ICBs converged over five years.

A demonstration of the annex's example policy on published figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd
from pydantic import Field

from .. import demo
from ..engine.convergence import converge_years
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write
from .converge import dft_trajectory

__all__ = ["TableY1Request", "run"]


class TableY1Request(Written):
    """NHS England's Table Y1 converged over five years (``xlalloc table-y1``)."""

    output: Path = Field(description="OUT.xlsx or OUT.csv")

    arguments: ClassVar[tuple[str, ...]] = ("output",)


def run(request: TableY1Request) -> Analysis:
    """Table Y1's ICBs converged under the annex's example policy."""
    from ..workbook.convergence_book import write_convergence

    r = request
    out = r.checked_output(sidecars=("trajectory",))
    orgs, totals = demo.table_y1_orgs()
    result = converge_years(orgs, totals, demo.Y1_POLICY)
    tables = {
        "convergence": pd.concat([y.table for y in result.years.values()]),
        "trajectory": dft_trajectory(result.trajectory),
    }
    if out.suffix.lower() == ".xlsx":
        write_convergence(out, result, r.look())
    else:
        _write(out, tables, r)
    return Analysis(out, tables, f"wrote {out}")
