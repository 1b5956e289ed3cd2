"""Read a model workbook's inputs once, at the boundary, into validated frames.

Uses python-calamine for speed. Columns are found by header, never by letter:
each input sheet's header row is the first row (of the first ten) that holds
the table's key column. Every problem is reported together, each naming the
sheet, the cell or row, the column and what was expected.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from defusedxml import ElementTree

from ..engine.capitation import COMPONENTS
from ..engine.errors import InputError, Problems
from .schema import INPUT_TABLES, PARAMETERS, POLICY, InputTable, Parameter

TRUE = ("true", "1", "yes", "y")
FALSE = ("false", "0", "no", "n")


@dataclass
class ModelInputs:
    """Validated inputs of a model workbook."""

    practices: pd.DataFrame
    budget: pd.DataFrame
    practice_data: pd.DataFrame
    activity: pd.DataFrame
    place_splits: pd.DataFrame
    baselines: pd.DataFrame
    totals: pd.DataFrame
    params: dict[str, object]


def col_letter(i: int) -> str:
    """Column letter of a 0-based index."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def _sheet_xml_paths(z: zipfile.ZipFile) -> dict[str, str]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    wb = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels}
    out = {}
    for s in wb.find("m:sheets", ns):
        rid = s.get(f"{{{ns['r']}}}id")
        t = target.get(rid, "")
        t = t.lstrip("/")
        out[s.get("name")] = t if t.startswith("xl/") else f"xl/{t}"
    return out


def merged_ranges(path: str | Path) -> dict[str, list[str]]:
    """Merged-cell ranges of every sheet, read from the file's XML (defusedxml)."""
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as z:
        for name, xml in _sheet_xml_paths(z).items():
            if xml not in z.namelist():
                continue
            refs = re.findall(rb'<(?:\w+:)?mergeCell ref="([A-Z0-9:]+)"', z.read(xml))
            if refs:
                out[name] = [r.decode() for r in refs]
    return out


def _range_rows_cols(ref: str) -> tuple[int, int, int, int]:
    def one(a: str) -> tuple[int, int]:
        m = re.fullmatch(r"([A-Z]+)(\d+)", a)
        assert m
        c = 0
        for ch in m.group(1):
            c = c * 26 + ord(ch) - 64
        return int(m.group(2)), c - 1

    a, _, b = ref.partition(":")
    r1, c1 = one(a)
    r2, c2 = one(b or a)
    return r1, c1, r2, c2


def _find_header(rows: list[list[object]], key: str) -> int | None:
    for i, row in enumerate(rows[:10]):
        if any(str(v).strip() == key for v in row):
            return i
    return None


