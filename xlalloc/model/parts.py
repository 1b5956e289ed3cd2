"""The model's parts: each declares, in one place, what it reads, runs, returns and shows.

A part (targets, convergence, apportionment, equity, or one added with :func:`register`)
is a :class:`ModelPart`: the Policy fields it reads, its run step, its result tables,
its output sheets (with what the docs say of each) and the function that draws them
with their checks. :func:`~xlalloc.model.runner.run_model`,
:meth:`~xlalloc.model.runner.ModelResult.tables`, the output writer
(:func:`xlalloc.workbook.outputs.render_outputs`), the list of output sheets and
``docs/model-workbook.md`` are loops over :func:`parts`.

The drawing function is named as ``"module:function"`` (as entry points are), so this
module, like the rest of ``model/``, never imports the writers; a part defined in a test
or a notebook may give the function itself. It is called as ``draw(result, ranges,
checks, look)``, returns the part's sheets (:class:`~xlalloc.workbook.sheetspec.SheetSpec`)
and appends its checks, ``(label, formula, value)``, each reading 0 when all is well.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd

from ..engine import capitation as cap
from ..engine.apportionment import Apportionment, ApportionmentSettings, apportion
from ..engine.bridge import Bridge, place_bridge
from ..engine.capitation import COMPONENTS
from ..engine.convergence import ConvergencePolicy, converge_years
from ..engine.drivers import drivers_of
from ..engine.equity import EquityResult, EquitySettings, equity
from ..engine.errors import InputError, Problems, listed
from ..engine.frames import SOURCE_ROW, source_rows
from ..engine.registry import import_modules
from ..engine.uncertainty import UncertaintySettings, target_intervals
from ..self_test import selftest_result
from .assurance import (
    assumptions_log,
    data_log,
    input_fingerprints,
    model_map,
    shown,
    signatures,
    signed_parameters,
    signoff_status,
)
from .policy import parameters, sheet_rows

__all__ = [
    "CHECKS",
    "ENGLAND",
    "INTERVAL_COLUMNS",
    "UNMAPPED",
    "ModelPart",
    "OutputSheet",
    "RunState",
    "SUMMARY",
    "Targets",
    "output_sheets",
    "parts",
    "register",
]

#: The place of practices deliberately left in no place (``xlalloc new`` with
#: ``allow_unmapped``); the Checks sheet counts them.
UNMAPPED = "Unmapped"

#: Columns the target-uncertainty Monte Carlo adds to the targets (when
#: ``target_uncertainty`` is set; the distances when baselines are given).
INTERVAL_COLUMNS = (
    "target_share_p05",
    "target_share_p95",
    "target_p05",
    "target_p95",
    "dft_p05",
    "dft_p95",
    "against_target",
)

#: NHS England scales every component so England's weighted population equals its
#: population: England-standardised indices divide by 1.0.
ENGLAND = {c: 1.0 for c in COMPONENTS}

POLICY_WHERE = "Policy"
#: The output sheets every run writes around its parts' sheets.
SUMMARY = "Summary"
CHECKS = "Checks"


@dataclass
class RunState:
    """What the parts of one run share: the inputs, each part's result, what they found.

    Attributes:
        inputs: The model's validated inputs (:class:`~xlalloc.readers.model.ModelInputs`;
            not imported here, as the reader imports the schema, which lists the parts).
        step: The progress callback (called with a part's name when it starts work).
        results: Each part's result by part name (``None`` where it had nothing to do).
        problems: Input problems found by the parts, reported together.
        notes: What the run chose or documented (defaults, coverage), in order.
        warnings: What may be wrong and needs a look (practices in no place).
        messages: Warnings shown after the others (convergence's per year).
    """

    inputs: Any
    step: Callable[[str], None]
    results: dict[str, Any] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    run_at: datetime | None = None
    #: Work running on the run's worker thread, and what takes each one's result.
    pending: list[tuple[Future[Any], Callable[[Any], None]]] = field(default_factory=list)
    _pool: ThreadPoolExecutor | None = None

    def in_background(self, work: Callable[[], Any], then: Callable[[Any], None]) -> None:
        """Run ``work`` on the run's worker thread while the parts after this one run.

        For numpy work that releases the GIL (the target-uncertainty Monte Carlo), so it
        takes the machine's second core while the next parts work in Python. ``work``
        must use only what it is given (its own copies of frames), and no part may need
        its result; ``then`` receives it in this thread when :meth:`join` is called: at
        the end of the run, or sooner where a part has found problems (so that the
        work's own are reported with them).
        """
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlalloc-run")
        self.pending.append((self._pool.submit(work), then))

    def join(self) -> None:
        """Every background work's result given to its ``then``, in the order they began.

        An :class:`InputError` the work raised joins the run's problems (reported with
        the others), as the part's own would.
        """
        while self.pending:
            future, then = self.pending.pop(0)
            try:
                result = future.result()
            except InputError as e:
                self.problems.extend(e)
                continue
            then(result)

    def close(self) -> None:
        """Stop the worker thread (waiting for work begun; work not begun is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def practices(self) -> pd.DataFrame:
        """The financial year's practices (those the apportionment uses)."""
        p = self.inputs.practices
        return p[p["year"] == self.inputs.policy.financial_year]


@dataclass(frozen=True)
class OutputSheet:
    """An output sheet a part writes, and what ``docs/model-workbook.md`` says of it."""

    name: str
    note: str


@dataclass(frozen=True)
class ModelPart:
    """One part of the model, declared in one place.

    Attributes:
        name: The part's name (its result is ``state.results[name]``).
        summary: One line for the docs, naming the guidance it implements.
        policy_fields: The :class:`~xlalloc.model.policy.ModelPolicy` fields it reads.
        run: Its run step: reads ``state``, stores its result in ``state.results``, adds
            problems and notes; raises :class:`InputError` only when nothing after it
            could run.
        tables: Its result tables by name (for notebooks and pipelines), from the run's
            :class:`~xlalloc.model.runner.ModelResult`.
        sheets: Its output sheets, in order.
        draw: ``"module:function"`` (or the function) drawing its sheets and checks.
        after_problems: Runs only when the parts before it found no problem (it needs
            their results whole); their problems are raised first.
        inputs: The input sheets it reads (the Assurance sheet's model map).
    """

    name: str
    summary: str
    policy_fields: tuple[str, ...]
    run: Callable[[RunState], None]
    tables: Callable[[Any], dict[str, pd.DataFrame]]
    sheets: tuple[OutputSheet, ...]
    draw: str | Callable[..., list[Any]]
    after_problems: bool = False
    inputs: tuple[str, ...] = ()


_PARTS: list[ModelPart] = []


def register(part: ModelPart, before: str | None = None) -> ModelPart:
    """Add a part to every run (at the end, or before the part named ``before``).

    Raises:
        ValueError: A part of that name, or a sheet of that name, is registered already.
    """
    if any(p.name == part.name for p in _PARTS):
        raise ValueError(f"a model part named {part.name!r} is registered already")
    taken = {s for s in output_sheets()}
    clash = [s.name for s in part.sheets if s.name in taken]
    if clash:
        raise ValueError(f"output sheet(s) {clash} are another part's")
    at = next((k for k, p in enumerate(_PARTS) if p.name == before), len(_PARTS))
    _PARTS.insert(at, part)
    return part


def unregister(name: str) -> None:
    """Remove a part (a test's, or a notebook's)."""
    _PARTS[:] = [p for p in _PARTS if p.name != name]


def parts() -> tuple[ModelPart, ...]:
    """Every registered part, in the order runs use them."""
    return tuple(_PARTS)


def output_sheets() -> tuple[str, ...]:
    """Every output sheet in workbook order: the Summary, each part's, then Checks."""
    return (SUMMARY, *(s.name for p in _PARTS for s in p.sheets), CHECKS)


# --------------------------------------------------------------------------- targets


@dataclass
class Targets:
    """The targets part's result: need indices and targets for every year."""

    indices: pd.DataFrame
    targets: pd.DataFrame
    budget_total: float


def _run_targets(state: RunState) -> None:
    """Need indices and targets by place for every year (NHS England's place-based tool)."""
    inputs, policy = state.inputs, state.inputs.policy
    comp = policy.target_component
    state.step("targets")
    years = inputs.years
    if policy.financial_year not in years:
        raise InputError(
            f"financial_year {policy.financial_year} has no practices: the "
            f"Practices sheet's years are {listed(years)}; set financial_year on the "
            "Policy sheet to one of them",
            where=POLICY_WHERE,
        )
    budget_total = (
        float(policy.icb_budget)
        if policy.icb_budget is not None
        else float(inputs.budget["amount"].sum())
    )
    uncertainty = policy.uncertainty()
    baselines = (
        inputs.baselines.set_index("place")["baseline"].astype(float)
        if len(inputs.baselines)
        else None
    )
    index_parts, plain, later = [], [], []
    for year in years:
        one = inputs.practices[inputs.practices["year"] == year]
        where = "Practices" if len(years) == 1 else f"Practices ({year})"
        place_map = cap.define_places(one, one[["practice_code", "place", "locality"]], where=where)
        state.warnings += place_map.warnings
        if year == policy.financial_year or len(years) == 1:
            state.warnings += small_places(one, comp)
        ind = cap.need_indices(one, place_map, england=ENGLAND, where=where)
        with_targets = cap.add_targets(ind, budget_total, comp, policy.unit)
        index_parts.append(ind.assign(year=year))
        plain.append(with_targets.assign(year=year))
        if uncertainty is not None:
            # Distances only from baselines convergence can use (it reports the others).
            usable = (
                baselines is not None
                and bool((baselines > 0).all())
                and set(place_map.frame["place"]) <= set(baselines.index)
            )
            later.append(
                (
                    year,
                    (with_targets.copy(), one.copy(), place_map.frame.copy(), comp),
                    baselines.copy() if usable and baselines is not None else None,
                )
            )
    result = Targets(
        _year_first(pd.concat(index_parts, ignore_index=True)),
        _target_table(plain, comp),
        budget_total,
    )
    state.results["targets"] = result
    if later and uncertainty is not None:
        # The Monte Carlo (numpy, the GIL released) runs while the other parts do, which
        # need only the target shares; its interval columns join the targets table at
        # the end of the run (the output sheets show them).
        def intervals() -> list[pd.DataFrame]:
            return [
                target_intervals(*frames, uncertainty, budget_total, policy.unit, base).assign(
                    year=year
                )
                for year, frames, base in later
            ]

        def add(tables: list[pd.DataFrame]) -> None:
            result.targets = _target_table(tables, comp)

        state.in_background(intervals, add)


def _target_table(with_targets: list[pd.DataFrame], comp: str) -> pd.DataFrame:
    """Each year's place rows of the targets table (with intervals where they were drawn)."""
    columns = ["name", "population", f"{comp}_wp", f"{comp}_index", "target_share", "target"]
    parts = []
    for t in with_targets:
        spread = [c for c in INTERVAL_COLUMNS if c in t.columns]
        places = t[t["level"] == "place"]
        parts.append(places[[*columns, *spread, "year"]].rename(columns={"name": "place"}))
    return _year_first(pd.concat(parts, ignore_index=True))


def _year_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["year", *(c for c in frame.columns if c != "year")]]


# --------------------------------------------------------------------------- convergence


def _run_convergence(state: RunState) -> None:
    """Each year's allocations from the baselines toward that year's targets."""
    inputs, policy = state.inputs, state.inputs.policy
    state.results["convergence"] = None
    if not len(inputs.baselines):
        return
    state.step("convergence")
    targets = state.results["targets"].targets
    years = inputs.years
    try:
        bl = inputs.baselines
        conv_years = [str(y) for y in inputs.totals["year"]]
        shares = []
        for y in conv_years:
            basis = y if y in years else policy.financial_year
            if basis != y and len(years) > 1:
                state.notes.append(
                    f"convergence {y} uses {basis}'s target shares (the Practices "
                    f"sheet has no {y} rows)"
                )
            share = targets[targets["year"] == basis].set_index("place")["target_share"]
            shares += list(share.reindex(bl["place"]))
        orgs = pd.DataFrame(
            {
                "org": list(bl["place"]) * len(conv_years),
                "year": [y for y in conv_years for _ in range(len(bl))],
                "baseline": list(bl["baseline"]) * len(conv_years),
                "target_share": shares,
                SOURCE_ROW: source_rows(bl) * len(conv_years),
            }
        )
        totals = {str(y): float(t) for y, t in zip(inputs.totals["year"], inputs.totals["total"])}
        result = converge_years(orgs, totals, policy.convergence(), where="Baselines")
    except InputError as e:
        state.problems.extend(e)
        return
    state.results["convergence"] = result
    state.messages += result.messages


def _convergence_tables(result: Any) -> dict[str, pd.DataFrame]:
    conv = result.convergence
    if conv is None:
        return {}
    return {
        "convergence": pd.concat([r.table for r in conv.years.values()], ignore_index=True),
        "trajectory": conv.trajectory,
    }


# --------------------------------------------------------------------------- apportionment


def _run_apportionment(state: RunState) -> None:
    """The whole budget by care programme and place, line by line."""
    inputs = state.inputs
    state.results["apportionment"] = None
    if not len(inputs.budget):
        return
    state.step("apportionment")
    try:
        state.results["apportionment"] = apportion(
            inputs.budget,
            state.practices.drop(columns="year"),
            inputs.practice_data,
            inputs.place_splits,
            inputs.activity,
            inputs.policy.apportionment(),
        )
    except InputError as e:
        state.problems.extend(e)
        return
    state.warnings += [f"Apportionment: {n}" for n in state.results["apportionment"].warnings]
    state.notes += totals_differ(state)  # stated, with what follows from it


#: A place smaller than this share of the ICB's weighted population, or with fewer
#: practices than MIN_PLACE_PRACTICES, is named: its figures swing with a single
#: practice's list, and a target of so few people is less certain than ±5%.
MIN_PLACE_SHARE = 0.01
MIN_PLACE_PRACTICES = 3


def small_places(practices: pd.DataFrame, component: str) -> list[str]:
    """A warning for each place too small to read as a place, with how to merge it."""
    g = practices.groupby("place", sort=True).agg(
        practices=("practice_code", "size"),
        population=("population", "sum"),
        need=(component, "sum"),
    )
    total = float(g["need"].sum())
    out = []
    for place, r in g.iterrows():
        share = float(r["need"]) / total if total else 0.0
        if r["practices"] >= MIN_PLACE_PRACTICES and share >= MIN_PLACE_SHARE:
            continue
        n = int(r["practices"])
        out.append(
            f"Place '{place}' has {n} practice{'' if n == 1 else 's'} and "
            f"{share:.1%} of the ICB's {component} weighted population "
            f"({r['population']:,.0f} people): below {MIN_PLACE_PRACTICES} practices or "
            f"{MIN_PLACE_SHARE:.0%}, its figures swing with one practice's list. Merge it "
            "into a neighbouring place: a places file giving its practices that place "
            "('xlalloc new MODEL.xlsx --places PLACES.csv'), or their place on the "
            "Practices sheet."
        )
    return out


def totals_differ(state: RunState) -> list[str]:
    """The year's convergence total against the budget lines' total, where they differ.

    The places' converged allocations add to the one, their apportioned budgets to the
    other: the difference is in every place's gap between the two, and a total typed
    for the wrong year or a budget line missing shows here first.
    """
    conv, a = state.results.get("convergence"), state.results.get("apportionment")
    year = state.inputs.policy.financial_year
    if conv is None or a is None or year not in conv.years:
        return []
    converged = float(conv.years[year].table["allocation"].sum())
    apportioned = float(a.table1.loc["Total", "Total"])
    gap = apportioned - converged
    if round(gap, 2) == 0:
        return []
    more = "more" if gap > 0 else "less"
    return [
        f"Convergence and budget: the {year} convergence total (Totals sheet) is "
        f"£{converged:,.0f} and the budget lines total £{apportioned:,.0f}, so "
        f"£{abs(gap):,.0f} {more} is apportioned to the places than converged. Each "
        "place's apportioned budget differs from its converged allocation by its part of "
        "this as well as by how its budget lines fall; if the two should agree, check the "
        "Totals sheet's year and the Budget sheet's lines."
    ]


def _apportionment_tables(result: Any) -> dict[str, pd.DataFrame]:
    a = result.apportionment
    out: dict[str, pd.DataFrame] = {}
    if a is not None:
        out.update(
            {
                "table1": a.table1,
                "table1_recurrent": a.table1_recurrent,
                "table1_locality": a.table1_locality,
                "shares": a.shares,
                "table2": a.table2,
                "index": a.index,
                "audit": a.audit,
                "cells": a.cells,
            }
        )
    if result.inputs.extracts is not None:
        out["activity_extracts"] = result.inputs.extracts.files
        out["activity_coverage"] = result.inputs.extracts.coverage
    return out


# --------------------------------------------------------------------------- bridge


def _run_bridge(state: RunState) -> None:
    """Each year's place bridge: baseline to allocation to apportioned budget and target."""
    conv, a = state.results.get("convergence"), state.results.get("apportionment")
    state.results["bridge"] = {}
    if conv is None:
        return
    state.step("bridge")
    year = state.inputs.policy.financial_year
    unit = state.inputs.policy.convergence().unit
    state.results["bridge"] = {
        y: place_bridge(
            y,
            res.table,
            res.total,
            res.core_growth,
            a.table1 if a is not None and y == year else None,
            unit,
        )
        for y, res in conv.years.items()
    }
    b = state.results["bridge"].get(year)
    if b is not None and b.not_in_both:
        state.warnings.append(
            f"Bridge {year}: {listed(b.not_in_both)} "
            f"{'is' if len(b.not_in_both) == 1 else 'are'} in the apportionment or the "
            "convergence but not both: the place gaps do not add to the difference between "
            "the budget's total and the convergence total; give each place a baseline "
            "(Baselines sheet) and practices (Practices sheet)"
        )


def bridge_table(bridges: dict[str, Bridge]) -> pd.DataFrame:
    """Every year's bridge in one table (a ``year`` column first)."""
    if not bridges:
        return pd.DataFrame()
    return pd.concat(
        [b.table.assign(year=y)[["year", *b.table.columns]] for y, b in bridges.items()],
        ignore_index=True,
    )


def _bridge_tables(result: Any) -> dict[str, pd.DataFrame]:
    bridges = result.results.get("bridge") or {}
    return {"bridge": bridge_table(bridges)} if bridges else {}


# --------------------------------------------------------------------------- drivers


def _run_drivers(state: RunState) -> None:
    """Why each place spends above or below its need: activity volume and unit cost."""
    inputs = state.inputs
    state.results["drivers"] = None
    if not len(inputs.activity) or not len(inputs.budget):
        return
    state.step("drivers")
    result, notes = drivers_of(inputs.activity, state.practices, inputs.budget)
    state.results["drivers"] = result
    state.notes += [f"Drivers: {n}" for n in notes]


def _drivers_tables(result: Any) -> dict[str, pd.DataFrame]:
    d = result.results.get("drivers")
    return {} if d is None else {"drivers": d.table, "drivers_sentences": d.sentences}


# --------------------------------------------------------------------------- equity


def _run_equity(state: RunState) -> None:
    """Equity of the apportioned budget against need, by place and by practice."""
    a = state.results.get("apportionment")
    state.results["equity"] = {}
    if a is None:
        return
    state.step("equity")
    tolerance = state.inputs.policy.equity_tolerance
    settings = EquitySettings() if tolerance is None else EquitySettings(tolerance=tolerance)
    results = equity_of(a, state.practices, settings)
    state.results["equity"] = results
    for level, eq in results.items():
        state.notes += [f"Equity ({level}): {n}" for n in eq.notes]


def _equity_tables(result: Any) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for level, eq in result.equity.items():
        out[f"equity_{level}"] = eq.units
        out[f"equity_{level}_summary"] = eq.summary
    return out


def equity_of(
    a: Apportionment, practices: pd.DataFrame, settings: EquitySettings | None = None
) -> dict[str, EquityResult]:
    """Equity of the apportioned budget against core need, by place and by practice.

    Places: Table 1's total spend against core weighted population. Practices: the
    spend the apportionment attributes to practices (:attr:`Apportionment.
    practice_spend`): each ``practice_data`` line's amount attributed to practices (its
    coverage) shared by the practices' values, from the PracticeData sheet or activity
    alike, and each ``capitation`` line shared by its component's weighted population;
    lines apportioned otherwise (place splits, scaling, following) reach places, not
    practices, and are left out. Deprivation: health-inequalities weighted population per
    head.
    """
    out: dict[str, EquityResult] = {}
    by_place = practices.groupby("place")[["population", "core", "health_inequalities"]].sum()
    spend = a.table1.loc["Total"].drop("Total").astype(float)
    places = pd.DataFrame(
        {
            "unit": by_place.index,
            "population": by_place["population"],
            "need": by_place["core"],
            "spend": spend.reindex(by_place.index).fillna(0.0),
            "deprivation": by_place["health_inequalities"] / by_place["population"],
        }
    ).reset_index(drop=True)
    out["places"] = equity(places, settings)
    practice_level = _practice_equity(a, practices, settings)
    if practice_level is not None:
        out["practices"] = practice_level
    return out


def _practice_equity(
    a: Apportionment, practices: pd.DataFrame, settings: EquitySettings | None = None
) -> EquityResult | None:
    """Equity by practice, of the spend the apportionment attributes to practices.

    The attribution is the apportionment engine's (:attr:`Apportionment.practice_spend`,
    computed once as it shares each line): every line whose method reaches practices,
    whatever fed it (the PracticeData sheet, the Activity sheet or extracts beside the
    model, or capitation).
    """
    prac = practices.set_index("practice_code")
    spend = a.practice_spend
    attributed = (
        spend.groupby("practice_code")["amount"].sum().reindex(prac.index).fillna(0.0)
        if len(spend)
        else pd.Series(0.0, index=prac.index)
    )
    covered = float(spend["amount"].sum()) if len(spend) else 0.0
    live = (prac["population"] > 0) & (prac["core"] > 0)
    if not (covered > 0 and live.sum() >= 2):
        return None
    units = pd.DataFrame(
        {
            "unit": prac.index[live],
            "population": prac["population"][live],
            "need": prac["core"][live],
            "spend": attributed[live],
            "deprivation": (prac["health_inequalities"] / prac["population"])[live],
        }
    ).reset_index(drop=True)
    result = equity(units, settings)
    total = float(a.table1.loc["Total", "Total"])
    counts = spend.groupby("method", sort=False)["line"].nunique()
    named = [f"{n} {method} line(s)" for method, n in counts.items()]
    lines = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
    result.notes.insert(
        0,
        f"practice-attributable spend is £{covered:,.0f} of Table 1's "
        f"£{total:,.0f} ({covered / total:.1%}): {lines}, as the apportionment "
        "attributed them to practices",
    )
    if (~live).any():
        result.notes.append(
            f"{int((~live).sum())} practice(s) with no population or "
            "core need are left out: " + ", ".join(map(str, prac.index[~live][:20]))
        )
    return result


# --------------------------------------------------------------------------- the parts

register(
    ModelPart(
        name="targets",
        summary="need indices and targets by place for every year of the Practices sheet "
        "(NHS England's place-based tool), with target intervals when asked "
        "(xlalloc/engine/capitation.py, xlalloc/engine/uncertainty.py)",
        policy_fields=(
            "financial_year",
            "icb_budget",
            "target_component",
            "rounding_unit",
            *sheet_rows(UncertaintySettings),
        ),
        run=_run_targets,
        tables=lambda r: {"indices": r.indices, "targets": r.targets},
        sheets=(
            OutputSheet(
                "Targets",
                "One block per financial year of the Practices sheet (`Targets 2026/27`): per "
                "place, population and weighted population (SUMIF formulas over Practices, "
                "by year when the year column is filled in), need index, target share "
                "(formula), target £ (engine, largest remainder), £ per 1,000 weighted "
                "population (formula), baseline, the target at the baselines' total and the "
                "baseline's distance from it (formulas; the basis convergence uses); then "
                "need indices for every component (with a year column when there are several "
                "years).",
            ),
        ),
        draw="xlalloc.workbook.outputs.targets:draw",
        inputs=("Policy", "Practices", "Budget", "Baselines", "Sources"),
    )
)
register(
    ModelPart(
        name="convergence",
        summary="each year's allocations from the Baselines sheet toward target (NHS "
        "England specialised annex 2; xlalloc/engine/convergence/)",
        policy_fields=sheet_rows(ConvergencePolicy),
        run=_run_convergence,
        tables=_convergence_tables,
        sheets=(
            OutputSheet(
                "Convergence",
                "One block per year: baseline, target share, target, DfT before, growth, "
                "allocation, DfT after, the rule that set it and an explanation; a totals "
                "row (SUM formulas) and the year's control total (formula to Totals). Each "
                "year converges on that year's target shares where the Practices sheet "
                "has the year, otherwise on the financial year's (a run message says so).",
            ),
            OutputSheet(
                "Trajectory",
                "Distance from target by place and year, with a line chart (straight "
                "lines with markers) on a printed page of its own.",
            ),
        ),
        draw="xlalloc.workbook.outputs.convergence:draw",
        inputs=("Policy", "Baselines", "Totals"),
    )
)
register(
    ModelPart(
        name="apportionment",
        summary="the whole budget by care programme and place, each line by the best data "
        "it has (Birmingham and Solihull, Appendix 1; xlalloc/engine/apportionment/)",
        policy_fields=sheet_rows(ApportionmentSettings),
        run=_run_apportionment,
        tables=_apportionment_tables,
        sheets=(
            OutputSheet(
                "Apportionment",
                "Table 1 (£ by programme × place; Total column and row are SUM "
                "formulas), shares (formulas), weighted population by place (SUMIF "
                "formulas over Practices), Table 2 (£ per 1,000 weighted population, "
                "formulas), index against the ICB average (formulas), Table 1 for "
                "recurrent lines only, and Table 1 by locality.",
            ),
            OutputSheet(
                "Audit",
                "An Excel table (`xla_Audit`), one row per budget line: methods tried, method "
                "used, why earlier methods were skipped, data coverage, component, note, "
                "amount apportioned, difference "
                "(always 0).",
            ),
        ),
        draw="xlalloc.workbook.outputs.apportionment:draw",
        inputs=("Policy", "Practices", "Budget", "PracticeData", "Activity", "PlaceSplits"),
    )
)
register(
    ModelPart(
        name="bridge",
        summary="each place's budget and why: baseline, core growth, convergence "
        "adjustment, converged allocation, apportioned budget, the gap between them and "
        "the target, adding to each year's totals (xlalloc/engine/bridge.py)",
        policy_fields=("rounding_unit",),  # the core growth is rounded to it
        run=_run_bridge,
        tables=_bridge_tables,
        sheets=(
            OutputSheet(
                "Bridge",
                "One block per year, one row per place: baseline, core growth, convergence "
                "adjustment (formula: allocation less baseline less core growth), converged "
                "allocation, apportioned budget (the financial year's; Table 1's place "
                "totals), the gap (formula: apportioned budget less allocation), target at "
                "the convergence total, distance from target before and after and the rule "
                "applied; a Total row (SUM formulas), the year's convergence total (formula to "
                "Totals), the budget's total and the difference between them, which the "
                "gaps add to.",
            ),
        ),
        draw="xlalloc.workbook.outputs.bridge:draw",
        after_problems=True,
        inputs=("Baselines", "Totals", "Budget"),
    )
)
register(
    ModelPart(
        name="drivers",
        summary="why each place spends above or below its need, programme by programme: "
        "activity volume and cost per record against the ICB (after NHS England's PSS "
        "variations tool; xlalloc/engine/drivers.py)",
        policy_fields=(),
        run=_run_drivers,
        tables=_drivers_tables,
        sheets=(
            OutputSheet(
                "Drivers",
                "One block per care programme with activity records (the Activity sheet, "
                "extracts): each place's spend, records and need (the weighted population "
                "its lines are shared by); spend per need, activity per need and cost per "
                "record against the ICB (formulas; the first is the product of the other "
                "two); the spend above need (formula) split into activity volume and cost "
                "per record (pounds, to the penny), with a sentence naming the larger "
                "driver and a chart placing each place by its activity and cost indices.",
            ),
        ),
        draw="xlalloc.workbook.outputs.drivers:draw",
        after_problems=True,
        inputs=("Activity", "Practices", "Budget"),
    )
)
register(
    ModelPart(
        name="equity",
        summary="equity of the apportioned budget against need, by place and by practice "
        "(xlalloc/engine/equity.py)",
        policy_fields=sheet_rows(EquitySettings),
        run=_run_equity,
        tables=_equity_tables,
        sheets=(
            OutputSheet(
                "Equity",
                "Equity of the apportioned budget against core need (formulas in "
                "`xlalloc/engine/equity.py`): for places (Table 1's spend) and for practices "
                "(the spend the apportionment attributed to practices: practice_data and "
                "scale lines by their values, from the PracticeData or Activity sheet or "
                "extracts alike, capitation lines by weighted population), each unit's "
                "population, core "
                "weighted population, spend, expected spend and need-standardised ratio "
                "(formulas) and whether it is underserved; then the measures: proportion "
                "underserved, concentration indices of spend and need per head (deprivation: "
                "health-inequalities weighted population per head), horizontal inequity and "
                "the vertical slope.",
            ),
        ),
        draw="xlalloc.workbook.outputs.equity:draw",
        after_problems=True,
        inputs=("Practices",),
    )
)


# --------------------------------------------------------------------------- assurance


def _run_assurance(state: RunState) -> None:
    """The self-test's result (computed once per process), and what each signature covers.

    A signature the inputs or the Policy have changed under no longer counts: the run
    says so as a warning, naming what changed since it was given.
    """
    state.results["assurance"] = selftest_result()
    inputs = state.inputs
    params = parameters()
    signed = signatures(
        inputs.signoff,
        inputs.signed,
        input_fingerprints(inputs, params),
        {p.name: shown(getattr(inputs.policy, p.name)) for p in signed_parameters(params)},
        "" if state.run_at is None else state.run_at.isoformat(sep=" "),
    )
    state.results["signoff"] = signed
    for s in signed:
        if s.changed:
            state.warnings.append(
                f"the {s.role}'s sign-off ({s.name}, {s.date}) no longer covers this run: "
                f"{', '.join(s.changed)} changed since it was given; the status is "
                f"{signoff_status(signed)} until they sign again with a new date"
            )
        elif not s.real_date:
            state.warnings.append(
                f"Sign-off: the {s.role}'s date {s.date!r} is not a date (e.g. 2026-12-01): "
                "their sign-off does not count until it is"
            )


def _assurance_tables(result: Any) -> dict[str, pd.DataFrame]:

    return {
        "assumptions": assumptions_log(result.inputs.policy, result.inputs.previous, parameters()),
        "data_log": data_log(result),
        "model_map": model_map(result, parts()),
    }


register(
    ModelPart(
        name="assurance",
        summary="the assurance record a board can sign (HM Treasury's AQuA book): roles and "
        "sign-off, assumptions log with changes since the previous run, data log, "
        "verification with the self-test, model map and uncertainty (docs/assurance.md)",
        policy_fields=(),
        run=_run_assurance,
        tables=_assurance_tables,
        sheets=(
            OutputSheet(
                "Assurance",
                "The run's assurance record (HM Treasury's AQuA book): the Sign-off sheet's "
                "roles and the status they give (drafted, assured, approved), each signature "
                "with whether it still covers this run's inputs and Policy; every Policy "
                "parameter with its value, default, allowed range, meaning and source, whether "
                "it differs from the default and whether it changed since the previous run "
                "recorded in the workbook (both values); the data log (source files with "
                "years, rows and SHA-256, extracts with coverage, data read as zero, "
                "defaults used); verification (the overall check, a formula to the Checks "
                "sheet, the xlalloc version and the self-test); the model map (input sheets, "
                "parts, output sheets); and the target intervals where the Policy asks for "
                "them.",
            ),
        ),
        draw="xlalloc.workbook.outputs.assurance:draw",
        after_problems=True,
        inputs=("Sign-off", "Policy", "Sources"),
    )
)

# Every part added as a module of xlalloc.addons: after xlalloc's own, in name order.
import_modules("xlalloc.addons")
