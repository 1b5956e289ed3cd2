"""Write the model workbook: inputs (new or demo), and the output sheets of a run.

Layout (FAST standard): a Cover sheet; input sheets holding Excel tables with
input cells styled (blue on pale yellow); a Policy sheet of named parameters
with data validation; output sheets written by xlalloc (values from the engine,
live formulas for totals, shares, per-1,000 figures and checks); and a Checks
sheet whose cells read 0 when all is well. See ``docs/model-workbook.md``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .._version import __version__
from ..engine.capitation import COMPONENTS
from ..engine.errors import InputError
from ..model.checks import CheckStatus
from ..model.labels import label, labels, money_label
from ..model.parts import output_sheets, parts
from ..model.policy import ModelPolicy, ParameterKind
from ..model.runner import INTERVAL_COLUMNS, UNMAPPED, ModelResult
from ..model.schema import (
    CHECKS,
    COVER,
    INPUT_TABLES,
    PARAMETERS,
    POLICY,
    InputTable,
    Kind,
)
from ..readers.model import TableLayout
from .sheetspec import ChartSpec, Drawing, Look, SheetSpec, col, shown
from .tables import INDEX, MONEY, NUMBER, PCT, number_format
from .xlsx import fit_to_page, header, put, save_atomic

__all__ = [
    "CHECK_STATUS",
    "OUTPUT_NOTE",
    "RUN_AT",
    "Provenance",
    "build_model",
    "error_specs",
    "render_outputs",
    "save_model",
]

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(color="0000FF")
OUTPUT_NOTE = "Written by xlalloc on every run: do not edit (edit the input sheets and re-run)."
TITLE = Font(bold=True, size=14)
BOLD = Font(bold=True)
HEADER_ROW = 4
SHARE = "0.00%"
PER_1000 = "£#,##0;(£#,##0)"  # £ per 1,000 weighted population: never in £000


def _title(ws: Worksheet, title: str, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = note
    ws["A2"].font = Font(italic=True, color="595959")


def _header(ws: Worksheet, row: int, names: list[str], column: int = 1) -> None:
    header(ws, row, column, names)


# --------------------------------------------------------------------------- inputs


def _write_input_table(ws: Worksheet, spec: InputTable, df: pd.DataFrame | None) -> None:
    _title(
        ws,
        spec.sheet,
        spec.description
        + (
            " Input cells are blue on yellow."
            if spec.editable
            else " Written by xlalloc new from the source files: a record, not an input to edit."
        ),
    )
    ws.sheet_properties.tabColor = "FFC000" if spec.editable else "A6A6A6"
    names = spec.names
    _header(ws, HEADER_ROW, names)
    rows = 0 if df is None else len(df)
    for i in range(max(rows, 1)):
        for j, name in enumerate(names):
            v = None
            if df is not None and i < rows and name in df.columns:
                v = df[name].iloc[i]
            if isinstance(v, list | tuple):
                v = ";".join(v)
            if v is not None and pd.isna(v):
                v = None
            column = spec.columns[j]
            fmt = {Kind.NUMBER: "#,##0.00"}.get(column.kind)
            if name in ("amount", "baseline", "total", "hcdd_baseline", "value"):
                fmt = MONEY
            if name == "population" or name.endswith("_wp"):
                fmt = "#,##0.000"
            if name in ("practices", "icb_practices"):
                fmt = "#,##0"
            c = put(ws, HEADER_ROW + 1 + i, j + 1, v, fmt)
            if name.endswith("year") or name == "years":
                c.number_format = "@"  # 2026/27 stays text, never a date
            if spec.editable:
                c.fill, c.font = INPUT_FILL, INPUT_FONT
    last_row = HEADER_ROW + max(rows, 1)
    ref = f"A{HEADER_ROW}:{get_column_letter(len(names))}{last_row}"
    table = Table(displayName=spec.table, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    for j, name in enumerate(names):  # fitted to the header and the widest value shown
        cells = ws.iter_rows(
            min_row=HEADER_ROW + 1,
            max_row=last_row,
            min_col=j + 1,
            max_col=j + 1,
            values_only=False,
        )
        widest = max((len(shown(c[0].value, c[0].number_format)) for c in cells), default=0)
        ws.column_dimensions[get_column_letter(j + 1)].width = min(
            max(12, len(name) + 6, widest * 1.1 + 3), 70
        )
    if "recurrent" in names or "negative_ok" in names:
        dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
        ws.add_data_validation(dv)
        for name in ("recurrent", "negative_ok"):
            if name in names:
                L = get_column_letter(names.index(name) + 1)
                dv.add(f"{L}{HEADER_ROW + 1}:{L}{HEADER_ROW + 5000}")
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)


def _write_policy(wb: Workbook, policy: ModelPolicy) -> None:
    ws = wb.create_sheet(POLICY)
    _title(
        ws,
        "Policy",
        "Named parameters used by every run. Input cells are blue on yellow; "
        "percentages are decimals (1% = 0.01).",
    )
    ws.sheet_properties.tabColor = "FFC000"
    _header(ws, HEADER_ROW, ["parameter", "value", "description", "allowed", "source"])
    for i, p in enumerate(PARAMETERS):
        r = HEADER_ROW + 1 + i
        put(ws, r, 1, p.name).font = BOLD
        v = getattr(policy, p.name)
        if p.kind is ParameterKind.LIST and v is not None:
            v = str(v)
        fmt = (
            "0.00%"
            if p.percent
            else {ParameterKind.NUMBER: "#,##0", ParameterKind.WHOLE: "0"}.get(p.kind)
        )
        c = put(ws, r, 2, v, fmt)
        c.fill, c.font = INPUT_FILL, INPUT_FONT
        put(ws, r, 3, p.description)
        put(ws, r, 4, p.allowed)
        put(ws, r, 5, p.source)
        dv = None
        if p.choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(p.choices) + '"', allow_blank=p.blank_ok
            )
        elif p.kind in (ParameterKind.NUMBER, ParameterKind.WHOLE):
            lo = -1e15 if p.minimum is None else p.minimum
            hi = 1e15 if p.maximum is None else p.maximum - (1e-9 if p.below_maximum else 0)
            dv = DataValidation(
                type="decimal" if p.kind is ParameterKind.NUMBER else "whole",
                operator="between",
                formula1=f"{lo:.10g}",
                formula2=f"{hi:.10g}",
                allow_blank=p.blank_ok,
            )
        if dv is not None:
            dv.showErrorMessage, dv.errorTitle = True, "xlalloc"
            dv.error = f"{p.name}: {p.allowed}"
            ws.add_data_validation(dv)
            dv.add(f"B{r}")
        wb.defined_names[p.name] = DefinedName(
            p.name, attr_text=f"{quote_sheetname(POLICY)}!$B${r}"
        )
    for letter, width in zip("ABCDE", (24, 16, 60, 40, 50)):
        ws.column_dimensions[letter].width = width


def _find(sheet: str, label: str, fallback: str) -> str:
    """A live formula: the value beside ``label`` in column A of an output sheet."""
    return (
        f'=IFERROR(INDEX({quote_sheetname(sheet)}!B:B,MATCH("{label}",'
        f'{quote_sheetname(sheet)}!A:A,0)),"{fallback}")'
    )


#: Labels of the run's provenance, in column A of the Summary sheet (the Cover finds them).
RUN_AT, CHECK_STATUS = "Run at", "Check status"
#: The one cell that says whether all is well: the sum of every check's absolute value.
OVERALL_CHECK = "Overall check (0 when all is well)"
CHECK_FORMAT = "#,##0.00;(#,##0.00);0"


def _write_cover(wb: Workbook, built: Provenance | None = None) -> None:
    ws = wb.create_sheet(COVER, 0)
    ws["A1"] = "xlalloc model workbook" + (f": {built.icb}" if built and built.icb else "")
    ws["A1"].font = Font(bold=True, size=18)
    lines = [
        (
            "What it is",
            "Need-based targets, convergence and whole-budget apportionment by care "
            "programme and place for one ICB, computed by xlalloc.",
        ),
        ("xlalloc version", __version__),
        (
            "How to run (headless)",
            "xlalloc run MODEL.xlsx -o RESULTS.xlsx   (or --in-place to write back here)",
        ),
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
    put(ws, r, 1, "Provenance").font = BOLD
    prov: list[tuple[str, object]] = [
        ("Last run at", _find("Summary", RUN_AT, "not run yet")),
        ("Overall check status", _find("Summary", CHECK_STATUS, "not run yet")),
        (OVERALL_CHECK, _find("Summary", OVERALL_CHECK, "not run yet")),
    ]
    if built is not None:
        prov.append(("Built at", built.built_at))
        prov += [
            (f"Source file ({y})", f"{f}   SHA-256 {h}")
            for f, y, h in zip(
                built.sources["file"], built.sources["years"], built.sources["sha256"]
            )
        ]
        prov += [("Build note", n) for n in built.notes]
    for i, (name, value) in enumerate(prov):
        put(ws, r + 1 + i, 1, name)
        if i < 3:
            ws.cell(row=r + 1 + i, column=2, value=value)  # live formulas
        else:
            put(ws, r + 1 + i, 2, value)
    r += len(prov) + 2
    put(ws, r, 1, "Sheets").font = BOLD
    _header(ws, r + 1, ["sheet", "kind", "contents"])
    index = [(POLICY, "input", "named policy parameters")]
    index += [(t.sheet, "input" if t.editable else "record", t.description) for t in INPUT_TABLES]
    index += [(s, "output", "written by xlalloc") for s in output_sheets() if s != CHECKS]
    index += [(CHECKS, "checks", "reads 0 when all is well")]
    for i, row in enumerate(index):
        for j, v in enumerate(row):
            put(ws, r + 2 + i, 1 + j, v)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 60


@dataclass(frozen=True)
class Provenance:
    """What a model was built from, for its Cover sheet.

    Attributes:
        icb: The ICB's code and name.
        sources: The source files: ``file, years, sha256``.
        built_at: When it was built (ISO date and time).
        notes: What was chosen or assumed while building it.
    """

    icb: str
    sources: pd.DataFrame
    built_at: str
    notes: tuple[str, ...] = ()


def build_model(
    tables: Mapping[str, pd.DataFrame] | None = None,
    policy: ModelPolicy | None = None,
    built: Provenance | None = None,
) -> Workbook:
    """A new model workbook: Cover, Policy and every input sheet.

    Args:
        tables: Input tables by table name (``tblPractices`` ...); ``None`` for an
            empty model.
        policy: The Policy sheet's values (the defaults if ``None``).
        built: Where the inputs came from, for the Cover (models built from NHS
            England's files).
    """
    wb = Workbook()
    wb.remove(wb.active)
    _write_cover(wb, built)
    _write_policy(wb, policy or ModelPolicy())
    for spec in INPUT_TABLES:
        ws = wb.create_sheet(spec.sheet)
        _write_input_table(ws, spec, None if tables is None else tables.get(spec.table))
    marking = (policy or ModelPolicy()).protective_marking
    for ws in wb.worksheets:
        fit_to_page(
            ws,
            marking,
            title_rows=None if ws.title == COVER else f"{HEADER_ROW}:{HEADER_ROW}",
            landscape=ws.title != COVER,
        )
    return wb


# --------------------------------------------------------------------------- outputs


class _Ranges:
    """Where input columns are, for formulas that trace outputs to inputs.

    Read from the layout the reader recorded for each input table, so the same
    formulas serve a workbook file and a live Excel book.
    """

    def __init__(self, layout: Mapping[str, TableLayout]):
        self.layout = layout

    def column(self, sheet: str, name: str) -> str:
        """Absolute range of a named column's data in an input sheet's table."""
        lay = self.layout[sheet]
        first = lay.header_row + 1
        last = first + max(lay.n_rows, 1) - 1
        L = col(lay.columns[name] + 1)
        return f"{quote_sheetname(sheet)}!${L}${first}:${L}${last}"

    def first_row(self, sheet: str) -> int:
        """Sheet row of an input table's first data row."""
        return self.layout[sheet].header_row + 1


def _sum_where(criteria_range: str, cell: str, sum_range: str, also: str = "") -> str:
    """``SUMIF`` by exact match (``also``: further ``*(range="value")`` criteria).

    A name holding ``*``, ``?``, ``=`` or ``<>`` is a name, not a pattern or a comparison
    (SUMIF would read it as one).
    """
    return f"=SUMPRODUCT(({criteria_range}={cell}){also}*{sum_range})"


def _in_year(result: ModelResult, rng: _Ranges, year: str) -> str:
    """The year criterion of formulas over Practices (none when the sheet has no years)."""
    if not result.inputs.years_given:
        return ""
    return f'*({rng.column("Practices", "year")}="{year}")'


def _sum(column: int, r1: int, r2: int) -> str:
    L = col(column)
    return f"=SUM({L}{r1}:{L}{r2})"


def _output(name: str, title: str, look: Look | None = None) -> Drawing:
    d = Drawing(name, look)
    d.title(title, OUTPUT_NOTE)
    d.print_setup(landscape=True, title_rows=(1, 2))
    d.tab_color = "C00000" if name == CHECKS else "A6A6A6"
    return d


def _values_block(
    d: Drawing, row: int, title: str, df: pd.DataFrame, formats: Mapping[str, str] | None = None
) -> tuple[int, int]:
    """Write a titled table of values; returns (header row, last data row)."""
    d.note(row, 1, title, bold=True, size=12)
    return row + 1, d.block(row + 1, 1, df, formats)


def _formula_block(
    d: Drawing,
    row: int,
    title: str,
    columns: list[str],
    labels_from: int,
    values: np.ndarray,
    formula: Callable[[str, int, int], str],
    fmt: str,
) -> int:
    """A titled block of formulas, one per cell: ``formula(letter, source_row, i)``.

    ``values`` holds each formula's value as computed from the engine's figures (stored
    with the formula). Row labels are copied from column A of the rows starting at
    ``labels_from``. Returns the first formula row.
    """
    n_rows, n_cols = values.shape
    d.note(row, 1, title, bold=True, size=12)
    d.header(row + 1, 1, columns)
    first = row + 2
    for i in range(n_rows):
        src = labels_from + i
        d.put(first + i, 1, d.value(src, 1))
        for j in range(n_cols):
            d.formula(first + i, 2 + j, formula(col(2 + j), src, i), fmt, value=values[i, j])
    return first


Check = tuple[str, str, float]  # label, formula, the value it reads


def _targets_sheet(result: ModelResult, rng: _Ranges, look: Look) -> tuple[Drawing, list[Check]]:
    """One block of targets per year (formulas over Practices), then need indices."""
    comp = result.inputs.policy.target_component
    d = _output("Targets", f"Targets by place: {label(f'{comp}_wp').lower()}", look)
    has_base = result.convergence is not None
    cols = [
        "place",
        "population",
        f"{comp}_wp",
        f"{comp}_index",
        "target_share",
        "target",
        "per_1000_wp",
        "baseline",
        "target_at_baseline_total",
        "dft_baseline",
    ]
    spread = [c for c in INTERVAL_COLUMNS if c in result.targets.columns]
    cols += spread
    years = result.inputs.years
    u = result.inputs.policy.uncertainty()
    d.note(
        HEADER_ROW - 1,
        1,
        f"ICB budget shared by target: £{result.budget_total:,.0f}"
        + (" in every year" if len(years) > 1 else "")
        + ". The target is the place's share of the ICB budget; the "
        "distance from target compares each baseline with its share of "
        "the baselines' total, as convergence does.",
    )
    base = {}
    if has_base:
        base = dict(zip(result.inputs.baselines["place"], result.inputs.baselines["baseline"]))
    b_total = sum(base.values())
    place_col = rng.column("Practices", "place")
    pop_col = rng.column("Practices", "population")
    wp_col = rng.column("Practices", f"{comp}_wp")
    checks: list[Check] = []
    row = HEADER_ROW
    for year in years:
        t = result.targets[result.targets["year"] == year].reset_index(drop=True)
        also = _in_year(result, rng, year)
        d.note(row, 1, f"Targets {year}", bold=True, size=12)
        d.header(row + 1, 1, labels(cols))
        r1, r2 = row + 2, row + 1 + len(t)
        wp = t[f"{comp}_wp"].astype(float)
        share = wp / wp.sum()
        for i, rec in enumerate(t.itertuples(index=False)):
            r = r1 + i
            d.put(r, 1, rec.place)
            d.formula(
                r, 2, _sum_where(place_col, f"$A{r}", pop_col, also), NUMBER, value=rec.population
            )
            d.formula(r, 3, _sum_where(place_col, f"$A{r}", wp_col, also), NUMBER, value=wp.iloc[i])
            d.put(r, 4, getattr(rec, f"{comp}_index"), INDEX)
            d.formula(r, 5, f"=C{r}/SUM(C${r1}:C${r2})", "0.0000%", value=share.iloc[i])
            d.put(r, 6, rec.target, MONEY)
            d.formula(r, 7, f"=F{r}/C{r}*1000", PER_1000, value=rec.target / wp.iloc[i] * 1000)
            if has_base:
                b, fair = base.get(rec.place), share.iloc[i] * b_total
                d.put(r, 8, b, MONEY)
                d.formula(r, 9, f"=E{r}*SUM(H${r1}:H${r2})", MONEY, value=fair)
                d.formula(r, 10, f"=(H{r}-I{r})/I{r}", PCT, value=(b - fair) / fair)
            for j, name in enumerate(spread):  # the Monte Carlo's percentiles: values
                d.put(r, 11 + j, t.at[i, name], number_format(name))
        tot = r2 + 1
        d.put(tot, 1, "Total", bold=True)
        for c, fmt, v in (
            (2, NUMBER, t["population"].sum()),
            (3, NUMBER, wp.sum()),
            (5, "0.0000%", share.sum()),
            (6, MONEY, t["target"].sum()),
        ):
            d.formula(tot, c, _sum(c, r1, r2), fmt, bold=True, value=v)
        d.formula(
            tot,
            7,
            f"=F{tot}/C{tot}*1000",
            PER_1000,
            bold=True,
            value=t["target"].sum() / wp.sum() * 1000,
        )
        if has_base:
            d.formula(tot, 8, _sum(8, r1, r2), MONEY, bold=True, value=b_total)
            d.formula(tot, 9, _sum(9, r1, r2), MONEY, bold=True, value=b_total)
        amount = rng.column("Budget", "amount")
        all_pop = rng.column("Practices", "population")
        pop_in_year = (
            f'SUMPRODUCT(({rng.column("Practices", "year")}="{year}")*{all_pop})'
            if also
            else f"SUM({all_pop})"
        )
        checks += [
            (
                f"Targets {year}: places' targets less the ICB budget",
                f"=ROUND(Targets!$F${tot}-IF(ISNUMBER(icb_budget),icb_budget,SUM({amount})),2)",
                0,
            ),
            (f"Targets {year}: target shares less 1", f"=ROUND(Targets!$E${tot}-1,9)", 0),
            (
                f"Targets {year}: population less the practices' population",
                f"=ROUND(Targets!$B${tot}-{pop_in_year},6)",
                0,
            ),
        ]
        row = tot + 3
    if u is not None:
        d.note(
            row - 1,
            1,
            f"5th and 95th percentiles: {u.draws:,} Monte Carlo draws (seed "
            f"{u.seed}), each practice's weighted population uncertain by "
            f"{u.relative:.2%} for 250,000 people and more for fewer.",
        )
        d.note(
            row,
            1,
            "They are values, not formulas, and do not sum to the budget; a place "
            "whose distance from target spans 0 is not distinguishable from target "
            "(docs/uncertainty.md).",
        )
        row += 3
    shown = result.indices[
        ["year", "level", "name", "population"] + [f"{c}_index" for c in COMPONENTS]
    ]
    if len(years) == 1:
        shown = shown.drop(columns="year")
    _values_block(
        d,
        row,
        "Need indices (ICB-standardised for places and localities; "
        "England-standardised for the ICB)",
        shown,
        {**{f"{c}_index": INDEX for c in COMPONENTS}, "population": NUMBER},
    )
    return d, checks


def _summary_sheet(
    result: ModelResult, look: Look, checks: list[Check], messages: list[str]
) -> SheetSpec:
    """The run at a glance: one overall check cell, the inputs, the policy and messages.

    Its "Run at" and "Check status" rows are found by label from the Cover.
    """
    d = _output("Summary", "Run summary", look)
    d.print_setup(landscape=False)
    status = CheckStatus(tuple(str(c[0]) for c in checks if c[2] != 0))
    first, last = HEADER_ROW + 1, HEADER_ROW + len(checks)
    r = HEADER_ROW
    d.put(r, 1, OVERALL_CHECK, bold=True)
    d.formula(
        r,
        2,
        f"=Checks!$B${last + 2}",
        CHECK_FORMAT,
        bold=True,
        value=sum(abs(c[2]) for c in checks),
    )
    bad = f'COUNTIF(Checks!$B${first}:$B${last},"<>0")'
    rows: list[tuple[str, object, str | None]] = [
        (RUN_AT, result.run_at.isoformat(sep=" "), None),
        ("xlalloc version", __version__, None),
        ("ICB", result.inputs.policy.icb_name or "(not named on the Policy sheet)", None),
        ("Financial year", result.year, None),
        ("ICB budget shared by target (£)", result.budget_total, MONEY),
    ]
    d.put(r + 1, 1, CHECK_STATUS)
    d.formula(
        r + 1,
        2,
        CheckStatus.formula(bad),
        None,
        value=str(status),
    )
    for k, (name, value, fmt) in enumerate(rows):
        d.put(r + 2 + k, 1, money_label(name, look.money))
        d.put(r + 2 + k, 2, value, fmt)
    r += len(rows) + 4
    inputs = result.inputs
    d.note(r, 1, "Inputs used", bold=True, size=12)
    d.header(r + 1, 1, ["Input sheet", "Rows", "Total (£)"])
    used = [
        ("Practices", inputs.practices, "population"),
        ("Budget", inputs.budget, "amount"),
        ("PracticeData", inputs.practice_data, None),
        ("Activity", inputs.activity, None),
        ("PlaceSplits", inputs.place_splits, None),
        ("Baselines", inputs.baselines, "baseline"),
        ("Totals", inputs.totals, "total"),
    ]
    r += 2
    for name, frame, total in used:
        d.put(r, 1, name)
        d.put(r, 2, len(frame), NUMBER)
        if total == "population":
            d.put(
                r,
                3,
                "registered population "
                f"{float(frame['population'].sum()):,.0f}, years {', '.join(inputs.years)}",
            )
        elif total and len(frame):
            d.put(r, 3, float(frame[total].sum()), MONEY)
        r += 1
    prov = result.provenance()
    prov = prov[~prov["item"].isin(["run at", "check status", "xlalloc version"])]
    if len(prov):
        r += 1
        d.note(r, 1, "Source files and data read as zero", bold=True, size=12)
        r = d.block(r + 1, 1, prov.reset_index(drop=True)) + 1
    r += 1
    d.note(r, 1, "Policy in force", bold=True, size=12)
    d.header(r + 1, 1, ["Parameter", "Value", "Meaning"])
    r += 2
    for prm in PARAMETERS:
        v = getattr(inputs.policy, prm.name)
        d.put(r, 1, prm.name)
        d.put(
            r,
            2,
            "(blank)" if v is None else v,
            "0.00%" if prm.percent else "#,##0.##" if prm.kind is ParameterKind.NUMBER else None,
        )
        d.put(r, 3, prm.description)
        r += 1
    r += 1
    d.note(r, 1, "Messages", bold=True, size=12)
    for m in messages or ["none"]:
        r += 1
        d.put(r, 1, m, wrap=True)
    d.width("A", 60)
    d.width("C", 60)
    return d.spec()


def _convergence_sheets(
    result: ModelResult, rng: _Ranges, checks: list[tuple[str, str]], look: Look
) -> list[SheetSpec]:
    conv = result.convergence
    d = _output("Convergence", "Convergence of place baselines toward target", look)
    d2 = _output("Trajectory", "Distance from target by place and year", look)
    if conv is None:
        d.note(
            HEADER_ROW,
            1,
            "No baselines given: add them on the Baselines sheet and totals on the Totals sheet.",
        )
        return [d.spec(), d2.spec()]
    row = HEADER_ROW
    first_total_row = rng.first_row("Totals")
    cols = [
        "year",
        "org",
        "baseline",
        "target_share",
        "target",
        "dft_before",
        "growth",
        "allocation",
        "dft_after",
        "rule",
        "explanation",
    ]
    fmts = {
        "baseline": MONEY,
        "target": MONEY,
        "allocation": MONEY,
        "target_share": "0.0000%",
        "dft_before": PCT,
        "dft_after": PCT,
        "growth": PCT,
    }
    for k, (year, res) in enumerate(conv.years.items()):
        h, last = _values_block(
            d,
            row,
            f"Convergence {year} (core growth {res.core_growth:.2%}; method {res.policy.method})",
            res.table[cols],
            fmts,
        )
        tot = last + 1
        d.put(tot, 1, "Total", bold=True)
        for c in (3, 4, 5, 8):
            d.formula(
                tot,
                c,
                _sum(c, h + 1, last),
                fmts[cols[c - 1]],
                bold=True,
                value=res.table[cols[c - 1]].sum(),
            )
        d.put(tot + 1, 1, "Control total (Totals sheet)")
        d.formula(tot + 1, 8, f"=Totals!$B${first_total_row + k}", MONEY, value=res.total)
        checks.append(
            (
                f"Convergence {year}: allocations less the year's total",
                f"=ROUND(Convergence!H{tot}-Convergence!H{tot + 1},2)",
            )
        )
        checks.append(
            (
                f"Convergence {year}: targets less the year's total",
                f"=ROUND(Convergence!E{tot}-Convergence!H{tot + 1},2)",
            )
        )
        row = tot + 3
    traj = conv.trajectory.rename(columns={"org": "place", "baseline": "Baseline"})
    h, last = _values_block(
        d2,
        HEADER_ROW,
        "Distance from target (positive: above target)",
        traj,
        {c: PCT for c in traj.columns[1:]},
    )
    years = list(conv.years)
    d2.chart_below(
        ChartSpec(
            title=f"Distance from target by place, baseline to {years[-1]} (positive: above "
            "target)",
            y_title="Distance from target",
            x_title="Financial year",
            y_format="0.0%",
            min_col=1,
            max_col=traj.shape[1],
            header_row=h,
            first_row=h + 1,
            last_row=last,
            anchor=f"A{last + 3}",
            width=22,
            height=11,
        )
    )
    return [d.spec(), d2.spec()]


def _matrix_block(
    d: Drawing, row: int, title: str, table: pd.DataFrame, value_fmt: str
) -> tuple[int, int, int]:
    """Table 1 style block: values in the body, SUM formulas for the Total column and row.

    Returns (header row, first body row, last body row); the total row follows.
    """
    body = table.drop(index="Total").drop(columns="Total")
    d.note(row, 1, title, bold=True, size=12)
    d.header(row + 1, 1, [label("programme")] + [str(c) for c in body.columns] + ["Total"])
    r1 = row + 2
    n = len(body.columns)
    for i, (prog, vals) in enumerate(body.iterrows()):
        r = r1 + i
        d.put(r, 1, prog)
        for j, v in enumerate(vals):
            d.put(r, 2 + j, float(v), value_fmt)
        d.formula(
            r, 2 + n, f"=SUM(B{r}:{col(1 + n)}{r})", value_fmt, bold=True, value=float(vals.sum())
        )
    r2 = r1 + len(body) - 1
    tot = r2 + 1
    d.put(tot, 1, "Total", bold=True)
    totals = [*body.sum(axis=0), body.to_numpy().sum()]
    for j in range(n + 1):
        d.formula(tot, 2 + j, _sum(2 + j, r1, r2), value_fmt, bold=True, value=totals[j])
    return row + 1, r1, r2


def _apportionment_sheets(
    result: ModelResult, rng: _Ranges, checks: list[tuple[str, str]], look: Look
) -> list[SheetSpec]:
    d = _output(
        "Apportionment", "Apportionment of the whole budget by care programme and place", look
    )
    da = _output("Audit", "Audit: the method each budget line used, and why", look)
    a = result.apportionment
    if a is None:
        d.note(HEADER_ROW, 1, "No budget lines given: add them on the Budget sheet.")
        return [d.spec(), da.spec()]
    h, r1, r2 = _matrix_block(
        d, HEADER_ROW, "Table 1: £ by care programme and place", a.table1, MONEY
    )
    places = [str(c) for c in a.table1.columns if c != "Total"]
    n = len(places)
    totc = col(2 + n)
    tot = r2 + 1
    amount = rng.column("Budget", "amount")
    programme = rng.column("Budget", "programme")
    for r in range(r1, r2 + 1):
        checks.append(
            (
                f"Table 1 {d.value(r, 1)}: less its budget lines",
                f"=ROUND(Apportionment!{totc}{r}-"
                f"{_sum_where(programme, f'Apportionment!A{r}', amount)[1:]},2)",
            )
        )
    checks.append(
        (
            "Table 1 grand total less the budget lines' total",
            f"=ROUND(Apportionment!{totc}{tot}-SUM({amount}),2)",
        )
    )
    checks.append(
        (
            "Table 1: place totals less the grand total",
            f"=ROUND(SUM(Apportionment!B{tot}:{col(1 + n)}{tot})-Apportionment!{totc}{tot},2)",
        )
    )
    n_body = r2 - r1 + 2  # programmes and the total row
    # Table 1 as drawn (programmes then the total row; places then the Total column).
    t1 = a.table1.drop(index="Total").drop(columns="Total")
    t1 = t1.assign(Total=t1.sum(axis=1))
    t1.loc["Total"] = t1.sum(axis=0)
    m = t1.to_numpy(dtype=float)
    s1 = _formula_block(
        d,
        tot + 3,
        "Shares of each programme by place",
        [label("programme")] + places,
        r1,
        _ratio(m[:, :n], m[:, [n]]),
        lambda L, src, i: f"=IF({totc}{src}=0,0,{L}{src}/{totc}{src})",
        SHARE,
    )
    s_last = s1 + n_body - 1
    # Weighted population by place (formulas tracing to the Practices sheet).
    comp = result.inputs.policy.per_1000_component
    row = s_last + 3
    d.note(row, 1, label(f"{comp}_wp"), bold=True, size=12)
    d.header(row + 1, 1, [label("measure")] + places + ["ICB"])
    wrow = row + 2
    d.put(wrow, 1, label(f"{comp}_wp"))
    place_col = rng.column("Practices", "place")
    wp_col = rng.column("Practices", f"{comp}_wp")
    by_place = result.practices.groupby("place")[comp].sum()
    wp = np.array([*(float(by_place.get(p, 0.0)) for p in places), float(by_place.sum())])
    for j in range(n):
        d.formula(
            wrow,
            2 + j,
            _sum_where(
                place_col, f"{col(2 + j)}${row + 1}", wp_col, _in_year(result, rng, result.year)
            ),
            NUMBER,
            value=wp[j],
        )
    d.formula(wrow, 2 + n, f"=SUM(B{wrow}:{col(1 + n)}{wrow})", NUMBER, value=wp[n])
    # Table 2 and the index, as formulas.
    per_1000 = m / wp * 1000
    t2 = _formula_block(
        d,
        wrow + 3,
        "Table 2: £ per 1,000 weighted population",
        [label("programme")] + places + ["ICB"],
        r1,
        per_1000,
        lambda L, src, i: f"={L}{src}/{L}${wrow}*1000",
        PER_1000,
    )
    ix = _formula_block(
        d,
        t2 + n_body + 2,
        "Index against the ICB average (Table 2 / ICB)",
        [label("programme")] + places,
        t2,
        _ratio(per_1000[:, :n], per_1000[:, [n]]),
        lambda L, src, i: f"=IF({totc}{src}=0,0,{L}{src}/{totc}{src})",
        INDEX,
    )
    row = ix + n_body + 2
    _, _, rr2 = _matrix_block(d, row, "Table 1 (recurrent lines only)", a.table1_recurrent, MONEY)
    row = rr2 + 4
    _, _, lr2 = _matrix_block(d, row, "Table 1 by locality", a.table1_locality, MONEY)
    n_loc = len(a.table1_locality.columns) - 1
    checks.append(
        (
            "Table 1 by locality: grand total less Table 1's",
            f"=ROUND(Apportionment!{col(2 + n_loc)}{lr2 + 1}-Apportionment!{totc}{tot},2)",
        )
    )
    fm = {"amount": MONEY, "apportioned": MONEY, "difference": MONEY, "coverage": SHARE}
    da.note(HEADER_ROW, 1, "Budget lines", bold=True, size=12)
    h = HEADER_ROW + 1
    last = da.block(h, 1, a.audit, fm, table="xla_Audit")
    da.freeze = f"C{h + 1}"
    da.print_setup(landscape=True, title_rows=(h, h))
    ap = col(list(a.audit.columns).index("apportioned") + 1)
    checks.append(
        (
            "Audit: lines apportioned less their amounts",
            f"=ROUND(SUM(Audit!{ap}{h + 1}:{ap}{last})-SUM({amount}),2)",
        )
    )
    ext = result.inputs.extracts
    if ext is not None:
        row = last + 3
        da.note(
            row,
            1,
            "Activity extracts read beside the model (xlalloc run --activity), "
            "totalled by line and practice as Activity sheet rows",
            bold=True,
            size=12,
        )
        for f in ext.files.itertuples(index=False):  # one line each: the hash is long
            row += 1
            da.put(row, 1, f"{f.file}: {f.rows:,} rows; SHA-256 {f.sha256}")
        row += 2
        da.note(
            row,
            1,
            "Coverage each extract gave each line: the share of its £ with a practice code",
            bold=True,
            size=12,
        )
        da.block(
            row + 1,
            1,
            ext.coverage,
            {"rows": NUMBER, "amount": MONEY, "attributed": MONEY, "coverage": SHARE},
        )
    return [d.spec(), da.spec()]


def _equity_sheet(
    result: ModelResult, rng: _Ranges, checks: list[tuple[str, str]], look: Look
) -> SheetSpec:
    """Equity of spend against need, for places and practices (see ``engine/equity.py``)."""
    d = _output("Equity", "Equity: spend against need by place and by practice", look)
    if not result.equity:
        d.note(
            HEADER_ROW,
            1,
            "No budget lines apportioned: equity compares the apportioned spend with need.",
        )
        return d.spec()
    titles = {
        "places": "Places: Table 1 spend against core weighted population",
        "practices": "Practices: spend attributed to practices (practice-data and "
        "capitation lines) against core weighted population",
    }
    row = HEADER_ROW
    for level, eq in result.equity.items():
        u = eq.units
        d.note(row, 1, titles[level], bold=True, size=12)
        d.header(
            row + 1,
            1,
            labels(
                [
                    "place" if level == "places" else "practice_code",
                    "population",
                    "need",
                    "spend",
                    "expected",
                    "ratio",
                    "underserved",
                    "deprivation",
                ]
            ),
        )
        r1 = row + 2
        r2 = r1 + len(u) - 1
        tot = r2 + 1
        for i, rec in enumerate(u.itertuples(index=False)):
            r = r1 + i
            d.put(r, 1, rec.unit)
            d.put(r, 2, rec.population, NUMBER)
            d.put(r, 3, rec.need, NUMBER)
            d.put(r, 4, rec.spend, MONEY)
            d.formula(r, 5, f"=$D${tot}*C{r}/$C${tot}", MONEY, value=rec.expected)
            d.formula(r, 6, f"=IF(E{r}=0,0,D{r}/E{r})", INDEX, value=rec.ratio)
            d.formula(
                r, 7, f'=IF(F{r}<1,"yes","no")', None, value="yes" if rec.underserved else "no"
            )
            d.put(r, 8, rec.deprivation, INDEX)
        d.put(tot, 1, "Total", bold=True)
        for c, fmt, v in (
            (2, NUMBER, u["population"].sum()),
            (3, NUMBER, u["need"].sum()),
            (4, MONEY, u["spend"].sum()),
            (5, MONEY, u["expected"].sum()),
        ):
            d.formula(tot, c, _sum(c, r1, r2), fmt, bold=True, value=v)
        if level == "places":
            checks.append(
                (
                    "Equity: places' spend less the budget lines' total",
                    f"=ROUND(Equity!D{tot}-SUM({rng.column('Budget', 'amount')}),2)",
                )
            )
        row = tot + 2
        d.header(row, 1, [label("measure"), label("value")])
        for k, rec in enumerate(eq.summary.itertuples(index=False)):
            fmt = (
                "#,##0"
                if rec.measure in ("units", "population")
                else ("0.0%" if rec.measure == "proportion_underserved" else "0.0000")
            )
            d.put(row + 1 + k, 1, label(rec.measure))
            d.put(row + 1 + k, 2, rec.value, fmt)
        row += len(eq.summary) + 2
        for note in eq.notes:
            d.note(row, 1, note, italic=True)
            row += 1
        row += 2
    return d.spec()


def render_outputs(result: ModelResult, messages: list[str] | None = None) -> list[SheetSpec]:
    """Draw every output sheet of a run as :class:`SheetSpec` s (nothing written).

    The Summary, then each registered part's sheets and checks (:mod:`xlalloc.model.parts`),
    then the Checks sheet with every part's checks.
    """
    rng = _Ranges(result.inputs.layout)
    pol = result.inputs.policy
    look = Look.of(result.run_at, pol.money_unit, pol.protective_marking)
    checks: list[Check] = []
    specs: list[SheetSpec] = []
    for part in parts():
        drawn = _drawer(part.draw)(result, rng, checks, look)
        assert [s.name for s in drawn] == [s.name for s in part.sheets], part.name
        specs += drawn
    messages = messages or result.warnings
    specs = [
        _summary_sheet(result, look, checks, messages),
        *specs,
        _checks_sheet(checks, messages, look),
    ]
    assert [s.name for s in specs] == list(output_sheets())
    return specs


def _drawer(draw: str | Callable[..., list[SheetSpec]]) -> Callable[..., list[SheetSpec]]:
    """A part's drawing function, from ``"module:function"`` or the function itself."""
    if callable(draw):
        return draw
    module, _, name = draw.partition(":")
    return cast("Callable[..., list[SheetSpec]]", getattr(importlib.import_module(module), name))


def targets_sheets(
    result: ModelResult, rng: _Ranges, checks: list[Check], look: Look
) -> list[SheetSpec]:
    """The targets part's sheet and checks, with the checks that every practice has a place."""
    targets, own = _targets_sheet(result, rng, look)
    place = rng.column("Practices", "place")
    checks += [
        *own,
        ("Practices with no place", f"=COUNTBLANK({place})", 0),
        (
            f"Practice rows in the '{UNMAPPED}' place (give them a place)",
            f'=COUNTIF({place},"{UNMAPPED}")',
            len(result.unmapped),
        ),
    ]
    return [targets.spec()]


def _zero_checks(
    draw: Callable[[ModelResult, _Ranges, list[tuple[str, str]], Look], list[SheetSpec]],
) -> Callable[[ModelResult, _Ranges, list[Check], Look], list[SheetSpec]]:
    """A drawing function whose checks always read 0 on a successful run, as a part's."""

    def part(result: ModelResult, rng: _Ranges, checks: list[Check], look: Look) -> list[SheetSpec]:
        found: list[tuple[str, str]] = []
        specs = draw(result, rng, found, look)
        checks += [(label, formula, 0) for label, formula in found]
        return specs

    return part


#: The built-in parts' drawing functions (named in :mod:`xlalloc.model.parts`).
convergence_sheets = _zero_checks(_convergence_sheets)
apportionment_sheets = _zero_checks(_apportionment_sheets)
equity_sheets = _zero_checks(lambda r, g, c, k: [_equity_sheet(r, g, c, k)])


def error_specs(error: InputError) -> list[SheetSpec]:
    """The Checks sheet of a failed run: every problem listed, outputs left alone."""
    msgs = [f"RUN FAILED: {len(error.problems)} input problem(s); outputs were not updated"]
    msgs += [str(p) for p in error.problems]
    return [
        _checks_sheet(
            [
                (
                    "Run failed: input problems (see messages below)",
                    f"={len(error.problems)}",
                    len(error.problems),
                )
            ],
            msgs,
        )
    ]


def _ratio(x: np.ndarray, total: np.ndarray) -> np.ndarray:
    """``IF(total=0, 0, x/total)``, as the sheet computes it."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total == 0, 0.0, x / np.where(total == 0, 1.0, total))


def _checks_sheet(checks: list[Check], messages: list[str], look: Look | None = None) -> SheetSpec:
    """The Checks sheet: one formula per check, each reading 0 when all is well."""
    d = _output(CHECKS, "Checks", look)
    d.note(
        2,
        1,
        "Every value reads 0 when all is well. " + OUTPUT_NOTE,
        italic=True,
        font_color="595959",
    )
    d.header(HEADER_ROW, 1, ["Check", "Value", "Expected"])
    d.freeze = f"A{HEADER_ROW + 1}"
    d.print_setup(landscape=False, title_rows=(HEADER_ROW, HEADER_ROW))
    r1 = HEADER_ROW + 1
    # A successful run's reconciliation checks are 0 by construction (the engine reconciles
    # exactly); a failed run has one check, its number of problems.
    for i, (text, formula, value) in enumerate(checks):
        d.put(r1 + i, 1, text)
        d.formula(r1 + i, 2, formula, CHECK_FORMAT, value=value)
        d.put(r1 + i, 3, 0)
    last = r1 + len(checks) - 1
    d.put(last + 2, 1, OVERALL_CHECK, bold=True)
    d.formula(
        last + 2,
        2,
        f"=SUMPRODUCT(ABS(B{r1}:B{last}))",
        CHECK_FORMAT,
        bold=True,
        value=sum(abs(c[2]) for c in checks),
    )
    d.note(last + 4, 1, "Run messages", bold=True)
    for i, m in enumerate(messages or ["none"]):
        d.put(last + 5 + i, 1, m, wrap=True)
    d.width("A", 80)
    return d.spec()


def save_model(wb: Workbook, path: str | Path) -> Path:
    """Save deterministically and atomically."""
    save_atomic(wb, path)
    return Path(path)
