"""Convergence results as a workbook.

A sheet per year, the trajectory with a chart, the policy, and a Checks sheet
whose cells read 0 when all is well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..engine.convergence import ConvergencePolicy, MultiYearResult, YearResult
from .sheetspec import ChartSpec, Drawing, SheetSpec, col
from .tables import INDEX, MONEY, PCT, frame_sheet
from .xlsx import save_specs

__all__ = ["sheet_name", "write_convergence"]


def sheet_name(year: str, taken: set[str] | None = None) -> str:
    """A valid, unique sheet name for a financial year (``2026/27`` -> ``2026-27``).

    Characters Excel forbids (slashes, ``? * [ ] :``) become ``-``, quotes are dropped, the
    name is cut to 31 characters, and a repeat gets `` (2)``.
    """
    name = re.sub(r"[/\\?*\[\]:]", "-", year).replace("'", "").strip() or "Year"
    name = name[:31]
    taken = taken if taken is not None else set()
    base, k = name, 1
    while name.lower() in taken:
        k += 1
        name = f"{base[:31 - len(f' ({k})')]} ({k})"
    taken.add(name.lower())
    return name


def _ref(sheet: str) -> str:
    """A sheet name quoted for a formula."""
    return "'" + sheet.replace("'", "''") + "'"


def _policy_sheet(policy: ConvergencePolicy) -> SheetSpec:
    """A sheet listing every policy parameter, its value and meaning."""
    d = Drawing("Policy")
    rows = [{"parameter": name, "value": getattr(policy, name),
             "meaning": field.description or ""}
            for name, field in ConvergencePolicy.model_fields.items()]
    frame_sheet(d, pd.DataFrame(rows))
    d.width("C", 80)
    return d.spec()


def _year_sheet(name: str, res: YearResult, checks: list[tuple[str, str]]) -> SheetSpec:
    d = Drawing(name)
    table = res.table
    frame_sheet(d, table)
    last = len(table) + 1
    tot = last + 1
    d.put(tot, 1, "Total", bold=True)
    cols = {c: i + 1 for i, c in enumerate(table.columns)}
    for c in ("baseline", "target_share", "target", "allocation", "hcdd_contribution",
              "remaining_allocation"):
        if c in cols:
            L = col(cols[c])
            d.formula(tot, cols[c], f"=SUM({L}2:{L}{last})",
                      MONEY if c != "target_share" else "0.0000%", bold=True,
                      value=table[c].sum())
    d.put(tot + 1, 1, "Control total")
    d.put(tot + 1, cols["allocation"], res.total, MONEY)
    A, S, T = col(cols["allocation"]), col(cols["target_share"]), col(cols["target"])
    checks.append((f"{name}: allocations less control total",
                   f"=ROUND({_ref(name)}!{A}{tot}-{_ref(name)}!{A}{tot + 1},2)"))
    checks.append((f"{name}: targets less control total",
                   f"=ROUND({_ref(name)}!{T}{tot}-{_ref(name)}!{A}{tot + 1},2)"))
    checks.append((f"{name}: target shares less 1", f"=ROUND({_ref(name)}!{S}{tot}-1,9)"))
    if "hcdd_contribution" in cols:
        H, R = col(cols["hcdd_contribution"]), col(cols["remaining_allocation"])
        checks.append((f"{name}: HCDD + remaining less allocation",
                       f"=ROUND({_ref(name)}!{H}{tot}+{_ref(name)}!{R}{tot}-{_ref(name)}!{A}{tot},2)"))
    return d.spec()


def _trajectory_sheet(result: MultiYearResult) -> SheetSpec:
    d = Drawing("Trajectory")
    traj = result.trajectory.rename(columns={"baseline": "dft_baseline"})
    d.block(1, 1, traj, {c: PCT for c in traj.columns[1:]})
    for j, c in enumerate(traj.columns):
        d.width(j + 1, max(10, min(40, len(str(c)) + 4)))
    d.freeze = "A2"
    n_org, n_col = len(traj), traj.shape[1]
    d.charts.append(ChartSpec(
        title="Distance from target by organisation", y_title="Distance from target",
        x_title="Year", y_format="0%", min_col=1, max_col=n_col, header_row=1, first_row=2,
        last_row=n_org + 1, anchor=f"{col(n_col + 2)}2", width=24, height=12))
    return d.spec()


def write_convergence(path: str | Path, result: YearResult | MultiYearResult) -> Path:
    """Write convergence results (one year or several) to ``path`` (.xlsx).

    Each year sheet ends with a totals row of live ``SUM`` formulas; the Checks
    sheet compares them with the control totals and reads 0 when they agree.
    """
    years = result.years if isinstance(result, MultiYearResult) else {"": result}
    checks: list[tuple[str, str]] = []
    taken = {"trajectory", "policy", "checks"}
    specs = [_year_sheet(sheet_name(year, taken) if year else "Convergence", res, checks)
             for year, res in years.items()]
    if isinstance(result, MultiYearResult):
        specs.append(_trajectory_sheet(result))
    specs.append(_policy_sheet(next(iter(years.values())).policy))
    d = Drawing("Checks")
    frame_sheet(d, pd.DataFrame({"check": [c[0] for c in checks], "value": 0.0}))
    for i, (_, formula) in enumerate(checks):
        d.formula(i + 2, 2, formula, INDEX, value=0)  # 0 by construction; LibreOffice checks
    d.width("A", 50)
    specs.append(d.spec())
    return save_specs(specs, path)
