"""Run every configured part of a model: targets, convergence, apportionment.

Pure: validated frames in (:class:`~xlalloc.model.reader.ModelInputs`), result
tables out. Workbooks are written elsewhere (:mod:`xlalloc.workbook.model_book`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..engine import capitation as cap
from ..engine.apportionment import Apportionment, ApportionmentSettings, apportion
from ..engine.capitation import COMPONENTS
from ..engine.convergence import MultiYearResult, converge_years, policy_from
from ..engine.errors import InputError, Problems
from .reader import ModelInputs

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

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name, for notebooks and pipelines."""
        out = {"indices": self.indices, "targets": self.targets}
        if self.convergence is not None:
            out["convergence"] = pd.concat([r.table for r in self.convergence.years.values()],
                                           ignore_index=True)
            out["trajectory"] = self.convergence.trajectory
        if self.apportionment is not None:
            a = self.apportionment
            out.update({"table1": a.table1, "table1_recurrent": a.table1_recurrent,
                        "table1_locality": a.table1_locality, "shares": a.shares,
                        "table2": a.table2, "index": a.index, "audit": a.audit,
                        "cells": a.cells})
        return out


def convergence_policy(params: dict[str, object]):
    """The convergence policy named on the Policy sheet."""
    keys = ("min_growth", "max_growth", "band", "over_target_floor", "over_target_from",
            "over_target_to", "pace", "topslice")
    values: dict[str, object] = {k: params[k] for k in keys if params.get(k) is not None}
    values["method"] = params.get("convergence_method") or "level"
    values["unit"] = float(params.get("rounding_unit") or 1)  # type: ignore[arg-type]
    values["source"] = "model workbook Policy sheet"
    return policy_from(values, where="Policy")


def run_model(inputs: ModelInputs, progress: Callable[[str], None] | None = None) -> ModelResult:
    """Run targets, convergence (when baselines are given) and apportionment.

    Raises:
        InputError: Every problem found by the engine, together.
    """
    step = progress or (lambda _s: None)
    p = inputs.params
    unit = float(p.get("rounding_unit") or 1)  # type: ignore[arg-type]
    comp = str(p.get("target_component") or "core")
    practices = inputs.practices
    step("targets")
    place_map = cap.define_places(practices, practices[["practice_code", "place", "locality"]],
                                  where="Practices")
    indices = cap.need_indices(practices, place_map, england=ENGLAND)
    icb_budget = p.get("icb_budget")
    budget_total = (float(icb_budget) if icb_budget is not None  # type: ignore[arg-type]
                    else float(inputs.budget["amount"].sum()))
    places = indices[indices["level"] == "place"].copy()
    places["target_share"] = places[f"{comp}_wp"] / places[f"{comp}_wp"].sum()
    places["target"] = cap.target_amounts(places["target_share"], budget_total, unit,
                                          order=list(places["name"]))
    targets = places[["name", "population", f"{comp}_wp", f"{comp}_index", "target_share",
                      "target"]].rename(columns={"name": "place"}).reset_index(drop=True)
    convergence = None
    problems = Problems()
    if len(inputs.baselines):
        step("convergence")
        try:
            policy = convergence_policy(p)
            share = targets.set_index("place")["target_share"]
            rows = []
            for y in inputs.totals["year"]:
                for _, b in inputs.baselines.iterrows():
                    rows.append({"org": b["place"], "year": str(y), "baseline": b["baseline"],
                                 "target_share": share[b["place"]]})
            totals = {str(y): float(t) for y, t in zip(inputs.totals["year"],
                                                        inputs.totals["total"])}
            convergence = converge_years(pd.DataFrame(rows), totals, policy, where="Baselines")
        except InputError as e:
            problems.extend(e)
    apportionment = None
    if len(inputs.budget):
        step("apportionment")
        try:
            threshold = p.get("coverage_threshold")
            settings = ApportionmentSettings(
                coverage_threshold=0.8 if threshold is None else float(threshold),  # type: ignore[arg-type]
                unit=unit, per_1000_component=str(p.get("per_1000_component") or "core"))
            apportionment = apportion(inputs.budget, practices, inputs.practice_data,
                                      inputs.place_splits, inputs.activity, settings)
        except InputError as e:
            problems.extend(e)
    problems.raise_if_any()
    return ModelResult(inputs, indices, targets, budget_total, convergence, apportionment,
                       place_map.warnings)
