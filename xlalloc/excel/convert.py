"""xlalloc's own converters for values Excel passes to user-defined functions.

Excel passes a single cell as a scalar and a range as a list of rows (a 2-D
list), with ``None`` for blank cells. xlwings' converters need Excel; these do
not, so every UDF can be tested as a plain Python function.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized

import numpy as np

from ..engine.errors import InputError, Problems
from ..engine.rounding import MIN_UNIT
from ..readers.cells import EXCEL_ERRORS, error_message, parse_number


def _cells(value: object) -> tuple[list[object], tuple[int, int]]:
    """Flatten a scalar, 1-D or 2-D value; return the cells and the shape."""
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            rows = [list(r) for r in value]
            widths = {len(r) for r in rows}
            if len(widths) != 1:
                raise InputError("ragged range: rows of different lengths", where="range")
            return [v for r in rows for v in r], (len(rows), widths.pop())
        return list(value), (len(value), 1)
    return [value], (1, 1)


def vector(
    value: object, name: str, *, allow_blank: bool = False, minimum: float | None = None
) -> np.ndarray:
    """A one-column or one-row range (or a single cell) as a float vector.

    Args:
        value: What Excel passed.
        name: The argument's name, for messages.
        allow_blank: Read blank cells as NaN instead of reporting them.
        minimum: Report values below this.

    Raises:
        InputError: Every problem together: a 2-D block, blanks, text, values
            below ``minimum``; each naming the argument and position.
    """
    cells, (r, c) = _cells(value)
    if r > 1 and c > 1:
        raise InputError(f"{name}: expected one row or one column, got {r} x {c}", where=name)
    problems = Problems()
    out = np.empty(len(cells))
    for i, v in enumerate(cells):
        pos = f"{name} item {i + 1}"
        if _is_error(v):
            problems.add(name, f"{pos} {error_message(str(v).strip())}")
            continue
        if v is None or (isinstance(v, str) and v.strip() == ""):
            if allow_blank:
                out[i] = np.nan
                continue
            problems.add(name, f"{pos} is blank; expected a number")
            continue
        try:
            v = parse_number(v)
        except ValueError as e:
            problems.add(
                name,
                f"{pos} is text ({v!r}); expected a number"
                if isinstance(v, str)
                else f"{pos}: {e}",
            )
            continue
        if minimum is not None and float(v) < minimum:
            problems.add(name, f"{pos} is {v:g}; expected at least {minimum:g}")
            continue
        out[i] = float(v)
    problems.raise_if_any()
    return out


def flags(value: object, name: str, n: int) -> np.ndarray:
    """TRUE/FALSE (or 1/0, or any text meaning a selection) per row; blank = FALSE."""
    cells, _ = _cells(value)
    if len(cells) != n:
        raise InputError(f"{name}: {len(cells)} items, expected {n} (one per row)", where=name)
    out = []
    problems = Problems()
    for i, v in enumerate(cells):
        if _is_error(v):
            problems.add(name, f"{name} item {i + 1} {error_message(str(v).strip())}")
        if v is None or v == "" or v is False or v == 0:
            out.append(False)
        elif isinstance(v, str) and v.strip().lower() in ("false", "no", "n", "0"):
            out.append(False)
        else:
            out.append(True)
    problems.raise_if_any()
    return np.array(out, dtype=bool)


def _is_error(v: object) -> bool:
    """An Excel error value (``#N/A``), as Office.js passes it: never a value."""
    return isinstance(v, str) and v.strip().upper() in EXCEL_ERRORS


def unit(value: object) -> float:
    """The rounding unit in £ (blank: 1); at least a penny (a smaller one never finishes)."""
    u = scalar(value, "unit", default=1.0)
    if u is None or not u >= MIN_UNIT:
        raise InputError(
            f"unit is {u:g}; expected a rounding unit of at least a penny "
            "(0.01 for pence, 1, or 1000 for £000)",
            where="unit",
        )
    return u


def not_all_zero(values: np.ndarray, name: str) -> None:
    """Raise if every value is zero (nothing to share by, or to measure against)."""
    if len(values) == 0 or not np.any(values):
        raise InputError(f"{name} are all zero", where=name)


def scalar(value: object, name: str, default: float | None = None) -> float | None:
    """A single number (blank: ``default``)."""
    cells, _ = _cells(value)
    if len(cells) != 1:
        raise InputError(f"{name}: expected a single cell", where=name)
    v = cells[0]
    if _is_error(v):
        raise InputError(f"{name} {error_message(str(v).strip())}", where=name)
    if v is None or (isinstance(v, str) and v.strip() == ""):
        return default
    try:
        return parse_number(v)
    except ValueError as e:
        raise InputError(
            f"{name} is text ({v!r}); expected a number" if isinstance(v, str) else f"{name}: {e}",
            where=name,
        ) from None


def same_length(**vectors: Sized) -> None:
    """Raise if the named vectors differ in length."""
    lengths = {k: len(v) for k, v in vectors.items()}
    if len(set(lengths.values())) > 1:
        raise InputError(
            "ranges differ in length: " + ", ".join(f"{k} has {n}" for k, n in lengths.items()),
            where="ranges",
        )


def column(values: Iterable[object]) -> list[list[object]]:
    """A vector as a one-column 2-D list (spills down in Excel)."""
    return [[v.item() if isinstance(v, np.generic) else v] for v in values]


def pairs(value: object, name: str) -> dict[str, object]:
    """A two-column range of parameter names and values (e.g. a named policy range)."""
    if value is None:
        return {}
    cells, (r, c) = _cells(value)
    if c < 2:
        raise InputError(f"{name}: expected two columns (name, value), got {c}", where=name)
    out: dict[str, object] = {}
    rows: dict[str, int] = {}
    problems = Problems()
    for i in range(r):
        # The first two columns (a model's Policy table has more: description ...).
        k, v = cells[c * i], cells[c * i + 1]
        if k is None or str(k).strip() == "" or str(k).strip().lower() == "parameter":
            continue
        key = str(k).strip()
        if key in rows:
            problems.add(
                name,
                f"{key} is given twice (rows {rows[key]} and {i + 1} of the range); "
                "give each parameter once",
            )
            continue
        rows[key] = i + 1
        if _is_error(v):
            problems.add(name, f"{key} {error_message(str(v).strip())}")
            continue
        out[key] = None if v == "" else v
    problems.raise_if_any()
    return out
