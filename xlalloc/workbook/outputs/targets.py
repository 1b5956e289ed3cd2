"""The Targets sheet (the targets part).

Each year's targets by place, need indices and target intervals.
"""

from __future__ import annotations

import pandas as pd

from ...engine.capitation import COMPONENTS
from ...model.labels import label, labels
from ...model.runner import INTERVAL_COLUMNS, UNMAPPED, ModelResult
from ..sheetspec import Drawing, Look, SheetSpec
from ..tables import INDEX, NUMBER, number_format
from .common import (
    HEADER_ROW,
    Check,
    Ranges,
    col_sum,
    grouped_values_block,
    in_year,
    output_sheet,
    sum_where,
)

#: The Targets sheet's columns, each year (``{c}``: the Policy's target component).
TARGET_COLUMNS = (
    "place",
    "population",
    "{c}_wp",
    "{c}_index",
    "target_share",
    "target",
    "per_1000_wp",
    "baseline",
    "target_at_baseline_total",
    "dft_baseline",
)


def _targets_sheet(result: ModelResult, rng: Ranges, look: Look) -> tuple[Drawing, list[Check]]:
    """One block of targets per year (formulas over Practices), then need indices."""
    comp = result.inputs.policy.target_component
    d = output_sheet("Targets", f"Targets by place: {label(f'{comp}_wp').lower()}", look)
    # The target intervals get a block of their own below each year's core table, so the
    # core table prints at a legible size on one page across.
    spread = [c for c in INTERVAL_COLUMNS if c in result.targets.columns]
    years = result.inputs.years
    d.note(
        HEADER_ROW - 1,
        1,
        f"ICB budget shared by target: £{result.budget_total:,.0f}"
        + (" in every year" if len(years) > 1 else "")
        + ". The target is the place's share of the ICB budget; the "
        "distance from target compares each baseline with its share of "
        "the baselines' total, as convergence does.",
    )
    checks: list[Check] = []
    row = HEADER_ROW
    for year in years:
        t = result.targets[result.targets["year"] == year].reset_index(drop=True)
        tot = _year_block(d, result, rng, year, t, row)
        d.keep_together(row - 1, tot)  # a year's table on one page, under its header
        checks += _year_checks(rng, year, tot, bool(in_year(result, rng, year)))
        row = tot + 3
        if spread:  # the Monte Carlo's percentiles, as values, place by place
            row = _intervals(d, t, year, spread, row)
    row = _interval_notes(d, result, row)
    _indices(d, result, years, row)
    return d, checks


def _year_block(
    d: Drawing, result: ModelResult, rng: Ranges, year: str, t: pd.DataFrame, row: int
) -> int:
    """A year's targets by place, as formulas over Practices; returns its Total row."""
    comp = result.inputs.policy.target_component
    has_base = result.convergence is not None
    base = {}
    if has_base:
        base = dict(zip(result.inputs.baselines["place"], result.inputs.baselines["baseline"]))
    b_total = sum(base.values())
    place_col = rng.column("Practices", "place")
    pop_col = rng.column("Practices", "population")
    wp_col = rng.column("Practices", f"{comp}_wp")
    also = in_year(result, rng, year)
    d.note(row, 1, f"Targets {year}", bold=True, size=12)
    d.header(row + 1, 1, labels([c.format(c=comp) for c in TARGET_COLUMNS]))
    r1, r2 = row + 2, row + 1 + len(t)
    # Each column in its registry format (the model's labels and formats are one).
    f = [number_format(c.format(c=comp)) for c in TARGET_COLUMNS]
    wp = t[f"{comp}_wp"].astype(float)
    share = t["target_share"].astype(float)  # the engine's, as the formula finds it
    for i, rec in enumerate(t.itertuples(index=False)):
        r = r1 + i
        d.put(r, 1, rec.place)
        d.formula(r, 2, sum_where(place_col, f"$A{r}", pop_col, also), f[1], value=rec.population)
        d.formula(r, 3, sum_where(place_col, f"$A{r}", wp_col, also), f[2], value=wp.iloc[i])
        d.put(r, 4, getattr(rec, f"{comp}_index"), f[3])
        d.formula(r, 5, f"=C{r}/SUM(C${r1}:C${r2})", f[4], value=share.iloc[i])
        d.put(r, 6, rec.target, f[5])
        d.formula(r, 7, f"=F{r}/C{r}*1000", f[6], value=rec.target / wp.iloc[i] * 1000)
        if has_base:
            b, fair = base.get(rec.place), share.iloc[i] * b_total
            d.put(r, 8, b, f[7])
            d.formula(r, 9, f"=E{r}*SUM(H${r1}:H${r2})", f[8], value=fair)
            d.formula(r, 10, f"=(H{r}-I{r})/I{r}", f[9], value=(b - fair) / fair)
    tot = r2 + 1
    d.put(tot, 1, "Total", bold=True)
    for c, fmt, v in (
        (2, f[1], t["population"].sum()),
        (3, f[2], wp.sum()),
        (5, f[4], share.sum()),
        (6, f[5], t["target"].sum()),
    ):
        d.formula(tot, c, col_sum(c, r1, r2), fmt, bold=True, value=v)
    d.formula(
        tot,
        7,
        f"=F{tot}/C{tot}*1000",
        f[6],
        bold=True,
        value=t["target"].sum() / wp.sum() * 1000,
    )
    if has_base:
        d.formula(tot, 8, col_sum(8, r1, r2), f[7], bold=True, value=b_total)
        d.formula(tot, 9, col_sum(9, r1, r2), f[8], bold=True, value=b_total)
    return tot


