"""``level``: water-filling, every organisation outside the band at ``(1 - L)`` × target.

NHS England, *Specialised commissioning 2024/25, Annex 2* (``shared/reference/003``):
one common level ``L`` such that the allocations sum to the total, within the band,
floors, caps and the guard of :mod:`.clamped`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..explain import Why
from .base import Year, register
from .clamped import Clamped

__all__ = ["Level"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Level(Clamped):
    """Water-filling: ``(1 - L) × target`` with one level ``L`` (``θ = -L``)."""

    name: str = "level"

    def line(self, year: Year) -> tuple[Array, Array]:
        """``base = slope = target``."""
        return year.target, year.target

    def parameter(self, theta: float) -> float:
        """The level ``L``."""
        return -theta

    def explain(self, r: Any, i: int, w: Why) -> str:
        """The sentence for a figure this method's rule set."""
        return (
            f"level: (1 - L) × target with L = {w.parameter:.4%}, i.e. "
            f"{1 - (w.parameter or 0):.6f} × £{r.target:,.0f}"
        )


register(Level())
