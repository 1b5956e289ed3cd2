"""``xlalloc footprint``: one year's practices re-mapped to a later year's organisations.

Each new organisation compared with its predecessors (42 ICBs to 36, say).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..engine.capitation import Component, derive_footprint, footprint_change
from ..readers import nhse
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

__all__ = ["FootprintRequest", "run"]


class FootprintRequest(Written):
    """One year's practices re-mapped to a later year's organisations (``footprint``)."""

    old: Path = Field(description="the practice file of the year to re-map")
    new: Path = Field(description="the practice file whose organisations to map to")
    output: Path = Field(description="OUT.csv or OUT.xlsx")
    old_year: str | None = Field(None, description="the year in OLD, e.g. 2025/26")
    new_year: str | None = Field(None, description="the year in NEW, e.g. 2026/27")
    component: Component = Field("core", description="the weighted population compared")
    blank_as_zero: bool = Field(
        False, description="read blank weighted populations as zero (recorded per practice)"
    )

    arguments: ClassVar[tuple[str, ...]] = ("old", "new", "output")


def run(request: FootprintRequest) -> Analysis:
    """The old year's weighted populations on the new year's organisations.

    Raises:
        InputError: Every input problem.
    """
    r = request
    out = r.checked_output(r.old, r.new)
    blank = nhse.BlankWP.ZERO if r.blank_as_zero else nhse.BlankWP.ERROR
    old = nhse.load_practices(r.old, r.old_year, blank_wp=blank)
    new = nhse.load_practices(r.new, r.new_year, blank_wp=blank)
    table, unmapped = footprint_change(old, derive_footprint(old, new), r.component)
    tables = {"Footprint": table}
    path = _write(out, tables, r)
    summary = (
        f"{len(table)} new organisations from {old['icb_code'].nunique()}; "
        f"{len(unmapped)} practice(s) of the old file are not in the new one; wrote "
        f"{r.output}"
    )
    return Analysis(path, tables, summary)
