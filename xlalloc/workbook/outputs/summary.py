"""The Summary sheet: the run at a glance."""

from __future__ import annotations

import math

import pandas as pd

from ..._version import __version__
from ...engine.bridge import WHY_THEY_DIFFER
from ...model.checks import CheckStatus
from ...model.labels import label, money_label, number_format
from ...model.policy import ModelPolicy, ParameterKind
from ...model.runner import ModelResult
from ...model.schema import (
    PARAMETERS,
)
from ...readers.model import ModelInputs
from ..sheetspec import MONEY_UNITS, Drawing, Look, SheetSpec, shown
from ..tables import MONEY, NUMBER
from .common import (
    CHECK_FORMAT,
    CHECK_STATUS,
    HEADER_ROW,
    OVERALL_CHECK,
    RUN_AT,
    Check,
    output_sheet,
)


def short_sha(value: object) -> object:
    """A SHA-256 as its first 12 characters and an ellipsis (blanks as they are)."""
    return f"{value[:12]}…" if isinstance(value, str) and len(value) > 12 else value


def two_targets(result: ModelResult) -> str:
    """Why a place has two targets, in words: one share of two totals."""
    conv = result.convergence
    assert conv is not None
    first_year, first = next(iter(conv.years.items()))
    return (
        f"Each place has one target share and two targets: "
        f"{label('target')} on the Targets sheet is its share of the ICB budget "
        f"(£{result.budget_total:,.0f}); {label('convergence_target')} on the Convergence "
        f"sheet is its share of each year's convergence total (Totals sheet; "
        f"£{first.total:,.0f} in {first_year}). They differ only because the totals do."
    )


def registered_population(practices: pd.DataFrame) -> str:
    """The registered population of each year, never added across years.

    A model of several years holds each practice once a year: the sum over years counts
    each patient once a year (three years read as three times the ICB's population).
    """
    by_year = practices.groupby("year", sort=True)["population"].sum()
    return "registered population " + "; ".join(
        f"{year}: {float(total):,.0f}" for year, total in by_year.items()
    )


def summary_sheet(
    result: ModelResult, look: Look, checks: list[Check], messages: list[str]
) -> SheetSpec:
    """The run at a glance: one overall check cell, the inputs, the policy and messages.

    Its "Run at" and "Check status" rows are found by label from the Cover.
    """
    d = output_sheet("Summary", "Run summary", look)
    d.print_setup(landscape=False)
    r = _key_figures(d, result, look, checks)
    r = _bridge(d, result, look, r)
    r = _words_to_read(d, result, messages, r)
    r = _inputs_used(d, result.inputs, r)
    r = _sources(d, result, r)
    _policy_in_force(d, result.inputs.policy, r)
    # Widths for one A4 page across at a legible size: the labels, the values, and the
    # meanings wrapped.
    d.width("A", 34)
    d.width("B", 20)
    d.width("C", 46)
    return d.spec()


def _key_figures(d: Drawing, result: ModelResult, look: Look, checks: list[Check]) -> int:
    """The overall check, the check status, the run and the totals; the next free row."""
    status = CheckStatus(tuple(str(c[0]) for c in checks if c[2] != 0))
    first, last = HEADER_ROW + 1, HEADER_ROW + len(checks)
    r = HEADER_ROW
    d.put(r, 1, OVERALL_CHECK, bold=True)
    d.formula(
        r,
        2,
        f"=Checks!$B${last + 2}",
        CHECK_FORMAT,
        bold=True,
        value=sum(abs(c[2]) for c in checks),
    )
    bad = f'COUNTIF(Checks!$B${first}:$B${last},"<>0")'
    rows: list[tuple[str, object, str | None]] = [
        (RUN_AT, result.run_at.isoformat(sep=" "), None),
        ("xlalloc version", __version__, None),
        ("ICB", result.inputs.policy.icb_name or "(not named on the Policy sheet)", None),
        ("Financial year", result.year, None),
        ("ICB budget shared by target (£)", result.budget_total, MONEY),
    ]
    d.put(r + 1, 1, CHECK_STATUS)
    d.formula(
        r + 1,
        2,
        CheckStatus.formula(bad),
        None,
        value=str(status),
    )
    conv = result.convergence
    if conv is not None:
        rows += [
            (f"Convergence total, {year} (£)", res.total, MONEY) for year, res in conv.years.items()
        ]
    for k, (name, value, fmt) in enumerate(rows):
        d.put(r + 2 + k, 1, money_label(name, look.money))
        d.put(r + 2 + k, 2, value, fmt)
    r += len(rows) + 2
    if conv is not None:
        r += 1
        d.put(r, 1, two_targets(result), span=3)
    return r + 1


