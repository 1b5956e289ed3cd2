"""Read NHS England's published GP-practice weighted populations.

NHS England publishes one row per GP practice with its registered population
and nine weighted populations (the need-weighted "heads" behind ICB
allocations). Column names change from year to year (``pop 2022/23``,
``Population``, ``Registered Patients``; ``Final WP``, ``Core WP``; ``ICS22``,
``ICB``; stray spaces, a byte-order mark). This module finds columns by header,
never by position, and returns one normalised frame with stable keys.

Source: NHS England, ICB allocations 2022/23 to 2028/29, GP-practice weighted
populations behind the place-based allocation tool (Open Government Licence v3).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.capitation import COMPONENTS
from ..engine.errors import InputError, Problem, Problems, nearest, option, rows_text
from ..engine.frames import is_blank
from .cells import col_letter
from .tables import csv_columns, csv_rows, csv_table, workbook_sheets

#: Organisation columns: normalised key -> header patterns (full match, case-insensitive).
ORG_COLUMNS: dict[str, str] = {
    "practice_code": r"practice_code",
    "practice_name": r"gp_practice_name",
    "pcn_code": r"pcn_code",
    "pcn_name": r"pcn_name",
    "sub_icb_code": r"loc\d*",
    "sub_icb_name": r"loc\d*name",
    "icb_code": r"ic[sb]\d*",
    "icb_name": r"ic[sb]\d*name",
    "region_code": r"r\d+|rcode",
    "region_name": r"region\d*",
    "lad_code": r"lad\d*",
    "lad_name": r"ltla\d*|ladname",
}

#: Population column patterns (registered population used by NHS England's tool).
POPULATION_COLUMN = r"pop \d{4}/\d{2}|population|registered patients"

#: Weighted-population columns: stable key -> header pattern.
WP_COLUMNS: dict[str, str] = {
    "ga": r"g&a wp",
    "community": r"cs wp",
    "mental_health": r"mh wp",
    "maternity": r"mat wp",
    "prescribing": r"prescr wp",
    "core": r"final wp|core wp",
    "pmc": r"final pmc wp",
    "pmc_need": r"primary medical care wp|primary medical care need",
    "health_inequalities": r"health ineq wp",
}

REQUIRED = ("practice_code", "icb_code", "population", *COMPONENTS)

#: Columns of the normalised frame, in order.
FRAME_COLUMNS = [
    "year",
    "source",
    *ORG_COLUMNS,
    "population",
    *COMPONENTS,
    "filled",
]


class BlankWP(StrEnum):
    """How a blank weighted population is read: an error (the default), or zero need.

    Zero is an explicit choice; each filled cell is named in the ``filled`` column and
    in the model's provenance. The values are the Python API's ``blank_wp`` strings.
    """

    ERROR = "error"
    ZERO = "zero"


#: The ``blank_wp`` values accepted.
BLANK_POLICIES = tuple(b.value for b in BlankWP)

assert tuple(WP_COLUMNS) == COMPONENTS


def _norm(header: object) -> str:
    text = str(header).replace("\ufeff", "").strip().lower()
    return re.sub(r"\s+", " ", text)


def match_columns(headers: Iterable[object], where: str) -> dict[str, str]:
    """Map normalised keys to the headers that carry them.

    Args:
        headers: Column headers as read.
        where: File (and sheet) name for error messages.

    Returns:
        ``{key: original header}`` for every key found.

    Raises:
        InputError: If a required column is missing, listing the columns found
            and the columns expected.
    """
    headers = list(headers)
    patterns = _patterns()
    # A known column given twice: which one is the data? (Read as a frame of two columns
    # it ended in "unexpected error".)
    seen: dict[str, list[int]] = {}
    for j, h in enumerate(headers):
        if any(re.fullmatch(pat, _norm(h)) for pat in patterns.values()):
            seen.setdefault(_norm(h), []).append(j)
    twice = {k: js for k, js in seen.items() if len(js) > 1}
    if twice:
        raise InputError(
            "; ".join(
                f"column {str(headers[js[0]])!r} appears {len(js)} times (columns "
                + ", ".join(col_letter(j) for j in js)
                + "); keep one"
                for js in twice.values()
            ),
            where=where,
        )
    found = match_columns_optional(headers)
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        expected = "; ".join(f"{k} ({(patterns[k]).replace('|', ' or ')})" for k in missing)
        looks_like = "practice_code" in found and {"population", "core"} & set(found)
        raise InputError(
            (
                ""
                if looks_like
                else "this is not NHS England's GP-practice weighted population file ("
            )
            + f"unknown layout: missing {expected}. Columns found: "
            + ", ".join(repr(str(h)) for h in headers)
            + ("" if looks_like else ")"),
            where=where,
        )
    return found


def _patterns() -> dict[str, str]:
    return {**ORG_COLUMNS, "population": POPULATION_COLUMN, **WP_COLUMNS}


def match_columns_optional(headers: Iterable[object]) -> dict[str, str]:
    """``{key: original header}`` for every known column among ``headers`` (never raises)."""
    found: dict[str, str] = {}
    for key, pat in _patterns().items():
        hits = [str(h) for h in headers if re.fullmatch(pat, _norm(h))]
        if hits:
            found[key] = hits[0]
    return found


def year_from_name(name: str) -> str | None:
    """Financial year ``YYYY/YY`` from a file or sheet name, if it names one.

    Example:
        >>> year_from_name("ICB_Place_Based_Tool_2627-2829__2027_2028.csv")
        '2027/28'
        >>> year_from_name("GP_wp_202324")
        '2023/24'
    """
    m = re.search(r"(20\d\d)_(20\d\d)(?!.*20\d\d_20\d\d)", name)
    if m and int(m.group(2)) == int(m.group(1)) + 1:
        return f"{m.group(1)}/{m.group(2)[2:]}"
    m = re.search(r"(20\d\d)(\d\d)$", name)
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"{m.group(1)}/{m.group(2)}"
    # As people write a year in a name: "2026-27", "2026_27", "2026 27", "2026-2027".
    for m in re.finditer(r"(?<!\d)(20\d\d)[-_ /](20)?(\d\d)(?!\d)", name):
        if int(m.group(3)) == (int(m.group(1)) + 1) % 100:
            return f"{m.group(1)}/{m.group(3)}"
    return None


#: How a user gives a file's year where its name does not carry it.
YEAR_HINT = (
    "name the file with its year (e.g. '..._2026_2027.csv' or '... 2026-27.csv') or give "
    "the year with the command's year option"
)


def _organisations(raw: pd.DataFrame, cols: dict[str, str], year: str, source: str) -> pd.DataFrame:
    """The year, the file and each organisation column (codes in capitals, blanks NA)."""
    out = pd.DataFrame(index=raw.index)
    out["year"] = year
    out["source"] = source
    for key in ORG_COLUMNS:
        if key in cols:  # codes as NHS England writes them: b83009 is B83009
            out[key] = _text(raw[cols[key]], upper=key.endswith("_code"))
        else:
            out[key] = pd.Series(pd.NA, index=raw.index, dtype="string")
    return out


def _text(values: pd.Series, upper: bool = False) -> pd.Series:
    """A column as text: each value stripped (and in capitals if ``upper``), blanks NA.

    A column of text only (every CSV column) is stripped with ``str.strip`` mapped over
    it in C; a workbook's column, which may hold numbers and blanks, one value at a
    time. (pandas' string methods, one call per step, took most of the time a year's
    file took to read.)
    """
    cells = values.tolist()
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":
        texts = list(map(str.strip, cells))
        if upper:
            texts = list(map(str.upper, texts))
        out: list[str | None] = [t or None for t in texts]
    else:
        out = []
        for v in cells:
            if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
                out.append(None)
                continue
            t = str(v).strip()
            out.append((t.upper() if upper else t) or None)
    return pd.Series(out, index=values.index, dtype="string")


def _numbers(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A column's numbers (NaN where a value is none) and whether each value is blank.

    Converted column-wise by :func:`pandas.to_numeric`; only the values it could not
    read are looked at one by one, for whether they are blank (missing, or text of
    nothing but spaces) or something else.
    """
    num = pd.to_numeric(values, errors="coerce")
    blank = np.zeros(len(values), dtype=bool)
    unread = np.flatnonzero(num.isna().to_numpy())
    if len(unread):
        cells = values.to_numpy(dtype=object)[unread]
        blank[unread] = [is_blank(v) for v in cells]
    return num, blank


