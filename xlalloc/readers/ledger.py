"""Ledger extracts, cost-centre maps and phasing profiles for monthly packs.

A ledger is read as the finance system exported it: columns found by their headers
(``xlalloc pack --columns month=Period,cost_centre=Cost Centre,amount=Actual`` names
them where they differ), periods as ledgers write them (``M06``, ``Sep-26``,
``2026-09`` ...) and money as Excel saves it (``£1,234.50``, ``(100.00)``). Each cell
is converted once, here; a cell that cannot be read keeps its row, with the reason,
for the packs' Exceptions sheet, so nothing is dropped and the reconciliation can say
what was left out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.errors import Problems, listed, option, quoted, rows_text
from ..engine.frames import SOURCE_ROW
from ..engine.monitoring import MONTHS
from .cells import is_blank, parse_money, parse_number, parse_period
from .tables import FLAGGED, header_key, read_table

__all__ = [
    "ALIASES",
    "LEDGER_FIELDS",
    "LedgerExtract",
    "parse_ledger_columns",
    "read_actuals",
    "read_cost_centres",
    "read_phasing",
]

#: What a ledger's columns may hold (``month``, ``amount`` and a programme, cost centre,
#: place or practice code are needed; ``subjective`` is carried to the exceptions).
LEDGER_FIELDS = (
    "month",
    "programme",
    "place",
    "practice_code",
    "cost_centre",
    "subjective",
    "amount",
)

#: Headers an ISFE (Oracle) extract uses for a field, read as it without being named.
ALIASES = {"month": ("period",), "amount": ("actual",)}


@dataclass
class LedgerExtract:
    """A ledger read at the boundary: one row per file row, each cell converted once.

    Attributes:
        frame: ``month`` (financial-year month, NaN where unreadable), ``amount`` (£,
            NaN where unreadable), ``month_problem`` and ``amount_problem`` (why, or
            ``None``), the text fields present, and ``source_row``; ``month_raw`` and
            ``amount_raw`` keep the cells as the file gave them.
        file: The file's name, for messages and the packs' Cover.
        headers: Field -> the header it was read from.
        notes: What was chosen (a header read as a field).
    """

    frame: pd.DataFrame
    file: str
    headers: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def parse_ledger_columns(text: str | None, where: str | None = None) -> dict[str, str]:
    """``month=Period,cost_centre=Cost Centre,amount=Actual`` as field -> header.

    Args:
        text: The mapping, or blank for none.
        where: Where it was given, for messages (default: the ``columns`` option).

    Raises:
        InputError: A part without ``=``, an unknown field, or a field given twice.
    """
    out: dict[str, str] = {}
    if not text:
        return out
    at = where or option("columns")
    problems = Problems()
    for part in text.split(","):
        key, sep, header = part.partition("=")
        key, header = key.strip(), header.strip()
        if not sep or not header:
            problems.add(at, f"{part.strip()!r} is not NAME=HEADER, e.g. month=Period")
        elif key not in LEDGER_FIELDS:
            problems.add(at, f"unknown column {key!r}; expected one of {listed(LEDGER_FIELDS)}")
        elif key in out:
            problems.add(at, f"{key} is given twice")
        else:
            out[key] = header
    problems.raise_if_any()
    return out


def _ledger_headers(
    raw: pd.DataFrame, columns: Mapping[str, str] | None, where: str
) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Which of the file's headers holds each field: named, by the field's name or an alias.

    Returns:
        The file's header key -> field, each field's header, and notes of aliases read.

    Raises:
        InputError: A named header not in the file, a header named for two fields, or no
            month or amount column; every problem together.
    """
    problems = Problems()
    rename: dict[str, str] = {}
    headers: dict[str, str] = {}
    notes: list[str] = []
    found = [c for c in raw.columns if c != SOURCE_ROW]
    named: dict[str, str] = {}
    for fld, header in (columns or {}).items():
        key = header_key(header)
        if key in named:
            problems.add(
                where,
                f"column {header!r} is named for both {named[key]} and {fld} (by "
                f"{option('columns')}); one column holds one field",
            )
            continue
        named[key] = fld
        if key not in raw.columns:
            problems.add(
                where,
                f"no column {header!r} for {fld} (named by {option('columns')}); "
                f"columns found: {quoted(found)}",
            )
        else:
            rename[key] = fld
            headers[fld] = header
    for fld in LEDGER_FIELDS:
        if fld in headers:
            continue
        if fld in raw.columns and fld not in named:
            rename[fld] = fld
            headers[fld] = fld
            continue
        alias = next((a for a in ALIASES.get(fld, ()) if a in raw.columns and a not in named), None)
        if alias is not None and fld not in raw.columns:
            rename[alias] = fld
            headers[fld] = alias
            as_written = raw.attrs.get("headers", {}).get(alias, alias)
            notes.append(f"Ledger column '{as_written}' read as the {fld}.")
    for fld in ("month", "amount"):
        if fld not in headers:
            problems.add(
                where,
                f"no {fld} column; columns found: {quoted(found)}; name it with "
                f"{option('columns')} {fld}=HEADER",
            )
    problems.raise_if_any()
    return rename, headers, notes


