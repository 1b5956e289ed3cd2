"""Run every configured part of a model: targets, convergence, apportionment.

Pure: validated frames in (:class:`~xlalloc.readers.model.ModelInputs`), result
tables out. Workbooks are written elsewhere (:mod:`xlalloc.workbook.model_book`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from .._version import __version__
from ..engine import capitation as cap
from ..engine.apportionment import Apportionment, apportion
from ..engine.capitation import COMPONENTS
from ..engine.convergence import MultiYearResult, converge_years
from ..engine.equity import EquityResult, equity
from ..engine.errors import InputError, Problems
from ..engine.frames import SOURCE_ROW, source_rows
from ..engine.uncertainty import target_intervals
from ..readers.model import ModelInputs
from .checks import CheckStatus

__all__ = ["ENGLAND", "INTERVAL_COLUMNS", "UNMAPPED", "ModelResult", "run_model"]

#: The place of practices deliberately left in no place (``xlalloc new --allow-unmapped``);
#: the Checks sheet counts them.
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


@dataclass
class ModelResult:
    """Every output table of a model run."""

    inputs: ModelInputs
    indices: pd.DataFrame
    targets: pd.DataFrame
    budget_total: float
    convergence: MultiYearResult | None
    apportionment: Apportionment | None
    warnings: list[str]
    equity: dict[str, EquityResult] = field(default_factory=dict)
    run_at: datetime = field(default_factory=lambda: run_time())

    @property
    def year(self) -> str:
        """The model's financial year: its apportionment and base targets."""
        return self.inputs.policy.financial_year

    @property
    def summary(self) -> str:
        """Places and years, e.g. ``6 places, targets for 3 years (2026/27 to 2028/29)``."""
        years = self.inputs.years
        text = f"{self.targets['place'].nunique()} places"
        if len(years) > 1:
            text += f", targets for {len(years)} years ({years[0]} to {years[-1]})"
        return text

    @property
    def practices(self) -> pd.DataFrame:
        """The model year's practices (those the apportionment used)."""
        p = self.inputs.practices
        return p[p["year"] == self.year]

    @property
    def unmapped(self) -> pd.DataFrame:
        """Practice rows in the ``Unmapped`` place (the Checks sheet counts them)."""
        p = self.inputs.practices
        return p[p["place"] == UNMAPPED]

    @property
    def check_status(self) -> CheckStatus:
        """The overall check status (``str`` of it: ``all checks 0``, or how many are not 0).

        A successful run reconciles exactly, so the only check that can read other than 0
        is the count of practices in the ``Unmapped`` place (the run's warnings say which).
        """
        unmapped = self.unmapped["practice_code"].nunique()
        return CheckStatus(
            (f"{unmapped} practice(s) in the '{UNMAPPED}' place",) if unmapped else ()
        )

    def provenance(self) -> pd.DataFrame:
        """Where the figures came from: source files, version, run time, check status.

        Columns ``item, value, years, sha256``: one ``source file`` row per file the
        Practices sheet was built from, one ``activity extract`` row per extract read
        beside the model (``run --activity``), then ``xlalloc version``, ``run at``, ``check
        status`` and one ``zero-filled`` row per practice and year whose blank weighted
        populations were read as zero.
        """
        rows = [
            {"item": "source file", "value": f, "years": y, "sha256": h}
            for f, y, h in zip(
                self.inputs.sources.get("file", []),
                self.inputs.sources.get("years", []),
                self.inputs.sources.get("sha256", []),
            )
        ]
        ext = self.inputs.extracts
        if ext is not None:
            rows += [
                {"item": "activity extract", "value": f"{f} ({n:,} rows)", "sha256": h}
                for f, n, h in zip(ext.files["file"], ext.files["rows"], ext.files["sha256"])
            ]
        rows += [
            {"item": "xlalloc version", "value": __version__},
            {"item": "run at", "value": self.run_at.isoformat(sep=" ")},
            {"item": "check status", "value": str(self.check_status)},
        ]
        p = self.inputs.practices
        if "zero_filled" in p.columns:
            z = p[p["zero_filled"].notna()]
            rows += [
                {
                    "item": "zero-filled",
                    "value": f"{c} {n or ''}: {f} read as 0".replace(" :", ":"),
                    "years": y,
                }
                for c, n, f, y in zip(
                    z["practice_code"], z["practice_name"], z["zero_filled"], z["year"]
                )
            ]
        return pd.DataFrame(rows, columns=["item", "value", "years", "sha256"])

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name, for notebooks and pipelines."""
        out = {"indices": self.indices, "targets": self.targets, "provenance": self.provenance()}
        if self.convergence is not None:
            out["convergence"] = pd.concat(
                [r.table for r in self.convergence.years.values()], ignore_index=True
            )
            out["trajectory"] = self.convergence.trajectory
        if self.apportionment is not None:
            a = self.apportionment
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
        if self.inputs.extracts is not None:
            out["activity_extracts"] = self.inputs.extracts.files
            out["activity_coverage"] = self.inputs.extracts.coverage
        for level, eq in self.equity.items():
            out[f"equity_{level}"] = eq.units
            out[f"equity_{level}_summary"] = eq.summary
        return out


def run_model(
    inputs: ModelInputs,
    progress: Callable[[str], None] | None = None,
    run_at: datetime | None = None,
) -> ModelResult:
    """Run targets, convergence (when baselines are given) and apportionment.

    Raises:
        InputError: Every problem found by the engine, together.
    """
    step = progress or (lambda _s: None)
    policy = inputs.policy
    comp = policy.target_component
    practices = inputs.practices
    step("targets")
    years = inputs.years
    if policy.financial_year not in years:
        raise InputError(
            f"financial_year {policy.financial_year} has no practices: the "
            f"Practices sheet's years are {years}; set financial_year on the "
            "Policy sheet to one of them",
            where=POLICY_WHERE,
        )
    budget_total = (
        float(policy.icb_budget)
        if policy.icb_budget is not None
        else float(inputs.budget["amount"].sum())
    )
    all_practices = inputs.practices
    uncertainty = policy.uncertainty()
    baselines = (
        inputs.baselines.set_index("place")["baseline"].astype(float)
        if len(inputs.baselines)
        else None
    )
    index_parts, target_parts, place_warnings = [], [], []
    for year in years:
        one = all_practices[all_practices["year"] == year]
        where = "Practices" if len(years) == 1 else f"Practices ({year})"
        place_map = cap.define_places(one, one[["practice_code", "place", "locality"]], where=where)
        place_warnings += place_map.warnings
        ind = cap.need_indices(one, place_map, england=ENGLAND)
        with_targets = cap.add_targets(ind, budget_total, comp, policy.unit)
        spread: list[str] = []
        if uncertainty is not None:
            # Distances only from baselines convergence can use (it reports the others).
            usable = (
                baselines is not None
                and bool((baselines > 0).all())
                and set(place_map.frame["place"]) <= set(baselines.index)
            )
            with_targets = target_intervals(
                with_targets,
                one,
                place_map.frame,
                comp,
                uncertainty,
                budget_total,
                policy.unit,
                baselines if usable else None,
            )
            spread = [c for c in INTERVAL_COLUMNS if c in with_targets.columns]
        places = with_targets[with_targets["level"] == "place"]
        index_parts.append(ind.assign(year=year))
        target_parts.append(
            places[
                [
                    "name",
                    "population",
                    f"{comp}_wp",
                    f"{comp}_index",
                    "target_share",
                    "target",
                    *spread,
                ]
            ]
            .rename(columns={"name": "place"})
            .assign(year=year)
        )
    indices = _year_first(pd.concat(index_parts, ignore_index=True))
    targets = _year_first(pd.concat(target_parts, ignore_index=True))
    practices = all_practices[all_practices["year"] == policy.financial_year]
    convergence = None
    notes: list[str] = []
    problems = Problems()
    if len(inputs.baselines):
        step("convergence")
        try:
            bl = inputs.baselines
            conv_years = [str(y) for y in inputs.totals["year"]]
            shares = []
            for y in conv_years:
                basis = y if y in years else policy.financial_year
                if basis != y and len(years) > 1:
                    notes.append(
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
            totals = {
                str(y): float(t) for y, t in zip(inputs.totals["year"], inputs.totals["total"])
            }
            convergence = converge_years(orgs, totals, policy.convergence(), where="Baselines")
        except InputError as e:
            problems.extend(e)
    apportionment = None
    if len(inputs.budget):
        step("apportionment")
        try:
            apportionment = apportion(
                inputs.budget,
                practices.drop(columns="year"),
                inputs.practice_data,
                inputs.place_splits,
                inputs.activity,
                policy.apportionment(),
            )
        except InputError as e:
            problems.extend(e)
    problems.raise_if_any()
    equity_results = {}
    if apportionment is not None:
        step("equity")
        equity_results = equity_of(apportionment, practices, inputs.practice_data)
        for level, eq in equity_results.items():
            notes += [f"Equity ({level}): {n}" for n in eq.notes]
    unmapped = all_practices[all_practices["place"] == UNMAPPED]
    if len(unmapped):
        notes.append(
            f"{unmapped['practice_code'].nunique()} practice(s) are in the "
            f"'{UNMAPPED}' place: give them a place on the Practices sheet"
        )
    return ModelResult(
        inputs,
        indices,
        targets,
        budget_total,
        convergence,
        apportionment,
        [
            *inputs.notes,
            *place_warnings,
            *notes,
            *(convergence.messages if convergence is not None else []),
        ],
        equity_results,
        run_at or run_time(),
    )


POLICY_WHERE = "Policy"


def equity_of(
    a: Apportionment, practices: pd.DataFrame, practice_data: pd.DataFrame
) -> dict[str, EquityResult]:
    """Equity of the apportioned budget against core need, by place and by practice.

    Places: Table 1's total spend against core weighted population. Practices: the
    spend the apportionment attributes to practices, namely each ``practice_data`` line's
    amount attributed to practices (its coverage) shared by the practices' values, and
    each ``capitation`` line shared by its component's weighted population; lines
    apportioned otherwise (place splits, scaling, following) reach places, not practices,
    and are left out. Deprivation: health-inequalities weighted population per head.
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
    out["places"] = equity(places)
    prac = practices.set_index("practice_code")
    attributed = pd.Series(0.0, index=prac.index)
    audit = a.audit.set_index("line")
    covered = 0.0
    pdata = (
        practice_data.dropna(subset=["practice_code"])
        if "practice_code" in practice_data.columns
        else pd.DataFrame(columns=["line", "practice_code", "value"])
    )
    for line, row in audit.iterrows():
        if row["method_used"] == "practice_data":
            values = pdata[pdata["line"] == line].groupby("practice_code")["value"].sum()
            values = values.reindex(prac.index).fillna(0.0)
            if values.sum() > 0:
                part = float(row["amount"]) * float(row["coverage"])
                attributed += part * values / values.sum()
                covered += part
        elif row["method_used"] == "capitation":
            comp = row["component"] if row["component"] in COMPONENTS else "core"
            attributed += float(row["amount"]) * prac[comp] / prac[comp].sum()
            covered += float(row["amount"])
    live = (prac["population"] > 0) & (prac["core"] > 0)
    if covered > 0 and live.sum() >= 2:
        units = pd.DataFrame(
            {
                "unit": prac.index[live],
                "population": prac["population"][live],
                "need": prac["core"][live],
                "spend": attributed[live],
                "deprivation": (prac["health_inequalities"] / prac["population"])[live],
            }
        ).reset_index(drop=True)
        result = equity(units)
        total = float(a.table1.loc["Total", "Total"])
        result.notes.insert(
            0,
            f"practice-attributable spend is £{covered:,.0f} of Table 1's "
            f"£{total:,.0f} ({covered / total:.1%}): practice_data and "
            "capitation lines",
        )
        if (~live).any():
            result.notes.append(
                f"{int((~live).sum())} practice(s) with no population or "
                "core need are left out: " + ", ".join(map(str, prac.index[~live][:20]))
            )
        out["practices"] = result
    return out


def run_time() -> datetime:
    """Now, to the second; or ``SOURCE_DATE_EPOCH`` (UTC) when set, for reproducible files.

    See https://reproducible-builds.org/specs/source-date-epoch/.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).replace(tzinfo=None)
    return datetime.now().replace(microsecond=0)


def _year_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["year", *(c for c in frame.columns if c != "year")]]
