"""``topslice``: West Yorkshire's local convergence adjustment (``shared/reference/000``).

Everyone gets core growth and contributes a share ``r`` (0.25% in West Yorkshire) to
a pot; the pot goes to organisations below target in proportion to their shortfall,
never more than it; what is left returns pro rata to contributions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..explain import Why
from .base import Allocation, Year, register

__all__ = ["Topslice"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Topslice:
    """West Yorkshire's local convergence (``shared/reference/000``).

    Everyone gets core growth and contributes ``r`` of it to a pot shared by shortfall
    to target; what is left returns pro rata to contributions.
    """

    name: str = "topslice"

    def allocate(self, year: Year) -> Allocation:
        """See :meth:`.base.ConvergenceMethod.allocate`."""
        core, t = year.core, year.target
        r = float(year.policy.topslice or 0.0)
        pot = r * core.sum()
        short = np.where(core < t, t - core, 0.0)
        need = short.sum()
        receipt = short if pot >= need else (pot * short / need if need > 0 else short * 0)
        left = max(pot - receipt.sum(), 0.0)
        a = core * (1 - r) + receipt + left * core / core.sum()
        rule = np.full(len(core), "topslice", dtype=object)
        lo, hi = np.zeros(len(core)), np.full(len(core), np.inf)
        return Allocation(a, rule, r, lo, hi, lo, hi, [])

    def explain(self, r: Any, i: int, w: Why) -> str:
        """The sentence for a figure this method's rule set."""
        return (
            f"topslice: core growth {w.growth:.2%}, {w.policy.topslice:.2%} top-sliced, "
            "pot shared by shortfall to target, remainder pro rata"
        )


register(Topslice())
