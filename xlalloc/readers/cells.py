"""Cell values as users type them: blanks, numbers, flags and A1 references.

One place for the rules every reader shares (model workbooks, CSV tables, ledgers,
worksheet-function arguments), so the same text means the same thing everywhere.
"""

from __future__ import annotations

import math
import re

from ..engine.frames import is_blank
from ..engine.rounding import MAX_AMOUNT

__all__ = [
    "FALSE",
    "TRUE",
    "a1_bounds",
    "cell_rc",
    "col_index",
    "col_letter",
    "is_blank",
    "parse_flag",
    "parse_number",
]

TRUE = ("true", "1", "yes", "y")
FALSE = ("false", "0", "no", "n")

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
    if isinstance(v, bool):
        raise ValueError(f"{v} is TRUE/FALSE, not a number")
    if isinstance(v, int | float):
        x = float(v)
    else:
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
        if m.group("neg") or neg:
            x = -x
    if not math.isfinite(x):
        raise ValueError(f"{v!r} is not a finite number")
    if abs(x) > MAX_AMOUNT:
        raise ValueError(f"{v!r} is beyond any NHS budget (at most {MAX_AMOUNT:g})")
    return x


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


def a1_bounds(ref: str) -> tuple[int, int, int, int]:
    """First row, first column, last row, last column (0-based columns) of an A1 range."""
    a, _, b = ref.partition(":")
    r1, c1 = cell_rc(a)
    r2, c2 = cell_rc(b or a)
    return r1, c1, r2, c2
