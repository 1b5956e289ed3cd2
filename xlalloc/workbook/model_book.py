"""Write the model workbook: inputs (new or demo), and the output sheets of a run.

Layout (FAST standard): a Cover sheet; input sheets holding Excel tables with
input cells styled (blue on pale yellow); a Policy sheet of named parameters
with data validation; output sheets written by xlalloc (values from the engine,
live formulas for totals, shares, per-1,000 figures and checks); and a Checks
sheet whose cells read 0 when all is well. See ``docs/model-workbook.md``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .. import __version__
from ..engine.errors import InputError, Problems
from ..model.schema import (
    CHECKS,
    COVER,
    INPUT_TABLES,
    OUTPUT_SHEETS,
    PARAMETERS,
    POLICY,
    InputTable,
)
from .sheetspec import ChartSpec, SheetSpec, spec_from_worksheet, write_spec_openpyxl
from .tables import (
    INDEX,
    MONEY,
    NUMBER,
    PCT,
    fit_to_page,
    header,
    put,
    put_formula,
    save_atomic,
    write_block,
)

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="0000FF")
OUTPUT_NOTE = "Written by xlalloc on every run: do not edit (edit the input sheets and re-run)."
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_ROW = 4
SHARE = "0.00%"
PER_1000 = "£#,##0;(£#,##0)"


def _title(ws: Worksheet, title: str, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = note
    ws["A2"].font = Font(italic=True, color="595959")


def _header(ws: Worksheet, row: int, names: list[str], col: int = 1) -> None:
    header(ws, row, col, names)


# --------------------------------------------------------------------------- inputs

def _write_input_table(ws: Worksheet, spec: InputTable, df: pd.DataFrame | None) -> None:
    _title(ws, spec.sheet, spec.description + " Input cells are blue on yellow.")
    ws.sheet_properties.tabColor = "FFC000"
    names = spec.names
    _header(ws, HEADER_ROW, names)
    rows = 0 if df is None else len(df)
    for i in range(max(rows, 1)):
        for j, name in enumerate(names):
            v = None
            if df is not None and i < rows and name in df.columns:
                v = df[name].iloc[i]
            col = spec.columns[j]
            fmt = {"number": "#,##0.00"}.get(col.kind)
            if name in ("amount", "baseline", "total", "hcdd_baseline", "value"):
                fmt = MONEY
            if name == "population" or name.endswith("_wp"):
                fmt = "#,##0.000"
            c = put(ws, HEADER_ROW + 1 + i, j + 1, v, fmt)
            c.fill, c.font = INPUT_FILL, INPUT_FONT
    last_row = HEADER_ROW + max(rows, 1)
    ref = f"A{HEADER_ROW}:{get_column_letter(len(names))}{last_row}"
    table = Table(displayName=spec.table, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    for j, name in enumerate(names):
        ws.column_dimensions[get_column_letter(j + 1)].width = max(12, min(45, len(name) + 6))
    if "recurrent" in names or "negative_ok" in names:
        dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
        ws.add_data_validation(dv)
        for name in ("recurrent", "negative_ok"):
            if name in names:
                L = get_column_letter(names.index(name) + 1)
                dv.add(f"{L}{HEADER_ROW + 1}:{L}{HEADER_ROW + 5000}")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _write_policy(wb: Workbook, params: Mapping[str, object]) -> None:
    ws = wb.create_sheet(POLICY)
    _title(ws, "Policy", "Named parameters used by every run. Input cells are blue on yellow; "
                         "percentages are decimals (1% = 0.01).")
    ws.sheet_properties.tabColor = "FFC000"
    _header(ws, HEADER_ROW, ["parameter", "value", "description", "allowed"])
    for i, p in enumerate(PARAMETERS):
        r = HEADER_ROW + 1 + i
        put(ws, r, 1, p.name).font = BOLD
        v = params.get(p.name, p.default)
        if p.kind == "list" and v is not None:
            v = str(v)
        c = put(ws, r, 2, v, "0.00%" if p.percent else ("#,##0" if p.kind == "number" else None))
        c.fill, c.font = INPUT_FILL, INPUT_FONT
        put(ws, r, 3, p.description)
        if p.choices:
            allowed = ", ".join(p.choices)
            dv = DataValidation(type="list", formula1='"' + ",".join(p.choices) + '"',
                                allow_blank=p.blank_ok, showErrorMessage=True,
                                errorTitle="xlalloc", error=f"{p.name}: one of {allowed}")
        elif p.kind == "number":
            lo = -1e15 if p.minimum is None else p.minimum
            hi = 1e15 if p.maximum is None else p.maximum
            allowed = f"{lo:g} to {hi:g}" if p.maximum is not None else f"at least {lo:g}"
            dv = DataValidation(type="decimal", operator="between", formula1=str(lo),
                                formula2=str(hi), allow_blank=p.blank_ok, showErrorMessage=True,
                                errorTitle="xlalloc", error=f"{p.name}: {allowed}")
        else:
            allowed, dv = "text", None
        put(ws, r, 4, allowed)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        wb.defined_names[p.name] = DefinedName(
            p.name, attr_text=f"{quote_sheetname(POLICY)}!$B${r}")
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 60
    ws.column_dimensions["D"].width = 40


def _write_cover(wb: Workbook) -> None:
    ws = wb.create_sheet(COVER, 0)
    ws["A1"] = "xlalloc model workbook"
    ws["A1"].font = Font(bold=True, size=18)
    lines = [
        ("What it is", "Need-based targets, convergence and whole-budget apportionment by care "
                       "programme and place for one ICB, computed by xlalloc."),
        ("xlalloc version", __version__),
        ("How to run (headless)", "xlalloc run MODEL.xlsx -o RESULTS.xlsx   "
                                  "(or --in-place to write back here)"),
        ("How to check inputs", "xlalloc validate MODEL.xlsx"),
        ("How to run (Excel)", "xlalloc tab > Run: runs the action named on the Policy sheet"),
        ("Input cells", "blue text on pale yellow: yours to edit"),
        ("Output sheets", "written by xlalloc on every run: never edit them by hand"),
        ("Checks", "every cell on the Checks sheet reads 0 when all is well"),
    ]
    for i, (k, v) in enumerate(lines):
        put(ws, 3 + i, 1, k).font = BOLD
        put(ws, 3 + i, 2, v)
    sample = ws.cell(row=8, column=2)
    sample.fill, sample.font = INPUT_FILL, INPUT_FONT
    r = 4 + len(lines)
    put(ws, r, 1, "Sheets").font = BOLD
    _header(ws, r + 1, ["sheet", "kind", "contents"])
    index = [(POLICY, "input", "named policy parameters")]
    index += [(t.sheet, "input", t.description) for t in INPUT_TABLES]
    index += [(s, "output", "written by xlalloc") for s in OUTPUT_SHEETS if s != CHECKS]
    index += [(CHECKS, "checks", "reads 0 when all is well")]
    for i, row in enumerate(index):
        for j, v in enumerate(row):
            put(ws, r + 2 + i, 1 + j, v)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 60


def build_model(tables: Mapping[str, pd.DataFrame] | None = None,
                params: Mapping[str, object] | None = None) -> Workbook:
    """A new model workbook: Cover, Policy and every input sheet.

    Args:
        tables: Input tables by table name (``tblPractices`` ...); ``None`` for an
            empty model.
        params: Policy values by parameter name (defaults where missing).
    """
    wb = Workbook()
    wb.remove(wb.active)
    _write_cover(wb)
    _write_policy(wb, params or {})
    for spec in INPUT_TABLES:
        ws = wb.create_sheet(spec.sheet)
        _write_input_table(ws, spec, None if tables is None else tables.get(spec.table))
    for ws in wb.worksheets:
        fit_to_page(ws)
    return wb


# --------------------------------------------------------------------------- outputs

class _Ranges:
    """Where input columns are, for formulas that trace outputs to inputs.

    Read from the positions the reader recorded (``attrs``) for each input table,
    so the same formulas serve an openpyxl workbook and a live Excel book.
    """

    def __init__(self, inputs):
        self.frames = {"Practices": inputs.practices, "Budget": inputs.budget,
                       "Totals": inputs.totals}

    def column(self, sheet: str, name: str) -> str:
        """Absolute range of a named column's data in an input sheet's table."""
        attrs = self.frames[sheet].attrs
        first = int(attrs["header_row"]) + 1
        last = first + max(int(attrs["n_rows"]), 1) - 1
        L = get_column_letter(int(attrs["columns"][name]) + 1)
        return f"{quote_sheetname(sheet)}!${L}${first}:${L}${last}"


def _sum(col: int, r1: int, r2: int) -> str:
    L = get_column_letter(col)
    return f"=SUM({L}{r1}:{L}{r2})"


_formula = put_formula


def _values_block(ws: Worksheet, row: int, title: str, df: pd.DataFrame,
                  formats: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Write a titled table of values; returns (header row, last data row)."""
    put(ws, row, 1, title).font = Font(bold=True, size=12)
    return row + 1, write_block(ws, row + 1, 1, df, formats)


