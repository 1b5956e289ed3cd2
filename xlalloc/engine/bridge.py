"""The place bridge: from each place's baseline to its apportioned budget, line by line.

A place has three budgets that a finance director must relate: its **converged
allocation** (its baseline moved toward its need-based target under the convergence
policy), its **apportioned budget** (the ICB's budget lines shared by care programme and
place) and its **target** (its need-based share). The bridge states, for each place and
year, how one becomes the next, so that "this is its budget, this is why" can be said:

* baseline: the year's starting point (the Baselines sheet, or the year before's
  allocation);
* core growth: the baseline grown at the ICB's core growth, the year's convergence total
  over the baselines' total (NHS England, *Allocations technical guide*, convergence);
* convergence adjustment: what the convergence policy added or took away to move the
  place toward its target, with the rule that set it;
* converged allocation = baseline + core growth + convergence adjustment;
* apportioned budget, by care programme and in total (apportionment's Table 1);
* the gap: apportioned budget less converged allocation, which the place must manage or
  move;
* target at the convergence total, and the distance from target before and after.

The lines add up exactly: each place's allocation is its baseline plus core growth plus
adjustment (the adjustment is the difference, so it carries the allocation's rounding);
the core growth is rounded to the convergence unit by controlled rounding, so its total
is the year's total growth rounded; the allocations add to the year's convergence total
and the apportioned budgets to the budget's total, and the gap's total is the budget's
total less the convergence total: a named line, never a residue.

Birmingham and Solihull ICB's paper on delegated place budgets (``001_*`` in the
project's reference documents) says why the two differ: its apportionment follows the
CCG's budget plan, with historic funding flows and geography where practice data is
lacking and non-recurrent money in the year, while the target follows the registered
population's need (:data:`WHY_THEY_DIFFER`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .controlled import controlled_round

__all__ = ["BRIDGE_COLUMNS", "WHY_THEY_DIFFER", "Bridge", "place_bridge"]

#: The bridge's columns, in the order the lines are read (machine names of the column
#: registry, :mod:`xlalloc.model.labels`).
BRIDGE_COLUMNS = (
    "baseline",
    "core_growth",
    "convergence_adjustment",
    "allocation",
    "apportioned_budget",
    "budget_gap",
    "convergence_target",
    "dft_before",
    "dft_after",
    "rule",
)

#: Why a place's budget and its need-based target differ, in one sentence (after
#: Birmingham and Solihull ICB's paper on place allocations).
WHY_THEY_DIFFER = (
    "Budget and target differ: the budget follows today's spending (historic funding "
    "flows, where services and providers are, non-recurrent money in the year's plan), "
    "the target the registered population's need; convergence moves the allocation "
    "toward target a step a year (Birmingham and Solihull ICB's place budgets paper)."
)

TOTAL = "Total"


@dataclass(frozen=True)
class Bridge:
    """One year's bridge for every place, and its totals.

    Attributes:
        year: The financial year.
        core_growth_rate: The year's core growth (its convergence total over the
            baselines' total, less one).
        table: One row per place, then the ``Total`` row: :data:`BRIDGE_COLUMNS`, plus
            ``explanation`` (how the convergence policy set the allocation). The
            apportioned budget and the gap are blank (NaN) in a year with no budget
            lines; the distances from target are blank on the Total row.
        programmes: The apportioned budget by care programme (rows) and place (columns,
            then ``Total``): Table 1 as the apportionment computed it, or ``None``.
        convergence_total: The year's convergence total (Totals sheet).
        budget_total: The budget lines' total, or ``None`` in a year with none.
        not_in_both: Places apportioned a budget but not converged, or converged but
            apportioned nothing: each named, as their gap is not a place's gap.
    """

    year: str
    core_growth_rate: float
    table: pd.DataFrame
    programmes: pd.DataFrame | None
    convergence_total: float
    budget_total: float | None
    not_in_both: list[str] = field(default_factory=list)

    @property
    def difference(self) -> float | None:
        """The budget's total less the year's convergence total (``None``: no budget)."""
        if self.budget_total is None:
            return None
        return self.budget_total - self.convergence_total

    def place(self, name: str) -> pd.Series:
        """One place's bridge (or the ``Total`` row's)."""
        return self.table.set_index("place").loc[name]


def place_bridge(
    year: str,
    convergence: pd.DataFrame,
    total: float,
    core_growth_rate: float,
    table1: pd.DataFrame | None = None,
    unit: float = 1.0,
) -> Bridge:
    """The bridge of one year from its convergence table and, if apportioned, Table 1.

    Args:
        year: The financial year.
        convergence: The year's convergence table (``org``, ``baseline``, ``target``,
            ``allocation``, ``dft_before``, ``dft_after``, ``rule``, ``explanation``).
        total: The year's convergence total.
        core_growth_rate: The year's core growth.
        table1: Apportionment Table 1 (care programme rows then ``Total``; place columns
            then ``Total``), for the year the budget lines are for.
        unit: The convergence rounding unit (the core growth is rounded to it).

    Returns:
        The :class:`Bridge`.
    """
    conv = convergence.assign(place=convergence["org"].astype(str))
    baseline = conv["baseline"].to_numpy(dtype=float)
    allocation = conv["allocation"].to_numpy(dtype=float)
    growth = controlled_round((baseline * core_growth_rate).reshape(-1, 1), unit)[:, 0]
    table = pd.DataFrame(
        {
            "place": conv["place"].to_numpy(),
            "baseline": baseline,
            "core_growth": growth,
            "convergence_adjustment": allocation - baseline - growth,
            "allocation": allocation,
            "apportioned_budget": np.nan,
            "budget_gap": np.nan,
            "convergence_target": conv["target"].to_numpy(dtype=float),
            "dft_before": conv["dft_before"].to_numpy(dtype=float),
            "dft_after": conv["dft_after"].to_numpy(dtype=float),
            "rule": conv["rule"].astype(str).to_numpy(),
            "explanation": conv.get("explanation", pd.Series("", index=conv.index)).to_numpy(),
        }
    )
    programmes, budget_total, not_in_both = None, None, []
    if table1 is not None:
        programmes = table1.drop(index=TOTAL, errors="ignore")
        apportioned = table1.loc[TOTAL].drop(TOTAL)
        budget_total = float(table1.loc[TOTAL, TOTAL])
        converged = list(table["place"])
        not_in_both = [p for p in apportioned.index if p not in converged]
        not_in_both += [p for p in converged if p not in apportioned.index]
        got = apportioned.reindex(table["place"]).to_numpy(dtype=float)
        table["apportioned_budget"] = got
        table["budget_gap"] = got - allocation
    sums = table[list(BRIDGE_COLUMNS[:7])].sum(min_count=1)
    row = {c: sums.get(c, np.nan) for c in BRIDGE_COLUMNS}
    row |= {"place": TOTAL, "allocation": total, "dft_before": np.nan, "dft_after": np.nan}
    row |= {"rule": "", "explanation": ""}
    if budget_total is not None:
        row |= {"apportioned_budget": budget_total, "budget_gap": budget_total - total}
    table = pd.concat([table, pd.DataFrame([row])], ignore_index=True)
    return Bridge(year, core_growth_rate, table, programmes, total, budget_total, not_in_both)