def _year_checks(rng: Ranges, year: str, tot: int, by_year: bool) -> list[Check]:
    """A year's checks: targets add up to the budget, shares to 1, population to Practices."""
    amount = rng.column("Budget", "amount")
    all_pop = rng.column("Practices", "population")
    pop_in_year = (
        f'SUMPRODUCT(({rng.column("Practices", "year")}="{year}")*{all_pop})'
        if by_year
        else f"SUM({all_pop})"
    )
    return [
        (
            f"Targets {year}: places' targets less the ICB budget",
            f"=ROUND(Targets!$F${tot}-IF(ISNUMBER(icb_budget),icb_budget,SUM({amount})),2)",
            0,
        ),
        (f"Targets {year}: target shares less 1", f"=ROUND(Targets!$E${tot}-1,9)", 0),
        (
            f"Targets {year}: population less the practices' population",
            f"=ROUND(Targets!$B${tot}-{pop_in_year},6)",
            0,
        ),
    ]


def _intervals(d: Drawing, t: pd.DataFrame, year: str, spread: list[str], row: int) -> int:
    """A year's target intervals, as values, place by place; returns the next free row."""
    d.note(row, 1, f"Target intervals {year}", bold=True, size=12)
    d.header(row + 1, 1, labels(["place", *spread]))
    for i in range(len(t)):
        d.put(row + 2 + i, 1, t.at[i, "place"])
        for j, name in enumerate(spread):
            value = t.at[i, name]
            # The verdict in words wraps in its column's width (a figure column above).
            words = isinstance(value, str)
            d.put(row + 2 + i, 2 + j, value, number_format(name), wrap=words, fit=not words)
    return row + len(t) + 4


def _interval_notes(d: Drawing, result: ModelResult, row: int) -> int:
    """How the intervals were drawn, where the Policy asks for them; the next free row."""
    u = result.inputs.policy.uncertainty()
    if u is None:
        return row
    d.note(
        row - 1,
        1,
        f"5th and 95th percentiles: {u.draws:,} Monte Carlo draws (seed "
        f"{u.seed}), each practice's weighted population uncertain by "
        f"{u.relative:.2%} for 250,000 people and more for fewer.",
    )
    d.note(
        row,
        1,
        "They are values, not formulas, and do not sum to the budget; a place "
        "whose distance from target spans 0 is not distinguishable from target "
        "(docs/uncertainty.md).",
    )
    return row + 3


def _indices(d: Drawing, result: ModelResult, years: list[str], row: int) -> None:
    """Every level's need indices (ICB-standardised; England-standardised for the ICB)."""
    shown = result.indices[
        ["year", "level", "name", "population"] + [f"{c}_index" for c in COMPONENTS]
    ]
    if len(years) == 1:
        shown = shown.drop(columns="year")
    grouped_values_block(
        d,
        row,
        "Need indices (ICB-standardised for places and localities; "
        "England-standardised for the ICB)",
        shown,
        {**{f"{c}_index": INDEX for c in COMPONENTS}, "population": NUMBER},
        keys=[c for c in ("year", "level", "name") if c in shown.columns],
        per_group=5,
    )


def draw(result: ModelResult, rng: Ranges, checks: list[Check], look: Look) -> list[SheetSpec]:
    """The targets part's sheet and checks, with the checks that every practice has a place."""
    targets, own = _targets_sheet(result, rng, look)
    place = rng.column("Practices", "place")
    checks += [
        *own,
        ("Practices with no place", f"=COUNTBLANK({place})", 0),
        (
            f"Practice rows in the '{UNMAPPED}' place (give them a place)",
            f'=COUNTIF({place},"{UNMAPPED}")',
            len(result.unmapped),
        ),
    ]
    return [targets.spec()]