def _formula_block(ws: Worksheet, row: int, title: str, columns: list[str],
                   labels_from: int, n_rows: int, n_cols: int, formula, fmt: str) -> int:
    """A titled block of formulas, one per cell: ``formula(letter, source_row)``.

    Row labels are copied from column A of the rows starting at ``labels_from``.
    Returns the first formula row.
    """
    put(ws, row, 1, title).font = Font(bold=True, size=12)
    _header(ws, row + 1, columns)
    first = row + 2
    for i in range(n_rows):
        src = labels_from + i
        put(ws, first + i, 1, ws.cell(row=src, column=1).value)
        for j in range(n_cols):
            _formula(ws, first + i, 2 + j, formula(get_column_letter(2 + j), src, i), fmt)
    return first


def _targets_sheet(wb: Workbook, result, rng: _Ranges) -> dict[str, str]:
    ws = wb.create_sheet("Targets")
    comp = str(result.inputs.params.get("target_component") or "core")
    _title(ws, f"Targets by place: {comp} weighted population", OUTPUT_NOTE)
    t = result.targets
    has_base = result.convergence is not None
    cols = ["place", "population", f"{comp}_wp", f"{comp}_index", "target_share", "target",
            "per_1000_wp", "baseline", "dft_baseline"]
    put(ws, HEADER_ROW - 1, 1, f"ICB budget shared by target: £{result.budget_total:,.0f}")
    _header(ws, HEADER_ROW, cols)
    r1, r2 = HEADER_ROW + 1, HEADER_ROW + len(t)
    base = {}
    if has_base:
        base = dict(zip(result.inputs.baselines["place"], result.inputs.baselines["baseline"]))
    place_col = rng.column("Practices", "place")
    pop_col = rng.column("Practices", "population")
    wp_col = rng.column("Practices", f"{comp}_wp")
    for i, row in enumerate(t.itertuples(index=False)):
        r = r1 + i
        put(ws, r, 1, row.place)
        _formula(ws, r, 2, f"=SUMIF({place_col},A{r},{pop_col})", NUMBER)
        _formula(ws, r, 3, f"=SUMIF({place_col},A{r},{wp_col})", NUMBER)
        put(ws, r, 4, getattr(row, f"{comp}_index"), INDEX)
        _formula(ws, r, 5, f"=C{r}/SUM(C${r1}:C${r2})", "0.0000%")
        put(ws, r, 6, row.target, MONEY)
        _formula(ws, r, 7, f"=F{r}/C{r}*1000", PER_1000)
        if has_base:
            put(ws, r, 8, base.get(row.place), MONEY)
            _formula(ws, r, 9, f"=(H{r}-E{r}*SUM(H${r1}:H${r2}))/(E{r}*SUM(H${r1}:H${r2}))", PCT)
    tot = r2 + 1
    put(ws, tot, 1, "Total").font = BOLD
    for col, fmt in ((2, NUMBER), (3, NUMBER), (5, "0.0000%"), (6, MONEY)):
        _formula(ws, tot, col, _sum(col, r1, r2), fmt).font = BOLD
    _formula(ws, tot, 7, f"=F{tot}/C{tot}*1000", PER_1000).font = BOLD
    if has_base:
        _formula(ws, tot, 8, _sum(8, r1, r2), MONEY).font = BOLD
    ind = result.indices
    from ..engine.capitation import COMPONENTS

    shown = ind[["level", "name", "population"] + [f"{c}_index" for c in COMPONENTS]]
    _values_block(ws, tot + 3, "Need indices (ICB-standardised for places and localities; "
                  "England-standardised for the ICB)", shown,
                  {**{f"{c}_index": INDEX for c in COMPONENTS}, "population": NUMBER})
    for j, w in enumerate([22, 14, 16, 14, 14, 18, 14, 18, 14]):
        ws.column_dimensions[get_column_letter(j + 1)].width = w
    return {"targets_total": f"Targets!$F${tot}", "share_total": f"Targets!$E${tot}",
            "population_total": f"Targets!$B${tot}"}


