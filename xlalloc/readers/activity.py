"""Activity extracts: row-level contract data, checked and totalled by DuckDB.

The Birmingham and Solihull method (``shared/reference/001``, Appendix 1) shares
acute, mental health and continuing healthcare spend by contract activity at
practice level: one row per contract line, millions of rows a year for one ICB and
about 10^8 nationally (SUS+). Such extracts do not fit an Excel sheet (1,048,576
rows) and need not pass through Python row by row: DuckDB reads the CSV and
Parquet files directly and :data:`AGGREGATE_SQL`, one ``GROUP BY`` query, turns
them into one row per file, budget line and practice. Everything after that (the
checks against the model's lines and practices, the totals the apportionment
uses, each file's coverage) works on that small table.

:data:`AGGREGATE_SQL` is plain SQL over a view ``extract(line, practice_code,
amount)``: Spark SQL runs it unchanged (see ``docs/scale.md``).

DuckDB is an optional dependency (the ``activity`` extra, :mod:`xlalloc.extras`): it is
imported only when an extract is read.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine.errors import InputError, Problems, listed, option, quoted
from ..extras import install_hint
from .cells import col_letter
from .tables import file_sha256

__all__ = [
    "AGGREGATE_SQL",
    "aggregate_sql",
    "COLUMNS",
    "MAX_LISTED",
    "ActivityExtract",
    "Known",
    "parse_columns",
    "read_activity",
]

#: The columns an extract supplies, by their default headers.
COLUMNS = ("line", "practice_code", "amount")
#: A column an extract may name (``--columns count=Spells``): how many records a row
#: stands for (spells, attendances, items), where one row is not one record.
OPTIONAL_COLUMNS = ("count",)

#: Distinct unknown lines or practices named one by one in the problems; the rest are
#: counted together.
MAX_LISTED = 20

#: Rows named for each problem (the first in the file).
FIRST_ROWS = 5

#: Amounts as exact decimals of 18 digits, six after the point: what is not a finite
#: number under £1 trillion becomes NULL, and is counted, never summed.
POUNDS = "TRY_CAST(TRY_CAST({amount} AS DOUBLE) AS DECIMAL(18, 6))"

#: The largest total, in pounds, of one line (a row, a line and practice, a line in all
#: files): £1 trillion, far above any ICB's budget (the NHS in England spends about £190
#: billion a year) and small enough that every sum of millionths of a pound is exact in
#: 64-bit integers. A larger total is refused, never summed.
LIMIT = 1_000_000_000_000

#: A name as text, trimmed, a blank one missing (lines and practice codes alike).
NAME = "NULLIF(TRIM(CAST({column} AS STRING)), '')"


def aggregate_sql(counted: bool = False) -> str:
    """The one pass over every row of a file: :data:`AGGREGATE_SQL`, or with a count.

    ``extract`` is a view with columns ``line, practice_code, amount`` (the file's own
    headers renamed); ``amount`` may be text or a number. The inner ``GROUP BY`` is the
    only work per row: it sums amounts as decimals, so totals are exact to the penny
    however many rows there are, and counts the rows and the amounts that are numbers.
    The outer one, over a few thousand totals, trims the names and treats blank ones as
    missing. Totals come back in whole millionths of a pound, so that the sums Python
    does after it are exact too. Standard SQL: DuckDB and Spark SQL (3.2 or later) both
    run it unchanged (``docs/scale.md``).

    Each total's ``records`` are its rows; ``counted`` (an extract that names a count
    column, :data:`OPTIONAL_COLUMNS`) sums the view's ``records`` column instead, and counts
    the rows whose count is not a whole number of 0 or more (``bad_counts``). Only then
    is that per-row work done: a plain extract's query is as it was.
    """
    per_row = (
        ",\n           SUM(CASE WHEN records >= 0 THEN records ELSE 0 END) AS records,"
        "\n           COUNT(*) - COUNT(CASE WHEN records >= 0 THEN 1 END) AS bad_counts"
        if counted
        else ""
    )
    totals = (
        "CAST(SUM(records) AS BIGINT) AS records,\n       "
        "CAST(SUM(bad_counts) AS BIGINT) AS bad_counts"
        if counted
        else "CAST(SUM(row_count) AS BIGINT) AS records,\n       0 AS bad_counts"
    )
    checked = ", records" if counted else ""
    return f"""
