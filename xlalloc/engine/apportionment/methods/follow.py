"""``follow``: another line's shares (BSOL Appendix 1, continuing healthcare).

"Other areas of spend apportioned in line with these shares": the line takes the
shares of the line its ``follow`` column names, which is apportioned first.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .base import Context, Shares, register

__all__ = ["Follow"]


@dataclass(frozen=True)
class Follow:
    """Another line's shares ("other areas of spend apportioned in line with these")."""

    name: str = "follow"

    def unavailable(self, ctx: Context, line: str, row: pd.Series) -> str | None:
        """See :meth:`~.base.ApportionmentMethod.unavailable`."""
        target = str(row["follow"]).strip()
        if not ctx.running or target in ctx.shares_by_line:
            return None
        return f"line {target} has no shares"

    def shares(self, ctx: Context, line: str, row: pd.Series, component: str) -> Shares:
        """See :meth:`~.base.ApportionmentMethod.shares`."""
        target = str(row["follow"]).strip()
        return ctx.shares_by_line[target], 1.0, f"shares of line {target}"


register(Follow())