def _convergence_sheets(wb: Workbook, result, rng: _Ranges) -> list[tuple[str, str]]:
    checks: list[tuple[str, str]] = []
    conv = result.convergence
    ws = wb.create_sheet("Convergence")
    _title(ws, "Convergence of place baselines toward target", OUTPUT_NOTE)
    ws2 = wb.create_sheet("Trajectory")
    _title(ws2, "Distance from target by place and year", OUTPUT_NOTE)
    if conv is None:
        put(ws, HEADER_ROW, 1, "No baselines given: add them on the Baselines sheet and "
                               "totals on the Totals sheet.")
        return checks
    row = HEADER_ROW
    total_cells = rng.column("Totals", "total").split("!")[1].replace("$", "")
    first_total_row = int("".join(ch for ch in total_cells.split(":")[0] if ch.isdigit()))
    cols = ["year", "org", "baseline", "target_share", "target", "dft_before", "growth",
            "allocation", "dft_after", "rule", "explanation"]
    fmts = {"baseline": MONEY, "target": MONEY, "allocation": MONEY, "target_share": "0.0000%",
            "dft_before": PCT, "dft_after": PCT, "growth": PCT}
    for k, (year, res) in enumerate(conv.years.items()):
        h, last = _values_block(ws, row, f"Convergence {year} (core growth "
                                f"{res.core_growth:.2%}; method {res.policy.method})",
                                res.table[cols], fmts)
        tot = last + 1
        put(ws, tot, 1, "Total").font = BOLD
        for c in (3, 4, 5, 8):
            _formula(ws, tot, c, _sum(c, h + 1, last), fmts[cols[c - 1]]).font = BOLD
        put(ws, tot + 1, 1, "Control total (Totals sheet)")
        _formula(ws, tot + 1, 8, f"=Totals!$B${first_total_row + k}", MONEY)
        checks.append((f"Convergence {year}: allocations less the year's total",
                       f"=ROUND(Convergence!H{tot}-Convergence!H{tot + 1},2)"))
        checks.append((f"Convergence {year}: targets less the year's total",
                       f"=ROUND(Convergence!E{tot}-Convergence!H{tot + 1},2)"))
        row = tot + 3
    ws.column_dimensions["B"].width = 20
    ws.column_dimensions["K"].width = 100
    traj = conv.trajectory.rename(columns={"org": "place", "baseline": "baseline DfT"})
    h, last = _values_block(ws2, HEADER_ROW, "Distance from target (positive: above target)",
                            traj, {c: PCT for c in traj.columns[1:]})
    CHARTS.setdefault("Trajectory", []).append(ChartSpec(
        title="Distance from target by place", y_title="Distance from target", x_title="Year",
        y_format="0.0%", min_col=1, max_col=traj.shape[1], header_row=h, first_row=h + 1,
        last_row=last, anchor=f"A{last + 3}"))
    ws2.column_dimensions["A"].width = 20
    return checks


