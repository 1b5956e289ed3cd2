"""Cell values as users type them: blanks, numbers, flags and A1 references.

One place for the rules every reader shares (model workbooks, CSV tables, ledgers,
worksheet-function arguments), so the same text means the same thing everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from ..engine.frames import is_blank
from ..engine.rounding import MAX_AMOUNT

__all__ = [
    "EXCEL_ERRORS",
    "FALSE",
    "TRUE",
    "error_message",
    "a1_bounds",
    "cell_rc",
    "col_index",
    "col_letter",
    "is_blank",
    "PERIOD_EXAMPLES",
    "financial_month",
    "parse_flag",
    "parse_money",
    "parse_number",
    "parse_period",
]

TRUE = ("true", "1", "yes", "y")
FALSE = ("false", "0", "no", "n")

#: Excel's error values, as Office.js and xlwings (``err_to_str``) pass them as text.
EXCEL_ERRORS = frozenset(
    (
        "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
        "#GETTING_DATA",
    )
)  # fmt: skip


def error_message(code: str) -> str:
    """What a cell holding an Excel error is told, the same on every surface."""
    return f"holds the Excel error {code}; fix the formula or type the value"


# £1,234.50 / -1,234 / (1,234) / 1234.5 / 5% : thousands separators only in groups of three.
_NUMBER = re.compile(
    r"^(?P<neg>-)?£?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.?\d+"
    r"(?:[eE][-+]?\d+)?)(?P<pct>%)?$"
)


def parse_number(v: object) -> float:
    """A number from a cell: a number, or text a person would write for one.

    Accepts ``1234.5``, ``£1,234``, ``(123)`` for -123 and ``5%`` for 0.05.

    Raises:
        ValueError: Text that is not a number in that sense (``1,5`` is ambiguous),
            a TRUE/FALSE value, an infinity or NaN, or a magnitude beyond
            :data:`~xlalloc.engine.rounding.MAX_AMOUNT` (£10 trillion).
    """
    x = _number(v)
    if not math.isfinite(x):
        raise ValueError(f"{v!r} is not a finite number")
    if abs(x) > MAX_AMOUNT:
        raise ValueError(f"{v!r} is beyond any NHS budget (at most {MAX_AMOUNT:g})")
    return x


def _number(v: object) -> float:
    """A cell's number as written, infinities included (TRUE/FALSE and other text refused)."""
    if isinstance(v, bool):
        raise ValueError(f"{v} is TRUE/FALSE, not a number")
    if isinstance(v, int | float):
        return float(v)
    text = str(v).strip().replace(" ", "")
    neg = text.startswith("(") and text.endswith(")")
    if neg:
        text = text[1:-1]
    m = _NUMBER.match(text)
    if m is None:
        raise ValueError(f"{v!r} is not a number")
    x = float(m.group("num").replace(",", ""))
    if m.group("pct"):
        x /= 100
    return -x if m.group("neg") or neg else x


def parse_money(v: object) -> float:
    """An amount of money from a cell, as :func:`parse_number` reads it, but never a percentage.

    ``£1,234.50``, ``1,234.50``, ``(100.00)`` for -100 and ``-£5`` are read as a person
    means them; ``5%`` is refused (a rate, not money), as are TRUE/FALSE, an infinity,
    NaN and a magnitude beyond £10 trillion.

    Raises:
        ValueError: Saying why, in words a finance analyst would use.
    """
    if isinstance(v, str) and v.strip().rstrip(")").endswith("%"):
        raise ValueError(f"{v!r} is a percentage, not an amount of money")
    if isinstance(v, str) and v.strip().lower().strip("+-()£ ") in _NON_FINITE:
        raise ValueError(f"{v!r} is not a finite amount")
    x = _number(v)
    if not math.isfinite(x):
        raise ValueError(f"{v!r} is not a finite amount")
    if abs(x) > MAX_AMOUNT:
        raise ValueError(f"{v!r} is beyond any NHS budget (at most £10 trillion)")
    return x


_NON_FINITE = ("inf", "infinity", "nan")

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
#: Calendar month names and their three-letter abbreviations, 1 = January.
_CALENDAR = {
    name: k
    for k, full in enumerate(_MONTHS, start=1)
    for name in (full, full[:3], *(("sept",) if full == "september" else ()))
}
_FY_MONTH = re.compile(r"^(?:m|p|month|period|mth)?[\s._-]*0*(\d{1,2})$")
_NAMED = re.compile(r"^([a-z]{3,9})\.?(?:[\s/_-]*(\d{4}|\d{2}))?$")
_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[ t].*)?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
PERIOD_EXAMPLES = "6, M06, Month 6, P06, Sep, Sep-26, 2026-09 or September 2026"