def _bridge(d: Drawing, result: ModelResult, look: Look, r: int) -> int:
    """The financial year's bridge: the ICB's lines, then each place's in a sentence.

    Every figure is the Bridge sheet's, as that sheet shows it; returns the next free row.
    """
    bridge = result.bridges.get(result.year)
    if bridge is None:
        return r
    unit = look.money
    money = MONEY_UNITS.get(unit, MONEY)
    total = bridge.place("Total")
    d.note(r, 1, f"Each place's budget and why, {bridge.year} (Bridge sheet)", bold=True, size=12)
    d.header(r + 1, 1, ["Line", money_label("ICB (£)", unit), "What it is"])
    method = result.convergence.years[bridge.year].policy.method if result.convergence else ""
    lines = [
        ("baseline", "the places' starting point: the Baselines sheet, or last year's allocation"),
        (
            "core_growth",
            f"{bridge.core_growth_rate:.2%} of each baseline: the year's convergence total over "
            "the baselines' total",
        ),
        (
            "convergence_adjustment",
            f"what the convergence policy ({method}) moves each place toward its target; it adds "
            "to zero (or a unit's rounding) across the places",
        ),
        ("allocation", "the year's convergence total (Totals sheet)"),
        (
            "apportioned_budget",
            "the budget lines' total, shared by care programme and place (Apportionment, Table 1)",
        ),
        (
            "budget_gap",
            "the budget's total less the convergence total: what the places must manage or "
            "move between them",
        ),
        ("convergence_target", "each place's target share of the convergence total"),
    ]
    k = r + 2
    for name, meaning in lines:
        value = total[name]
        if isinstance(value, float) and math.isnan(value):
            continue
        d.put(k, 1, money_label(label(name), unit), wrap=True)
        d.put(k, 2, float(value), MONEY, wrap=True)  # top-aligned beside its meaning
        d.put(k, 3, meaning, wrap=True)
        k += 1
    k += 1
    d.header(k, 1, [label("place"), money_label(label("apportioned_budget"), unit), "How"])
    for place in bridge.table["place"][:-1]:
        k += 1
        row = bridge.place(place)
        d.put(k, 1, place, wrap=True)
        d.put(k, 2, row["apportioned_budget"], MONEY, wrap=True)
        d.put(k, 3, bridge_sentence(row, money), wrap=True)
    d.put(k + 1, 1, WHY_THEY_DIFFER, span=3, italic=True)
    return k + 3


def bridge_sentence(row: pd.Series, money: str) -> str:
    """A place's bridge in a sentence, each figure as the Bridge sheet shows it."""

    def m(name: str) -> str:
        return shown(float(row[name]), money)

    def p(name: str) -> str:
        return shown(float(row[name]), number_format(name) or "0.00%")

    text = (
        f"baseline {m('baseline')} + core growth {m('core_growth')} + convergence "
        f"adjustment {m('convergence_adjustment')} (rule: {row['rule']}) = allocation "
        f"{m('allocation')}"
    )
    gap = float(row["apportioned_budget"] - row["allocation"])
    if not math.isnan(gap):
        side = "more" if gap > 0 else "less"
        text += (
            f"; apportioned budget {m('apportioned_budget')}, "
            f"{shown(abs(gap), money)} {side} than its allocation"
        )
    return text + (
        f"; target {m('convergence_target')}; distance from target {p('dft_before')} before, "
        f"{p('dft_after')} after."
    )


def _words_to_read(d: Drawing, result: ModelResult, messages: list[str], r: int) -> int:
    """What to fill in next, and the run's messages; returns the next free row."""
    steps = result.next_steps
    if steps:  # a model with no money yet (e.g. built from NHS England's files)
        d.note(r, 1, "What to fill in next", bold=True, size=12)
        for step in steps:
            r += 1
            d.put(r, 1, step, span=3)
        r += 2
    # Messages come first after the key figures: what a reader must know before the detail.
    d.note(r, 1, "Messages", bold=True, size=12)
    for m in messages or ["none"]:
        r += 1
        d.put(r, 1, m, span=3)
    r += 2
    return r


def _inputs_used(d: Drawing, inputs: ModelInputs, r: int) -> int:
    """Each input sheet's rows and total; returns the next free row."""
    d.note(r, 1, "Inputs used", bold=True, size=12)
    d.header(r + 1, 1, ["Input sheet", "Rows", "Total"])
    used = [
        ("Practices", inputs.practices, "population"),
        ("Budget", inputs.budget, "amount"),
        ("PracticeData", inputs.practice_data, None),
        ("Activity", inputs.activity, None),
        ("PlaceSplits", inputs.place_splits, None),
        ("Baselines", inputs.baselines, "baseline"),
        ("Totals", inputs.totals, "total"),
    ]
    r += 2
    for name, frame, total in used:
        d.put(r, 1, name)
        d.put(r, 2, len(frame), NUMBER)
        if total == "population":
            d.put(r, 3, registered_population(frame), wrap=True)
        elif name == "Totals" and len(frame) > 1:  # one a year: never added across years
            d.put(r, 3, "by year, above (Convergence total)", wrap=True)
        elif total and len(frame):
            d.put(r, 3, float(frame[total].sum()), MONEY)
        r += 1
    return r


def _sources(d: Drawing, result: ModelResult, r: int) -> int:
    """The source files (short SHA-256) and data read as zero; returns the next free row."""
    prov = result.provenance()
    prov = prov[~prov["item"].isin(["run at", "check status", "xlalloc version"])]
    if len(prov):
        r += 1
        d.note(r, 1, "Source files and data read as zero", bold=True, size=12)
        # A SHA-256 shown short (its first 12 characters identify the file); in full on
        # the Sources sheet and in the run's provenance table.
        shown_prov = (
            prov.reset_index(drop=True)
            .assign(sha256=prov["sha256"].map(short_sha).to_numpy())
            .rename(columns={"sha256": "SHA-256 (first 12; in full on Sources)"})
        )
        r = d.block(r + 1, 1, shown_prov) + 1
    r += 1
    return r


def _policy_in_force(d: Drawing, policy: ModelPolicy, r: int) -> None:
    """Every Policy parameter with its value and meaning."""
    d.note(r, 1, "Policy in force", bold=True, size=12)
    d.header(r + 1, 1, ["Parameter", "Value", "Meaning"])
    r += 2
    for prm in PARAMETERS:
        v = getattr(policy, prm.name)
        # All three top-aligned (as wrapped cells are), so a value reads beside its meaning.
        d.put(r, 1, prm.name, wrap=True)
        d.put(
            r,
            2,
            "(blank)" if v is None else v,
            "0.00%" if prm.percent else "#,##0.##" if prm.kind is ParameterKind.NUMBER else None,
            wrap=True,
        )
        d.put(r, 3, prm.description, wrap=True)
        r += 1