def _read_table(rows: list[list[object]] | None, spec: InputTable, problems: Problems,
                merged: list[str]) -> pd.DataFrame:
    cols = spec.names
    empty = pd.DataFrame(columns=cols)
    if rows is None:
        if not spec.optional:
            problems.add(spec.sheet, f"sheet '{spec.sheet}' is missing; expected a table with "
                                     f"columns {cols}")
        return empty
    h = _find_header(rows, spec.key)
    if h is None:
        problems.add(spec.sheet, f"no header row with '{spec.key}' in the first 10 rows; "
                                 f"expected columns {cols}")
        return empty
    header = [str(v).strip() for v in rows[h]]
    pos = {name: header.index(name) for name in cols if name in header}
    missing = [c.name for c in spec.columns if c.required and c.name not in pos]
    if missing:
        found = [x for x in header if x]
        problems.add(spec.sheet, f"missing column(s) {missing} in the header row {h + 1}; "
                                 f"columns found: {found}; expected: {cols}")
        return empty
    for ref in merged:
        r1, c1, r2, c2 = _range_rows_cols(ref)
        if r2 >= h + 1 and any(c1 <= p <= c2 for p in pos.values()):
            problems.add(spec.sheet, f"merged cells {ref} inside the table; unmerge them "
                                     "(every row needs its own values)", row=r1)
    data = rows[h + 1:]
    # Trailing empty rows are not data.
    while data and all(v in ("", None) for v in data[-1]):
        data.pop()
    out: dict[str, list[object]] = {}
    for c in spec.columns:
        if c.name not in pos:
            out[c.name] = [None] * len(data)
            continue
        j = pos[c.name]
        vals: list[object] = []
        for k, row in enumerate(data):
            excel_row = h + 2 + k
            v = row[j] if j < len(row) else ""
            cell = f"{col_letter(j)}{excel_row}"
            blank = v is None or (isinstance(v, str) and v.strip() == "")
            if blank:
                if not c.allow_blank and c.required:
                    problems.add(spec.sheet, f"cell {cell} is blank; expected {c.kind}"
                                 + (f" ({c.description})" if c.description else ""),
                                 row=excel_row, column=c.name)
                vals.append(None)
                continue
            if c.kind == "number":
                if isinstance(v, bool) or not isinstance(v, int | float):
                    try:
                        v = float(str(v).replace(",", "").replace("£", "").strip())
                    except ValueError:
                        problems.add(spec.sheet, f"cell {cell} holds text {v!r}; expected a "
                                                 "number", row=excel_row, column=c.name)
                        vals.append(None)
                        continue
                if c.minimum is not None and float(v) < c.minimum:
                    problems.add(spec.sheet, f"cell {cell} is {v}; expected at least {c.minimum}",
                                 row=excel_row, column=c.name)
                vals.append(float(v))
            elif c.kind == "bool":
                if isinstance(v, bool):
                    vals.append(v)
                elif str(v).strip().lower() in TRUE + FALSE:
                    vals.append(str(v).strip().lower() in TRUE)
                else:
                    problems.add(spec.sheet, f"cell {cell} is {v!r}; expected TRUE or FALSE",
                                 row=excel_row, column=c.name)
                    vals.append(None)
            else:
                if isinstance(v, float) and v.is_integer():
                    v = int(v)
                vals.append(str(v).strip())
        out[c.name] = vals
    df = pd.DataFrame(out, columns=cols)
    df.attrs["header_row"] = h + 1
    df.attrs["n_rows"] = len(data)
    df.attrs["columns"] = dict(pos)
    return df


def _read_policy(rows: list[list[object]] | None, problems: Problems) -> dict[str, object]:
    params: dict[str, object] = {p.name: p.default for p in PARAMETERS}
    if rows is None:
        problems.add(POLICY, "sheet 'Policy' is missing")
        return params
    h = _find_header(rows, "parameter")
    if h is None:
        problems.add(POLICY, "no header row with 'parameter' and 'value'")
        return params
    header = [str(v).strip() for v in rows[h]]
    if "value" not in header:
        problems.add(POLICY, f"missing column 'value'; columns found: {header}")
        return params
    jp, jv = header.index("parameter"), header.index("value")
    seen = set()
    by_name = {p.name: p for p in PARAMETERS}
    for k, row in enumerate(rows[h + 1:]):
        name = str(row[jp]).strip() if jp < len(row) else ""
        if not name:
            continue
        excel_row = h + 2 + k
        cell = f"{col_letter(jv)}{excel_row}"
        if name not in by_name:
            problems.add(POLICY, f"unknown parameter {name!r}; expected one of "
                                 f"{list(by_name)}", row=excel_row, column="parameter")
            continue
        seen.add(name)
        params[name] = _parameter(by_name[name], row[jv] if jv < len(row) else "", cell,
                                  excel_row, problems)
    for p in PARAMETERS:
        # Optional parameters missing from an older model take their documented default.
        if p.name not in seen and not p.blank_ok:
            problems.add(POLICY, f"parameter {p.name!r} is missing ({p.description})")
    return params


def _parameter(p: Parameter, v: object, cell: str, row: int, problems: Problems) -> object:
    if v is None or (isinstance(v, str) and v.strip() == ""):
        if not p.blank_ok:
            problems.add(POLICY, f"{p.name} (cell {cell}) is blank; expected {p.description}",
                         row=row, column="value")
        return None
    if p.kind == "number":
        try:
            x = float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.add(POLICY, f"{p.name} (cell {cell}) is {v!r}; expected a number",
                         row=row, column="value")
            return None
        lo, hi = p.minimum, p.maximum
        if (lo is not None and x < lo) or (hi is not None and x > hi):
            problems.add(POLICY, f"{p.name} (cell {cell}) is {x:g}; expected between {lo:g} and "
                                 f"{hi:g}" if hi is not None else f"at least {lo:g}",
                         row=row, column="value")
        return x
    text = str(int(v) if isinstance(v, float) and v.is_integer() else v).strip()
    if p.choices and text not in p.choices:
        problems.add(POLICY, f"{p.name} (cell {cell}) is {text!r}; expected one of "
                             f"{list(p.choices)}", row=row, column="value")
    if p.name == "financial_year" and not re.fullmatch(r"\d{4}/\d{2}", text):
        problems.add(POLICY, f"financial_year (cell {cell}) is {text!r}; expected e.g. 2026/27",
                     row=row, column="value")
    return text


