"""The model workbook's layout: sheets, tables, columns and policy parameters.

The one place that names them: the writer, the reader, the validator and the docs
all use it, so other tools can rely on it (see ``docs/model-workbook.md``).

FAST standard: inputs, calculations and outputs are separate sheets; input
cells are styled as inputs; outputs are written by xlalloc and never edited by
hand; a Checks sheet reads 0 when all is well.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.capitation import COMPONENTS
from .policy import Parameter, parameters


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: str  # "text", "number", "bool", "list" (";"-separated names)
    required: bool = True
    description: str = ""
    allow_blank: bool = False
    minimum: float | None = None
    default: object = None  # value of a blank cell, where the column has one


@dataclass(frozen=True)
class InputTable:
    """An input sheet holding one Excel table."""

    sheet: str
    table: str
    description: str
    columns: tuple[Column, ...]
    key: str  # first required column: marks the header row
    optional: bool = False

    @property
    def names(self) -> list[str]:
        """Column headers, in order."""
        return [c.name for c in self.columns]


WP_COLUMNS = tuple(Column(f"{c}_wp", "number", description=f"weighted population: {c}",
                          minimum=0) for c in COMPONENTS)

PRACTICES = InputTable(
    "Practices", "tblPractices",
    "GP practices: the building blocks of every place (NHS England weighted populations).",
    (
        Column("practice_code", "text", description="GP practice code, e.g. B85005"),
        Column("practice_name", "text", required=False, allow_blank=True),
        Column("pcn_code", "text", required=False, allow_blank=True),
        Column("pcn_name", "text", required=False, allow_blank=True),
        Column("locality", "text", required=False, allow_blank=True,
               description="locality within the place (optional)"),
        Column("place", "text", description="place the practice belongs to"),
        Column("population", "number", description="registered population", minimum=0),
        *WP_COLUMNS,
    ),
    key="practice_code",
)

BUDGET = InputTable(
    "Budget", "tblBudget",
    "Budget lines to apportion by care programme and place.",
    (
        Column("line", "text", description="unique line name"),
        Column("programme", "text", description="care programme"),
        Column("amount", "number", description="£ for the year"),
        Column("recurrent", "bool", required=False, allow_blank=True, default=True,
               description="TRUE for recurrent (default), FALSE for non-recurrent"),
        Column("methods", "list", required=False, allow_blank=True,
               description="methods to try in order, ';'-separated: practice_data, "
                           "place_split, scale, follow, capitation"),
        Column("component", "text", required=False, allow_blank=True,
               description="weighted population for capitation (default by programme)"),
        Column("follow", "text", required=False, allow_blank=True,
               description="line whose shares a 'follow' line uses"),
        Column("negative_ok", "bool", required=False, allow_blank=True, default=False,
               description="TRUE for income or contra lines that may be negative (default "
                           "FALSE)"),
    ),
    key="line",
)

PRACTICE_DATA = InputTable(
    "PracticeData", "tblPracticeData",
    "Practice-level values per line (contract cost, prescribing, GMS months 1-6). A blank "
    "practice code is spend not attributed to a practice.",
    (
        Column("line", "text"),
        Column("practice_code", "text", allow_blank=True),
        Column("value", "number", minimum=0),
    ),
    key="line", optional=True,
)

ACTIVITY = InputTable(
    "Activity", "tblActivity",
    "Row-level activity extracts: one row per contract line, practice code where known.",
    (
        Column("line", "text"),
        Column("practice_code", "text", allow_blank=True),
        Column("amount", "number", minimum=0),
    ),
    key="line", optional=True,
)

PLACE_SPLITS = InputTable(
    "PlaceSplits", "tblPlaceSplits",
    "Explicit place percentages (geography, historic funding flows); must sum to 100% per line.",
    (
        Column("line", "text"),
        Column("place", "text"),
        Column("locality", "text", required=False, allow_blank=True),
        Column("pct", "number", minimum=0, description="percentage, 0-100"),
    ),
    key="line", optional=True,
)

BASELINES = InputTable(
    "Baselines", "tblBaselines",
    "Each place's current (baseline) allocation, for convergence toward its target.",
    (
        Column("place", "text"),
        Column("baseline", "number", minimum=0),
        Column("hcdd_baseline", "number", required=False, allow_blank=True, minimum=0),
    ),
    key="place", optional=True,
)

TOTALS = InputTable(
    "Totals", "tblTotals",
    "Total available for convergence in each financial year (e.g. 2026/27).",
    (
        Column("year", "text"),
        Column("total", "number", minimum=0),
    ),
    key="year", optional=True,
)

INPUT_TABLES: tuple[InputTable, ...] = (PRACTICES, BUDGET, PRACTICE_DATA, ACTIVITY,
                                        PLACE_SPLITS, BASELINES, TOTALS)


#: Policy-sheet parameters, derived from :class:`~xlalloc.model.policy.ModelPolicy`.
PARAMETERS: tuple[Parameter, ...] = parameters()

COVER = "Cover"
POLICY = "Policy"
CHECKS = "Checks"

#: Output sheets, written by xlalloc and replaced on every run.
OUTPUT_SHEETS = ("Targets", "Convergence", "Trajectory", "Apportionment", "Audit", CHECKS)
