"""``xlalloc demo-ledger``: a demo ledger extract for a model, as packs read it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field

from .. import demo
from ..engine.errors import InputError
from ..model.runner import run_model
from ..readers.model import read_model
from ..request import Month, Written
from .analysis import Analysis

__all__ = ["DemoLedgerRequest", "run"]


class DemoLedgerRequest(Written):
    """A demo ledger for a model (``xlalloc demo-ledger``)."""

    model: Path = Field(description="MODEL.xlsx")
    output: Path = Field(Path("ledger.csv"), description="OUT.csv")
    month: Month = Field(6, description="months of actuals, 1 = April")
    style: Literal["simple", "isfe"] = Field(
        "simple",
        description="simple: month, programme, place, practice_code, amount; isfe: as an "
        "ICB's finance system exports it (Period, Cost Centre, Subjective, Actual), with "
        "its cost-centre map in OUT-map.csv",
    )

    arguments: ClassVar[tuple[str, ...]] = ("model", "output")
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)


def run(request: DemoLedgerRequest) -> Analysis:
    """The demo ledger (and, for ``isfe``, its cost-centre map beside it, ``OUT-map.csv``).

    Raises:
        InputError: The model has no budget lines, or an input problem.
    """
    from ..workbook.files import atomic_write
    from ..workbook.tables import csv_bytes

    r = request
    isfe = r.style == "isfe"
    out = r.checked_output(r.model, sidecars=("map",) if isfe else ())
    result = run_model(read_model(r.model))
    if result.apportionment is None:
        raise InputError("the model has no budget lines", where=str(r.model))
    cells, practices = result.apportionment.cells, result.practices
    if isfe:
        year = result.inputs.policy.financial_year
        extract, mapping = demo.isfe_ledger(cells, practices, r.month, year)
        cc_map = out.with_name(f"{out.stem}-map.csv")
        atomic_write(out, csv_bytes(extract))
        atomic_write(cc_map, csv_bytes(mapping))
        tables = {"ledger": extract, "map": mapping}
        return Analysis(out, tables, f"wrote {out} and its cost-centre map {cc_map}")
    ledger = demo.ledger(cells, practices, r.month)
    atomic_write(out, csv_bytes(ledger))
    return Analysis(out, {"ledger": ledger}, f"wrote {out}")