SELECT line, practice_code, row_count,
       CAST(CASE WHEN ABS(amount) < {LIMIT} THEN amount * 1000000 END AS BIGINT) AS micropounds,
       CAST(amount AS DOUBLE) AS pounds,
       numbers, records, bad_counts
FROM (
SELECT {NAME.format(column="line")} AS line,
       {NAME.format(column="practice_code")} AS practice_code,
       CAST(SUM(row_count) AS BIGINT) AS row_count,
       SUM(amount) AS amount,
       CAST(SUM(numbers) AS BIGINT) AS numbers,
       {totals}
FROM (
    SELECT line, practice_code,
           COUNT(*) AS row_count,
           SUM(pounds) AS amount,
           COUNT(pounds) AS numbers{per_row}
    FROM (
        SELECT line, practice_code, {POUNDS.format(amount="amount")} AS pounds{checked}
        FROM extract
    ) AS checked
    GROUP BY line, practice_code
) AS raw_totals
GROUP BY {NAME.format(column="line")}, {NAME.format(column="practice_code")}
) AS totals
"""


#: The one pass over every row of a plain extract (one record a row): see
#: :func:`aggregate_sql`. The view ``extract`` needs only ``line, practice_code, amount``.
AGGREGATE_SQL = aggregate_sql()


@dataclass
class ActivityExtract:
    """Extract files checked and totalled for apportionment.

    Attributes:
        values: ``line, practice_code, amount``: one row per line and practice (a blank
            practice code is spend not attributed to a practice), as the model's Activity
            sheet would hold it.
        files: ``file, rows, sha256``: each file read.
        coverage: ``file, line, rows, amount, attributed, coverage``: each file's rows
            and £ by line, the £ with a practice code, and that share (the coverage the
            apportionment's ``practice_data`` method tests against its threshold).
        line_totals: ``line, rows, amount``: every file's £ by line, exact to the penny.
        records: The rows each of ``values``' rows totals (the activity records behind
            it: spells, attendances, items), in its order.
    """

    values: pd.DataFrame
    files: pd.DataFrame
    coverage: pd.DataFrame
    line_totals: pd.DataFrame
    records: pd.Series | None = None


def parse_columns(text: str | None) -> dict[str, str]:
    """``line=Contract,practice_code=GP,amount=Cost`` as a mapping (defaults: the names).

    Raises:
        InputError: A part without ``=``, an unknown name, or a name given twice.
    """
    out = {c: c for c in COLUMNS}
    if not text:
        return out
    problems = Problems()
    seen: set[str] = set()
    for part in text.split(","):
        key, sep, header = part.partition("=")
        key, header = key.strip(), header.strip()
        if not sep or not header:
            problems.add(
                option("columns"), f"{part.strip()!r} is not NAME=HEADER, e.g. line=Contract"
            )
        elif key not in (*COLUMNS, *OPTIONAL_COLUMNS):
            problems.add(
                option("columns"),
                f"unknown column {key!r}; expected one of {listed((*COLUMNS, *OPTIONAL_COLUMNS))}",
            )
        elif key in seen:
            problems.add(option("columns"), f"{key} is given twice")
        else:
            seen.add(key)
            out[key] = header
    problems.raise_if_any()
    return out


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise InputError(
            f"reading activity extracts needs DuckDB: {install_hint('activity')}",
            where="activity",
        ) from None
    return duckdb


def _quote(text: str, mark: str) -> str:
    return mark + text.replace(mark, mark + mark) + mark


def _scan(path: Path) -> str:
    """DuckDB's reader for a file: every CSV cell as text, as the file holds it."""
    if path.suffix.lower() == ".parquet":
        return f"read_parquet({_quote(str(path), chr(39))})"
    return (
        f"read_csv({_quote(str(path), chr(39))}, header = true, all_varchar = true, "
        "auto_detect = true)"
    )


