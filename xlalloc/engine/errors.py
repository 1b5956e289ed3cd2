"""Errors that report every input problem at once.

An :class:`InputError` carries a list of :class:`Problem` records, each naming
where the problem is (table or sheet, row, column or parameter) and what was
expected, so a finance user can fix them all in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TypeVar

from pydantic import BaseModel

__all__ = [
    "InputError",
    "Problem",
    "Problems",
    "checked",
    "did_you_mean",
    "listed",
    "quoted",
    "nearest",
    "option",
    "percent_hint",
    "renamed",
    "rows_text",
]


#: Words a name shares with every other (NHS ... ICB) that say nothing about which it is.
_COMMON = frozenset({"nhs", "icb", "and", "the", "of"})


def nearest(query: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The choices nearest a misspelt name, nearest first (none when nothing is near).

    Each choice is scored by the whole text and by each of its words, so ``esex`` finds
    ``NHS Essex ICB`` and ``Brokvale`` finds ``Brookvale``.
    """
    q = " ".join(str(query).lower().split())
    if not q:
        return []
    scored = []
    for c in dict.fromkeys(str(c) for c in choices):
        text = " ".join(c.lower().split())
        words = [w for w in re.split(r"[^a-z0-9]+", text) if len(w) > 2 and w not in _COMMON]
        score = max(SequenceMatcher(None, q, t).ratio() for t in [text, *words])
        if q in text:
            score = max(score, 0.9)
        scored.append((-score, c))
    return [c for s, c in sorted(scored) if -s >= 0.7][:n]


def quoted(names: Iterable[object], most: int = 20) -> str:
    """Texts as the file gives them, each in quotes: ``'line', 'amount' and 'GP'``."""
    return listed((f"'{n}'" for n in names), most)


def listed(names: Iterable[object], most: int = 20) -> str:
    """Names as a person writes a list: ``Ashford City, Brookvale and Castleton``."""
    items = [str(x) for x in names]
    more = len(items) - most
    if more > 0:
        items = [*items[:most], f"{more} more"]
    return (
        items[0]
        if len(items) == 1
        else ", ".join(items[:-1]) + " and " + items[-1]
        if items
        else "none"
    )


def did_you_mean(query: str, choices: Iterable[str]) -> str:
    """``"; did you mean Brookvale?"`` for a misspelt name, or ``"."`` (a sentence's end)."""
    near = nearest(query, choices)
    return f"; did you mean {' or '.join(near)}?" if near else "."


def option(name: str) -> str:
    """An option of a request (``places_by``), as a message names it.

    Messages name options by their field in the Python API, marked so that each front
    door can show them its own way: the command line shows them as flags (``xlalloc new
    --places-by``); the Python API and Excel show ```places_by```. Only ``cli/`` knows
    flags.
    """
    return f"`{name}`"


@dataclass(frozen=True)
class Problem:
    """One input problem.

    Attributes:
        where: The table, sheet or option, e.g. ``"Practices"`` or ``option("total")``.
        message: What is wrong and what was expected.
        row: Row label (1-based data row, or sheet row) where it applies.
        column: Column header where it applies.
    """

    where: str
    message: str
    row: int | str | None = None
    column: str | None = None

    def __str__(self) -> str:
        loc = self.where
        if self.row is not None:
            many = isinstance(self.row, str) and ("," in self.row or "-" in self.row)
            loc += f", {'rows' if many else 'row'} {self.row}"
        if self.column is not None:
            loc += f", column '{self.column}'"
        return f"{loc}: {self.message}"


class InputError(ValueError):
    """Raised when inputs are invalid; holds every problem found."""

    def __init__(self, problems: list[Problem] | Problem | str, where: str = "input"):
        if isinstance(problems, str):
            problems = [Problem(where, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(self._text())

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        """Pickled with its problems (from a second process: every one, as found)."""
        return (InputError, (self.problems,))

    def _text(self) -> str:
        n = len(self.problems)
        head = f"{n} input problem{'s' if n != 1 else ''}:"
        return "\n".join([head] + [f"  - {p}" for p in self.problems])


class Problems:
    """Collects problems and raises them together.

    Example:
        >>> found = Problems()
        >>> found.add("Places", "practice X99999 is not in the data", row=3)
        >>> found.raise_if_any()
        Traceback (most recent call last):
        ...
        xlalloc.engine.errors.InputError: 1 input problem:
          - Places, row 3: practice X99999 is not in the data
    """

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(
        self,
        where: str,
        message: str,
        row: int | str | None = None,
        column: str | None = None,
    ) -> None:
        """Record one problem."""
        self.items.append(Problem(where, message, row, column))

    def extend(self, error: InputError) -> None:
        """Record every problem from another error."""
        self.items.extend(error.problems)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        """Raise an :class:`InputError` holding every problem, if there are any."""
        if self.items:
            raise InputError(self.items)


M = TypeVar("M", bound=BaseModel)


def checked(
    model: type[M],
    values: Mapping[str, object],
    where: str | Mapping[str, str],
    rates: tuple[str, ...] | None = None,
) -> M:
    """Build a settings model, every problem reported at once as an :class:`InputError`.

    A rate or share given as a percentage (5 for 5%) gets a hint: decimals are expected.
    ``rates`` names the fields that are rates (default: any number may be one); a count
    or a seed never gets the hint. ``where`` names where the values came from: one name,
    or each field's own (an option each: ``{"pot": option("pot"), ...}``), in which case
    the problem names that and not the field again.
    """
    from pydantic import ValidationError  # 0.1 s: a command's own errors need none

    try:
        return model.model_validate(dict(values))
    except ValidationError as e:
        problems = Problems()
        for err in e.errors():
            name = ".".join(str(x) for x in err["loc"]) or "policy"
            value = values.get(name, "") if err["loc"] else ""
            own = where.get(name) if isinstance(where, Mapping) else None
            problems.add(
                own or (where if isinstance(where, str) else "settings"),
                f"{err['msg']}"
                + (f" (got {value!r})" if value != "" else "")
                + (percent_hint(value) if rates is None or name in rates else ""),
                column=None if own else name,
            )
        raise InputError(problems.items) from None


def percent_hint(value: object) -> str:
    """``"; did you mean 0.05 for 5%?"`` for a rate of 1 or more, else ``""``."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= abs(value) <= 100:
        return f"; did you mean {value / 100:g} for {value:g}%? (rates are decimals)"
    return ""


def rows_text(rows: list[int]) -> str:
    """Row numbers as compact ranges, e.g. ``5-9, 12``."""
    out: list[str] = []
    for r in sorted(rows):
        if out and "-" in out[-1] and int(out[-1].split("-")[1]) == r - 1:
            out[-1] = f"{out[-1].split('-')[0]}-{r}"
        elif out and "-" not in out[-1] and int(out[-1]) == r - 1:
            out[-1] = f"{out[-1]}-{r}"
        else:
            out.append(str(r))
    return ", ".join(out)


def renamed(error: InputError, names: Mapping[str, str]) -> InputError:
    """The same problems, each ``where`` found in ``names`` replaced by its new name.

    The engine names its own tables (``equity``); a front door that read them from a file
    names the file instead, so the user sees the file they gave.
    """
    return InputError(
        [Problem(names.get(p.where, p.where), p.message, p.row, p.column) for p in error.problems]
    )
