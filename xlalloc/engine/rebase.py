"""Rebasing baselines across a boundary change: last year's money on this year's ICBs.

From April 2026 NHS England's practice files have 36 ICBs where there were 42, and the
change is not a clean merge: Hertfordshire and West Essex (QM7) splits between T01 NHS
Central East and T02 NHS Essex, Suffolk and North East Essex (QJG) between T03 and T02,
Frimley (QNQ) between three (commentary on ICB mergers, ``shared/reference/004``). A
finance team must put last year's baselines on this year's footprint and explain the
bridge.

The rule, per old ICB ``o`` with baseline ``B_o`` and practices ``P_o`` in the old file:
each practice of ``P_o`` that the new file lists is followed to its new ICB ``n``, and

    part(o, n) = B_o · W(o, n) / Σ_n' W(o, n'),   W(o, n) = Σ_{p ∈ P_o, p in n} wp_p,

with ``wp`` the old year's weighted population of the component (``core`` by default):
the need the old ICB was funded for, shared as its practices moved. Practices in only
one of the two files take no part (they are listed). The parts of each old ICB are
rounded by largest remainder, so each is within one unit of its exact value and they
sum to ``B_o`` exactly; a new ICB's baseline is the sum of its parts, so the new ICBs'
baselines sum to the old ICBs' to the penny.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .capitation import Component
from .errors import InputError, Problem
from .rounding import MIN_UNIT, largest_remainder, units_of

__all__ = ["RebaseResult", "RebaseSettings", "SOURCE", "rebase"]

SOURCE = (
    "NHS England's practice files, 2025/26 (42 ICBs) to 2026/27 (36); the parts of each old "
    "ICB's baseline in proportion to its practices' weighted population"
)


class RebaseSettings(BaseModel):
    """How baselines are rebased onto the new footprint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    component: Component = Field(
        "core",
        description="the old year's weighted population that shares each old ICB's baseline",
        json_schema_extra={"source": SOURCE},
    )
    unit: float = Field(
        1.0,
        ge=MIN_UNIT,
        description="rounding unit of the parts in £ (0.01 for pence, 1, or 1000 for £000)",
    )


@dataclass
class RebaseResult:
    """Result of :func:`rebase`.

    Attributes:
        baselines: One row per new ICB reached: ``icb_code, icb_name, baseline``.
        bridge: One row per old and new ICB pair: ``old_code, old_name, new_code,
            new_name, practices, weighted_population, share, exact_amount, amount``
            (``exact_amount`` the unrounded part, ``amount`` the rounded one).
        left_out: Practices in only one file: ``practice_code, practice_name, in_file,
            icb_code, icb_name`` (``in_file``: ``old`` or ``new``).
    """

    baselines: pd.DataFrame
    bridge: pd.DataFrame
    left_out: pd.DataFrame


def rebase(
    old: pd.DataFrame,
    new: pd.DataFrame,
    baselines: pd.Series,
    settings: RebaseSettings | None = None,
    rows: Mapping[str, int] | None = None,
) -> RebaseResult:
    """Split each old ICB's baseline among the new ICBs its practices moved to.

    Args:
        old: The old year's practices (``practice_code, icb_code, icb_name`` and the
            component), as :func:`~xlalloc.readers.nhse.load_practices` reads them.
        new: The new year's practices (``practice_code, icb_code, icb_name``).
        baselines: Each old ICB's baseline in £, indexed by old ICB code; every old ICB
            of the old file must have one.
        settings: The component and the rounding unit.
        rows: Each ICB's row in the file its baseline came from, for the messages.

    Raises:
        InputError: Every problem together: an old ICB without a baseline, a baseline for
            an ICB the old file does not have, a baseline that is negative or not a whole
            number of units, an old ICB none of whose practices is in the new file, or
            one whose practices there have no weighted population.
    """
    s = settings or RebaseSettings()
    comp = s.component
    old_icbs = old.drop_duplicates("icb_code").set_index("icb_code")["icb_name"]
    problems = _baseline_problems(old_icbs, baselines, s, rows or {})
    moved = old[["practice_code", "practice_name", "icb_code", "icb_name", comp]].merge(
        new[["practice_code", "icb_code", "icb_name"]].rename(
            columns={"icb_code": "new_code", "icb_name": "new_name"}
        ),
        on="practice_code",
        how="inner",
    )
    problems += _weight_problems(old_icbs, moved, comp)
    if problems:
        raise InputError(problems)
    bridge = _bridge(moved, baselines, s)
    totals = bridge.groupby(["new_code", "new_name"], sort=True)["amount"].sum().reset_index()
    result = pd.DataFrame(
        {
            "icb_code": totals["new_code"],
            "icb_name": totals["new_name"],
            "baseline": totals["amount"],
        }
    )
    return RebaseResult(result, bridge, _left_out(old, new))


