"""The model workbook's layout: sheets, tables, columns and policy parameters.

The one place that names them: the writer, the reader, the validator and the docs
all use it, so other tools can rely on it (see ``docs/model-workbook.md``).

FAST standard: inputs, calculations and outputs are separate sheets; input
cells are styled as inputs; outputs are written by xlalloc and never edited by
hand; a Checks sheet reads 0 when all is well.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..engine.capitation import COMPONENTS
from .parts import CHECKS as CHECKS  # re-exported: the sheet name, defined with the parts
from .parts import output_sheets
from .policy import Parameter, parameters


class Kind(StrEnum):
    """What an input column holds; its cells are read as that, once, by the reader."""

    TEXT = "text"
    NUMBER = "number"
    BOOL = "bool"
    LIST = "list"  # names separated by ";" or ","


@dataclass(frozen=True)
class Column:
    """One column of an input table."""

    name: str
    kind: Kind
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
    editable: bool = True  # False: a record xlalloc writes from source files (not input styled)

    @property
    def names(self) -> list[str]:
        """Column headers, in order."""
        return [c.name for c in self.columns]


WP_COLUMNS = tuple(
    Column(f"{c}_wp", Kind.NUMBER, description=f"weighted population: {c}", minimum=0)
    for c in COMPONENTS
)

PRACTICES = InputTable(
    "Practices",
    "tblPractices",
    "GP practices: the building blocks of every place (NHS England weighted populations).",
    (
        Column(
            "year",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="financial year of the row, e.g. 2026/27, for several years side "
            "by side (one row per practice and year); blank in every row: "
            "the Policy's financial_year",
        ),
        Column("practice_code", Kind.TEXT, description="GP practice code, e.g. B85005"),
        Column("practice_name", Kind.TEXT, required=False, allow_blank=True),
        Column("pcn_code", Kind.TEXT, required=False, allow_blank=True),
        Column("pcn_name", Kind.TEXT, required=False, allow_blank=True),
        Column(
            "lad_code",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="local authority district code",
        ),
        Column(
            "lad_name",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="local authority district",
        ),
        Column(
            "sub_icb_code",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="sub-ICB location code",
        ),
        Column(
            "sub_icb_name",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="sub-ICB location",
        ),
        Column(
            "locality",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="locality within the place (optional)",
        ),
        Column(
            "place", Kind.TEXT, description="place the practice belongs to (the same in every year)"
        ),
        Column("population", Kind.NUMBER, description="registered population", minimum=0),
        *WP_COLUMNS,
        Column(
            "zero_filled",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="components NHS England's file left blank, read as zero need "
            "(xlalloc new --blank-as-zero)",
        ),
    ),
    key="practice_code",
)

BUDGET = InputTable(
    "Budget",
    "tblBudget",
    "Budget lines to apportion by care programme and place.",
    (
        Column("line", Kind.TEXT, description="unique line name"),
        Column("programme", Kind.TEXT, description="care programme"),
        Column("amount", Kind.NUMBER, description="£ for the year"),
        Column(
            "recurrent",
            Kind.BOOL,
            required=False,
            allow_blank=True,
            default=True,
            description="TRUE for recurrent (default), FALSE for non-recurrent",
        ),
        Column(
            "methods",
            Kind.LIST,
            required=False,
            allow_blank=True,
            description="methods to try in order, ';'-separated: practice_data, "
            "place_split, scale, follow, capitation",
        ),
        Column(
            "component",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="weighted population for capitation (default by programme)",
        ),
        Column(
            "follow",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="line whose shares a 'follow' line uses",
        ),
        Column(
            "negative_ok",
            Kind.BOOL,
            required=False,
            allow_blank=True,
            default=False,
            description="TRUE for income or contra lines that may be negative (default FALSE)",
        ),
    ),
    key="line",
)

PRACTICE_DATA = InputTable(
    "PracticeData",
    "tblPracticeData",
    "Practice-level values per line (contract cost, prescribing, GMS months 1-6). A blank "
    "practice code is spend not attributed to a practice.",
    (
        Column("line", Kind.TEXT),
        Column("practice_code", Kind.TEXT, allow_blank=True),
        Column("value", Kind.NUMBER, minimum=0),
    ),
    key="line",
    optional=True,
)

ACTIVITY = InputTable(
    "Activity",
    "tblActivity",
    "Row-level activity extracts: one row per contract line, practice code where known.",
    (
        Column("line", Kind.TEXT),
        Column("practice_code", Kind.TEXT, allow_blank=True),
        Column("amount", Kind.NUMBER, minimum=0),
    ),
    key="line",
    optional=True,
)

PLACE_SPLITS = InputTable(
    "PlaceSplits",
    "tblPlaceSplits",
    "Explicit place percentages (geography, historic funding flows); must sum to 100% per line.",
    (
        Column("line", Kind.TEXT),
        Column("place", Kind.TEXT),
        Column("locality", Kind.TEXT, required=False, allow_blank=True),
        Column("pct", Kind.NUMBER, minimum=0, description="percentage, 0-100"),
    ),
    key="line",
    optional=True,
)

BASELINES = InputTable(
    "Baselines",
    "tblBaselines",
    "Each place's current (baseline) allocation, for convergence toward its target.",
    (
        Column("place", Kind.TEXT),
        Column("baseline", Kind.NUMBER, minimum=0),
        Column("hcdd_baseline", Kind.NUMBER, required=False, allow_blank=True, minimum=0),
    ),
    key="place",
    optional=True,
)

TOTALS = InputTable(
    "Totals",
    "tblTotals",
    "Total available for convergence in each financial year (e.g. 2026/27).",
    (
        Column("year", Kind.TEXT),
        Column("total", Kind.NUMBER, minimum=0),
    ),
    key="year",
    optional=True,
)

COST_CENTRES = InputTable(
    "CostCentres",
    "tblCostCentres",
    "The ledger's cost centres mapped to care programmes and places, for monthly packs "
    "from a ledger coded by cost centre (used unless a map file is given).",
    (
        Column("cost_centre", Kind.TEXT, description="the ledger's cost centre code"),
        Column("programme", Kind.TEXT, description="the care programme its spend belongs to"),
        Column(
            "place",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="its place (blank: the ledger row's place or practice decides)",
        ),
    ),
    key="cost_centre",
    optional=True,
)

SOURCES = InputTable(
    "Sources",
    "tblSources",
    "NHS England's files the Practices sheet was built from (xlalloc new --practices): "
    "their financial years and SHA-256, carried into every run's provenance.",
    (
        Column("file", Kind.TEXT, description="file name as given"),
        Column("years", Kind.TEXT, description="financial year(s) the file holds"),
        Column("sha256", Kind.TEXT, description="SHA-256 of the file's bytes"),
        Column(
            "practices",
            Kind.NUMBER,
            required=False,
            allow_blank=True,
            minimum=0,
            description="practices in the file",
        ),
        Column(
            "icb_practices",
            Kind.NUMBER,
            required=False,
            allow_blank=True,
            minimum=0,
            description="of which the ICB's (rows on the Practices sheet)",
        ),
    ),
    key="file",
    optional=True,
    editable=False,
)

RECONCILIATION = InputTable(
    "Reconciliation",
    "tblReconciliation",
    "Year on year, the ICB's practices that appear, disappear or change ICB between NHS "
    "England's files (a merged ICB's practices each with the ICB it came from: the bridge), "
    "with the population and core weighted population they carry: why a place's figures "
    "moved (xlalloc new --practices with several years).",
    (
        Column("from_year", Kind.TEXT),
        Column("to_year", Kind.TEXT),
        Column(
            "change",
            Kind.TEXT,
            description="came with its former ICB (a merger or boundary change); "
            "joined from another ICB; new in the year's file; left for another ICB; not in "
            "the year's file (closed or merged)",
        ),
        Column("practice_code", Kind.TEXT),
        Column("practice_name", Kind.TEXT, required=False, allow_blank=True),
        Column("place", Kind.TEXT, required=False, allow_blank=True),
        Column(
            "other_icb",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="the ICB it came from or went to",
        ),
        Column(
            "population",
            Kind.NUMBER,
            required=False,
            allow_blank=True,
            minimum=0,
            description="registered population it carries (to_year's if it appears, "
            "from_year's if it disappears)",
        ),
        Column(
            "core_wp",
            Kind.NUMBER,
            required=False,
            allow_blank=True,
            minimum=0,
            description="core weighted population it carries",
        ),
    ),
    key="from_year",
    optional=True,
    editable=False,
)

SIGNOFF = InputTable(
    "Sign-off",
    "tblSignoff",
    "Who commissioned, built, assured and approved this model, and when (HM Treasury's "
    "AQuA book's roles). Kept from run to run; every run's Assurance sheet reports it and "
    "the status it gives: drafted, assured (an assurer's name and a real date) or approved "
    "(an assurer's and an approver's). A signature covers the inputs and Policy it was "
    "given against: when they change, the status is drafted until its signer signs again "
    "with a new date.",
    (
        Column(
            "role",
            Kind.TEXT,
            description="commissioner, analyst, assurer or approver (AQuA's roles)",
        ),
        Column("name", Kind.TEXT, required=False, allow_blank=True, description="who"),
        Column(
            "date",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="when they signed (a date, e.g. 2026-12-01)",
        ),
        Column(
            "note",
            Kind.TEXT,
            required=False,
            allow_blank=True,
            description="what they reviewed or the conditions of their sign-off",
        ),
    ),
    key="role",
    optional=True,
)

#: AQuA's roles, in the order the Sign-off sheet lists them.
ROLES = ("commissioner", "analyst", "assurer", "approver")

INPUT_TABLES: tuple[InputTable, ...] = (
    PRACTICES,
    BUDGET,
    PRACTICE_DATA,
    ACTIVITY,
    PLACE_SPLITS,
    BASELINES,
    TOTALS,
    COST_CENTRES,
    SOURCES,
    RECONCILIATION,
    SIGNOFF,
)


#: Policy-sheet parameters, derived from :class:`~xlalloc.model.policy.ModelPolicy`.
PARAMETERS: tuple[Parameter, ...] = parameters()

COVER = "Cover"
POLICY = "Policy"

#: Output sheets, written by xlalloc and replaced on every run: the Summary, each built-in
#: part's sheets (:mod:`.parts`), then Checks; :func:`~.parts.output_sheets` also lists
#: parts registered later.
OUTPUT_SHEETS = output_sheets()
