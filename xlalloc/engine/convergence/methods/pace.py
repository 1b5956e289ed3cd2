"""``pace``: core growth plus a pace ``p`` of the gap to target, one uniform adjustment.

A pace-of-change policy (``shared/reference/003``'s principles): every organisation
outside the band moves ``p`` of the way from its core-grown baseline to its target,
plus one uniform ``k × baseline`` so that the allocations sum to the total, within
the band, floors, caps and the guard of :mod:`.clamped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..explain import Why
from .base import Year, register
from .clamped import Clamped

__all__ = ["Pace"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Pace(Clamped):
    """Core growth plus a pace ``p`` of the gap to target, plus one uniform ``k × baseline``."""

    name: str = "pace"

    def line(self, year: Year) -> tuple[Array, Array]:
        """``base = core + p (target - core)``, ``slope = baseline``."""
        p = float(year.policy.pace or 0.0)
        return year.core + p * (year.target - year.core), year.baseline

    def parameter(self, theta: float) -> float:
        """The uniform adjustment ``k``."""
        return theta

    def explain(self, r: Any, i: int, w: Why) -> str:
        """The sentence for a figure this method's rule set."""
        return (
            f"pace: core-grown baseline + {w.policy.pace:.0%} of the gap to target "
            f"+ uniform adjustment k = {w.parameter:.4%} of baseline"
        )


register(Pace())