def _number_problems(
    num: pd.Series,
    text: pd.Series,
    codes: pd.Series,
    header: str,
    source: str,
    first: int,
    problems: Problems,
) -> None:
    """Each practice whose figure in a column is blank, not a number, or negative."""
    bad = num.isna() | ~np.isfinite(num.astype("float64"))
    for i in np.flatnonzero(bad.to_numpy()):
        value = text.iloc[i]
        what = (
            f"is blank (never filled silently; pass {option('blank_as_zero')}, or "
            "blank_wp='zero' "
            "in Python, to count it as zero need, recorded in 'filled')"
            if pd.isna(value) or str(value).strip() == ""
            else f"is not a number ({value!r})"
        )
        problems.add(
            source,
            f"practice {codes.iloc[i]}: {header} {what}",
            row=int(i) + first,
            column=header,
        )
    neg = (num < 0).fillna(False)
    for i in np.flatnonzero(neg.to_numpy()):
        problems.add(
            source,
            f"practice {codes.iloc[i]}: {header} is negative",
            row=int(i) + first,
            column=header,
        )


def normalise(
    raw: pd.DataFrame,
    year: str,
    source: str,
    blank_wp: BlankWP | str = BlankWP.ERROR,
    first_row: int = 2,
) -> pd.DataFrame:
    """Turn one published table into the normalised frame.

    Args:
        raw: The table as read, every cell as text or number.
        year: Financial year, e.g. ``"2025/26"``.
        source: File (and sheet) it came from.
        blank_wp: ``"error"`` to report a blank weighted population as an
            error, or ``"zero"`` to read it as zero need and name the component
            in the practice's ``filled`` column. NHS England's 2022/23 file
            leaves maternity blank for 17 tiny or special practices, and its
            national totals hold only when those blanks count as zero.
        first_row: The file's row number of ``raw``'s first data row (messages
            name rows as the user sees them).

    Returns:
        Normalised frame with :data:`FRAME_COLUMNS`.

    Raises:
        InputError: Unknown layout, or blank or non-numeric population or
            weighted population (naming each practice), or a duplicate practice.
    """
    cols = match_columns(raw.columns, source)
    if not len(raw):
        raise InputError(
            "the file has a header row and no practices below it; is it the whole file?",
            where=source,
        )
    out = _organisations(raw, cols, year, source)
    if blank_wp not in BLANK_POLICIES:
        raise InputError(
            f"blank_wp must be one of {BLANK_POLICIES}; got {blank_wp!r}", where="blank_wp"
        )
    blank_wp = BlankWP(blank_wp)
    problems = Problems()
    first = first_row
    filled = pd.Series("", index=raw.index, dtype="object")
    codes = out["practice_code"]
    blank_code = codes.isna()
    for i in np.flatnonzero(blank_code.to_numpy()):
        problems.add(
            source, "practice code is blank", row=int(i) + first, column=cols["practice_code"]
        )
    for key in ("population", *COMPONENTS):
        header = cols[key]
        text = raw[header]
        num, blank_cells = _numbers(text)
        blank = pd.Series(blank_cells, index=text.index)
        if blank_wp is BlankWP.ZERO and key != "population" and blank.any():
            num = num.mask(blank, 0.0)
            filled = filled.mask(blank, filled + np.where(filled == "", "", ";") + key)
        _number_problems(num, text, codes, header, source, first, problems)
        out[key] = num.astype("float64")
    dup = codes.duplicated(keep=False) & ~blank_code
    for code in sorted(set(codes[dup])):
        rows = [int(i) + first for i in np.flatnonzero((codes == code).to_numpy())]
        problems.add(source, f"practice {code} appears more than once (rows {rows_text(rows)})")
    problems.raise_if_any()
    out["filled"] = filled.mask(filled == "")
    return out[FRAME_COLUMNS].reset_index(drop=True)