def _headers(
    con: Any, path: Path, wanted: dict[str, str], problems: Problems
) -> dict[str, str] | None:
    """Each wanted column's header in the file (matched ignoring case and spaces)."""
    duckdb = _duckdb()
    split = _first_line(path)
    if path.stat().st_size == 0 or (split is not None and not any(split[","])):
        problems.add(
            path.name,
            "the file is empty; expected a header row (line, "
            "practice_code, amount) and one row per contract line",
        )
        return None
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {_scan(path)}").fetchall()
    except duckdb.Error as e:
        problems.add(path.name, _explained(path, e))
        return None
    found = [r[0] for r in described]
    types = {str(r[0]): str(r[1]) for r in described}
    for cells in (split or {}).values():
        if len(cells) != len(found):
            continue
        seen: dict[str, int] = {}
        for i, h in enumerate(cells):
            if h and h.lower() in seen:
                problems.add(
                    path.name,
                    f"the header {h!r} is given twice (columns {col_letter(seen[h.lower()])} "
                    f"and {col_letter(i)} of the first line); give each column one header",
                )
                return None
            seen.setdefault(h.lower(), i)
    if split is not None and [str(h).strip() for h in found] not in split.values():
        first = split[","]
        problems.add(
            path.name,
            f"its first line has {len(first)} headers ({quoted(first)}), but the file reads "
            f"as {len(found)} column{'s' if len(found) != 1 else ''} ({quoted(found)}): some "
            "rows do not "
            "have the header's number of cells, or the file is not "
            "comma-separated; re-export it as CSV",
        )
        return None
    by_key = {str(h).strip().lower(): str(h) for h in found}
    out = {
        name: by_key[header.strip().lower()]
        for name, header in wanted.items()
        if header.strip().lower() in by_key
    }
    if "amount" in out and not _AMOUNT_TYPE.match(types[out["amount"]]):
        problems.add(
            path.name,
            f"the amount column holds {types[out['amount']]} values, not amounts: "
            "expected numbers (or text that reads as numbers) in pounds",
            column=out["amount"],
        )
        del out["amount"]
    absent = [
        f"'{h}'" + (f" (for {n})" if h != n else "")
        for n, h in wanted.items()
        if n not in out and (n != "amount" or h.strip().lower() not in by_key)
    ]
    if absent:
        problems.add(
            path.name,
            f"no column{'s' if len(absent) > 1 else ''} "
            f"{', '.join(absent)}; columns found: {quoted(found)}; name the "
            f"extract's headers with {option('columns')} line=HEADER,"
            "practice_code=HEADER,amount=HEADER",
        )
    return out


def _first_line(path: Path) -> dict[str, list[str]] | None:
    """A CSV file's header row split at each delimiter DuckDB may have detected.

    ``None`` for Parquet, or when the line cannot be read (DuckDB reports why).
    """
    if path.suffix.lower() == ".parquet":
        return None
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as f:
            line = f.readline()
    except (OSError, UnicodeDecodeError):
        return None
    # A delimiter that is not in the line splits it nowhere: only a one-column file
    # (the comma's split, then) reads as the whole line.
    return {
        d: [h.strip() for h in next(csv.reader([line], delimiter=d), [])]
        for d in (",", ";", "\t", "|")
        if d == "," or d in line
    }


#: DuckDB types an amount may have: numbers, or text read as numbers.
_AMOUNT_TYPE = re.compile(
    r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|U\w*INT|FLOAT|DOUBLE|DECIMAL.*|VARCHAR)$"
)


def _explained(path: Path, error: Exception) -> str:
    """DuckDB's reason a file cannot be read, in the words a user can act on."""
    text = str(error)
    kind = path.suffix.lstrip(".").upper() if path.suffix.lower() != ".gz" else "CSV"
    if "not utf-8" in text.lower() or "invalid unicode" in text.lower():
        at = re.search(r"on Line: (\d+)", text)
        return (
            f"is not UTF-8 text{f' (line {at.group(1)})' if at else ''}: the file is in "
            "another encoding (often Windows-1252, from Excel's plain 'CSV' or a finance "
            "system); save it as 'CSV UTF-8 (Comma delimited)' or export it as UTF-8"
        )
    if "sniffing" in text.lower():
        endings = _line_endings(path)
        if endings:
            return endings
        return (
            "cannot be read as CSV: no one delimiter and quoting reads every row the same "
            "way; check that every row has the header's number of cells and that quotes "
            "are closed, then re-export it as CSV"
        )
    lines = [x for x in text.splitlines() if x.strip()]
    detail = next((x for x in lines[1:] if not x.startswith(("Original Line", " "))), "")
    return f"cannot be read as {kind}: {lines[0] if lines else text}" + (
        f" ({detail.strip().rstrip('.')})" if detail else ""
    )