def _baseline_problems(
    old_icbs: pd.Series, baselines: pd.Series, s: RebaseSettings, rows: Mapping[str, int]
) -> list[Problem]:
    """Every ICB without a baseline or not in the old file, and every bad baseline."""
    problems: list[Problem] = []
    missing = sorted(set(old_icbs.index) - set(baselines.index))
    if missing:
        problems.append(
            Problem(
                "baselines",
                f"no baseline for {len(missing)} of the old file's ICBs: "
                + ", ".join(f"{c} {old_icbs[c]}" for c in missing)
                + "; give every old ICB's baseline (the new ICBs' totals need them all)",
                column="icb",
            )
        )
    for code in sorted(set(baselines.index) - set(old_icbs.index)):
        problems.append(Problem("baselines", f"ICB {code} is not in the old file", column="icb"))
    for code, value in baselines.items():
        if code not in old_icbs.index:
            continue
        if not np.isfinite(value) or value < 0:
            problems.append(
                Problem(
                    "baselines",
                    f"{code}: baseline {value:,g} must be at least 0",
                    row=rows.get(code),
                    column="baseline",
                )
            )
            continue
        try:
            units_of(float(value), s.unit, name=f"{code}'s baseline")
        except InputError as e:
            problems += [Problem("baselines", p.message, column="baseline") for p in e.problems]
    return problems


def _weight_problems(old_icbs: pd.Series, moved: pd.DataFrame, comp: str) -> list[Problem]:
    """Old ICBs with no practice in the new file, or none with weighted population."""
    problems: list[Problem] = []
    weights = moved.groupby("icb_code")[comp].sum()
    for code in old_icbs.index:
        if code not in weights.index:
            problems.append(
                Problem(
                    "baselines",
                    f"{code} {old_icbs[code]}: none of its practices is in the new file",
                )
            )
        elif not weights[code] > 0:
            problems.append(
                Problem(
                    "baselines",
                    f"{code} {old_icbs[code]}: its practices in the new file have no {comp} "
                    "weighted population to share its baseline by",
                )
            )
    return problems


def _bridge(moved: pd.DataFrame, baselines: pd.Series, s: RebaseSettings) -> pd.DataFrame:
    """Each old ICB's parts, exact and rounded (largest remainder within the old ICB)."""
    comp = s.component
    pairs = (
        moved.groupby(["icb_code", "icb_name", "new_code", "new_name"], sort=True)
        .agg(practices=("practice_code", "size"), weighted_population=(comp, "sum"))
        .reset_index()
    )
    rows = []
    for code, part in pairs.groupby("icb_code", sort=True):
        w = part["weighted_population"].to_numpy(dtype=np.float64)
        total = float(baselines[code])
        share = w / w.sum()
        amount = largest_remainder(share, total, s.unit, order=list(part["new_code"]))
        rows.append(part.assign(share=share, exact_amount=share * total, amount=amount))
    out = pd.concat(rows, ignore_index=True)
    return out.rename(columns={"icb_code": "old_code", "icb_name": "old_name"})[
        [
            "old_code",
            "old_name",
            "new_code",
            "new_name",
            "practices",
            "weighted_population",
            "share",
            "exact_amount",
            "amount",
        ]
    ]


def _left_out(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Practices in one file only, which take no part in the rebase."""
    cols = ["practice_code", "practice_name", "icb_code", "icb_name"]
    only_old = old[~old["practice_code"].isin(set(new["practice_code"]))][cols]
    only_new = new[~new["practice_code"].isin(set(old["practice_code"]))][cols]
    out = pd.concat(
        [only_old.assign(in_file="old"), only_new.assign(in_file="new")], ignore_index=True
    )
    return out[["practice_code", "practice_name", "in_file", "icb_code", "icb_name"]]