def _matrix_block(ws: Worksheet, row: int, title: str, table: pd.DataFrame,
                  value_fmt: str) -> tuple[int, int, int]:
    """Table 1 style block: values in the body, SUM formulas for the Total column and row.

    Returns (header row, first body row, last body row); the total row follows.
    """
    body = table.drop(index="Total").drop(columns="Total")
    put(ws, row, 1, title).font = Font(bold=True, size=12)
    names = ["programme"] + [str(c) for c in body.columns] + ["Total"]
    _header(ws, row + 1, names)
    r1 = row + 2
    for i, (prog, vals) in enumerate(body.iterrows()):
        r = r1 + i
        put(ws, r, 1, prog)
        for j, v in enumerate(vals):
            put(ws, r, 2 + j, float(v), value_fmt)
        n = len(body.columns)
        _formula(ws, r, 2 + n, f"=SUM(B{r}:{get_column_letter(1 + n)}{r})", value_fmt).font = BOLD
    r2 = r1 + len(body) - 1
    tot = r2 + 1
    put(ws, tot, 1, "Total").font = BOLD
    for j in range(len(body.columns) + 1):
        _formula(ws, tot, 2 + j, _sum(2 + j, r1, r2), value_fmt).font = BOLD
    return row + 1, r1, r2


def _apportionment_sheets(wb: Workbook, result, rng: _Ranges) -> list[tuple[str, str]]:
    checks: list[tuple[str, str]] = []
    ws = wb.create_sheet("Apportionment")
    _title(ws, "Apportionment of the whole budget by care programme and place", OUTPUT_NOTE)
    wa = wb.create_sheet("Audit")
    _title(wa, "Audit: the method each budget line used, and why", OUTPUT_NOTE)
    a = result.apportionment
    if a is None:
        put(ws, HEADER_ROW, 1, "No budget lines given: add them on the Budget sheet.")
        return checks
    h, r1, r2 = _matrix_block(ws, HEADER_ROW, "Table 1: £ by care programme and place",
                              a.table1, MONEY)
    places = [str(c) for c in a.table1.columns if c != "Total"]
    n = len(places)
    totc = get_column_letter(2 + n)
    tot = r2 + 1
    amount = rng.column("Budget", "amount")
    programme = rng.column("Budget", "programme")
    for i in range(r2 - r1 + 1):
        r = r1 + i
        checks.append((f"Table 1 {ws.cell(row=r, column=1).value}: less its budget lines",
                       f"=ROUND(Apportionment!{totc}{r}-SUMIF({programme},Apportionment!A{r},"
                       f"{amount}),2)"))
    checks.append(("Table 1 grand total less the budget lines' total",
                   f"=ROUND(Apportionment!{totc}{tot}-SUM({amount}),2)"))
    checks.append(("Table 1: place totals less the grand total",
                   f"=ROUND(SUM(Apportionment!B{tot}:{get_column_letter(1 + n)}{tot})"
                   f"-Apportionment!{totc}{tot},2)"))
    n_body = r2 - r1 + 2  # programmes and the total row
    s1 = _formula_block(ws, tot + 3, "Shares of each programme by place",
                        ["programme"] + places, r1, n_body, n,
                        lambda L, src, i: f"=IF({totc}{src}=0,0,{L}{src}/{totc}{src})", SHARE)
    s_last = s1 + n_body - 1
    # Weighted population by place (formulas tracing to the Practices sheet).
    comp = str(result.inputs.params.get("per_1000_component") or "core")
    row = s_last + 3
    put(ws, row, 1, f"Weighted population ({comp})").font = Font(bold=True, size=12)
    _header(ws, row + 1, ["measure"] + places + ["ICB"])
    wrow = row + 2
    put(ws, wrow, 1, f"{comp} weighted population")
    place_col = rng.column("Practices", "place")
    wp_col = rng.column("Practices", f"{comp}_wp")
    for j in range(n):
        L = get_column_letter(2 + j)
        _formula(ws, wrow, 2 + j, f"=SUMIF({place_col},{L}${row + 1},{wp_col})", NUMBER)
    _formula(ws, wrow, 2 + n, f"=SUM(B{wrow}:{get_column_letter(1 + n)}{wrow})", NUMBER)
    # Table 2 and the index, as formulas.
    t2 = _formula_block(ws, wrow + 3, "Table 2: £ per 1,000 weighted population",
                        ["programme"] + places + ["ICB"], r1, n_body, n + 1,
                        lambda L, src, i: f"={L}{src}/{L}${wrow}*1000", PER_1000)
    ix = _formula_block(ws, t2 + n_body + 2, "Index against the ICB average (Table 2 / ICB)",
                        ["programme"] + places, t2, n_body, n,
                        lambda L, src, i: f"=IF({totc}{src}=0,0,{L}{src}/{totc}{src})", INDEX)
    row = ix + n_body + 2
    _, _, rr2 = _matrix_block(ws, row, "Table 1 (recurrent lines only)", a.table1_recurrent,
                                MONEY)
    row = rr2 + 4
    _, _, lr2 = _matrix_block(ws, row, "Table 1 by locality", a.table1_locality, MONEY)
    n_loc = len(a.table1_locality.columns) - 1
    checks.append(("Table 1 by locality: grand total less Table 1's",
                   f"=ROUND(Apportionment!{get_column_letter(2 + n_loc)}{lr2 + 1}"
                   f"-Apportionment!{totc}{tot},2)"))
    ws.column_dimensions["A"].width = 44
    for j in range(max(n, n_loc) + 2):
        ws.column_dimensions[get_column_letter(2 + j)].width = 16
    fm = {"amount": MONEY, "apportioned": MONEY, "difference": MONEY, "coverage": SHARE}
    h, last = _values_block(wa, HEADER_ROW, "Budget lines", a.audit, fm)
    ap = get_column_letter(list(a.audit.columns).index("apportioned") + 1)
    checks.append(("Audit: lines apportioned less their amounts",
                   f"=ROUND(SUM(Audit!{ap}{h + 1}:{ap}{last})-SUM({amount}),2)"))
    for j, w in enumerate([40, 40, 16, 10, 36, 14, 50, 10, 14, 60, 16, 12]):
        wa.column_dimensions[get_column_letter(j + 1)].width = w
    return checks


