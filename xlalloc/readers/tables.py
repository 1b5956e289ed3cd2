"""Reading the small tables users give the command line: CSV, or a workbook's first sheet.

One boundary for every table a command reads (organisations to converge, place
definitions, totals by year, ledgers, phasing profiles):

* the file must exist and be a file; CSV text must be UTF-8 (with or without a
  byte-order mark) or UTF-16 with a byte-order mark, as Excel saves "CSV UTF-8" and
  "Unicode text"; anything else is reported with the byte and how to re-save it;
* the delimiter is a comma, or a semicolon or tab when the header row plainly uses one
  (Excel in a European locale, Excel's "Unicode text"), and never a guess beyond that;
* headers are matched case- and space-insensitively (``Target Share`` is
  ``target_share``); a header given twice, an empty file and a header with no rows
  below it are errors;
* text cells are stripped of surrounding spaces (so ``A`` and ``A `` are one name);
* columns named in ``numbers`` are converted with :func:`~xlalloc.readers.cells.parse_number`
  and every problem (row, column, value) is reported together.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..engine.errors import InputError, Problems, listed
from ..engine.frames import SOURCE_ROW
from .archive import cell_flags, check_workbook
from .cells import col_letter, is_blank, parse_number
from .ooxml import sheet_parts
from .sheets import open_values

__all__ = [
    "WORKBOOK_SUFFIXES",
    "CsvTable",
    "csv_columns",
    "csv_rows",
    "csv_table",
    "file_sha256",
    "header_key",
    "read_baselines",
    "read_table",
    "read_text",
    "read_totals",
    "workbook_sheets",
]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, as hex (read in 1 MiB blocks)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def header_key(h: object) -> str:
    """A header as a column key: ``" Target Share "`` -> ``target_share``."""
    text = str(h).replace("\ufeff", "").strip().lower()
    return re.sub(r"\s+", "_", text)


def read_text(path: Path) -> str:
    """A text file's contents: UTF-8 (optional BOM) or UTF-16 with a BOM.

    Raises:
        InputError: Any other encoding, naming the first byte that is not UTF-8.
    """
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"the file is not UTF-8 text (byte 0x{raw[e.start]:02X} at position {e.start}); "
            "in Excel save it as 'CSV UTF-8 (Comma delimited)'",
            where=path.name,
        ) from None


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {path}", where=str(path))
    if p.is_dir():
        raise InputError(f"{path} is a folder; expected a file", where=str(path))
    return p


def _delimiter(text: str) -> str:
    """A comma, or a semicolon or tab when the header row plainly uses one."""
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    return ";" if first.count(";") > first.count("\t") else "\t" if "\t" in first else ","


def csv_rows(p: Path) -> list[list[str]]:
    """A CSV file's rows as text (encoding and delimiter as this module describes)."""
    text = read_text(p)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read column by column: its header, its rows below, and its odd rows.

    Attributes:
        header: The first row's cells as written.
        frame: The rows below the header, one column of text per header cell (columns
            by position; ``""`` for an empty cell or one a short row lacks).
        odd: The rows whose number of cells is not the header's, by their row number in
            the file, with their cells: for the caller to judge (a blank line has none).
    """

    header: list[str]
    frame: pd.DataFrame
    odd: dict[int, list[str]]


def csv_table(p: Path) -> CsvTable | None:
    """A CSV file as :class:`CsvTable`, ``None`` if it holds nothing.

    The values are read by pandas' C parser, column by column (a national practice
    file in a fiftieth of a second). Its reading is used where it must be the ``csv``
    module's, whose reading of quotes is this module's (:func:`_read_by_pandas`);
    otherwise, and for a file whose rows are not all as wide as its header, the rows
    are the ``csv`` module's, each row's cells counted.
    """
    text = read_text(p)
    delimiter = _delimiter(text)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), None)
    if header is None:
        return None
    width = len(header)
    frame = _read_by_pandas(text, delimiter, width)
    if frame is not None:
        return CsvTable(header, frame, {})
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[1:]
    odd = {i: r for i, r in enumerate(rows, start=2) if len(r) != width}
    frame = pd.DataFrame(
        [(r + [""] * width)[:width] for r in rows], columns=range(width), dtype=object
    )
    return CsvTable(header, frame, odd)


def _read_by_pandas(text: str, delimiter: str, width: int) -> pd.DataFrame | None:
    """The rows below the header as pandas' C parser reads them, where that is certain.

    ``None`` where pandas may read the file otherwise than the ``csv`` module:

    * it refuses it: a row longer than the header, or quotes it reads otherwise (a
      quote left open: found by the hypothesis property in the tests);
    * it took the first column for an index (the first row longer than the header);
    * a row's last cell is empty: pandas pads a row shorter than the header with empty
      cells, silently, where the ``csv`` module counts them (a published file's last
      column is a figure in every row, so this costs it nothing).
    """
    if not width:
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=0,
            dtype=object,
            na_filter=False,  # every cell as its text: "" for an empty one, never NaN
            skip_blank_lines=False,  # rows keep their numbers in the file
        )
    except pd.errors.ParserError:
        return None
    if frame.shape[1] != width or not isinstance(frame.index, pd.RangeIndex):
        return None
    if (frame.iloc[:, -1] == "").any():
        return None
    frame.columns = pd.RangeIndex(width)
    return frame


def csv_columns(p: Path, keep: Callable[[str], bool]) -> pd.DataFrame | None:
    """Only the columns of a CSV file whose header ``keep`` accepts, as text.

    For a figure drawn beside a command's work (the map of practices): pandas' C parser
    skips the other columns unread, and nothing is checked. ``None`` where the file
    cannot be read so (empty, or rows pandas refuses); the command's own reading of the
    file (:func:`csv_table`) names its problems.
    """
    text = read_text(p)
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=_delimiter(text),
            usecols=keep,
            dtype=object,
            na_filter=False,
            index_col=False,
        )
    except (ValueError, pd.errors.ParserError):  # pandas' EmptyDataError is a ValueError
        return None


def workbook_sheets(p: Path) -> Iterator[tuple[str, list[list[object]]]]:
    """Each sheet's name and rows, after the archive checks (:mod:`.archive`).

    Raises:
        InputError: The workbook is empty, encrypted, damaged, beyond the archive
            limits, or a sheet cannot be read.
    """
    for name, rows, _ in _sheets_and_flags(p):
        yield name, rows


def _sheets_and_flags(
    p: Path,
) -> Iterator[tuple[str, list[list[object]], dict[tuple[int, int], str]]]:
    """Each sheet's name, rows and the cells that must not be read as values.

    A cell holding an Excel error (``#N/A``) or a formula saved without its result is
    flagged (:func:`.archive.cell_flags`), never read as a blank.
    """
    parts = check_workbook(p) if p.suffix.lower() in (".xlsx", ".xlsm") else {}
    part_of = sheet_parts(parts) if parts else {}
    wb = open_values(p)
    for name in wb.sheet_names:
        try:
            rows = wb.read(name)
        except Exception as e:  # each sheet is read when asked; the readers raise their own
            raise InputError(
                f"sheet '{name}' cannot be read (the file is damaged?): {e}", where=p.name
            ) from None
        flags = cell_flags(parts, part_of[name]) if name in part_of else {}
        yield name, [list(r) for r in rows], flags


#: A frame's ``attrs`` key: the cells :func:`read_table` found holding an Excel error or
#: a formula without its result, ``(source_row, column) -> why`` (their values are blank).
FLAGGED = "flagged"


def read_table(
    path: str | Path,
    numbers: Iterable[str] = (),
    required: Iterable[str] = (),
    problems: Problems | None = None,
    keep_flagged: bool = False,
) -> pd.DataFrame:
    """Read a CSV or the first sheet of a workbook into a validated frame.

    Args:
        path: The file.
        numbers: Columns (keys) converted to numbers; blanks stay missing.
        required: Columns (keys) that must be present.
        problems: Where to add problems with values (so a caller reports them with its
            own); without it they are raised here.
        keep_flagged: A cell holding an Excel error or a formula without its result is a
            problem (named by its cell) unless this is set; then it is left blank and
            listed in the frame's ``attrs`` (:data:`FLAGGED`) for the caller to report
            (a ledger's bad rows are exceptions, not errors).

    Returns:
        Columns keyed by :func:`header_key`, text stripped, blanks missing, and a
        ``source_row`` column giving each row's line in the file.

    Raises:
        InputError: Every problem found: a missing or unreadable file, an encoding
            that is not UTF-8/UTF-16, no header, a header given twice, no rows, a
            required column missing, a value that is not a number.
    """
    p = _check_file(path)
    where = p.name  # as every other message about the file names it
    rows: list[list[object]]
    flags: dict[tuple[int, int], str] = {}
    if p.suffix.lower() in WORKBOOK_SUFFIXES:
        rows, flags = next(_sheets_and_flags(p), ("", [], {}))[1:]
    else:
        rows = [list(r) for r in csv_rows(p)]
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError("the file is empty; expected a header row and rows below it", where=where)
    header = [header_key(h) for h in rows[0]]
    while (
        header
        and header[-1] == ""
        and all(len(r) < len(header) or is_blank(r[len(header) - 1]) for r in rows[1:])
    ):
        header.pop()
    spelt = [str(h).replace("\ufeff", "").strip() for h in rows[0]][: len(header)]
    found = _header_problems(header, list(required), len(rows), where, spelt)
    found.raise_if_any()
    values_found = problems if problems is not None else found
    width = len(header)
    body = [
        [(v.strip() if isinstance(v, str) else v) for v in (r + [""] * width)[:width]]
        for r in rows[1:]
    ]
    df = pd.DataFrame(body, columns=header, dtype=object).replace("", None)
    df[SOURCE_ROW] = range(2, len(body) + 2)
    # Each key's header as the file writes it, for messages that quote the user's words.
    df.attrs["headers"] = {k: str(h).replace("\ufeff", "").strip() for k, h in zip(header, rows[0])}
    df.attrs[FLAGGED] = _flagged(df, header, flags, None if keep_flagged else values_found, where)
    for c in numbers:
        if c in df.columns:
            df[c] = _numbers_of(df, c, where, values_found)
    found.raise_if_any()
    return df


def _header_problems(
    header: list[str], required: list[str], n_rows: int, where: str, spelt: list[str]
) -> Problems:
    """A header given twice, a required column missing, or no rows below the header.

    Headers are quoted as the file spells them (``spelt``); a missing column by the
    name xlalloc expects.
    """
    found = Problems()
    seen: dict[str, int] = {}
    for j, h in enumerate(header):
        if h and h in seen:
            found.add(
                where,
                f"column '{spelt[j]}' appears twice (columns {seen[h] + 1} and {j + 1}); keep one",
                row=1,
                column=spelt[j],
            )
        seen.setdefault(h, j)
    missing = [c for c in required if c not in seen]
    if missing:
        found.add(
            where,
            f"missing column(s) {listed(repr(m) for m in missing)}; columns found: "
            f"{listed(s for h, s in zip(header, spelt) if h)}",
        )
    if n_rows == 1:
        found.add(where, "no rows below the header", row=2)
    return found


def _numbers_of(df: pd.DataFrame, column: str, where: str, problems: Problems) -> pd.Series:
    """A column's numbers (blanks missing); each value that is not one is a problem."""
    values = []
    for v, row in zip(df[column], df[SOURCE_ROW]):
        if is_blank(v):
            values.append(float("nan"))
            continue
        try:
            values.append(parse_number(v))
        except ValueError as e:
            # The column as the file's header spells it ("Baseline", not "baseline").
            shown = df.attrs.get("headers", {}).get(column, column)
            problems.add(where, f"{e}; expected a number", row=int(row), column=shown)
            values.append(float("nan"))
    return pd.Series(values, index=df.index, dtype="float64")


def _flagged(
    df: pd.DataFrame,
    header: list[str],
    flags: dict[tuple[int, int], str],
    problems: Problems | None,
    where: str,
) -> dict[tuple[int, str], str]:
    """Blank the flagged cells of the table, and report each (unless ``problems`` is None).

    Returns:
        ``(source_row, column) -> why`` for each flagged cell of the table.
    """
    out = {}
    for (r, j), why in sorted(flags.items()):
        if r < 2 or r > len(df) + 1 or j >= len(header) or not header[j]:
            continue
        df.iat[r - 2, j] = None  # never read as a value
        out[(r, header[j])] = why
        if problems is not None:
            problems.add(where, f"cell {col_letter(j)}{r} {why}", row=r, column=header[j])
    return out


def read_totals(path: str | Path) -> dict[str, float]:
    """A totals file ``year, total``: the amount available in each financial year.

    Raises:
        InputError: Missing columns, a total that is not a number, a blank or
            repeated year; every problem together.
    """
    problems = Problems()
    df = read_table(path, numbers=("total",), required=("year", "total"), problems=problems)
    where = str(path)
    bad_total = {p.row for p in problems.items}
    out: dict[str, float] = {}
    for y, t, row in zip(df["year"], df["total"], df[SOURCE_ROW]):
        if is_blank(y):
            problems.add(where, "year is blank", row=int(row), column="year")
        elif int(row) in bad_total:
            continue
        elif pd.isna(t):
            problems.add(where, f"the total for {y} is blank", row=int(row), column="total")
        elif str(y) in out:
            problems.add(where, f"year {y} appears more than once", row=int(row), column="year")
        else:
            out[str(y)] = float(t)
    problems.raise_if_any()
    return out


def read_baselines(path: str | Path, places: Iterable[str]) -> pd.Series:
    """A baselines file ``place, baseline``: each place's current allocation (£).

    Args:
        path: The file.
        places: The places the targets define; every row must name one of them.

    Returns:
        Baseline by place.

    Raises:
        InputError: Missing columns, a blank, repeated or unknown place, a baseline that
            is blank, not a number or not positive; every problem together.
    """
    problems = Problems()
    df = read_table(path, numbers=("baseline",), required=("place", "baseline"), problems=problems)
    where, known = str(path), set(places)
    bad = {p.row for p in problems.items}
    out: dict[str, float] = {}
    for place, b, row in zip(df["place"], df["baseline"], df[SOURCE_ROW]):
        r = int(row)
        if is_blank(place):
            problems.add(where, "place is blank", row=r, column="place")
        elif str(place) not in known:
            problems.add(
                where,
                f"place {place!r} is not one of the places {listed(sorted(known))}",
                row=r,
                column="place",
            )
        elif str(place) in out:
            problems.add(where, f"place {place!r} appears more than once", row=r, column="place")
        elif r not in bad and not b > 0:
            problems.add(
                where,
                f"the baseline of {place} is {'blank' if pd.isna(b) else b}; "
                "expected a positive amount in £",
                row=r,
                column="baseline",
            )
        elif r not in bad:
            out[str(place)] = float(b)
    missing = sorted(known - set(out) - set(df["place"].dropna().astype(str)))
    if missing:
        problems.add(
            where, f"no baseline for place(s) {listed(missing)}; give every place's baseline"
        )
    problems.raise_if_any()
    return pd.Series(out, dtype="float64", name="baseline")
