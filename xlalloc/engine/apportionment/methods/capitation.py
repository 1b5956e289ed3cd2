"""``capitation``: needs-weighted capitation (BSOL Appendix 1, step 3).

The weighted population of the line's component at practice level, grouped via
localities to place: the default and final fallback, always available.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .base import Context, PracticeWeights, Shares, register

__all__ = ["Capitation"]


@dataclass(frozen=True)
class Capitation:
    """Needs-weighted capitation: the default and final fallback, always available."""

    name: str = "capitation"

    def unavailable(self, ctx: Context, line: str, row: pd.Series) -> str | None:
        """See :meth:`~.base.ApportionmentMethod.unavailable`."""
        return None

    def shares(self, ctx: Context, line: str, row: pd.Series, component: str) -> Shares:
        """See :meth:`~.base.ApportionmentMethod.shares`."""
        wp = pd.Series(ctx.practices[component].to_numpy(), index=ctx.practice_cell)
        shares = wp.groupby(level=[0, 1]).sum()
        return shares, 1.0, f"needs-weighted capitation ({component})"

    def practice_weights(
        self, ctx: Context, line: str, row: pd.Series, component: str
    ) -> PracticeWeights:
        """The component's weighted population by practice: the whole line reaches them."""
        p = ctx.practices
        return pd.Series(p[component].to_numpy(), index=p["practice_code"]), 1.0


register(Capitation())
