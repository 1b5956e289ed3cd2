"""Read a model workbook's inputs once, at the boundary, into validated frames.

Uses python-calamine for speed. Columns are found by header, never by letter:
each input sheet's header row is the first row (of the first ten) that holds
the table's key column. Every problem is reported together, each naming the
sheet, the cell or row, the column and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..engine.capitation import COMPONENTS
from ..engine.errors import InputError, Problems, listed, quoted
from ..engine.frames import SOURCE_ROW
from ..model.assurance import ASSURANCE, recorded_signatures, recorded_values
from ..model.policy import ModelPolicy, ParameterKind
from ..model.schema import INPUT_TABLES, PARAMETERS, POLICY, ROLES, Column, InputTable, Kind
from .archive import cell_flags, check_workbook
from .cells import a1_bounds, col_letter, is_blank, parse_flag, parse_number
from .ooxml import sheet_parts
from .sheets import open_values
from .tables import header_key

if TYPE_CHECKING:
    from .activity import ActivityExtract

__all__ = [
    "KEY_TABLES",
    "ModelInputs",
    "SheetFile",
    "TableLayout",
    "find_header",
    "open_sheets",
    "read_model",
    "read_model_rows",
]


@dataclass(frozen=True)
class TableLayout:
    """Where an input table sits on its sheet, as read (for formulas that trace to it).

    Attributes:
        sheet: The sheet's name.
        header_row: Sheet row of the header.
        n_rows: Number of data rows.
        columns: Column name -> 0-based column index on the sheet.
    """

    sheet: str
    header_row: int
    n_rows: int
    columns: Mapping[str, int]


@dataclass
class ModelInputs:
    """Validated inputs of a model workbook.

    Each frame carries a ``source_row`` column: the sheet row each row was read from.
    """

    practices: pd.DataFrame
    budget: pd.DataFrame
    practice_data: pd.DataFrame
    activity: pd.DataFrame
    place_splits: pd.DataFrame
    baselines: pd.DataFrame
    totals: pd.DataFrame
    policy: ModelPolicy
    layout: dict[str, TableLayout] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # documented defaults used
    warnings: list[str] = field(default_factory=list)  # what may be wrong: columns ignored
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)  # files Practices came from
    years_given: bool = False  # the Practices sheet's year column is filled in
    extracts: ActivityExtract | None = None  # extracts read beside it (xlalloc run --activity)
    cost_centres: pd.DataFrame | None = None  # the ledger's cost centres, for packs
    signoff: pd.DataFrame | None = None  # who commissioned, built, assured and approved it
    previous: dict[str, str] = field(default_factory=dict)  # the last run's Policy, recorded
    # The signatures the last run recorded, with what each was given against.
    signed: dict[tuple[str, str, str], dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if "year" not in self.practices.columns:  # one year: the Policy's
            self.practices = self.practices.assign(year=self.policy.financial_year)

    @property
    def years(self) -> list[str]:
        """The financial years of the Practices sheet, in order."""
        return sorted(set(self.practices["year"]))


def find_header(rows: list[list[object]], key: str) -> int | None:
    """The index of the header row: the first of the first ten rows holding ``key``."""
    for i, row in enumerate(rows[:10]):
        if any(header_key(v) == key for v in row):
            return i
    return None


def _read_table(
    rows: list[list[object]] | None,
    spec: InputTable,
    problems: Problems,
    merged: list[str],
    flags: Mapping[tuple[int, int], str],
    notes: list[str],
    warnings: list[str],
) -> tuple[pd.DataFrame, TableLayout | None]:
    cols = spec.names
    empty = pd.DataFrame(columns=[*cols, SOURCE_ROW])
    if rows is None:
        if not spec.optional:
            problems.add(
                spec.sheet, f"sheet '{spec.sheet}' is missing; expected a table with columns {cols}"
            )
        return empty, None
    found = _table_header(rows, spec, problems, warnings)
    if found is None:
        return empty, None
    h, pos = found
    for ref in merged:
        r1, c1, r2, c2 = a1_bounds(ref)
        if r2 >= h + 1 and any(c1 <= p <= c2 for p in pos.values()):
            problems.add(
                spec.sheet,
                f"merged cells {ref} inside the table; unmerge them "
                "(every row needs its own values)",
                row=r1,
            )
    data = rows[h + 1 :]
    # Trailing empty rows are not data.
    while data and all(v in ("", None) for v in data[-1]):
        data.pop()
    out: dict[str, list[object]] = {}
    for c in spec.columns:
        if c.name not in pos:
            out[c.name] = [c.default] * len(data)
        else:
            out[c.name] = _read_column(spec, c, pos[c.name], h, data, flags, problems, notes)
    df = pd.DataFrame(out, columns=cols)
    df[SOURCE_ROW] = np.arange(h + 2, h + 2 + len(data), dtype=np.int64)
    return df, TableLayout(spec.sheet, h + 1, len(data), dict(pos))


def _table_header(
    rows: list[list[object]], spec: InputTable, problems: Problems, warnings: list[str]
) -> tuple[int, dict[str, int]] | None:
    """The header row's index and each table column's position.

    ``None``, with a problem, when the header or a required column is missing.
    """
    cols = spec.names
    h = find_header(rows, spec.key)
    if h is None:
        problems.add(
            spec.sheet,
            f"no header row with '{spec.key}' in the first 10 rows; expected columns {cols}",
        )
        return None
    header = [header_key(v) for v in rows[h]]
    twice = sorted({k for k in header if k and header.count(k) > 1})
    for key in twice:
        at = [col_letter(j) for j, x in enumerate(header) if x == key]
        problems.add(
            spec.sheet,
            f"column '{key}' appears more than once in the header row "
            f"{h + 1} (columns {', '.join(at)}); keep one",
            column=key,
        )
    pos = {name: header.index(name) for name in cols if name in header}
    extra = [str(rows[h][j]).strip() for j, k in enumerate(header) if k and k not in cols]
    if extra:
        warnings.append(
            f"{spec.sheet}: column(s) {quoted(extra)} are not part of the table and were "
            f"ignored; its columns are {quoted(cols)}"
        )
    missing = [c.name for c in spec.columns if c.required and c.name not in pos]
    if missing:
        found = [x for x in header if x]
        problems.add(
            spec.sheet,
            f"missing column(s) {quoted(missing)} in the header row {h + 1}; "
            f"columns found: {quoted(found)}; expected: {quoted(cols)}",
        )
        return None
    return h, pos


def _read_column(
    spec: InputTable,
    c: Column,
    j: int,
    h: int,
    data: list[list[object]],
    flags: Mapping[tuple[int, int], str],
    problems: Problems,
    notes: list[str],
) -> list[object]:
    """One column's values.

    Converted at once when every cell is plainly of its kind; otherwise cell by cell,
    each problem named by its cell.
    """
    column = [row[j] if j < len(row) else "" for row in data]
    flagged = {r: why for (r, cj), why in flags.items() if cj == j and r > h + 1}
    fast = None if flagged else _fast_column(column, c)
    if fast is not None:
        if c.kind is Kind.NUMBER and c.minimum is not None:
            for low in np.flatnonzero(np.asarray(fast) < c.minimum).tolist():
                problems.add(
                    spec.sheet,
                    f"cell {col_letter(j)}{h + 2 + low} is "
                    f"{fast[low]:g}; expected at least {c.minimum:g}",
                    row=h + 2 + low,
                    column=c.name,
                )
        return list(fast)
    vals: list[object] = []
    defaulted: list[int] = []
    for k, v in enumerate(column):
        excel_row = h + 2 + k
        cell = f"{col_letter(j)}{excel_row}"
        if excel_row in flagged:
            problems.add(
                spec.sheet, f"cell {cell} {flagged[excel_row]}", row=excel_row, column=c.name
            )
            vals.append(None)
            continue
        if is_blank(v):
            if not c.allow_blank and c.required:
                problems.add(
                    spec.sheet,
                    f"cell {cell} is blank; expected {c.kind}"
                    + (f" ({c.description})" if c.description else ""),
                    row=excel_row,
                    column=c.name,
                )
            elif c.default is not None:
                defaulted.append(excel_row)
            vals.append(c.default)
            continue
        vals.append(_cell(v, c.kind, c.minimum, spec.sheet, cell, excel_row, c.name, problems))
    if defaulted:
        shown = ", ".join(map(str, defaulted[:10])) + (" ..." if len(defaulted) > 10 else "")
        notes.append(
            f"{spec.sheet}: {len(defaulted)} blank '{c.name}' cell(s) read as "
            f"{str(c.default).upper()}, the documented default (rows {shown})"
        )
    return vals


def _fast_column(column: list[object], c: Column) -> list[object] | None:
    """A whole column converted at once when every cell is plainly of its kind.

    Numbers: every cell a finite number (not TRUE/FALSE); text: every cell text, blanks
    (empty or spaces) only where the column may be blank and has no default (they are
    read as missing, as cell by cell). Anything else (blanks to report or default, text
    in numbers, errors) goes cell by cell, so that each problem and default is named;
    the results are the same either way.
    """
    if c.kind is Kind.NUMBER:
        if not all(type(v) is float or type(v) is int for v in column):
            return None
        arr = np.asarray(column, dtype=np.float64)
        return arr.tolist() if np.isfinite(arr).all() else None
    if c.kind is Kind.TEXT:
        if not all(type(v) is str for v in column):
            return None
        stripped: list[object] = [str(v).strip() for v in column]
        if all(stripped):
            return stripped
        if c.default is None and (c.allow_blank or not c.required):
            return [v or None for v in stripped]
    return None


def _cell(
    v: object,
    kind: Kind,
    minimum: float | None,
    sheet: str,
    cell: str,
    row: int,
    column: str,
    problems: Problems,
) -> object:
    """One non-blank cell converted to its column's kind (``None`` and a problem if not)."""
    if kind is Kind.NUMBER:
        try:
            x = parse_number(v)
        except ValueError:
            problems.add(
                sheet, f"cell {cell} holds text {v!r}; expected a number", row=row, column=column
            )
            return None
        if minimum is not None and x < minimum:
            problems.add(
                sheet,
                f"cell {cell} is {x:g}; expected at least {minimum:g}",
                row=row,
                column=column,
            )
        return x
    if kind is Kind.BOOL:
        try:
            return parse_flag(v)
        except ValueError:
            problems.add(
                sheet, f"cell {cell} is {v!r}; expected TRUE or FALSE", row=row, column=column
            )
            return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    if kind is Kind.LIST:
        return tuple(m.strip() for m in re.split(r"[;,]", text) if m.strip())
    return text


