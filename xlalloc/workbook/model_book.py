"""Write the model workbook: inputs (new or demo), and the output sheets of a run.

Layout (FAST standard): a Cover sheet; input sheets holding Excel tables with
input cells styled (blue on pale yellow); a Policy sheet of named parameters
with data validation; output sheets written by xlalloc (values from the engine,
live formulas for totals, shares, per-1,000 figures and checks); and a Checks
sheet whose cells read 0 when all is well. See ``docs/model-workbook.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .._version import __version__
from ..model.parts import output_sheets
from ..model.policy import ModelPolicy, ParameterKind
from ..model.runner import NEXT_STEPS
from ..model.schema import (
    CHECKS,
    COVER,
    INPUT_TABLES,
    PARAMETERS,
    POLICY,
    ROLES,
    SIGNOFF,
    InputTable,
    Kind,
)
from .outputs.common import (
    CHECK_STATUS,
    HEADER_ROW,
    OUTPUT_NOTE,
    OVERALL_CHECK,
    RUN_AT,
    find_beside,
)
from .sheetspec import BODY_FONT, cell_value, is_figure, quote_sheet, shown, wrapped_lines
from .tables import MONEY
from .xlsx import (
    Look,
    fit_to_page,
    header,
    look_of,
    put,
    put_as,
    put_at_save,
    save_atomic,
    style_like,
    wrap_across,
)

__all__ = [
    "CHECK_STATUS",
    "OUTPUT_NOTE",
    "RUN_AT",
    "Provenance",
    "build_model",
    "save_model",
]

INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
INPUT_FONT = Font(name=BODY_FONT, color="0000FF")
TITLE = Font(name=BODY_FONT, bold=True, size=14)
BOLD = Font(name=BODY_FONT, bold=True)


def _title(ws: Worksheet, title: str, note: str) -> None:
    ws["A1"] = title
    ws["A1"].font = TITLE
    ws["A2"] = note
    ws["A2"].font = Font(name=BODY_FONT, italic=True, color="595959")


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
    columns = [[cell_value(v) for v in _input_values(df, n, rows)] for n in names]
    # Written at save unless a value is not a figure, text, a true/false or blank (a
    # date): then every cell of the table is an openpyxl cell (the rows are not mixed).
    at_save = all(type(v) in _PLAIN for values in columns for v in values)
    widest = [_write_input_column(ws, spec, j, values, at_save) for j, values in enumerate(columns)]
    last_row = HEADER_ROW + max(rows, 1)
    ref = f"A{HEADER_ROW}:{get_column_letter(len(names))}{last_row}"
    table = Table(displayName=spec.table, ref=ref)
    # The columns named as the header names them: openpyxl's writer would otherwise read
    # the header from the sheet, making a cell at every position of the table.
    table.tableColumns = [TableColumn(id=k + 1, name=n) for k, n in enumerate(names)]
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
    ws.add_table(table)
    for j, name in enumerate(names):  # fitted to the header and the widest value shown
        ws.column_dimensions[get_column_letter(j + 1)].width = min(
            max(12, len(name) + 6, widest[j] * 1.1 + 3), 70
        )
    wrap_across(ws, 2)
    if "recurrent" in names or "negative_ok" in names:
        dv = DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
        ws.add_data_validation(dv)
        for name in ("recurrent", "negative_ok"):
            if name in names:
                L = get_column_letter(names.index(name) + 1)
                dv.add(f"{L}{HEADER_ROW + 1}:{L}{HEADER_ROW + 5000}")
    ws.freeze_panes = f"A{HEADER_ROW + 1}"  # a name: ws.cell would make the cell


def _input_values(df: pd.DataFrame | None, name: str, rows: int) -> list[object]:
    """One input column's values as the sheet holds them: lists joined, blanks ``None``."""
    if df is None or name not in df.columns:
        return [None] * max(rows, 1)
    values = []
    for v in df[name].tolist():
        if isinstance(v, list | tuple):
            v = ";".join(v)
        values.append(None if v is not None and pd.isna(v) else v)
    return values or [None]


