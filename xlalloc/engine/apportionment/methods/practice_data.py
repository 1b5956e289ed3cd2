"""``practice_data``: practice-level data mapped to place (BSOL Appendix 1, step 1).

Contract activity cost, prescribing cost or packages of care by practice, grouped to
place through the practices' localities; spend in the line not attributed to a
practice is apportioned by the same practice shares. Used when the data's coverage
reaches the settings' threshold.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .base import Context, PracticeWeights, Shares, coverage, register

__all__ = ["PracticeData"]


@dataclass(frozen=True)
class PracticeData:
    """Practice-level data; unattributed spend shares the same practice shares."""

    name: str = "practice_data"
    #: The method reads the line's practice-level data (Practice values, Activity).
    reads_data: bool = True

    def unavailable(self, ctx: Context, line: str, row: pd.Series) -> str | None:
        """See :meth:`~.base.ApportionmentMethod.unavailable`."""
        d = ctx.data_by_line.get(line)
        if d is None:
            return "no practice data"
        cov, threshold = coverage(d), ctx.settings.coverage_threshold
        return f"coverage {cov:.1%} below {threshold:.0%}" if cov < threshold else None

    def shares(self, ctx: Context, line: str, row: pd.Series, component: str) -> Shares:
        """See :meth:`~.base.ApportionmentMethod.shares`."""
        d = ctx.data_by_line[line]
        P = ctx.practices
        by_practice = d.dropna(subset=["practice_code"]).groupby("practice_code")["value"].sum()
        v = by_practice.reindex(P["practice_code"]).fillna(0.0).to_numpy()
        shares = pd.Series(v, index=ctx.practice_cell).groupby(level=[0, 1]).sum()
        cov, total = coverage(d), d["value"].sum()
        return shares, cov, self.note(d, total, cov, row)

    def practice_weights(
        self, ctx: Context, line: str, row: pd.Series, component: str
    ) -> PracticeWeights:
        """The practices' values, from Practice values and Activity alike.

        The share attributed is the data's coverage: the rest reached no practice.
        """
        d = ctx.data_by_line[line]
        by_practice = d.dropna(subset=["practice_code"]).groupby("practice_code")["value"].sum()
        weights = by_practice.reindex(ctx.practices["practice_code"]).fillna(0.0)
        return weights, coverage(d)

    def note(self, d: pd.DataFrame, total: float, cov: float, row: pd.Series) -> str:
        """How the shares were found."""
        if cov >= 1:
            return "practice shares"
        attributed = d.loc[d["practice_code"].notna(), "value"].sum()
        return (
            f"practice shares; £{total - attributed:,.0f} unattributed apportioned by the "
            "same shares"
        )


register(PracticeData())
