"""What every convergence method shares: a year's figures, an allocation, the registry.

A method is one module of :mod:`xlalloc.engine.convergence.methods` implementing
:class:`ConvergenceMethod` (its allocations and the sentence its own rule gives) and
calling :func:`register`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..explain import EXPLAIN, Why
from ..policy import METHOD_NAMES, ConvergencePolicy

__all__ = ["Allocation", "ConvergenceMethod", "METHODS", "Year", "register"]

Array = npt.NDArray[np.float64]


@dataclass
class Year:
    """One year's figures every method works from (organisations in name order)."""

    orgs: npt.NDArray[np.object_]
    baseline: Array
    share: Array
    target: Array
    core: Array  # baseline grown at core growth
    dft_before: Array
    total: float
    growth: float  # core growth g
    policy: ConvergencePolicy


@dataclass
class Allocation:
    """A method's unrounded allocations, the rule that set each, and the bounds to round in.

    ``lo``/``hi`` are the guard's where it holds, ``policy_lo``/``policy_hi`` the floors
    and caps alone.
    """

    a: Array
    rule: npt.NDArray[np.object_]
    parameter: float | None
    lo: Array
    hi: Array
    policy_lo: Array
    policy_hi: Array
    messages: list[str]


class ConvergenceMethod(Protocol):
    """One convergence method: a year's unrounded allocations under a policy."""

    @property
    def name(self) -> str:
        """The name a policy's ``method`` uses (and the rule of the figures it sets)."""
        ...

    def allocate(self, year: Year) -> Allocation:
        """Allocations summing to the year's total, each with its rule."""
        ...

    def explain(self, r: Any, i: int, w: Why) -> str:
        """The sentence for a figure the method's own rule set."""
        ...


#: Every convergence method by name (a policy's ``method``), in registration order.
METHODS: dict[str, ConvergenceMethod] = {}


def register(method: ConvergenceMethod) -> ConvergenceMethod:
    """Add a method and its rule's explanation (a second one of a name is refused)."""
    if method.name in METHODS or method.name in EXPLAIN:
        raise ValueError(f"a convergence method or rule named {method.name!r} exists already")
    METHODS[method.name] = method
    EXPLAIN[method.name] = method.explain
    METHOD_NAMES.append(method.name)
    return method