def _line_endings(path: Path) -> str | None:
    """A message when a CSV's rows end in more than one way (read from its first 1 MB)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            head = f.read(1 << 20)
    except OSError:
        return None
    crlf = head.count(b"\r\n")
    lf = head.count(b"\n") - crlf
    cr = head.count(b"\r") - crlf
    kinds = [name for name, n in (("CR LF (Windows)", crlf), ("LF (Unix)", lf), ("CR", cr)) if n]
    if len(kinds) < 2:
        return None
    first = head.split(b"\n")
    mixed = next(
        (
            i + 1
            for i, x in enumerate(first[1:], 1)
            if x.endswith(b"\r") != first[0].endswith(b"\r")
        ),
        None,
    )
    return (
        f"its rows end in more than one way ({' and '.join(kinds)}"
        + (f"; line 1 and line {mixed} differ" if mixed else "")
        + "), so it cannot be read reliably: the file was joined from two sources or "
        "edited by hand; re-export it from one program"
    )


def _view(path: Path, headers: dict[str, str]) -> str:
    """The ``extract`` view: one file's rows under the standard column names."""
    # Each row one record, or as many as its count column says: a count that is not a
    # whole number of 0 or more reads as NULL, and is a problem (never rounded). The cast
    # is of the trimmed text, which DuckDB cannot push into its CSV reader as a type.
    records = "1"
    if "count" in headers:
        number = f"TRY_CAST(TRIM(CAST({_quote(headers['count'], chr(34))} AS VARCHAR)) AS DOUBLE)"
        records = (
            f"CASE WHEN {number} >= 0 AND {number} = FLOOR({number}) "
            f"THEN CAST({number} AS BIGINT) END"
        )
    return (
        f"CREATE OR REPLACE TEMP VIEW extract AS SELECT "
        f"{_quote(headers['line'], chr(34))} AS line, "
        f"{_quote(headers['practice_code'], chr(34))} AS practice_code, "
        f"{_quote(headers['amount'], chr(34))} AS amount, "
        f"{records} AS records FROM {_scan(path)}"
    )


#: What an extract is checked against: the model's budget lines, its practice codes (for
#: its financial year) and that year.
Known = tuple[Sequence[str], Sequence[str], str]


def read_activity(
    paths: list[str | Path],
    lines: Sequence[str] = (),
    practices: Sequence[str] = (),
    columns: dict[str, str] | None = None,
    year: str = "",
    *,
    known: Callable[[], Known] | None = None,
) -> ActivityExtract:
    """Check and total activity extracts against a model's budget lines and practices.

    Args:
        paths: CSV or Parquet files, one row per contract line.
        lines: The model's budget lines.
        practices: The model's practice codes (for its financial year).
        columns: Standard name -> the files' header (see :func:`parse_columns`).
        year: The model's financial year, named in messages.
        known: Instead of ``lines``, ``practices`` and ``year``: called for them once
            the files are totalled, so that the caller can read its model while DuckDB
            works. The problems it raises (an :class:`InputError`) are reported with the
            extracts' own.

    Returns:
        An :class:`ActivityExtract`.

    Raises:
        InputError: Every problem in every file at once: missing files or columns,
            unknown lines and practices, blank lines, amounts that are not numbers; each
            counted, with the first rows named. Negative rows (credits, adjustments) are
            netted; a line whose amounts for a practice net below zero is a problem.
    """
    duckdb = _duckdb()
    wanted = columns or {c: c for c in COLUMNS}
    problems = Problems()
    keys: list[Known] = [] if known is not None else [(lines, practices, year)]
    model_failed: list[InputError] = []

    def resolve() -> Known:
        """The lines, practices and year, asked for once (their problems are added)."""
        if not keys and known is not None:
            try:
                keys.append(known())
            except InputError as e:
                problems.extend(e)
                model_failed.append(e)
                keys.append(((), (), ""))
        return keys[0]

    con = duckdb.connect()
    files = _files(con, paths, wanted, problems)
    if not files:
        resolve()
        problems.raise_if_any()
    # Each file's SHA-256 is read while DuckDB totals it (both release the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashes = pool.map(file_sha256, [p for p, _ in files])
        parts = _totals(con, files, problems)
        if not parts:
            resolve()
            problems.raise_if_any()
        agg = pd.concat(parts, ignore_index=True)
        agg["micropounds"] = _within_limit(agg, problems)
        agg["line"] = agg["line"].astype(object)
        agg["practice_code"] = (
            agg["practice_code"].astype(object).where(agg["practice_code"].notna(), None)
        )
        lines, practices, year = resolve()
        if model_failed:  # nothing to check the extracts against
            problems.raise_if_any()
        _check(con, files, agg, set(lines), set(practices), year, problems)
        listing = list(hashes)
    values = _by_line_and_practice(agg, len(files))
    _check_nets(values, problems)
    problems.raise_if_any()
    return _result(files, agg, values, listing, lines)


