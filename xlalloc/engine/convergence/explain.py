"""Why each organisation got its allocation: one sentence per rule.

The rules every clamped method shares (band, floor, cap, core, target) are here; each
method adds its own when it registers (:func:`~.methods.base.register`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .policy import ConvergencePolicy

__all__ = ["EXPLAIN", "Explanation", "Why"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Why:
    """What an explanation may quote.

    The year's core growth, each organisation's bounds, the policy, the method's
    parameter, the total, and the allocations as the table shows them (whole units), so
    that a sentence states the table's figure.
    """

    growth: float
    lo: Array
    hi: Array
    policy: ConvergencePolicy
    parameter: float | None
    total: float
    allocation: Array | None = None

    def held(self, exact: float, i: int) -> str:
        """A bound (a floor, a cap) as the allocation column shows it (:func:`held`)."""
        return held(exact, exact if self.allocation is None else float(self.allocation[i]))


def held(exact: float, shown: float) -> str:
    """A bound as the allocation column shows it: the table's figure, never another.

    Where the bound (a floor, a cap) is not a whole unit, the sentence gives it to the
    penny and the whole figure the table shows: "£478,687,217.60 (£478,687,218 in the
    table)", never "£478,687,217" beside a table's £478,687,218.
    """
    if f"{exact:,.0f}" == f"{shown:,.0f}":
        return f"£{shown:,.0f}"
    return f"£{exact:,.2f} (£{shown:,.0f} in the table)"


def _band(r: Any, i: int, w: Why) -> str:
    return (
        f"within band ±{w.policy.band:.2%} of target (DfT {r.dft_before:+.2%}): "
        f"core growth {w.growth:.2%} on £{r.baseline:,.0f}"
    )


def _floor(r: Any, i: int, w: Why) -> str:
    return (
        f"floor: minimum growth {w.lo[i] / r.baseline - 1:.2%} on baseline "
        f"£{r.baseline:,.0f} = {w.held(w.lo[i], i)}"
    )


def _cap(r: Any, i: int, w: Why) -> str:
    return (
        f"cap: maximum growth {w.policy.max_growth:.2%} on baseline "
        f"£{r.baseline:,.0f} = {w.held(w.hi[i], i)}"
    )


def _core(r: Any, i: int, w: Why) -> str:
    return (
        f"held at core growth {w.growth:.2%} on £{r.baseline:,.0f}: the common level would "
        f"have moved it away from target (DfT {r.dft_before:+.2%})"
    )


def _target(r: Any, i: int, w: Why) -> str:
    return (
        f"stopped at its target £{r.target:,.0f}: the common level would have taken it past target"
    )


#: An explanation: the result row, its position, and what it may quote.
Explanation = Callable[[Any, int, Why], str]

#: Each rule's explanation (methods add theirs when registered).
EXPLAIN: dict[str, Explanation] = {
    "band": _band,
    "floor": _floor,
    "cap": _cap,
    "core": _core,
    "target": _target,
}