def _read_policy(
    rows: list[list[object]] | None, problems: Problems, flags: Mapping[tuple[int, int], str]
) -> ModelPolicy:
    """The Policy sheet's parameters, validated by :class:`ModelPolicy`."""
    if rows is None:
        problems.add(POLICY, "sheet 'Policy' is missing")
        return ModelPolicy()
    h = find_header(rows, "parameter")
    if h is None:
        problems.add(POLICY, "no header row with 'parameter' and 'value'")
        return ModelPolicy()
    header = [header_key(v) for v in rows[h]]
    if "value" not in header:
        problems.add(
            POLICY, f"missing column 'value'; columns found: {quoted(h for h in header if h)}"
        )
        return ModelPolicy()
    jp, jv = header.index("parameter"), header.index("value")
    by_name = {p.name: p for p in PARAMETERS}
    values: dict[str, object] = {}
    cells: dict[str, str] = {}
    at: dict[str, int] = {}
    for k, row in enumerate(rows[h + 1 :]):
        name = str(row[jp]).strip() if jp < len(row) else ""
        if not name:
            continue
        excel_row = h + 2 + k
        cell = f"{col_letter(jv)}{excel_row}"
        if name not in by_name:
            problems.add(
                POLICY,
                f"unknown parameter {name!r}; expected one of {listed(by_name)}",
                row=excel_row,
                column="parameter",
            )
            continue
        if name in at:
            problems.add(
                POLICY,
                f"parameter {name!r} is listed twice (rows {at[name]} and {excel_row}); keep one",
                row=excel_row,
                column="parameter",
            )
            continue
        at[name], cells[name] = excel_row, cell
        p = by_name[name]
        v = row[jv] if jv < len(row) else ""
        if (excel_row, jv) in flags:
            problems.add(
                POLICY,
                f"{name} (cell {cell}) {flags[(excel_row, jv)]}",
                row=excel_row,
                column="value",
            )
            continue
        if is_blank(v):
            values[name] = None
        elif p.kind in (ParameterKind.NUMBER, ParameterKind.WHOLE):
            try:
                values[name] = parse_number(v)
            except ValueError:
                problems.add(
                    POLICY,
                    f"{name} (cell {cell}) is {v!r}; expected a number",
                    row=excel_row,
                    column="value",
                )
        else:
            values[name] = str(int(v) if isinstance(v, float) and v.is_integer() else v).strip()
    _missing_parameters(values, cells, at, problems)
    given = {k: v for k, v in values.items() if v is not None or by_name[k].blank_ok}
    try:
        return ModelPolicy.build(given, where=POLICY, cells=cells, rows=at)
    except InputError as e:
        problems.extend(e)  # reported with every other problem; defaults stand in meanwhile
        return ModelPolicy()


