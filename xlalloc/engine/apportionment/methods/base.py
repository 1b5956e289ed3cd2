"""What every apportionment method shares: the protocol, the context, the registry.

A method is one module of :mod:`xlalloc.engine.apportionment.methods` implementing
:class:`ApportionmentMethod` and calling :func:`register`; a line's ``methods`` column
may then name it, and the docs list it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pandas as pd

if TYPE_CHECKING:
    from ..settings import ApportionmentSettings

__all__ = [
    "REGISTRY",
    "ApportionmentMethod",
    "AttributesToPractices",
    "Context",
    "PracticeWeights",
    "Shares",
    "coverage",
    "register",
]


@dataclass
class Context:
    """What a method may look at: the line's data, splits, practices, earlier lines."""

    data_by_line: dict[str, pd.DataFrame]
    splits: pd.DataFrame
    practices: pd.DataFrame
    practice_cell: pd.MultiIndex
    settings: ApportionmentSettings
    shares_by_line: dict[str, pd.Series]
    #: False while inputs are checked (another line's shares are not known yet).
    running: bool = False


#: A method's result for a line: shares by (place, locality), coverage, and a note.
Shares = tuple[pd.Series, float, str]


class ApportionmentMethod(Protocol):
    """One way of apportioning a line (Birmingham and Solihull, Appendix 1)."""

    @property
    def name(self) -> str:
        """The name a line's ``methods`` column uses."""
        ...

    def unavailable(self, ctx: Context, line: str, row: pd.Series) -> str | None:
        """Why the method cannot be used for this line, or ``None`` if it can."""
        ...

    def shares(self, ctx: Context, line: str, row: pd.Series, component: str) -> Shares:
        """The line's shares by (place, locality), the data's coverage, and a note."""
        ...


#: A method's practice weights for a line: by practice code (the context's practices,
#: in order), and the share of the line's amount they attribute to practices.
PracticeWeights = tuple[pd.Series, float]


class AttributesToPractices(Protocol):
    """A method that reaches practices, not only places (optional beside the protocol).

    ``practice_data`` and ``capitation`` share a line by practice; a method with
    :meth:`practice_weights` has its lines' spend attributed to practices once, by the
    engine (:attr:`~..core.Apportionment.practice_spend`), for practice-level equity.
    """

    def practice_weights(
        self, ctx: Context, line: str, row: pd.Series, component: str
    ) -> PracticeWeights:
        """The line's weights by practice and the share of its amount they attribute."""
        ...


#: Every method by name, in the order they were registered (the guidance's order).
REGISTRY: dict[str, ApportionmentMethod] = {}


def register(method: ApportionmentMethod) -> ApportionmentMethod:
    """Add a method to :data:`REGISTRY` under its ``name`` (a second one of a name is refused).

    Returns:
        The method, so that a module can write ``METHOD = register(MyMethod())``.
    """
    if method.name in REGISTRY:
        raise ValueError(f"an apportionment method named {method.name!r} is registered already")
    REGISTRY[method.name] = method
    return method


def coverage(d: pd.DataFrame) -> float:
    """The share of a line's data attributed to a practice (0 when it has none)."""
    total = d["value"].sum()
    return float(d.loc[d["practice_code"].notna(), "value"].sum() / total) if total > 0 else 0.0