def _input_format(spec: InputTable, j: int) -> str | None:
    """The number format of an input table's column ``j`` (its figures only)."""
    name = spec.names[j]
    if name in ("amount", "baseline", "total", "hcdd_baseline", "value"):
        return MONEY
    if name == "population" or name.endswith("_wp"):
        return "#,##0.000"
    if name in ("practices", "icb_practices"):
        return "#,##0"
    return {Kind.NUMBER: "#,##0.00"}.get(spec.columns[j].kind)


def _write_input_column(
    ws: Worksheet, spec: InputTable, j: int, values: list[object], at_save: bool
) -> int:
    """One column of an input table below its header, each cell styled as its kind.

    ``values`` are as a cell holds them (:func:`~.sheetspec.cell_value`). Each kind of
    cell (a figure in the column's number format, or anything else) is styled once, on a
    cell of its own (:func:`~.xlsx.style_like`); the column's cells take that style and
    are written at save (:func:`~.xlsx.put_at_save`: thousands of practices' cells at
    once), or, with ``at_save`` false, as openpyxl cells (:func:`~.xlsx.put_as`).

    Returns:
        The width of the widest value as its cell shows it (characters), for the column.
    """
    name = spec.names[j]
    fmt = _input_format(spec, j)
    year = name.endswith("year") or name == "years"
    # Each kind's cell, the look it is written in and its number format, by whether the
    # value is a figure (formatted).
    styled: dict[bool, tuple[Cell, Look, str]] = {}
    widths: dict[tuple[type, object, str], int] = {}  # each value shown once
    for i, value in enumerate(values):  # each as a cell holds it (cell_value)
        row = HEADER_ROW + 1 + i
        figure = bool(fmt) and is_figure(value)
        kind = styled.get(figure)
        if kind is None:
            first = style_like(ws, fmt if figure else None)
            if year:
                first.number_format = "@"  # 2026/27 stays text, never a date
            if spec.editable:
                first.fill, first.font = INPUT_FILL, INPUT_FONT
            kind = styled[figure] = (first, look_of(first), first.number_format)
        like, look, number_format = kind
        if at_save:
            put_at_save(ws, row, j + 1, value, look)
        else:
            put_as(ws, row, j + 1, value, like)
        key = (type(value), value, number_format)
        if key not in widths:
            widths[key] = len(shown(value, number_format))
    return max(widths.values(), default=0)


#: The values a cell written at save may hold (:func:`~.xlsx.put_at_save`).
_PLAIN = (type(None), str, int, float, bool)


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
        lines = 1
        for j, text in ((3, p.description), (4, p.allowed), (5, p.source)):
            put(ws, r, j, text).alignment = WRAPPED
            lines = max(lines, wrapped_lines(str(text or ""), POLICY_WIDTHS[j - 1] - 2))
        for j in (1, 2):  # beside the first line of the words
            ws.cell(row=r, column=j).alignment = TOP
        if lines > 1:
            ws.row_dimensions[r].height = 15.0 * lines
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
        wb.defined_names[p.name] = DefinedName(p.name, attr_text=f"{quote_sheet(POLICY)}!$B${r}")
    for letter, width in zip("ABCDE", POLICY_WIDTHS):
        ws.column_dimensions[letter].width = width
    wrap_across(ws, 2)


