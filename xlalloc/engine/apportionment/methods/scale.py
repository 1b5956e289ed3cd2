"""``scale``: part-year GMS payments scaled to the full-year budget (BSOL Appendix 1).

General medical services payments for months 1 to 6, by practice, give the shares;
the note records the part-year actual and the factor that scales it to the line.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .base import register
from .practice_data import PracticeData

__all__ = ["Scale"]


@dataclass(frozen=True)
class Scale(PracticeData):
    """GMS payments for months 1 to 6 (practice data) scaled to the full-year budget."""

    name: str = "scale"

    def note(self, d: pd.DataFrame, total: float, cov: float, row: pd.Series) -> str:
        """The part-year actual and the scale factor."""
        factor = row["amount"] / total if total else float("nan")
        return f"part-year actual £{total:,.0f} scaled by {factor:.4f} to the budget"


register(Scale())
