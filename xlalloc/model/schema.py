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


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: str  # "text", "number", "bool", "list"
    required: bool = True
    description: str = ""
    allow_blank: bool = False
    minimum: float | None = None


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
        Column("recurrent", "bool", required=False, allow_blank=True,
               description="TRUE for recurrent (default), FALSE for non-recurrent"),
        Column("methods", "text", required=False, allow_blank=True,
               description="methods to try in order, ';'-separated: practice_data, "
                           "place_split, scale, follow, capitation"),
        Column("component", "text", required=False, allow_blank=True,
               description="weighted population for capitation (default by programme)"),
        Column("follow", "text", required=False, allow_blank=True,
               description="line whose shares a 'follow' line uses"),
        Column("negative_ok", "bool", required=False, allow_blank=True,
               description="TRUE for income or contra lines that may be negative"),
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


@dataclass(frozen=True)
class Parameter:
    """One named policy parameter on the Policy sheet."""

    name: str
    default: object
    kind: str  # "number", "text", "list"
    description: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    percent: bool = False
    blank_ok: bool = True


PARAMETERS: tuple[Parameter, ...] = (
    Parameter("action", "run", "list", "what the ribbon button runs",
              choices=("run", "validate", "refresh", "packs"), blank_ok=False),
    Parameter("financial_year", "2026/27", "text", "financial year of the budget, e.g. 2026/27",
              blank_ok=False),
    Parameter("icb_budget", None, "number", "ICB budget shared by target (£); blank: the "
              "budget lines' total", minimum=0),
    Parameter("target_component", "core", "list", "weighted population for target shares",
              choices=COMPONENTS, blank_ok=False),
    Parameter("rounding_unit", 1, "list", "rounding unit in £ (1 or 1000)",
              choices=("1", "1000"), blank_ok=False),
    Parameter("convergence_method", "level", "list", "level, pace or topslice",
              choices=("level", "pace", "topslice"), blank_ok=False),
    Parameter("min_growth", 0.01, "number", "minimum growth (floor)", minimum=-1, maximum=1,
              percent=True),
    Parameter("max_growth", None, "number", "maximum growth (cap); blank: no cap", minimum=-1,
              maximum=5, percent=True),
    Parameter("band", None, "number", "|DfT| within which places get core growth", minimum=0,
              maximum=1, percent=True),
    Parameter("over_target_floor", None, "number", "reduced floor for those far over target",
              minimum=-1, maximum=1, percent=True),
    Parameter("over_target_from", None, "number", "DfT where the floor starts to reduce",
              minimum=0, maximum=5, percent=True),
    Parameter("over_target_to", None, "number", "DfT from which the reduced floor applies",
              minimum=0, maximum=5, percent=True),
    Parameter("pace", None, "number", "pace of change (pace method), 0 to 1", minimum=0,
              maximum=1, percent=True),
    Parameter("topslice", None, "number", "share top-sliced (topslice method)", minimum=0,
              maximum=0.99, percent=True),
    Parameter("coverage_threshold", 0.8, "number", "minimum data coverage for practice data",
              minimum=0, maximum=1, percent=True, blank_ok=False),
    Parameter("per_1000_component", "core", "list", "weighted population for Table 2",
              choices=COMPONENTS, blank_ok=False),
    Parameter("icb_name", "NHS Demoshire ICB", "text", "the ICB's name, for reports"),
    Parameter("pack_actuals", None, "text", "ledger extract for monthly packs (CSV or XLSX "
              "path)"),
    Parameter("pack_month", None, "number", "month reported in packs (1 = April)", minimum=1,
              maximum=12),
    Parameter("pack_dir", None, "text", "folder the monthly packs are written to"),
    Parameter("pack_threshold", 0.05, "number", "variance % beyond which pack lines are "
              "highlighted", minimum=0, maximum=1, percent=True),
)

COVER = "Cover"
POLICY = "Policy"
CHECKS = "Checks"

#: Output sheets, written by xlalloc and replaced on every run.
OUTPUT_SHEETS = ("Targets", "Convergence", "Trajectory", "Apportionment", "Audit", CHECKS)