def _write_cover(wb: Workbook, built: Provenance | None = None) -> None:
    ws = wb.create_sheet(COVER, 0)
    ws["A1"] = "xlalloc model workbook" + (f": {built.icb}" if built and built.icb else "")
    ws["A1"].font = Font(name=BODY_FONT, bold=True, size=18)
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
        label_cell = put(ws, 3 + i, 1, k)
        label_cell.font, label_cell.alignment = BOLD, TOP  # beside the first line of its text
        _wrapped(ws, 3 + i, v)
    sample = ws.cell(row=8, column=2)
    sample.fill, sample.font = INPUT_FILL, INPUT_FONT
    r = 4 + len(lines)
    put(ws, r, 1, "Provenance").font = BOLD
    prov: list[tuple[str, object]] = [
        ("Last run at", find_beside("Summary", RUN_AT, "not run yet")),
        ("Overall check status", find_beside("Summary", CHECK_STATUS, "not run yet")),
        (OVERALL_CHECK, find_beside("Summary", OVERALL_CHECK, "not run yet")),
    ]
    if built is not None:
        prov.append(("Built at", built.built_at))
        prov += [
            (f"Source file ({y})", f"{f}   SHA-256 {h[:12]}… (in full on Sources)")
            for f, y, h in zip(
                built.sources["file"], built.sources["years"], built.sources["sha256"]
            )
        ]
        prov += [("Build note", n) for n in built.notes]
        # Built from NHS England's files: practices, no money. Say what completes it.
        prov += [("Fill in next", f"{sheet}: {what}") for _attr, sheet, what in NEXT_STEPS]
    for i, (name, value) in enumerate(prov):
        put(ws, r + 1 + i, 1, name).alignment = TOP
        if i < 3:
            ws.cell(row=r + 1 + i, column=2, value=value)  # live formulas
        else:
            _wrapped(ws, r + 1 + i, value)
    r += len(prov) + 2
    put(ws, r, 1, "Sheets").font = BOLD
    _header(ws, r + 1, ["sheet", "kind: contents"])
    index = [(POLICY, "input", "named policy parameters")]
    # Each sheet's first sentence: the rest is in row 2 of the sheet itself.
    index += [
        (t.sheet, "input" if t.editable else "record", first_sentence(t.description))
        for t in INPUT_TABLES
    ]
    index += [(s, "output", "written by xlalloc") for s in output_sheets() if s != CHECKS]
    index += [(CHECKS, "checks", "reads 0 when all is well")]
    for i, (sheet, kind, contents) in enumerate(index):
        put(ws, r + 2 + i, 1, sheet).alignment = TOP
        _wrapped(ws, r + 2 + i, f"{kind}: {contents}")
    # A cover, not a table: two columns, the text wrapped in the second, so it prints on
    # one page wide at full size.
    ws.column_dimensions["A"].width = COVER_LABEL_WIDTH
    ws.column_dimensions["B"].width = COVER_TEXT_WIDTH


#: The Policy sheet's columns (parameter, value, description, allowed, source), in
#: characters: the words wrap, so the sheet prints on one landscape page across.
POLICY_WIDTHS = (24, 16, 50, 30, 30)
WRAPPED = Alignment(wrap_text=True, vertical="top")

#: The Cover's two columns, in characters: labels, and text wrapped to fit a portrait page.
COVER_LABEL_WIDTH = 26
COVER_TEXT_WIDTH = 62
TOP = Alignment(vertical="top")


def first_sentence(text: str) -> str:
    """A description's first sentence: up to a full stop before a capital letter.

    "e.g. 2026/27" does not end a sentence.
    """
    return re.split(r"(?<=\.) (?=[A-Z])", text, maxsplit=1)[0]


def _wrapped(ws: Worksheet, row: int, value: object) -> None:
    """Text in the Cover's second column, wrapped, its row as tall as its lines."""
    cell = put(ws, row, 2, value)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if isinstance(value, str):
        lines = wrapped_lines(value, COVER_TEXT_WIDTH - 2)
        if lines > 1:
            ws.row_dimensions[row].height = 15.0 * lines


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
        frame = None if tables is None else tables.get(spec.table)
        if frame is None and spec.table == SIGNOFF.table:  # AQuA's roles, to fill in
            frame = pd.DataFrame({"role": list(ROLES)})
        _write_input_table(ws, spec, frame)
    marking = (policy or ModelPolicy()).protective_marking
    paper = (policy or ModelPolicy()).paper_size or "A4"
    for ws in wb.worksheets:
        fit_to_page(
            ws,
            marking,
            title_rows=None if ws.title == COVER else f"{HEADER_ROW}:{HEADER_ROW}",
            landscape=ws.title != COVER,
            paper=paper,
            one_page=ws.title == COVER,
            title_cols=IDENTIFYING.get(ws.title, "A:A"),
        )
    return wb


#: Input sheets whose rows are identified by more than their first column: the columns
#: repeated on every printed page where a sheet's columns run on.
IDENTIFYING = {
    "Practices": "A:B",
    "PracticeData": "A:B",
    "Activity": "A:B",
    "Reconciliation": "A:E",
}


# --------------------------------------------------------------------------- outputs


def save_model(wb: Workbook, path: str | Path) -> Path:
    """Save deterministically and atomically."""
    save_atomic(wb, path)
    return Path(path)