def _totals(
    con: Any, files: list[tuple[Path, dict[str, str]]], problems: Problems
) -> list[pd.DataFrame]:
    """Each file totalled by line and practice in DuckDB (a file it cannot read, named)."""
    duckdb = _duckdb()
    parts = []
    for path, headers in files:
        try:
            con.execute(_view(path, headers))
            part = con.execute(aggregate_sql("count" in headers)).df()
        except duckdb.Error as e:  # a ragged row, a bad encoding: named with the rest
            problems.add(path.name, _explained(path, e))
            continue
        if not part["row_count"].sum():
            problems.add(path.name, "no rows below the header; expected one row per contract line")
        parts.append(part.assign(file=path.name))
    return parts


def _by_line_and_practice(agg: pd.DataFrame, n_files: int) -> pd.DataFrame:
    """The files' totals as one row per line and practice (micropounds)."""
    named = agg[agg["line"].notna()]
    if n_files == 1:  # one file's totals are already one row per line and practice
        return named[["line", "practice_code", "micropounds", "records"]]
    return (
        named.groupby(["line", "practice_code"], dropna=False, sort=False)[
            ["micropounds", "records"]
        ]
        .sum()
        .reset_index()
    )


def _files(
    con: Any, paths: list[str | Path], wanted: dict[str, str], problems: Problems
) -> list[tuple[Path, dict[str, str]]]:
    """The extracts that can be read, each with its headers for the standard columns."""
    files: list[tuple[Path, dict[str, str]]] = []
    names: dict[str, Path] = {}
    for raw in paths:
        p = Path(raw)
        if not p.name.lower().endswith((".csv", ".csv.gz", ".parquet")):
            problems.add(p.name, "an extract must be a .csv, .csv.gz or .parquet file")
            continue
        if not p.is_file():
            problems.add(p.name, f"no such file: {p}")
            continue
        if p.name in names:
            problems.add(
                p.name,
                f"two extracts share the name {p.name} ({names[p.name]} and "
                f"{p}); rename one so the audit can tell them apart",
            )
            continue
        names[p.name] = p
        headers = _headers(con, p, wanted, problems)
        if headers is not None and len(headers) == len(wanted):
            files.append((p, headers))
    return files


def _check(
    con: Any,
    files: list[tuple[Path, dict[str, str]]],
    agg: pd.DataFrame,
    lines: set[str],
    practices: set[str],
    year: str,
    problems: Problems,
) -> None:
    """Every problem, counted from the totals, with the first rows read back from the file."""
    line = agg["line"].astype(object)
    code = agg["practice_code"].astype(object)
    blank_line = line.isna().to_numpy()
    unknown_line = (~blank_line & ~line.isin(lines)).to_numpy()
    unknown_code = (code.notna() & ~code.isin(practices)).to_numpy()
    in_model = f"the model's practices for {year}" if year else "the model's practices"
    for path, headers in files:
        mine = (agg["file"] == path.name).to_numpy()
        kinds: list[tuple[str, str, str, pd.DataFrame]] = []
        for label, mask, column, key in (
            ("unknown line", unknown_line, "line", "line"),
            ("unknown practice", unknown_code, "practice_code", "practice_code"),
        ):
            bad = agg[mask & mine]
            if len(bad):
                counts = bad.groupby(key, sort=False)["row_count"].sum()
                counts = counts.sort_values(ascending=False, kind="stable")
                kinds.append((label, column, key, counts.to_frame()))
        n_blank = int(agg.loc[blank_line & mine, "row_count"].sum())
        n_text = int((agg["row_count"] - agg["numbers"])[mine].sum())
        n_count = int(agg.loc[mine, "bad_counts"].sum())
        if not kinds and not (n_blank or n_text or n_count):
            continue
        first = _first_rows(con, path, headers, lines, practices)
        for label, column, key, counts in kinds:
            for value, n in list(counts["row_count"].items())[:MAX_LISTED]:
                at = first[(first["kind"] == key) & (first["value"] == value)]["row"].tolist()
                what = (
                    f"unknown line {value!r} in {_count(n, at)}; the model's budget lines "
                    "are on its Budget sheet"
                    if key == "line"
                    else f"practice {value} is not in {in_model}: {_count(n, at)}"
                )
                problems.add(path.name, what, row=at[0] if at else None, column=headers[column])
            rest = counts["row_count"].iloc[MAX_LISTED:]
            if len(rest):
                problems.add(
                    path.name,
                    f"and {len(rest):,} more {label}s in {int(rest.sum()):,} rows",
                    column=headers[column],
                )
        for kind, n, column, what in (
            ("blank", n_blank, "line", "the line is blank"),
            ("text", n_text, "amount", "the amount is not a number (or is £1 trillion or more)"),
            ("count", n_count, "count", "the count is not a whole number of 0 or more"),
        ):
            if n:
                shown = first[first["kind"] == kind]
                at = shown["row"].tolist()
                if kind == "text":
                    what += (
                        " ("
                        + ", ".join(f"row {r}: {_shown(v)}" for r, v in zip(at, shown["value"]))
                        + (", ..." if n > len(at) else "")
                        + ")"
                    )
                problems.add(
                    path.name,
                    f"{what} in {_count(n, at)}",
                    row=at[0] if at else None,
                    column=headers[column],
                )