def financial_month(calendar_month: int) -> int:
    """The financial-year month of a calendar month: April is 1, March is 12."""
    return (calendar_month - 4) % 12 + 1


def parse_period(v: object, financial_year: str | None = None) -> int:
    """A ledger's period as a financial-year month, 1 (April) to 12 (March).

    Reads the ways finance systems write a period: ``6``, ``M06``, ``Month 6``, ``P06``
    (months of the financial year); ``Sep``, ``September``, ``Sep-26``, ``SEP-26``,
    ``September 2026``, ``2026-09``, ``09/2026`` and dates (calendar months). A period
    naming a year must fall in ``financial_year`` (``2026/27``: April 2026 to March 2027).

    Raises:
        ValueError: A period that is none of these, a month number outside 1 to 12, or
            a calendar month outside the financial year; saying which.
    """
    if isinstance(v, bool):
        raise ValueError(f"{v} is TRUE/FALSE, not a period")
    if isinstance(v, dt.date):
        return _in_year(v.month, v.year, v, financial_year)
    if isinstance(v, int | float):
        if not (math.isfinite(v) and float(v).is_integer()):
            raise ValueError(f"{v!r} is not a whole month 1 (April) to 12 (March)")
        return _fy_month(int(v), v)
    text = str(v).strip().lower()
    m = _FY_MONTH.match(text)
    if m:
        return _fy_month(int(m.group(1)), v)
    m = _NAMED.match(text)
    if m and m.group(1) in _CALENDAR:
        cal = _CALENDAR[m.group(1)]
        if m.group(2) is None:
            return financial_month(cal)
        year = int(m.group(2))
        return _in_year(cal, year + 2000 if year < 100 else year, v, financial_year)
    m = _YEAR_MONTH.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return _in_year(int(m.group(2)), int(m.group(1)), v, financial_year)
    m = _MONTH_YEAR.match(text)
    if m and 1 <= int(m.group(1)) <= 12:
        return _in_year(int(m.group(1)), int(m.group(2)), v, financial_year)
    raise ValueError(f"{v!r} is not a period xlalloc can read (e.g. {PERIOD_EXAMPLES})")


def _fy_month(n: int, v: object) -> int:
    if not 1 <= n <= 12:
        raise ValueError(f"{v!r} is not a month 1 (April) to 12 (March)")
    return n


def _in_year(cal: int, year: int, v: object, financial_year: str | None) -> int:
    """A calendar month and year as a month of ``financial_year`` (refused outside it)."""
    if financial_year:
        m = re.match(r"^(\d{4})", financial_year.strip())
        if m:
            start = int(m.group(1))
            if (year, cal) < (start, 4) or (year, cal) > (start + 1, 3):
                raise ValueError(
                    f"{v!r} is {_MONTHS[cal - 1].title()} {year}, outside the financial year "
                    f"{financial_year} (April {start} to March {start + 1})"
                )
    return financial_month(cal)


def parse_flag(v: object) -> bool:
    """TRUE/FALSE from a cell (also 1/0, yes/no, y/n).

    Raises:
        ValueError: Anything else.
    """
    if isinstance(v, bool):
        return v
    text = str(int(v) if isinstance(v, float) and v.is_integer() else v).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{v!r} is not TRUE or FALSE")


def col_letter(i: int) -> str:
    """Column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    """0-based column index of column letters (A -> 0, AA -> 26)."""
    c = 0
    for ch in letters.upper():
        c = c * 26 + ord(ch) - 64
    return c - 1


def cell_rc(ref: str) -> tuple[int, int]:
    """Row and 0-based column of an A1 reference (``$`` signs allowed)."""
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", ref.strip().upper())
    if m is None:
        raise ValueError(f"{ref!r} is not a cell reference")
    return int(m.group(2)), col_index(m.group(1))


def sheet_cell(ref: str) -> tuple[str, int, int] | None:
    """Sheet, row and 0-based column of a one-cell reference (``'My sheet'!$B$4``).

    ``None`` when ``ref`` is not one cell of a named sheet (a range, a formula).
    """
    sheet, bang, cell = ref.rpartition("!")
    if not bang or not sheet:
        return None
    if sheet.startswith("'"):
        if len(sheet) < 3 or not sheet.endswith("'"):
            return None
        sheet = sheet[1:-1].replace("''", "'")
    elif "'" in sheet:
        return None
    try:
        row, column = cell_rc(cell)
    except ValueError:
        return None
    return sheet, row, column


def a1_bounds(ref: str) -> tuple[int, int, int, int]:
    """First row, first column, last row, last column (0-based columns) of an A1 range."""
    a, _, b = ref.partition(":")
    r1, c1 = cell_rc(a)
    r2, c2 = cell_rc(b or a)
    return r1, c1, r2, c2
