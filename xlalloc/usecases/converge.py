"""``xlalloc converge``: baselines converged toward target under an explicit policy.

The engine's convergence (:mod:`xlalloc.engine.convergence`) over one year or
several, from a file of organisations' baselines and target shares, with the policy's
fields by name (defaults: a model workbook's Policy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from ..engine.convergence import converge as converge_year
from ..engine.convergence import converge_years, policy_from
from ..engine.errors import InputError, Problems, option
from ..model.policy import ModelPolicy
from ..readers.tables import read_table, read_totals
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

__all__ = ["ConvergeRequest", "dft_trajectory", "convergence_defaults", "run"]


class ConvergeRequest(Written):
    """Baselines converged toward target under a policy (``xlalloc converge``).

    The policy's fields are the engine's :class:`~xlalloc.engine.convergence.
    ConvergencePolicy` (``policy``: name -> value). A field not given takes the model's
    Policy default (:class:`~xlalloc.model.policy.ModelPolicy`, the one policy model: a
    1% floor, as a model workbook runs); one given as ``None`` is off (no floor).
    """

    input: Path = Field(
        description="CSV/XLSX org,baseline,target_share|target_weight[,hcdd_baseline][,year]"
    )
    total: float | None = Field(None, description="the total available in £ (one year)")
    totals: Path | None = Field(None, description="CSV year,total for input with a year column")
    policy: dict[str, Any] = Field(default_factory=dict, description="convergence policy")
    normalise_shares: bool = Field(
        False, description="rescale target shares that do not sum to 1 (else refused)"
    )

    arguments: ClassVar[tuple[str, ...]] = ("input", "output")


def dft_trajectory(trajectory: pd.DataFrame) -> pd.DataFrame:
    """The trajectory, its first column named for what it holds.

    It is the distance from target at baseline, a share like the years beside it: a
    CSV writes it in full, never rounded to pence as money.
    """
    return trajectory.rename(columns={"baseline": "dft_baseline"})


def convergence_defaults() -> dict[str, object]:
    """The convergence policy a model workbook runs with no Policy values of its own."""
    return ModelPolicy().convergence().model_dump(exclude={"source"})


#: How far target shares may sum from 1 before they are refused (or rescaled).
SHARE_TOLERANCE = 1e-9


def _checked_years(orgs: pd.DataFrame, where: str) -> None:
    """A multi-year input's years filled in, and baselines on the first year's rows only.

    A blank year crashed the sort ("'<' not supported"); a baseline on a later year's
    row was ignored without a word (convergence starts from the first year's baselines).

    Raises:
        InputError: Every blank year and every later-year baseline, by row.
    """
    problems = Problems()
    rows = orgs["source_row"] if "source_row" in orgs.columns else orgs.index + 2
    year = orgs["year"].astype("string").str.strip()
    for r in rows[year.isna() | (year == "")]:
        problems.add(where, "the financial year is blank", row=int(r), column="year")
    problems.raise_if_any()
    first = sorted(year.unique())[0]
    later = (year != first) & pd.to_numeric(orgs["baseline"], errors="coerce").notna()
    for r, y in zip(rows[later], year[later], strict=True):
        problems.add(
            where,
            f"a baseline on a {y} row is not used: convergence starts from the {first} "
            f"baselines and carries each year's allocation on; leave it blank",
            row=int(r),
            column="baseline",
        )
    problems.raise_if_any()


def _checked_shares(orgs: pd.DataFrame, normalise: bool, where: str) -> list[str]:
    """Target shares summing to 1 in each year, or refused; notes when rescaled.

    ``target_weight`` is rescaled by definition; ``target_share`` is a share, and one
    summing to 1.1 is a mistake to show, not to rescale silently.
    """
    if "target_share" not in orgs.columns:
        return []
    shares = pd.to_numeric(orgs["target_share"], errors="coerce")
    groups = orgs.groupby(orgs["year"].astype(str)) if "year" in orgs.columns else [("", orgs)]
    problems, notes = Problems(), []
    for year, rows in groups:
        total = float(shares.loc[rows.index].sum())
        if abs(total - 1) <= SHARE_TOLERANCE or not np.isfinite(total):
            continue
        when = f" in {year}" if year else ""
        if normalise:
            notes.append(
                f"target shares{when} summed to {total:.10g} and were rescaled to 1 "
                f"({option('normalise_shares')})"
            )
        else:
            problems.add(
                where,
                f"target shares{when} sum to {total:.10g}, not 1; correct them, give "
                f"{option('normalise_shares')} to rescale them, or name the column "
                "target_weight (weights are rescaled)",
                column="target_share",
            )
    problems.raise_if_any()
    return notes


def run(request: ConvergeRequest) -> Analysis:
    """Converge one year's baselines (``total``) or several years' (``totals``).

    Raises:
        InputError: Every input problem, or an infeasible policy with its amounts.
    """
    from ..workbook.convergence_book import write_convergence

    r = request
    out = r.checked_output(r.input, r.totals)
    given = {**convergence_defaults(), **r.policy}  # a value given as None: off
    values: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    values["source"] = "xlalloc converge command line"
    policy = policy_from(values, where="command line")
    orgs = read_table(
        r.input,
        numbers=("baseline", "target_share", "target_weight", "hcdd_baseline"),
        required=("org", "baseline"),
    )
    if "year" in orgs.columns:
        _checked_years(orgs, str(r.input))
    share_notes = _checked_shares(orgs, r.normalise_shares, str(r.input))
    xlsx = out.suffix.lower() == ".xlsx"
    if "year" in orgs.columns:
        if not r.totals:
            raise InputError(
                f"the input has a 'year' column: give {option('totals')} TOTALS.csv "
                "(columns year,total)",
                where=option("totals"),
            )
        result = converge_years(orgs, read_totals(r.totals), policy, where=str(r.input))
        tables = {"convergence": pd.concat([y.table for y in result.years.values()])}
        tables["trajectory"] = dft_trajectory(result.trajectory)
        if xlsx:
            write_convergence(out, result, r.look())
        else:
            _write(out, tables, r)
        summary = (
            f"converged {len(result.trajectory)} organisations over {len(result.years)} "
            f"years; wrote {out}"
        )
        return Analysis(out, tables, summary, notes=[*share_notes, *result.messages])
    if r.total is None:
        raise InputError(f"give {option('total')} (the amount available)", where=option("total"))
    res = converge_year(orgs, r.total, policy, where=str(r.input))
    tables = {"convergence": res.table}
    if xlsx:
        write_convergence(out, res, r.look())
    else:
        _write(out, tables, r)
    counts = res.table["rule"].value_counts()
    rules = ", ".join(f"{rule} {n}" for rule, n in counts.items())
    summary = (
        f"converged {len(res.table)} organisations (core growth {res.core_growth:.2%}; "
        f"rules: {rules}); wrote {out}"
    )
    return Analysis(out, tables, summary, notes=[*share_notes, *res.messages])