def _missing_parameters(
    values: Mapping[str, object],
    cells: Mapping[str, str],
    at: Mapping[str, int],
    problems: Problems,
) -> None:
    """Parameters missing from the sheet, or blank where a value is needed.

    Optional parameters missing from an older model take their documented default.
    """
    for p in PARAMETERS:
        if p.name not in at and not p.blank_ok:
            problems.add(POLICY, f"parameter {p.name!r} is missing ({p.description})")
        if p.name in values and values[p.name] is None and not p.blank_ok:
            problems.add(
                POLICY,
                f"{p.name} (cell {cells[p.name]}) is blank; expected {p.description}",
                row=at[p.name],
                column="value",
            )


@dataclass
class SheetFile:
    """A workbook file's sheet values and merged ranges, opened once (:mod:`.sheets`)."""

    names: list[str]
    rows: Callable[[str], list[list[object]] | None]
    merged: dict[str, list[str]]
    flags: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    parts: dict[str, bytes] = field(default_factory=dict)  # the package, as checked


def open_sheets(path: str | Path, sheets: Collection[str] | None = None) -> SheetFile:
    """Open a workbook file for reading inputs, after the archive checks.

    Args:
        path: The workbook.
        sheets: The sheets to be read (default: Policy and every input sheet); only
            these are scanned for formulas without results and merged cells.

    Raises:
        InputError: If the file is missing, empty, encrypted, not a workbook, beyond
            the archive limits or declares XML entities (:mod:`.archive`).
    """
    path = Path(path)
    flags: dict[str, dict[tuple[int, int], str]] = {}
    merged: dict[str, list[str]] = {}
    parts: dict[str, bytes] = {}
    by_part: dict[str, str] = {}
    read = set(sheets) if sheets is not None else {POLICY, *(s.sheet for s in INPUT_TABLES)}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        parts = check_workbook(path)
        by_part = sheet_parts(parts)
        for sheet, part in by_part.items():
            if sheet not in read:  # output sheets: never read as inputs, never scanned
                continue
            flags[sheet] = cell_flags(parts, part)
            refs = re.findall(rb'<(?:\w+:)?mergeCell ref="([A-Z0-9:]+)"', parts.get(part, b""))
            if refs:
                merged[sheet] = [r.decode() for r in refs]
    elif not path.is_file():
        raise InputError(
            f"file not found: {path}"
            if not path.exists()
            else f"{path} is a folder; expected a workbook file",
            where=str(path),
        )
    wb = open_values(path)
    names = wb.sheet_names
    read_now: dict[str, list[list[object]] | Exception] = {}
    if by_part:  # every sheet to be read, read together, the largest first
        wanted = [s for s in names if s in by_part and s in read]
        wanted.sort(key=lambda s: -len(parts.get(by_part[s], b"")))
        read_now = wb.rows_of(wanted)

    def rows(sheet: str) -> list[list[object]] | None:
        if sheet not in names:
            return None
        try:
            found = read_now.pop(sheet, None)
            if isinstance(found, Exception):
                raise found
            values = found if found is not None else wb.read(sheet)
        except Exception as e:  # each sheet is read when asked; the readers raise their own
            raise InputError(
                f"sheet '{sheet}' cannot be read (the file is damaged?): {e}", where=path.name
            ) from None
        return values

    return SheetFile(names, rows, merged, flags, parts)


