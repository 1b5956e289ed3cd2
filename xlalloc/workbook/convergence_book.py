"""Convergence results as a workbook.

A sheet per year, the trajectory with a chart, the policy, and a Checks sheet
whose cells read 0 when all is well.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..engine.convergence import ConvergencePolicy, MultiYearResult, YearResult
from .tables import INDEX, MONEY, PCT, put, save_atomic, write_frame


def sheet_name(year: str) -> str:
    """A sheet name for a financial year (``/`` is not allowed in sheet names)."""
    return year.replace("/", "-")


def write_policy(wb: Workbook, policy: ConvergencePolicy) -> None:
    """A sheet listing every policy parameter, its value and meaning."""
    ws = wb.create_sheet("Policy")
    rows = []
    for name, field in ConvergencePolicy.model_fields.items():
        rows.append({"parameter": name, "value": getattr(policy, name),
                     "meaning": field.description or ""})
    write_frame(ws, pd.DataFrame(rows))
    ws.column_dimensions["C"].width = 80


def write_convergence(path: str | Path, result: YearResult | MultiYearResult) -> Path:
    """Write convergence results (one year or several) to ``path`` (.xlsx).

    Each year sheet ends with a totals row of live ``SUM`` formulas; the Checks
    sheet compares them with the control totals and reads 0 when they agree.
    """
    years = result.years if isinstance(result, MultiYearResult) else {"": result}
    wb = Workbook()
    wb.remove(wb.active)
    checks: list[tuple[str, str]] = []
    policy = next(iter(years.values())).policy
    for year, res in years.items():
        name = sheet_name(year) if year else "Convergence"
        ws = wb.create_sheet(name)
        table = res.table
        write_frame(ws, table)
        n = len(table)
        last = n + 1
        tot = last + 1
        put(ws, tot, 1, "Total").font = Font(bold=True)
        cols = {c: i + 1 for i, c in enumerate(table.columns)}
        for c in ("baseline", "target_share", "target", "allocation", "hcdd_contribution",
                  "remaining_allocation"):
            if c in cols:
                L = get_column_letter(cols[c])
                cell = put(ws, tot, cols[c], f"=SUM({L}2:{L}{last})")
                cell.data_type = "f"
                cell.number_format = MONEY if c != "target_share" else "0.0000%"
                cell.font = Font(bold=True)
        put(ws, tot + 1, 1, "Control total")
        put(ws, tot + 1, cols["allocation"], res.total, MONEY)
        A = get_column_letter(cols["allocation"])
        S = get_column_letter(cols["target_share"])
        T = get_column_letter(cols["target"])
        checks.append((f"{name}: allocations less control total",
                       f"=ROUND('{name}'!{A}{tot}-'{name}'!{A}{tot + 1},2)"))
        checks.append((f"{name}: targets less control total",
                       f"=ROUND('{name}'!{T}{tot}-'{name}'!{A}{tot + 1},2)"))
        checks.append((f"{name}: target shares less 1", f"=ROUND('{name}'!{S}{tot}-1,9)"))
        if "hcdd_contribution" in cols:
            H = get_column_letter(cols["hcdd_contribution"])
            R = get_column_letter(cols["remaining_allocation"])
            checks.append((f"{name}: HCDD + remaining less allocation",
                           f"=ROUND('{name}'!{H}{tot}+'{name}'!{R}{tot}-'{name}'!{A}{tot},2)"))
    if isinstance(result, MultiYearResult):
        ws = wb.create_sheet("Trajectory")
        traj = result.trajectory.rename(columns={"baseline": "dft_baseline"})
        write_frame(ws, traj)
        for row in ws.iter_rows(min_row=2, min_col=2):
            for cell in row:
                cell.number_format = PCT
        chart = LineChart()
        chart.title = "Distance from target by organisation"
        chart.y_axis.title = "Distance from target"
        chart.x_axis.title = "Year"
        chart.y_axis.number_format = "0%"
        chart.height, chart.width = 12, 24
        n_org, n_col = len(traj), traj.shape[1]
        data = Reference(ws, min_col=1, max_col=n_col, min_row=2, max_row=n_org + 1)
        chart.add_data(data, from_rows=True, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, max_col=n_col, min_row=1, max_row=1))
        ws.add_chart(chart, f"{get_column_letter(n_col + 2)}2")
    write_policy(wb, policy)
    ws = wb.create_sheet("Checks")
    write_frame(ws, pd.DataFrame({"check": [c[0] for c in checks], "value": 0.0}))
    for i, (_, formula) in enumerate(checks):
        cell = ws.cell(row=i + 2, column=2, value=formula)
        cell.number_format = INDEX
    ws.column_dimensions["A"].width = 50
    save_atomic(wb, path)
    return Path(path)
