"""``place_split``: explicit place or locality percentages (BSOL Appendix 1, step 2).

Place reference information (geography, historic funding flows) given on the Place
splits sheet; localities without their own percentages share their place's by
capitation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...frames import is_blank
from .base import Context, Shares, register

__all__ = ["PlaceSplit", "split_to_cells"]


@dataclass(frozen=True)
class PlaceSplit:
    """Explicit place (or locality) percentages: place reference information."""

    name: str = "place_split"

    def unavailable(self, ctx: Context, line: str, row: pd.Series) -> str | None:
        """See :meth:`~.base.ApportionmentMethod.unavailable`."""
        return None if (ctx.splits["line"] == line).any() else "no place split"

    def shares(self, ctx: Context, line: str, row: pd.Series, component: str) -> Shares:
        """See :meth:`~.base.ApportionmentMethod.shares`."""
        sp = ctx.splits[ctx.splits["line"] == line]
        return split_to_cells(sp, ctx.practices, component), 1.0, "explicit place percentages"


def split_to_cells(sp: pd.DataFrame, P: pd.DataFrame, comp: str) -> pd.Series:
    """Place (or locality) percentages to locality cells.

    Localities within a place without their own percentages share the place's by
    capitation.
    """
    out = []
    for place, g in sp.groupby("place"):
        inplace = P[P["place"] == place]
        wp = inplace.groupby("locality")[comp].sum()
        has_loc = g["locality"].map(lambda v: not is_blank(v))
        if has_loc.any():
            for _, row in g[has_loc].iterrows():
                out.append(((place, row["locality"]), row["pct"]))
            rest = g.loc[~has_loc, "pct"].sum()
        else:
            rest = g["pct"].sum()
        if rest:
            for loc, w in wp.items():
                out.append(((place, loc), rest * w / wp.sum()))
    s = pd.Series([v for _, v in out], index=pd.MultiIndex.from_tuples([k for k, _ in out]))
    return s.groupby(level=[0, 1]).sum()


register(PlaceSplit())
