"""Plain-English column headers for workbooks, defined once.

CSV files and the Python API keep the documented machine names (``target_share``,
``dft_before`` ...), which scripts and pipelines depend on. Every sheet a reader
sees shows the label instead: plain English with its unit (``Target share``,
``Distance from target before``, ``Target (£)``). This module is the one mapping
between the two; ``docs/model-workbook.md`` lists both, generated from it.

Money labels end in ``(£)``; a sheet drawn in thousands or millions of pounds
shows ``(£000)`` or ``(£m)`` instead (:func:`money_label`).
"""

from __future__ import annotations

import re

__all__ = ["COMPONENT_NAMES", "LABELS", "is_code_style", "label", "labels", "money_label"]

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

_FIXED = {
    # who and when
    "year": "Financial year",
    "level": "Level",
    "name": "Name",
    "icb_code": "ICB code",
    "icb_name": "ICB name",
    "place": "Place",
    "locality": "Locality",
    "org": "Organisation",
    "unit": "Unit",
    "practice_code": "Practice code",
    "practice_name": "Practice name",
    "programme": "Care programme",
    "line": "Budget line",
    "population": "Registered population",
    "item": "Item",
    "value": "Value",
    "years": "Years",
    "sha256": "SHA-256 of the file",
    "file": "File",
    "measure": "Measure",
    "parameter": "Parameter",
    "meaning": "Meaning",
    "check": "Check",
    # targets
    "target_share": "Target share",
    # Two targets for one place: the same share of two totals (the Summary says why).
    "target": "Target at the ICB budget (£)",
    "convergence_target": "Target at the convergence total (£)",
    "per_1000_wp": "£ per 1,000 weighted population",
    "baseline": "Baseline (£)",
    "target_at_baseline_total": "Target at the baselines' total (£)",
    "dft_baseline": "Distance from target (baseline)",
    "target_weight": "Target weight",
    # target uncertainty (5th and 95th percentiles of the Monte Carlo)
    "target_share_p05": "Target share, 5th percentile",
    "target_share_p95": "Target share, 95th percentile",
    "target_p05": "Target, 5th percentile (£)",
    "target_p95": "Target, 95th percentile (£)",
    "dft_p05": "Distance from target, 5th percentile",
    "dft_p95": "Distance from target, 95th percentile",
    "against_target": "Against target",
    # convergence
    "dft_before": "Distance from target before",
    "dft_after": "Distance from target after",
    "growth": "Growth",
    "allocation": "Allocation (£)",
    "rule": "Rule applied",
    "explanation": "Explanation",
    "hcdd_baseline": "HCDD baseline (£)",
    "hcdd_contribution": "HCDD contribution (£)",
    "remaining_allocation": "Allocation after HCDD (£)",
    # apportionment audit
    "amount": "Amount (£)",
    "recurrent": "Recurrent",
    "methods_tried": "Methods tried",
    "method_used": "Method used",
    "skipped": "Methods skipped and why",
    "coverage": "Coverage",
    "rows": "Rows",
    "attributed": "Attributed to practices (£)",
    "component": "Weighted population used",
    "note": "Note",
    "apportioned": "Apportioned (£)",
    "difference": "Difference (£)",
    # equity and levelling up
    "need": "Need (weighted population)",
    "spend": "Spend (£)",
    "expected": "Expected spend (£)",
    "ratio": "Need-standardised ratio",
    "underserved": "Underserved",
    "deprivation": "Deprivation (HI weighted population per head)",
    "funding": "Funding (£)",
    "per_need_before": "£ per weighted patient before",
    "payment": "Levelling-up payment (£)",
    "funding_after": "Funding after (£)",
    "per_need_after": "£ per weighted patient after",
    "cap": "Cap (£)",
    "proportion_underserved": "Proportion of population underserved",
    "concentration_spend": "Concentration index of spend",
    "concentration_need": "Concentration index of need",
    "horizontal_inequity": "Horizontal inequity index",
    "vertical_slope": "Vertical slope",
    "units": "Units",
    # packs
    "annual_budget": "Annual budget (£)",
    "ytd_budget": "Budget to date (£)",
    "ytd_actual": "Actual to date (£)",
    "variance": "Variance to date (£): favourable / (adverse)",
    "month": "Month",
    "reason": "Reason",
    "row": "Ledger row",
    # rebase
    "old_code": "Old ICB code",
    "old_name": "Old ICB",
    "new_code": "New ICB code",
    "new_name": "New ICB",
    "practices": "Practices",
    "weighted_population": "Weighted population (old year)",
    "share": "Share of the old ICB's baseline",
    "exact_amount": "Exact part (£)",
    "in_file": "In this file only",
    # assurance
    "default": "Default",
    "differs": "Differs from the default",
    "previous": "Previous run's value",
    "changed": "Changed since the previous run",
    "allowed": "Allowed",
    "source": "Source",
    "kind": "Kind",
    "part": "Part",
    "input_sheets": "Input sheets",
    "ran": "Ran",
    "output_sheets": "Output sheets",
}


def _once(text: str) -> str:
    """A label without a doubled word ("Primary medical care need need index")."""
    words = text.split(" ")
    return " ".join(w for i, w in enumerate(words) if i == 0 or w != words[i - 1])


_PER_COMPONENT = {
    "{c}_wp": "{n} weighted population",
    "{c}_index": "{n} need index",
    "{c}_index_england": "{n} need index (England = 1)",
}

#: Machine name -> plain-English label with units.
LABELS: dict[str, str] = {
    **_FIXED,
    **{
        pattern.format(c=c): _once(text.format(n=n))
        for c, n in COMPONENT_NAMES.items()
        for pattern, text in _PER_COMPONENT.items()
    },
}

_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*")


def is_code_style(text: object) -> bool:
    """Whether a header looks like a machine name (``target_share``, ``org``)."""
    return isinstance(text, str) and _CODE.fullmatch(text) is not None


def label(name: object) -> str:
    """The label a sheet shows for a column.

    A documented machine name gets its label; another code-style name is written in
    words (``new_measure`` -> ``New measure``); anything else (a place, a year) is
    shown as it is.
    """
    text = str(name)
    if text in LABELS:
        return LABELS[text]
    if is_code_style(text):
        words = text.replace("_", " ")
        return words[:1].upper() + words[1:]
    return text


def labels(names: list[str]) -> list[str]:
    """:func:`label` of each name."""
    return [label(n) for n in names]


def money_label(text: str, unit: str) -> str:
    """A label with its money unit: ``Target (£)`` shown in £000 is ``Target (£000)``."""
    return text.replace("(£)", f"({unit})") if unit != "£" else text