def _within_limit(agg: pd.DataFrame, problems: Problems) -> pd.Series:
    """Each total in whole millionths of a pound, every line's total under :data:`LIMIT`.

    A line whose amounts (in any file, netted or not) reach £1 trillion is a problem,
    named with its total, and left out of the sums (which then stay exact in 64-bit
    integers): such a figure is an amount in pence or a unit typed wrongly.
    """
    pounds = agg["pounds"].fillna(0.0).abs()
    by_line = pounds.groupby(agg["line"].fillna(""), sort=False).sum()
    over = by_line[by_line >= LIMIT]
    for line, total in over.items():
        where = sorted(agg.loc[agg["line"].fillna("") == line, "file"].unique())
        problems.add(
            ", ".join(where),
            f"line {line!r}: the amounts total £{total:,.0f} (counting credits as "
            f"positive), £{LIMIT:,} or more; no ICB budget line is that large: check "
            "that the amounts are in pounds (not pence) and that no row is repeated",
            column="amount",
        )
    out = agg["micropounds"].where(~agg["line"].fillna("").isin(over.index))
    return out.fillna(0).astype(np.int64)


def _shown(value: object) -> str:
    return "blank" if value is None or value is pd.NA or value != value else repr(value)


def _count(n: int, at: list[int]) -> str:
    """``3 rows (first: rows 2, 9, 14)``."""
    if n == 1 and at:
        return f"1 row (row {at[0]})"
    if not at:  # rows not found again (text DuckDB compares differently, e.g. a NUL byte)
        return f"{n:,} row{'s' if n != 1 else ''}"
    return f"{n:,} rows (first: rows {', '.join(map(str, at))})"


def _first_rows(
    con: Any, path: Path, headers: dict[str, str], lines: set[str], practices: set[str]
) -> pd.DataFrame:
    """The first rows of a file with each problem: ``kind, value, row``.

    The error path only: it numbers the file's rows (for a CSV, the row Excel shows when
    it opens the file, the header being row 1; for Parquet, the data row counted from 1).
    """
    con.register("known_lines", pd.DataFrame({"v": sorted(lines)}, dtype=object))
    con.register("known_practices", pd.DataFrame({"v": sorted(practices)}, dtype=object))
    con.execute(_view(path, headers))
    offset = 0 if path.suffix.lower() == ".parquet" else 1
    sql = f"""
    WITH numbered AS (
        SELECT ROW_NUMBER() OVER () + {offset} AS row_no,
               {NAME.format(column="line")} AS line,
               {NAME.format(column="practice_code")} AS code,
               CAST(amount AS STRING) AS amount_text,
               {POUNDS.format(amount="amount")} AS pounds,
               records
        FROM extract),
    problems AS (
        SELECT 'line' AS kind, line AS value, row_no FROM numbered
        WHERE line IS NOT NULL AND line NOT IN (SELECT v FROM known_lines)
        UNION ALL
        SELECT 'practice_code', code, row_no FROM numbered
        WHERE code IS NOT NULL AND code NOT IN (SELECT v FROM known_practices)
        UNION ALL
        SELECT 'blank', NULL, row_no FROM numbered WHERE line IS NULL
        UNION ALL
        SELECT 'text', amount_text, row_no FROM numbered
        WHERE pounds IS NULL
        UNION ALL
        SELECT 'count', NULL, row_no FROM numbered
        WHERE records IS NULL OR records < 0)
    SELECT kind, value, row_no AS row FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY kind, value ORDER BY row_no) AS k
        FROM problems) WHERE k <= {FIRST_ROWS}
    ORDER BY kind, value, row"""
    if path.suffix.lower() != ".parquet":
        con.execute("SET threads = 1")  # rows numbered in file order
    out = con.execute(sql).df()
    con.execute("RESET threads")
    # Amounts that are not numbers are listed together, first rows first.
    at = out["kind"] == "text"
    out = pd.concat([out[~at], out[at].sort_values("row").head(FIRST_ROWS)], ignore_index=True)
    out["row"] = out["row"].astype(np.int64)
    return out