def model_path(path: str | Path) -> Path:
    """The path of a model workbook xlalloc can run and validate: ``.xlsx`` or ``.xlsm``.

    ``validate`` and ``run`` both check it first, so a legacy ``.xls`` is refused the same
    way by both (``validate`` used to read it and call it fine).

    Raises:
        InputError: For any other extension.
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError(
            "xlalloc runs .xlsx and .xlsm workbooks; open it in Excel "
            "and save it as an Excel Workbook (.xlsx)",
            where=str(path),
        )
    return path


#: The tables ``xlalloc activity`` needs of a model: its practices and budget lines.
KEY_TABLES = ("tblPractices", "tblBudget")


def read_model(path: str | Path, tables: Collection[str] | None = None) -> ModelInputs:
    """Read and validate the inputs of a model workbook file.

    Args:
        path: The model workbook.
        tables: Read only these input tables (and the Policy sheet), e.g.
            :data:`KEY_TABLES`; the others are left empty and not checked. Default: all.

    Raises:
        InputError: Every problem found, each naming sheet, cell or row and column.
    """
    sheets = None
    if tables is not None:
        sheets = {POLICY, *(spec.sheet for spec in INPUT_TABLES if spec.table in tables)}
    file = open_sheets(path, sheets)
    return read_model_rows(file.rows, file.merged, file.flags, tables)


def read_model_rows(
    rows: Callable[[str], list[list[object]] | None],
    merged: Mapping[str, list[str]],
    flags: Mapping[str, Mapping[tuple[int, int], str]] | None = None,
    tables: Collection[str] | None = None,
) -> ModelInputs:
    """Read and validate a model's inputs from any source of sheet values.

    Args:
        rows: Returns a sheet's values as rows from A1 (``None`` if no such sheet);
            a file read by python-calamine or a live Excel book through xlwings.
        merged: Merged-cell ranges by sheet.
        flags: Cells that must not be read as values, by sheet: (row, 0-based column)
            -> why (formulas without stored results, Excel errors).
        tables: Read only these input tables (see :func:`read_model`). Default: all.

    Raises:
        InputError: Every problem found, each naming sheet, cell or row and column.
    """
    problems = Problems()
    flags = flags or {}
    notes: list[str] = []
    warnings: list[str] = []
    read = {
        spec.table: _read_table(
            rows(spec.sheet),
            spec,
            problems,
            list(merged.get(spec.sheet, [])),
            flags.get(spec.sheet, {}),
            notes,
            warnings,
        )
        if tables is None or spec.table in tables
        else (pd.DataFrame(columns=[*spec.names, SOURCE_ROW]), None)  # not asked for
        for spec in INPUT_TABLES
    }
    frames = {k: df for k, (df, _) in read.items()}
    layout = {spec.sheet: lay for spec in INPUT_TABLES if (lay := read[spec.table][1]) is not None}
    policy = _read_policy(rows(POLICY), problems, flags.get(POLICY, {}))
    pr = frames["tblPractices"]
    if "Practices" in layout and len(pr) == 0:
        problems.add(
            "Practices",
            f"no practices: add at least one row below the header (row "
            f"{layout['Practices'].header_row})",
        )
    years_given = bool(pr["year"].notna().any())
    pr = _practice_years(pr, policy.financial_year, problems)
    _check_keys_and_places(frames, pr, problems)
    _check_totals_years(frames["tblTotals"], pr, years_given, policy.financial_year, problems)
    problems.raise_if_any()
    practices = pr.rename(columns={f"{c}_wp": c for c in COMPONENTS})
    record = rows(ASSURANCE) if tables is None else None  # what the last run recorded
    practices["icb_code"] = "ICB"
    practices["icb_name"] = policy.icb_name or "ICB"
    return ModelInputs(
        practices=practices,
        budget=frames["tblBudget"],
        practice_data=frames["tblPracticeData"],
        activity=frames["tblActivity"],
        place_splits=frames["tblPlaceSplits"],
        baselines=frames["tblBaselines"],
        totals=frames["tblTotals"],
        policy=policy,
        layout=layout,
        notes=notes,
        warnings=warnings,
        sources=frames["tblSources"],
        years_given=years_given,
        cost_centres=frames["tblCostCentres"],
        signoff=frames["tblSignoff"],
        previous=recorded_values(record),
        signed=recorded_signatures(record),
    )


def _check_keys_and_places(
    frames: Mapping[str, pd.DataFrame], pr: pd.DataFrame, problems: Problems
) -> None:
    """Check keys given once, the Sign-off's roles, and baselines against places.

    Each baseline's place has practices and each place a baseline, with totals to
    converge.
    """
    for table, key in (("tblTotals", "year"), ("tblBaselines", "place")):
        frame = frames[table]
        names = frame[key].map(lambda v: None if v is None else str(v).strip().lower())
        for value in sorted(set(names[names.duplicated(keep=False) & names.notna()])):
            at = frame.loc[names == value, SOURCE_ROW].tolist()
            problems.add(
                table[3:],
                f"{key} '{frame.loc[names == value, key].iloc[0]}' appears "
                f"more than once (rows {listed(at)}); keep one",
                column=key,
            )
    _check_roles(frames["tblSignoff"], problems)
    bl = frames["tblBaselines"]
    if len(bl):
        places = set(pr["place"].dropna())
        for p, r in zip(bl["place"], bl[SOURCE_ROW]):
            if p is not None and p not in places:
                problems.add(
                    "Baselines",
                    f"place '{p}' has no practices; the places are {listed(sorted(places))}",
                    row=int(r),
                    column="place",
                )
        missing = sorted(places - set(bl["place"].dropna()))
        if missing:
            problems.add("Baselines", f"no baseline for place(s) {listed(missing)}")
        if not len(frames["tblTotals"]):
            problems.add("Totals", "baselines are given but no totals by year")


def _check_totals_years(
    totals: pd.DataFrame,
    pr: pd.DataFrame,
    years_given: bool,
    financial_year: str,
    problems: Problems,
) -> None:
    """Each Totals year is a year the model converges: one of its practices' years.

    A model of several years (the Practices sheet's years) converges in those years
    only; a model of one year converges from its financial year on, on its targets. A total
    for another year (2025/26 in a 2026/27 to 2028/29 model: typed a year out) would be
    converged on the wrong year's targets, so it is an input error naming its row.
    """
    if not len(totals):
        return
    years = sorted({str(y) for y in pr["year"].dropna()}) if years_given else []
    if len(years) < 2:
        years = []  # one year's practices: it converges from that year on, as one
    elif financial_year not in years:
        return  # the financial year itself is wrong: the run names that, the cause
    for year, row in zip(totals["year"], totals[SOURCE_ROW]):
        text = str(year).strip() if year is not None else ""
        if not text:
            continue
        if years and text not in years:
            why = f"the model's years are {listed(years)} (the Practices sheet)"
        elif not years and text < financial_year:
            why = f"the model's financial year is {financial_year}: totals are for it or later"
        else:
            continue
        problems.add(
            "Totals",
            f"year '{text}' is not a year this model converges: {why}",
            row=int(row),
            column="year",
        )


def _check_roles(signoff: pd.DataFrame, problems: Problems) -> None:
    """Each Sign-off row names one of AQuA's roles, once."""
    seen: dict[str, int] = {}
    for role, row in zip(signoff.get("role", []), signoff.get(SOURCE_ROW, [])):
        key = str(role).strip().lower()
        if key not in ROLES:
            problems.add(
                "Sign-off",
                f"role {role!r} is not one of AQuA's roles: {', '.join(ROLES)}",
                row=int(row),
                column="role",
            )
        elif key in seen:
            problems.add(
                "Sign-off",
                f"the {key} is named twice (rows {seen[key]} and {int(row)}); give one row a "
                "role (put a second name in the note)",
                row=int(row),
                column="role",
            )
        else:
            seen[key] = int(row)


YEAR = re.compile(r"\d{4}/\d{2}")


def _practice_years(pr: pd.DataFrame, financial_year: str, problems: Problems) -> pd.DataFrame:
    """Check the Practices sheet's years: all blank (one year) or all given.

    A practice appears at most once a year and is in the same place every year
    (place definitions are keyed by practice code).
    """
    year = pr["year"]
    blank = year.isna()
    if blank.all():
        pr = pr.assign(year=financial_year)
    else:
        for r in pr.loc[blank, SOURCE_ROW]:
            problems.add(
                "Practices",
                "year is blank while other rows give one; give every "
                "row its financial year, e.g. 2026/27",
                row=int(r),
                column="year",
            )
        bad = ~blank & ~year.astype(str).str.fullmatch(YEAR.pattern)
        for v, r in zip(year[bad], pr.loc[bad, SOURCE_ROW]):
            problems.add(
                "Practices",
                f"year {v!r} is not a financial year such as 2026/27",
                row=int(r),
                column="year",
            )
    keyed = pr.dropna(subset=["practice_code"])
    keys = pd.MultiIndex.from_arrays([keyed["year"].map(str), keyed["practice_code"].map(str)])
    dup = keys.duplicated(keep=False)
    for y, code in sorted(set(keys[dup])):
        at = keyed.loc[dup & (keys == (y, code)), SOURCE_ROW].tolist()
        in_year = f" in {y}" if not blank.all() else ""
        problems.add(
            "Practices",
            f"practice {code} appears more than once{in_year} (rows {at})",
            column="practice_code",
        )
    places = pr.dropna(subset=["practice_code", "place"])
    n = places.groupby("practice_code")["place"].nunique()
    for code in n[n > 1].index:
        rows = places[places["practice_code"] == code]
        listed = "; ".join(f"{p} (row {r})" for p, r in zip(rows["place"], rows[SOURCE_ROW]))
        problems.add(
            "Practices",
            f"practice {code} is in different places in different "
            f"years: {listed}; a practice is in one place in every year",
            column="place",
        )
    return pr
