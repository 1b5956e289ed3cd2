"""``xlalloc levelling-up``: a no-loser payment toward one level of funding per need.

The pot lifts the lowest-funded organisations (:mod:`xlalloc.engine.levelling_up`).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..engine.errors import InputError, checked, option, renamed
from ..engine.levelling_up import LevellingUpSettings
from ..engine.levelling_up import levelling_up as level_up
from ..readers.tables import read_table
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

__all__ = ["LevellingUpRequest", "run"]


class LevellingUpRequest(Written):
    """A no-loser levelling-up payment (``xlalloc levelling-up``)."""

    funding: Path = Field(description="CSV/XLSX with columns org,funding,need[,cap]")
    output: Path = Field(description="OUT.csv or OUT.xlsx")
    pot: float = Field(description="the sum to pay out in £, e.g. 2000000")
    unit: float = Field(1.0, description="rounding unit of the payments in £: 1, or 1000 for £000")

    arguments: ClassVar[tuple[str, ...]] = ("funding", "output", "pot")


def run(request: LevellingUpRequest) -> Analysis:
    """Each organisation's payment toward one level of funding per unit of need.

    Raises:
        InputError: Every input problem.
    """
    r = request
    out = r.checked_output(r.funding)
    orgs = read_table(
        r.funding, numbers=["funding", "need", "cap"], required=["org", "funding", "need"]
    )
    settings = checked(
        LevellingUpSettings,
        {"pot": r.pot, "unit": r.unit},
        where={"pot": option("pot"), "unit": option("unit")},
        rates=(),
    )
    try:
        result = level_up(orgs, settings)
    except InputError as e:
        raise renamed(e, {"levelling-up": r.funding.name}) from None
    tables = {"Levelling up": result.table}
    path = _write(out, tables, r)
    paid = int((result.table["payment"] > 0).sum())
    summary = (
        f"level £{result.level:,.2f} per unit of need; {paid} of {len(result.table)} "
        f"organisations receive a payment; wrote {out}"
    )
    return Analysis(path, tables, summary)