#: Charts recorded while rendering, by sheet name (reset by every render).
CHARTS: dict[str, list[ChartSpec]] = {}


def render_outputs(result, messages: list[str] | None = None) -> list[SheetSpec]:
    """Render every output sheet of a run as :class:`SheetSpec` s (nothing written)."""
    CHARTS.clear()
    wb = Workbook()
    wb.remove(wb.active)
    rng = _Ranges(result.inputs)
    refs = _targets_sheet(wb, result, rng)
    checks = _convergence_sheets(wb, result, rng)
    checks += _apportionment_sheets(wb, result, rng)
    budget = "icb_budget"
    amount = rng.column("Budget", "amount")
    checks = [
        ("Targets: places' targets less the ICB budget",
         f"=ROUND({refs['targets_total']}-IF(ISNUMBER({budget}),{budget},SUM({amount})),2)"),
        ("Targets: target shares less 1", f"=ROUND({refs['share_total']}-1,9)"),
        ("Targets: population less the practices' population",
         f"=ROUND({refs['population_total']}-SUM({rng.column('Practices', 'population')}),6)"),
        ("Practices with no place", f"=COUNTBLANK({rng.column('Practices', 'place')})"),
    ] + checks
    _checks_sheet(wb, checks, messages or result.warnings)
    for name in OUTPUT_SHEETS:
        wb[name].sheet_properties.tabColor = "A6A6A6" if name != CHECKS else "C00000"
    return [spec_from_worksheet(wb[name], CHARTS.get(name)) for name in OUTPUT_SHEETS]


