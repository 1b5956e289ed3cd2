"""Run every configured part of a model: targets, convergence, apportionment.

Pure: validated frames in (:class:`~xlalloc.readers.model.ModelInputs`), result
tables out. Workbooks are written elsewhere (:mod:`xlalloc.workbook.model_book`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..engine import capitation as cap
from ..engine.apportionment import Apportionment, apportion
from ..engine.capitation import COMPONENTS
from ..engine.convergence import MultiYearResult, converge_years
from ..engine.errors import InputError, Problems
from ..engine.frames import SOURCE_ROW, source_rows
from ..readers.model import ModelInputs

__all__ = ["ENGLAND", "ModelResult", "run_model"]

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


def run_model(inputs: ModelInputs, progress: Callable[[str], None] | None = None) -> ModelResult:
    """Run targets, convergence (when baselines are given) and apportionment.

    Raises:
        InputError: Every problem found by the engine, together.
    """
    step = progress or (lambda _s: None)
    policy = inputs.policy
    comp = policy.target_component
    practices = inputs.practices
    step("targets")
    place_map = cap.define_places(practices, practices[["practice_code", "place", "locality"]],
                                  where="Practices")
    indices = cap.need_indices(practices, place_map, england=ENGLAND)
    budget_total = (float(policy.icb_budget) if policy.icb_budget is not None
                    else float(inputs.budget["amount"].sum()))
    with_targets = cap.add_targets(indices, budget_total, comp, policy.unit)
    places = with_targets[with_targets["level"] == "place"]
    targets = places[["name", "population", f"{comp}_wp", f"{comp}_index", "target_share",
                      "target"]].rename(columns={"name": "place"}).reset_index(drop=True)
    convergence = None
    problems = Problems()
    if len(inputs.baselines):
        step("convergence")
        try:
            share = targets.set_index("place")["target_share"]
            bl = inputs.baselines
            years = [str(y) for y in inputs.totals["year"]]
            orgs = pd.DataFrame({
                "org": list(bl["place"]) * len(years),
                "year": [y for y in years for _ in range(len(bl))],
                "baseline": list(bl["baseline"]) * len(years),
                "target_share": list(share.reindex(bl["place"])) * len(years),
                SOURCE_ROW: source_rows(bl) * len(years)})
            totals = {str(y): float(t) for y, t in zip(inputs.totals["year"],
                                                        inputs.totals["total"])}
            convergence = converge_years(orgs, totals, policy.convergence(), where="Baselines")
        except InputError as e:
            problems.extend(e)
    apportionment = None
    if len(inputs.budget):
        step("apportionment")
        try:
            apportionment = apportion(inputs.budget, practices, inputs.practice_data,
                                      inputs.place_splits, inputs.activity,
                                      policy.apportionment())
        except InputError as e:
            problems.extend(e)
    problems.raise_if_any()
    return ModelResult(inputs, indices, targets, budget_total, convergence, apportionment,
                       [*inputs.notes, *place_map.warnings,
                        *(convergence.messages if convergence is not None else [])])
