"""Every column xlalloc writes, declared once: its label, its unit and its number format.

CSV files and the Python API keep the documented machine names (``target_share``,
``dft_before`` ...), which scripts and pipelines depend on. Every sheet a reader sees
shows the label instead: plain English with its unit (``Target share``, ``Distance from
target before``, ``Target (£)``), in the number format of the column's kind (money,
price, per_1000, share, rate, index, count or text). This module is the one registry of both: every
writer (model sheets, packs, compare, rebase, the stand-alone workbooks, CSV) takes a
column's label and format from it, so a column looks the same everywhere and a new
column is declared once: xlalloc's own here, one added by a module (a use case or model
part of its own) with :func:`declare` in that module. ``docs/model-workbook.md`` lists
them, generated from it.

Money labels end in ``(£)``; a sheet drawn in thousands or millions of pounds shows
``(£000)`` or ``(£m)`` instead (:func:`money_label`).
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

__all__ = [
    "COLUMNS",
    "COMPONENT_NAMES",
    "FORMATS",
    "LABELS",
    "Column",
    "Kind",
    "column",
    "declare",
    "is_code_style",
    "label",
    "labels",
    "money_label",
    "number_format",
]

#: What a column holds, which sets how it is shown.
Kind = Literal["money", "price", "per_1000", "share", "rate", "index", "count", "text"]

#: Each kind's number format (Excel's codes); text is left in Excel's General format.
FORMATS: dict[str, str | None] = {
    # Whole pounds, negatives in brackets, a dash for zero (NHS finance papers' convention).
    "money": '£#,##0;(£#,##0);"–"',
    # Pounds per unit (per weighted patient, per 1,000 weighted population), to the penny:
    # never scaled to £000 or £m with the money.
    "price": '£#,##0.00;(£#,##0.00);"–"',
    # Pounds per 1,000 weighted population: whole pounds (never in £000 or £m).
    "per_1000": "£#,##0;(£#,##0)",
    # A share of a whole (a target share, coverage): four decimals of a per cent.
    "share": "0.0000%",
    # A rate of change or a distance (growth, distance from target): two decimals of a per cent.
    "rate": "0.00%",
    # A ratio to a mean of 1 (need indices, a need-standardised ratio).
    "index": "0.000",
    # People, rows, weighted populations: whole numbers with thousands separators.
    "count": "#,##0",
    "text": None,
}


class Column(NamedTuple):
    """One quantity as xlalloc writes it.

    Attributes:
        name: The machine name (CSV header, the API's column).
        label: The plain-English header with its unit, as a sheet shows it.
        kind: What it holds: money, price (£ per unit), per_1000 (£ per 1,000 weighted
            population), share, rate, index, count or text.
    """

    name: str
    label: str
    kind: Kind = "text"

    @property
    def number_format(self) -> str | None:
        """The Excel number format its kind is shown in (``None``: General)."""
        return FORMATS[self.kind]


#: NHS England's weighted-population components, by their machine name.
COMPONENT_NAMES = {
    "ga": "General and acute",
    "community": "Community",
    "mental_health": "Mental health",
    "maternity": "Maternity",
    "prescribing": "Prescribing",
    "core": "Core",
    "pmc": "Primary medical care (final)",
    "pmc_need": "Primary medical care need",
    "health_inequalities": "Health inequalities",
}

#: Machine name -> (label, kind).
_FIXED: dict[str, tuple[str, Kind]] = {
    # who and when
    "year": ("Financial year", "text"),
    "level": ("Level", "text"),
    "name": ("Name", "text"),
    "icb_code": ("ICB code", "text"),
    "icb_name": ("ICB name", "text"),
    "place": ("Place", "text"),
    "locality": ("Locality", "text"),
    "org": ("Organisation", "text"),
    "unit": ("Unit", "text"),
    "practice_code": ("Practice code", "text"),
    "practice_name": ("Practice name", "text"),
    "programme": ("Care programme", "text"),
    "line": ("Budget line", "text"),
    "population": ("Registered population", "count"),
    "item": ("Item", "text"),
    "value": ("Value", "text"),
    "years": ("Years", "text"),
    "sha256": ("SHA-256 of the file", "text"),
    "file": ("File", "text"),
    "measure": ("Measure", "text"),
    "parameter": ("Parameter", "text"),
    "meaning": ("Meaning", "text"),
    "check": ("Check", "text"),
    # targets
    "target_share": ("Target share", "share"),
    # Two targets for one place: the same share of two totals (the Summary says why).
    "target": ("Target at the ICB budget (£)", "money"),
    "convergence_target": ("Target at the convergence total (£)", "money"),
    "per_1000_wp": ("£ per 1,000 weighted population", "per_1000"),
    "baseline": ("Baseline (£)", "money"),
    "target_at_baseline_total": ("Target at the baselines' total (£)", "money"),
    "dft_baseline": ("Distance from target (baseline)", "rate"),
    "target_weight": ("Target weight", "index"),
    # target uncertainty (5th and 95th percentiles of the Monte Carlo)
    "target_share_p05": ("Target share, 5th percentile", "share"),
    "target_share_p95": ("Target share, 95th percentile", "share"),
    "target_p05": ("Target, 5th percentile (£)", "money"),
    "target_p95": ("Target, 95th percentile (£)", "money"),
    "dft_p05": ("Distance from target, 5th percentile", "rate"),
    "dft_p95": ("Distance from target, 95th percentile", "rate"),
    "against_target": ("Against target", "text"),
    # convergence
    "dft_before": ("Distance from target before", "rate"),
    "dft_after": ("Distance from target after", "rate"),
    "growth": ("Growth", "rate"),
    "allocation": ("Allocation (£)", "money"),
    "rule": ("Rule applied", "text"),
    "explanation": ("Explanation", "text"),
    "hcdd_baseline": ("HCDD baseline (£)", "money"),
    "hcdd_contribution": ("HCDD contribution (£)", "money"),
    "remaining_allocation": ("Allocation after HCDD (£)", "money"),
    # the place bridge: baseline to allocation to apportioned budget
    "core_growth": ("Core growth (£)", "money"),
    "convergence_adjustment": ("Convergence adjustment (£)", "money"),
    "apportioned_budget": ("Apportioned budget (£)", "money"),
    "budget_gap": ("Apportioned budget less allocation (£)", "money"),
    # apportionment audit
    "amount": ("Amount (£)", "money"),
    "recurrent": ("Recurrent", "text"),
    "methods_tried": ("Methods tried", "text"),
    "method": ("Method", "text"),
    "what_it_does": ("What it does", "text"),
    "method_used": ("Method used", "text"),
    "skipped": ("Methods skipped and why", "text"),
    "coverage": ("Coverage", "share"),
    "rows": ("Rows", "count"),
    "attributed": ("Attributed to practices (£)", "money"),
    "component": ("Weighted population used", "text"),
    "note": ("Note", "text"),
    "apportioned": ("Apportioned (£)", "money"),
    "difference": ("Difference (£)", "money"),
    # equity and levelling up
    "need": ("Need (weighted population)", "count"),
    "spend": ("Spend (£)", "money"),
    "expected": ("Expected spend (£)", "money"),
    "ratio": ("Need-standardised ratio", "index"),
    "underserved": ("Underserved", "text"),
    "deprivation": ("Deprivation (HI weighted population per head)", "index"),
    "funding": ("Funding (£)", "money"),
    "per_need_before": ("£ per weighted patient before", "price"),
    "payment": ("Levelling-up payment (£)", "money"),
    "funding_after": ("Funding after (£)", "money"),
    "per_need_after": ("£ per weighted patient after", "price"),
    "cap": ("Cap (£)", "money"),
    "proportion_underserved": ("Proportion of population underserved", "share"),
    "concentration_spend": ("Concentration index of spend", "index"),
    "concentration_need": ("Concentration index of need", "index"),
    "horizontal_inequity": ("Horizontal inequity index", "index"),
    "vertical_slope": ("Vertical slope", "index"),
    "units": ("Units", "count"),
    # drivers of spend: activity volume and unit cost against the ICB
    "activity": ("Activity (records)", "count"),
    "spend_index": ("Spend per weighted head (ICB = 1)", "index"),
    "activity_index": ("Activity per weighted head (ICB = 1)", "index"),
    "cost_index": ("Cost per record (ICB = 1)", "index"),
    "above_need": ("Spend above need (£)", "money"),
    "volume": ("From activity volume (£)", "money"),
    "price": ("From cost per record (£)", "money"),
    "too_small": ("Too few records to read", "text"),
    "sentence": ("Why", "text"),
    # packs
    "annual_budget": ("Annual budget (£)", "money"),
    "ytd_budget": ("Budget to date (£)", "money"),
    "ytd_actual": ("Actual to date (£)", "money"),
    "variance": ("Variance to date (£): favourable / (adverse)", "money"),
    "month": ("Month", "text"),
    "reason": ("Reason", "text"),
    "row": ("Ledger row", "text"),
    # rebase
    "old_code": ("Old ICB code", "text"),
    "old_name": ("Old ICB", "text"),
    "new_code": ("New ICB code", "text"),
    "new_name": ("New ICB", "text"),
    "practices": ("Practices", "count"),
    "weighted_population": ("Weighted population (old year)", "count"),
    "share": ("Share of the old ICB's baseline", "share"),
    "exact_amount": ("Exact part (£)", "money"),
    "in_file": ("In this file only", "text"),
    # footprint (practices re-mapped to a later year's organisations)
    "predecessors": ("Predecessors", "text"),
    "n_predecessors": ("Number of predecessors", "count"),
    "predecessor_index_min": ("Lowest predecessor part's need index", "index"),
    "predecessor_index_max": ("Highest predecessor part's need index", "index"),
    "predecessor_index_spread": ("Spread of the predecessor parts' need indices", "index"),
    # what changed between two runs (xlalloc compare): each figure is £ (an allocation,
    # a target or an apportioned amount), the change split into its two causes
    "old": ("Old run (£)", "money"),
    "new": ("New run (£)", "money"),
    "change": ("Change (£)", "money"),
    "from_amounts": ("From budget line amounts (£)", "money"),
    "from_shares": ("From shares (£)", "money"),
    "from_budget": ("From the ICB budget (£)", "money"),
    "from_need": ("From need (£)", "money"),
    "target_share_old": ("Target share, old run", "share"),
    "target_share_new": ("Target share, new run", "share"),
    "rule_old": ("Rule applied, old run", "text"),
    "rule_new": ("Rule applied, new run", "text"),
    "rule_changed": ("Rule changed", "text"),
    "old_value": ("Old run's value", "text"),
    "new_value": ("New run's value", "text"),
    # assurance
    "default": ("Default", "text"),
    "differs": ("Differs from the default", "text"),
    "previous": ("Previous run's value", "text"),
    "changed": ("Changed since the previous run", "text"),
    "allowed": ("Allowed", "text"),
    "source": ("Source", "text"),
    "kind": ("Kind", "text"),
    "part": ("Part", "text"),
    "input_sheets": ("Input sheets", "text"),
    "ran": ("Ran", "text"),
    "output_sheets": ("Output sheets", "text"),
}


def _once(text: str) -> str:
    """A label without a doubled word ("Primary medical care need need index")."""
    words = text.split(" ")
    return " ".join(w for i, w in enumerate(words) if i == 0 or w != words[i - 1])


_PER_COMPONENT: dict[str, tuple[str, Kind]] = {
    "{c}_wp": ("{n} weighted population", "count"),
    "{c}_index": ("{n} need index", "index"),
    "{c}_index_england": ("{n} need index (England = 1)", "index"),
}

#: Every declared column, by machine name.
COLUMNS: dict[str, Column] = {
    **{name: Column(name, text, kind) for name, (text, kind) in _FIXED.items()},
    **{
        pattern.format(c=c): Column(pattern.format(c=c), _once(text.format(n=n)), kind)
        for c, n in COMPONENT_NAMES.items()
        for pattern, (text, kind) in _PER_COMPONENT.items()
    },
}

#: Machine name -> plain-English label with units.
LABELS: dict[str, str] = {name: c.label for name, c in COLUMNS.items()}


def declare(name: str, label: str, kind: Kind = "text") -> Column:
    """Declare a column (a module's own, declared where it is computed), once.

    Declaring it again as it is changes nothing (a module imported twice).

    Raises:
        ValueError: The name is declared already with another label or kind: one name,
            one meaning, on every sheet.
    """
    if kind not in FORMATS:
        raise ValueError(f"column {name!r}: kind {kind!r} is not one of {', '.join(FORMATS)}")
    new = Column(name, label, kind)
    if COLUMNS.get(name, new) != new:
        raise ValueError(f"column {name!r} is declared already as {COLUMNS[name]}")
    COLUMNS[name] = new
    LABELS[name] = label
    return new


_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*")


def is_code_style(text: object) -> bool:
    """Whether a header looks like a machine name (``target_share``, ``org``)."""
    return isinstance(text, str) and _CODE.fullmatch(text) is not None


def column(name: object) -> Column:
    """The declared column of this name, or an undeclared one shown as text.

    An undeclared code-style name is written in words (``new_measure`` -> ``New
    measure``); anything else (a place, a year, a user's own header) is shown as it is.
    """
    text = str(name)
    if text in COLUMNS:
        return COLUMNS[text]
    if is_code_style(text):
        words = text.replace("_", " ")
        return Column(text, words[:1].upper() + words[1:])
    return Column(text, text)


def label(name: object) -> str:
    """The label a sheet shows for a column (:func:`column`'s)."""
    return column(name).label


def labels(names: list[str]) -> list[str]:
    """:func:`label` of each name."""
    return [label(n) for n in names]


def number_format(name: object) -> str | None:
    """The number format a sheet shows a column in (:func:`column`'s kind's)."""
    return column(name).number_format


def money_label(text: str, unit: str) -> str:
    """A label with its money unit: ``Target (£)`` shown in £000 is ``Target (£000)``."""
    return text.replace("(£)", f"({unit})") if unit != "£" else text