def error_specs(error: InputError) -> list[SheetSpec]:
    """The Checks sheet of a failed run: every problem listed, outputs left alone."""
    wb = Workbook()
    wb.remove(wb.active)
    msgs = [f"RUN FAILED: {len(error.problems)} input problem(s); outputs were not updated"]
    msgs += [str(p) for p in error.problems]
    _checks_sheet(wb, [("Run failed: input problems (see messages below)",
                        f"={len(error.problems)}")], msgs)
    wb[CHECKS].sheet_properties.tabColor = "C00000"
    return [spec_from_worksheet(wb[CHECKS])]


def apply_specs(wb: Workbook, specs: list[SheetSpec]) -> None:
    """Replace the named sheets of an openpyxl workbook with the specs (inputs untouched)."""
    for spec in specs:
        if spec.name in wb.sheetnames:
            del wb[spec.name]
    for spec in specs:
        write_spec_openpyxl(wb.create_sheet(spec.name), spec)


def _checks_sheet(wb: Workbook, checks: list[tuple[str, str]], messages: list[str]) -> None:
    """The Checks sheet: one formula per check, each reading 0 when all is well."""
    ws = wb.create_sheet(CHECKS)
    _title(ws, "Checks", "Every value reads 0 when all is well. " + OUTPUT_NOTE)
    _header(ws, HEADER_ROW, ["check", "value", "expected"])
    r1 = HEADER_ROW + 1
    for i, (label, formula) in enumerate(checks):
        put(ws, r1 + i, 1, label)
        _formula(ws, r1 + i, 2, formula, "#,##0.00;(#,##0.00);0")
        put(ws, r1 + i, 3, 0)
    last = r1 + len(checks) - 1
    put(ws, last + 2, 1, "All checks (sum of absolute values)").font = BOLD
    _formula(ws, last + 2, 2, f"=SUMPRODUCT(ABS(B{r1}:B{last}))",
             "#,##0.00;(#,##0.00);0").font = BOLD
    put(ws, last + 4, 1, "Run messages").font = BOLD
    for i, m in enumerate(messages or ["none"]):
        put(ws, last + 5 + i, 1, m)
    ws.column_dimensions["A"].width = 70
    ws.column_dimensions["B"].width = 16