@dataclass
class SheetFile:
    """A workbook file's sheet values (python-calamine) and merged ranges, opened once."""

    names: list[str]
    rows: Callable[[str], list[list[object]] | None]
    merged: dict[str, list[str]]


def open_sheets(path: str | Path) -> SheetFile:
    """Open a workbook file for reading inputs.

    Raises:
        InputError: If the file is missing or is not a workbook.
    """
    from python_calamine import CalamineWorkbook

    path = Path(path)
    if not path.exists():
        raise InputError(f"file not found: {path}", where=str(path))
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # calamine raises its own error types
        raise InputError(f"cannot read as a workbook: {e}", where=path.name) from None
    names = list(wb.sheet_names)
    merged = merged_ranges(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}

    def rows(sheet: str) -> list[list[object]] | None:
        if sheet not in names:
            return None
        return [list(r) for r in wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)]

    return SheetFile(names, rows, merged)


def read_model(path: str | Path) -> ModelInputs:
    """Read and validate every input of a model workbook file (python-calamine).

    Raises:
        InputError: Every problem found, each naming sheet, cell or row and column.
    """
    sheets = open_sheets(path)
    return read_model_rows(sheets.rows, sheets.merged)


def read_model_rows(rows: Callable[[str], list[list[object]] | None],
                    merged: Mapping[str, list[str]]) -> ModelInputs:
    """Read and validate a model's inputs from any source of sheet values.

    Args:
        rows: Returns a sheet's values as rows from A1 (``None`` if no such sheet);
            a file read by python-calamine or a live Excel book through xlwings.
        merged: Merged-cell ranges by sheet.

    Raises:
        InputError: Every problem found, each naming sheet, cell or row and column.
    """
    problems = Problems()
    frames = {spec.table: _read_table(rows(spec.sheet), spec, problems,
                                      list(merged.get(spec.sheet, []))) for spec in INPUT_TABLES}
    params = _read_policy(rows(POLICY), problems)
    pr = frames["tblPractices"]
    if "header_row" in pr.attrs and len(pr) == 0:
        problems.add("Practices", f"no practices: add at least one row below the header (row "
                                  f"{pr.attrs['header_row']})")
    dup = pr["practice_code"].duplicated(keep=False) & pr["practice_code"].notna()
    h = pr.attrs.get("header_row", 1)
    for code in sorted(set(pr.loc[dup, "practice_code"])):
        at = [int(i) + h + 1 for i in np.flatnonzero((pr["practice_code"] == code).to_numpy())]
        problems.add("Practices", f"practice {code} appears more than once (rows {at})",
                     column="practice_code")
    bl = frames["tblBaselines"]
    if len(bl):
        places = set(pr["place"].dropna())
        h = bl.attrs.get("header_row", 1)
        for i, p in enumerate(bl["place"]):
            if p is not None and p not in places:
                problems.add("Baselines", f"place {p!r} has no practices; places are "
                                          f"{sorted(places)}", row=h + 1 + i, column="place")
        missing = sorted(places - set(bl["place"].dropna()))
        if missing:
            problems.add("Baselines", f"no baseline for place(s) {missing}")
        if not len(frames["tblTotals"]):
            problems.add("Totals", "baselines are given but no totals by year")
    problems.raise_if_any()
    practices = pr.rename(columns={f"{c}_wp": c for c in COMPONENTS})
    practices["icb_code"] = "ICB"
    practices["icb_name"] = "ICB"
    return ModelInputs(
        practices=practices,
        budget=frames["tblBudget"],
        practice_data=frames["tblPracticeData"],
        activity=frames["tblActivity"],
        place_splits=frames["tblPlaceSplits"],
        baselines=bl,
        totals=frames["tblTotals"],
        params=params,
    )
