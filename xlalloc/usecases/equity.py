"""``xlalloc equity``: equity of spend against need by unit.

Underserved units, horizontal and vertical inequity (:mod:`xlalloc.engine.equity`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import Field

from ..engine.equity import EquitySettings
from ..engine.equity import equity as equity_of
from ..engine.errors import InputError, checked, option, renamed
from ..readers.tables import read_table
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

__all__ = ["EquityRequest", "run"]


class EquityRequest(Written):
    """Equity of spend against need by unit (``xlalloc equity``)."""

    units: Path = Field(
        description="CSV/XLSX with columns unit,population,need,spend[,deprivation] "
        "(deprivation: higher is more deprived)"
    )
    output: Path = Field(
        description="OUT.csv (per unit; the summary in OUT-summary.csv) or OUT.xlsx"
    )
    # The bounds, default (5%) and source of EquitySettings' tolerance, defined there once.
    tolerance: Annotated[float, EquitySettings.model_fields["tolerance"]] = (
        EquitySettings.model_fields["tolerance"].default
    )

    rates: ClassVar[tuple[str, ...]] = ("tolerance",)
    arguments: ClassVar[tuple[str, ...]] = ("units", "output")


def run(request: EquityRequest) -> Analysis:
    """Need-standardised spend by unit and the summary measures, with a chart.

    Raises:
        InputError: Every input problem.
    """
    from ..workbook.sheetspec import ChartSpec

    r = request
    out = r.checked_output(r.units, sidecars=("summary",))
    numbers = ["population", "need", "spend", "deprivation"]
    units = read_table(r.units, numbers=numbers, required=["unit", "population", "need", "spend"])
    settings = checked(
        EquitySettings, {"tolerance": r.tolerance}, where={"tolerance": option("tolerance")}
    )
    try:
        result = equity_of(units, settings)
    except InputError as e:
        raise renamed(e, {"equity": r.units.name}) from None
    n = len(result.units)
    chart = ChartSpec(
        title="Spend against need: need-standardised ratio by need",
        y_title="Ratio of spend to expected spend",
        x_title="Need",
        y_format="0.00",
        min_col=3,
        max_col=6,
        header_row=1,
        first_row=2,
        last_row=n + 1,
        anchor=f"A{n + 4}",
        kind="scatter",
        first_series_col=6,
    )
    tables = {"Units": result.units, "Summary": result.summary}
    path = _write(out, tables, r, charts={"Units": [chart]})
    m = dict(zip(result.summary["measure"], result.summary["value"]))
    summary = (
        f"{n} units; {m['proportion_underserved']:.1%} of the population in underserved "
        f"units; wrote {out}"
    )
    return Analysis(path, tables, summary, notes=list(result.notes))