def _check_nets(values: pd.DataFrame, problems: Problems) -> None:
    """Report every line and practice whose amounts net below zero.

    Credits are netted against charges; the apportionment shares a line by practices'
    net amounts, which must not be negative.
    """
    below = values[values["micropounds"] < 0]
    for r in below.itertuples(index=False):
        who = (
            "spend with no practice code"
            if r.practice_code is None or pd.isna(r.practice_code)
            else f"practice {r.practice_code}"
        )
        problems.add(
            "activity extracts",
            f"line {r.line!r}, {who}: the amounts net to "
            f"-£{-r.micropounds / 1e6:,.2f}; credits may not exceed "
            "charges",
            column="amount",
        )


def _pounds(micropounds: pd.Series) -> pd.Series:
    return micropounds.astype(np.float64) / 1e6


def _result(
    files: list[tuple[Path, dict[str, str]]],
    agg: pd.DataFrame,
    values: pd.DataFrame,
    hashes: list[str],
    lines: Sequence[str],
) -> ActivityExtract:
    """The tables in the model's order: budget lines as listed, files as given.

    Sums are of whole millionths of a pound (exact); each figure is turned into pounds
    once, and line totals are rounded to the penny once.
    """
    order = {name: i for i, name in enumerate(lines)}
    file_pos = {p.name: i for i, (p, _) in enumerate(files)}
    values = values.assign(amount=_pounds(values["micropounds"]), _o=values["line"].map(order))
    values = values.sort_values(["_o", "practice_code"], na_position="last", kind="stable")
    code = values["practice_code"].astype(object)
    records = values["records"].astype("int64").reset_index(drop=True)
    values = pd.DataFrame(
        {
            "line": values["line"],
            "practice_code": code.where(code.notna(), None),
            "amount": values["amount"],
        }
    )
    rows = agg.groupby("file", sort=False)["row_count"].sum()
    listing = pd.DataFrame(
        {
            "file": [p.name for p, _ in files],
            "rows": [int(rows.get(p.name, 0)) for p, _ in files],
            "sha256": hashes,
        }
    )
    cov = (
        agg.assign(attributed=agg["micropounds"].where(agg["practice_code"].notna(), 0))
        .groupby(["file", "line"], sort=False)[["row_count", "micropounds", "attributed"]]
        .sum()
        .reset_index()
    )
    cov = pd.DataFrame(
        {
            "file": cov["file"],
            "line": cov["line"],
            "rows": cov["row_count"],
            "amount": _pounds(cov["micropounds"]),
            "attributed": _pounds(cov["attributed"]),
            "coverage": cov["attributed"] / cov["micropounds"].where(cov["micropounds"] > 0),
        }
    )
    cov = (
        cov.assign(_f=cov["file"].map(file_pos), _o=cov["line"].map(order))
        .sort_values(["_f", "_o"], kind="stable")
        .drop(columns=["_f", "_o"])
    )
    totals = agg.groupby("line", sort=False)[["row_count", "micropounds"]].sum().reset_index()
    pennies = (totals["micropounds"] + 5_000) // 10_000  # half up (totals are not negative)
    totals = pd.DataFrame(
        {
            "line": totals["line"],
            "rows": totals["row_count"],
            "amount": pennies.astype(np.float64) / 100,
            "_o": totals["line"].map(order),
        }
    )
    totals = totals.sort_values("_o", kind="stable").drop(columns="_o")
    return ActivityExtract(
        values.reset_index(drop=True),
        listing,
        cov.reset_index(drop=True),
        totals.reset_index(drop=True),
        records,
    )