OPENPYXL_DROPS = {
    b"sparklineGroup": "sparklines",
    b"x14:dataBar": "2010 data bars",
    b"<xdr:sp>": "shapes",
    b"<xdr:sp ": "shapes",
    b"x14:conditionalFormatting": "2010 conditional formatting",
    b"<x14:slicer": "slicers",
}


def check_preservable(path: str | Path) -> list[str]:
    """What openpyxl would drop from this workbook's input sheets, if anything.

    Returns:
        Human-readable reasons; empty when the workbook can be written in place.
    """
    from ..model.reader import _sheet_xml_paths

    path = Path(path)
    reasons = []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        if "xl/vbaProject.bin" in names and path.suffix.lower() != ".xlsm":
            reasons.append("it holds a VBA project but is not an .xlsm file")
        sheets = _sheet_xml_paths(z)
        for sheet, xml in sheets.items():
            if sheet in OUTPUT_SHEETS or xml not in names:
                continue
            body = z.read(xml)
            for marker, what in OPENPYXL_DROPS.items():
                if marker in body:
                    reasons.append(f"sheet '{sheet}' has {what}")
            rels = xml.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels in names and b"/drawing" in z.read(rels):
                reasons.append(f"sheet '{sheet}' has drawings (charts, shapes or pictures)")
    return sorted(set(reasons))


def load_model(path: str | Path) -> Workbook:
    """Open a model workbook with openpyxl (parsed safely: openpyxl uses defusedxml)."""
    path = Path(path)
    return load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)


def save_model(wb: Workbook, path: str | Path) -> Path:
    """Save deterministically and atomically."""
    save_atomic(wb, path)
    return Path(path)


def refuse_if_lossy(path: str | Path) -> None:
    """Raise if writing this workbook with openpyxl would lose content."""
    reasons = check_preservable(path)
    if reasons:
        problems = Problems()
        for r in reasons:
            problems.add(Path(path).name, f"cannot write in place: {r}, which openpyxl would "
                                          "drop; write to a new file with -o instead")
        problems.raise_if_any()