def _check_widths(width: int, odd: dict[int, list[str]], where: str) -> None:
    """Refuse rows with more or fewer cells than the header (a comma inside a value).

    ``odd`` holds the rows whose number of cells is not the header's (``width``), by row
    number; a short row of blanks (a blank line) is let through.
    """
    bad: dict[int, list[int]] = {}
    for i, r in odd.items():
        if not (len(r) < width and all(is_blank(v) for v in r)):
            bad.setdefault(len(r), []).append(i)
    if bad:
        raise InputError(
            [
                Problem(
                    where,
                    f"{n} cells where the header has {width}"
                    + (f" (rows {rows_text(at)})" if len(at) > 1 else "")
                    + ": a comma inside a value, or cells missing; use the file as NHS "
                    "England publishes it",
                    row=at[0],
                )
                for n, at in sorted(bad.items())
            ]
        )


def read_file(
    path: str | Path, blank_wp: BlankWP | str = BlankWP.ERROR, year: str | None = None
) -> pd.DataFrame:
    """Read one published file (CSV, or XLSX with one sheet per year).

    Args:
        path: A file as NHS England published it.
        blank_wp: See :func:`normalise`.
        year: The financial year of a CSV file whose name does not carry one (a name
            that does is read by its name).

    Returns:
        The normalised frame (several years for a multi-sheet workbook).

    Raises:
        InputError: If the layout is unknown, the year cannot be told from the
            file or sheet name, or any value is blank or not a number.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"file not found: {path}"
            if not path.exists()
            else f"{path} is a folder; expected NHS England's practice file",
            where=str(path),
        )
    problems = Problems()
    frames: list[pd.DataFrame] = []
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        for sheet, rows in workbook_sheets(path):
            h = next((i for i, r in enumerate(rows) if any(v != "" for v in r)), None)
            if h is None:
                continue
            raw = pd.DataFrame(rows[h + 1 :], columns=[str(v) for v in rows[h]])
            raw = raw.replace("", None)
            year = year_from_name(sheet) or year_from_name(path.stem)
            where = f"{path.name} [{sheet}]"
            if year is None:
                problems.add(where, "cannot tell the financial year from the sheet name")
                continue
            try:
                frames.append(normalise(raw, year, where, blank_wp, first_row=h + 2))
            except InputError as e:
                problems.extend(e)
    else:
        try:
            table = csv_table(path)
            if table is None:
                raise InputError(
                    "the file is empty; expected NHS England's practice file", where=path.name
                )
            year = year_from_name(path.stem) or year
            if year is None:
                _check_is_practice_file(table.header, path.name)  # a ledger or a PDF by mistake
                raise InputError(
                    f"cannot tell the financial year from the file name: {YEAR_HINT}",
                    where=path.name,
                )
            _check_widths(len(table.header), table.odd, path.name)
            raw = table.frame.set_axis(table.header, axis=1)
            frames.append(normalise(raw, year, path.name, blank_wp))
        except InputError as e:
            problems.extend(e)
    problems.raise_if_any()
    if not frames:  # every sheet empty (pd.concat of none: "No objects to concatenate")
        raise InputError(
            "every sheet of the workbook is empty; expected NHS England's practice file",
            where=path.name,
        )
    return one_name_per_icb(pd.concat(frames, ignore_index=True))


def blank_icb_problems(earlier: pd.DataFrame, path: str | Path, codes: Iterable[str]) -> Problems:
    """Practices among ``codes`` whose ICB an earlier year's file leaves blank, by row.

    Such a practice has no former ICB to be its place; each is named with its row in the
    file and the ICB column as the file spells it. ``earlier`` is the file as
    :func:`read_file` gives it (a CSV's rows in order, from row 2).
    """
    path = Path(path)
    problems = Problems()
    wanted = set(codes)
    blank = earlier["icb_code"].isna() & earlier["practice_code"].isin(wanted)
    if not blank.any():
        return problems
    column = match_columns_optional(read_headers(path)).get("icb_code", "icb_code")
    csv_file = path.suffix.lower() not in (".xlsx", ".xlsm", ".xls")
    for i in np.flatnonzero(blank.to_numpy()):  # positions: the file's rows from row 2
        code = earlier["practice_code"].iloc[i]
        problems.add(
            path.name,
            f"practice {code} has no ICB in this file, so no former ICB to be its place: "
            "fill in its ICB, or give the places in a file",
            row=int(i) + 2 if csv_file else None,
            column=column,
        )
    return problems


def _check_is_practice_file(header: Sequence[object], where: str) -> None:
    """Refuse a file that is not a practice file (a ledger, a PDF) for what it is."""
    found = match_columns_optional(header)
    if "practice_code" not in found or not {"population", "core"} & set(found):
        names = [str(h).replace("\ufeff", "").strip() for h in header[:8]]
        shown = ", ".join(n for n in names if n)
        raise InputError(
            "this is not NHS England's GP-practice weighted population file: its first row "
            f"has no practice code and population columns (it has: {shown or 'nothing'}); "
            "expected the "
            "file NHS England publishes, with Practice_Code, ICB and weighted population "
            "columns",
            where=where,
        )


def one_name_per_icb(df: pd.DataFrame) -> pd.DataFrame:
    """One ``icb_name`` per ``icb_code``, whatever the files called them.

    NHS England's 2023/24 and 2024/25 workbook holds CCG names in its ICB name column
    (up to ten per ICB). Each code is named by a name containing "ICB" that any of the
    frame's rows carry (the latest year's, where they differ), else by the name most of
    its practices carry (ties by name).
    """
    out = df.copy()
    # Each distinct name looked at once (a few dozen, against thousands of practices).
    names_seen = pd.unique(out["icb_name"].dropna().astype(str))
    icb_like = {n for n in names_seen if re.search(r"\bICB\b", n)}
    frame = pd.DataFrame(
        {
            "code": out["icb_code"],
            "name": out["icb_name"],
            "year": out["year"],
            "like": out["icb_name"].isin(icb_like).to_numpy(),
        }
    )
    frame = frame[frame["code"].notna()]
    # Each code's pool: its ICB-like names of the latest year that has one, else every name.
    latest = frame[frame["like"]].groupby("code", sort=False)["year"].max()
    has_like = frame["code"].isin(latest.index).to_numpy()
    in_pool = np.where(has_like, frame["like"] & (frame["year"] == frame["code"].map(latest)), True)
    pool = frame[in_pool & frame["name"].notna().to_numpy()]
    counts = (
        pool.assign(name=pool["name"].astype(str))
        .groupby(["code", "name"], sort=False)
        .size()
        .reset_index(name="n")
        .sort_values(["code", "n", "name"], ascending=[True, False, True], kind="stable")
    )
    names = dict(counts.drop_duplicates("code")[["code", "name"]].itertuples(index=False))
    out["icb_name"] = out["icb_code"].map(names).astype("string").fillna(out["icb_name"])
    return out


def read_folder(folder: str | Path, blank_wp: BlankWP | str = BlankWP.ERROR) -> pd.DataFrame:
    """Read every published file in a folder into one normalised frame.

    Files of the same year (a corrected and an original edition, or the CSV and
    the workbook behind it) are all kept; ``source`` tells them apart.

    Raises:
        InputError: Every problem in every file, together.
    """
    folder = Path(folder)
    problems = Problems()
    frames = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        try:
            frames.append(read_file(path, blank_wp))
        except InputError as e:
            problems.extend(e)
    problems.raise_if_any()
    if not frames:
        raise InputError("no .csv or .xlsx files found", where=str(folder))
    return one_name_per_icb(pd.concat(frames, ignore_index=True))


def load_practices(
    path: str | Path, year: str | None = None, blank_wp: BlankWP | str = BlankWP.ERROR
) -> pd.DataFrame:
    """Read a file and keep one year (the only one, if it holds one).

    Args:
        path: Published file.
        year: ``"2023/24"`` etc.; needed only for a workbook of several years.
        blank_wp: See :func:`normalise`.
    """
    df = read_file(path, blank_wp, year)
    years = sorted(df["year"].unique())
    if year is None:
        if len(years) > 1:
            raise InputError(f"file holds years {years}; choose one", where=str(path))
        return df
    if year not in years:
        raise InputError(f"year {year} not in file (found {years})", where=str(path))
    return df[df["year"] == year].reset_index(drop=True)


def find_icb(practices: pd.DataFrame, query: str, where: str = option("icb")) -> tuple[str, str]:
    """Find one ICB by code, by full name, or by a unique part of its name.

    Matching is case-insensitive and ignores repeated spaces: ``"qwo"``, ``"NHS West
    Yorkshire ICB"`` and ``"west yorkshire"`` all find West Yorkshire.

    Args:
        practices: Normalised practice frame (``icb_code``, ``icb_name``).
        query: What the user typed.
        where: The option or cell it came from, for messages.

    Returns:
        ``(icb_code, icb_name)``.

    Raises:
        InputError: If no ICB or more than one matches, listing the close matches.
    """
    icbs = (
        practices[["icb_code", "icb_name"]]
        .dropna(subset=["icb_code"])
        .drop_duplicates("icb_code")
        .sort_values("icb_code")
    )
    names = dict(zip(icbs["icb_code"].astype(str), icbs["icb_name"].fillna("").astype(str)))
    key = _norm(query)
    if not key:
        raise InputError("the ICB is blank; give its code (e.g. QWO) or name", where=where)
    by_code = [c for c in names if c.lower() == key]
    by_name = [c for c, n in names.items() if _norm(n) == key]
    hits = by_code or by_name or [c for c, n in names.items() if key in _norm(n)]
    if len(hits) == 1:
        return hits[0], names[hits[0]]

    def shown(codes: Iterable[str]) -> str:
        return "; ".join(f"{c} {names[c]}" for c in codes)

    if hits:
        raise InputError(
            f"{query!r} matches {len(hits)} ICBs: {shown(hits)}; give more of "
            "the name, or the code",
            where=where,
        )
    labels = {_norm(n): c for c, n in names.items()}
    near = [labels[_norm(n)] for n in nearest(key, names.values())]
    close = difflib.get_close_matches(key, list(labels), n=5, cutoff=0.5)
    close_codes = list(dict.fromkeys([*near, *(labels[n] for n in close)]))
    words = [w for w in key.split() if w not in ("nhs", "icb") and len(w) > 2]
    close_codes += [
        c for c, n in names.items() if c not in close_codes and any(w in _norm(n) for w in words)
    ]
    hint = (
        f"close matches: {shown(close_codes[:8])}"
        if close_codes
        else f"ICBs in the file: {shown(list(names)[:50])}"
    )
    for col, what in (
        ("lad_name", "a local authority district"),
        ("sub_icb_name", "a sub-ICB location"),
    ):
        inside = (
            practices.loc[
                practices[col].astype("string").str.strip().str.lower() == key, "icb_code"
            ]
            .dropna()
            .unique()
        )
        if len(inside):
            hint = f"{query!r} is {what} in {shown(sorted(map(str, inside)))}"
            break
    years = sorted(practices["year"].dropna().astype(str).unique()) if "year" in practices else []
    if years and years[0] >= FOOTPRINT_CHANGE:
        hint += (
            f". ICBs changed in {FOOTPRINT_CHANGE} (42 became 36): for an ICB of an "
            "earlier year, 'xlalloc new MODEL.xlsx --practices OLD.csv --practices "
            "NEW.csv --icb NAME' says which of these ICBs its practices joined"
        )
    raise InputError(f"no ICB has code or name {query!r}; {hint}", where=where)


#: The financial year NHS England's 42 ICBs became 36 (the 2026/27 to 2028/29 files).
FOOTPRINT_CHANGE = "2026/27"


def find_icb_over_years(
    national: pd.DataFrame, query: str, where: str = option("icb")
) -> tuple[str, str]:
    """Find one ICB in the latest year's practices, knowing older years' ICBs.

    An ICB of an earlier year that is no ICB in the latest (merged or split) is refused
    with where its practices went, by practice code: ``"NHS Hertfordshire and West Essex
    ICB (QM7) in 2025/26 is no ICB in 2026/27: its 130 practices are now in T01 NHS
    Central East ICB (95) and T02 NHS Essex ICB (35)"``.

    Raises:
        InputError: The ICB is not found, or is an earlier year's ICB only.
    """
    latest_year = national["year"].max()
    latest = national[national["year"] == latest_year]
    try:
        return find_icb(latest, query, where)
    except InputError as missing:
        for year in sorted(national["year"].unique(), reverse=True)[1:]:
            older = national[national["year"] == year]
            try:
                code, name = find_icb(older, query, where)
            except InputError:
                continue
            if code in set(latest["icb_code"]):
                return code, name
            codes = older.loc[older["icb_code"] == code, "practice_code"].unique()
            now = latest[latest["practice_code"].isin(codes)]
            went = (
                now.groupby(["icb_code", "icb_name"], sort=True)["practice_code"]
                .nunique()
                .sort_values(ascending=False, kind="stable")
            )
            parts = [f"{c} {n} ({k})" for (c, n), k in went.items()]
            joined = (
                ", ".join(parts[:-1])
                + (" and " if len(parts) > 1 else "")
                + (parts[-1] if parts else "")
            )
            gone = len(codes) - int(went.sum())
            raise InputError(
                f"{name} ({code}) in {year} is no ICB in {latest_year}: its {len(codes)} "
                f"practices are now in {joined or 'no ICB of the file'}"
                + (f" ({gone} not in the {latest_year} file: closed or merged)" if gone else "")
                + f"; give one of those with {where}",
                where=where,
            ) from None
        raise missing from None


def read_headers(path: str | Path) -> list[str]:
    """The header row of a published file (the first sheet's first non-blank row)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        for _sheet, rows in workbook_sheets(path):
            for r in rows:
                if any(v != "" for v in r):
                    return [str(v) for v in r]
        return []
    text = csv_rows(path)
    return [h.replace("\ufeff", "").strip() for h in text[0]] if text else []


def practice_locations(paths: Iterable[str | Path]) -> pd.DataFrame:
    """Each practice's latitude and longitude, as NHS England's files give them.

    Every file since 2022/23 carries ``Latitude`` and ``Longitude`` beside the practice
    code; the last file listing a practice with both wins. A file without them adds
    nothing (the map says how many practices it could not place).

    Returns:
        ``practice_code, latitude, longitude`` (floats), one row per practice.
    """
    frames = []
    wanted = ["practice_code", "latitude", "longitude"]
    for p in map(Path, paths):
        if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            sheets = [rows for _s, rows in workbook_sheets(p) if rows]
            if not sheets:
                continue
            rows = sheets[0]
            header, body = rows[0], pd.DataFrame(rows[1:], columns=range(len(rows[0])))
        else:
            found = csv_columns(p, lambda h: _norm(h) in wanted)
            if found is None:
                continue
            header, body = list(found.columns), found.set_axis(range(found.shape[1]), axis=1)
        heads = [_norm(h) for h in header]
        if not set(wanted) <= set(heads):
            continue
        f = body[[heads.index(k) for k in wanted]].set_axis(wanted, axis=1).fillna("")
        f["practice_code"] = f["practice_code"].astype(str).str.strip().str.upper()
        for c in ("latitude", "longitude"):
            f[c] = pd.to_numeric(f[c], errors="coerce")
        frames.append(f.dropna())
    if not frames:
        return pd.DataFrame(columns=["practice_code", "latitude", "longitude"])
    return pd.concat(frames, ignore_index=True).drop_duplicates("practice_code", keep="last")