def read_actuals(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    financial_year: str | None = None,
) -> LedgerExtract:
    """A ledger extract (CSV or the first sheet of a workbook), every cell converted once.

    Args:
        path: The extract.
        columns: Field -> header, where the file's headers are not the fields' names.
        financial_year: The model's year (``2026/27``): a period naming a year must fall
            in it.

    Raises:
        InputError: A named header that is not in the file, a field given by two
            headers, or no month or amount column; every problem together.
    """
    where = Path(path).name
    raw = read_table(path, keep_flagged=True)  # a cell with an error: that row's exception
    rename, headers, notes = _ledger_headers(raw, columns, where)
    shown = raw.attrs.get("headers", {})
    headers = {fld: shown.get(header_key(h), h) for fld, h in headers.items()}
    df = raw[[*rename, SOURCE_ROW]].rename(columns=rename)
    frame = pd.DataFrame({SOURCE_ROW: df[SOURCE_ROW].to_numpy()})
    for fld in LEDGER_FIELDS:
        if fld in ("month", "amount") or fld not in df.columns:
            continue
        frame[fld] = df[fld].to_numpy(dtype=object)
    frame["month_raw"] = df["month"].to_numpy(dtype=object)
    frame["amount_raw"] = df["amount"].to_numpy(dtype=object)
    frame["month"], frame["month_problem"] = _converted(
        df["month"], headers["month"], lambda v: float(parse_period(v, financial_year))
    )
    frame["amount"], frame["amount_problem"] = _converted(
        df["amount"], headers["amount"], parse_money
    )
    _flagged_problems(frame, raw.attrs.get(FLAGGED, {}), rename, headers)
    return LedgerExtract(frame, where, headers, notes)


def _flagged_problems(
    frame: pd.DataFrame,
    flagged: Mapping[tuple[int, str], str],
    rename: Mapping[str, str],
    headers: Mapping[str, str],
) -> None:
    """Say so where a month or amount cell holds an Excel error or a formula's lost result.

    Such a cell is never called blank: its row's problem names what it holds.
    """
    position = {int(r): i for i, r in enumerate(frame[SOURCE_ROW])}
    for (row, key), why in flagged.items():
        fld = rename.get(key, "")
        if fld in ("month", "amount"):
            frame.loc[position[row], f"{fld}_problem"] = f"{headers[fld]} {why}"


def _converted(
    values: pd.Series, header: str, parse: Callable[[object], float]
) -> tuple[np.ndarray, np.ndarray]:
    """Each cell converted (once per distinct value), or NaN with the reason."""
    cache: dict[object, tuple[float, str | None]] = {}
    out = np.full(len(values), np.nan)
    why = np.full(len(values), None, dtype=object)
    for i, v in enumerate(values.tolist()):
        if is_blank(v):
            why[i] = f"{header} is blank"
            continue
        key = (type(v), v)
        if key not in cache:
            try:
                cache[key] = (parse(v), None)
            except ValueError as e:
                cache[key] = (np.nan, f"{header} {e}")
        out[i], why[i] = cache[key]
    return out, why


def read_cost_centres(path: str | Path) -> pd.DataFrame:
    """A cost-centre map ``cost_centre, programme[, place]`` (CSV or a workbook's first sheet).

    The rows are checked against the model by the monitoring engine
    (:func:`~xlalloc.engine.monitoring.cost_centre_map`).

    Raises:
        InputError: The file cannot be read, or lacks ``cost_centre`` or ``programme``.
    """
    df = read_table(path, required=("cost_centre", "programme"))
    if "place" not in df.columns:
        df["place"] = None
    return df[["cost_centre", "programme", "place", SOURCE_ROW]]


def read_phasing(path: str | Path | None) -> pd.Series | None:
    """A phasing profile file with columns ``month, share`` (``None``: twelfths).

    Checked at the boundary, every problem naming the file, the row and the column: a
    month that is not a whole number 1 to 12 or is given twice, a share that is blank,
    not a number or negative, months missing, shares not summing to 1.

    Raises:
        InputError: Every problem together.
    """
    if path is None:
        return None
    where = str(path)
    df = read_table(path, required=("month", "share"))
    problems = Problems()
    by_month: dict[int, list[int]] = {}
    shares: dict[int, float] = {}
    for m, s, r in zip(df["month"], df["share"], df[SOURCE_ROW], strict=True):
        row = int(r)
        month = _phasing_month(m)
        if month is None:
            problems.add(where, f"month {m!r} is not a whole number 1 to 12", row, "month")
        else:
            by_month.setdefault(month, []).append(row)
        share = _phasing_share(s, where, row, problems)
        if month is not None and share is not None:
            shares[month] = share
    for month, rows in sorted(by_month.items()):
        if len(rows) > 1:
            problems.add(
                where, f"month {month} is given {len(rows)} times; give it once", rows_text(rows)
            )
    missing = [m for m in MONTHS if m not in by_month]
    if missing and not problems:
        problems.add(where, f"months {rows_text(missing)} are missing; give all twelve once")
    total = sum(shares.values())
    if not problems and abs(total - 1) > 1e-9:
        problems.add(where, f"the shares sum to {total:.6f}; they must sum to 1 (100%)")
    problems.raise_if_any()
    return pd.Series(shares, dtype="float64").sort_index()


def _phasing_month(m: object) -> int | None:
    """A phasing row's month 1 to 12, or ``None``."""
    try:
        month = parse_number(m) if not is_blank(m) else float("nan")
    except ValueError:
        return None
    return int(month) if float(month).is_integer() and 1 <= month <= 12 else None


def _phasing_share(s: object, where: str, row: int, problems: Problems) -> float | None:
    """A phasing row's share, or ``None`` with its problem recorded."""
    if is_blank(s):
        problems.add(where, "the share is blank", row, "share")
        return None
    try:
        share = parse_number(s)
    except ValueError:
        problems.add(where, f"share {s!r} is not a number", row, "share")
        return None
    if share < 0:
        problems.add(where, f"share {share:g} is negative", row, "share")
        return None
    return share
