"""``xlalloc drivers``: why each place spends above or below its need, on its own.

The model's drivers part and this command compute the same figures with the same
function (:func:`xlalloc.engine.drivers.drivers_of`); this one reads only the model's Practices,
Budget and Activity sheets (and extracts beside them) and writes the table, or the
model's Drivers sheet as a workbook of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import Field

from ..engine.drivers import DriversSettings, drivers_of
from ..engine.errors import InputError, checked, option
from ..model.extracts import read_model_and_extracts, with_extract
from ..readers.model import read_model
from ..request import ExtractColumns, Written
from ..workbook.tables import write_tables
from .analysis import Analysis

__all__ = ["DriversRequest", "run"]

_MIN = DriversSettings.model_fields["min_activity"]
#: The model's tables the drivers read (and its Policy sheet): nothing else.
DRIVER_TABLES = ("tblPractices", "tblBudget", "tblActivity")


class DriversRequest(Written):
    """Why each place spends above or below its need (``xlalloc drivers``)."""

    model: Path = Field(
        description="the model workbook: its practices, budget lines and Activity sheet"
    )
    output: Path = Field(
        description="OUT.csv (the sentences in OUT-why.csv) or OUT.xlsx (the Drivers sheet, "
        "with a chart per programme)"
    )
    activity: tuple[Path, ...] = Field(
        (),
        description="activity extracts (.csv, .csv.gz or .parquet, any number of rows) added "
        "to the Activity sheet's rows; each row is one record (a spell, an attendance, an item)",
        json_schema_extra={"metavar": "EXTRACT"},
    )
    columns: ExtractColumns = None
    # The bounds, default and source of DriversSettings' minimum, defined there once.
    min_activity: Annotated[int, _MIN] = _MIN.default

    arguments: ClassVar[tuple[str, ...]] = ("model", "output")


def run(request: DriversRequest) -> Analysis:
    """The drivers of each place's spend, programme by programme, written to the output.

    Raises:
        InputError: Every problem in the model or the extracts; a model with no activity
            records for its budget lines.
    """
    r = request
    out = r.checked_output(r.model, *r.activity, sidecars=("why",))
    settings = checked(
        DriversSettings,
        {"min_activity": r.min_activity},
        where={"min_activity": option("min_activity")},
        rates=(),
    )
    if r.activity:  # the model's sheets read while DuckDB totals the extracts
        inputs, extract = read_model_and_extracts(
            r.model, list(r.activity), r.columns, DRIVER_TABLES
        )
        inputs = with_extract(inputs, extract)
    else:
        inputs = read_model(r.model, DRIVER_TABLES)
    practices = inputs.practices[inputs.practices["year"] == inputs.policy.financial_year]
    result, notes = drivers_of(inputs.activity, practices, inputs.budget, settings)
    if result is None or not len(result.table):
        raise InputError(
            "no activity records for the model's budget lines: add them on the Activity "
            "sheet or give extracts (" + option("activity") + ")",
            where=r.model.name,
        )
    # Written as a person reads it: "yes" where too few records to read, not True/False.
    table = result.table.assign(too_small=result.table["too_small"].map({True: "yes", False: ""}))
    tables = {"Drivers": table, "Why": result.sentences}
    if out.suffix.lower() == ".csv":
        path = write_tables(out, tables)
    else:
        # The sheet's drawing and openpyxl: imported for a workbook only.
        from ..workbook.outputs.drivers import drivers_sheet
        from ..workbook.xlsx import save_specs

        path = save_specs([drivers_sheet(result, r.look())], out)
    places = result.table.loc[result.table["place"] != "ICB", "place"].nunique()
    programmes = result.table["programme"].nunique()
    small = int(result.table["too_small"].sum())
    summary = (
        f"{programmes} programme(s) across {places} place(s)"
        + (f"; {small} too small to read" if small else "")
        + f"; wrote {out}"
    )
    return Analysis(path, tables, summary, notes=notes)
