"""The shared solver of ``level`` and ``pace``: band, floors, caps and the guard.

NHS England, *Specialised commissioning 2024/25, Annex 2* (``shared/reference/003``):
maximum growth for the furthest below target, minimum growth for the furthest over,
no volatility close to target (the band), never more than the budget; and the guard,
the annex's principle that convergence moves organisations toward target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ...errors import InputError
from ..policy import floors
from ..solver import solve_batch
from .base import Allocation, Year

__all__ = ["Clamped"]

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Clamped:
    """``level`` and ``pace``: ``clamp(base + θ slope, L, H)`` summing to the total.

    With the band, floors, caps and the guard (NHS England specialised annex 2), solved
    exactly by :func:`solve_batch`; a method gives its ``base`` and ``slope``.
    """

    name: str

    def line(self, year: Year) -> tuple[Array, Array]:
        """The method's ``base`` and ``slope``."""
        raise NotImplementedError

    def parameter(self, theta: float) -> float:
        """The figure the explanation quotes, from θ."""
        raise NotImplementedError

    def allocate(self, year: Year) -> Allocation:
        """See :meth:`.base.ConvergenceMethod.allocate`."""
        policy, b, t, core, d0 = year.policy, year.baseline, year.target, year.core, year.dft_before
        n, total = len(b), year.total
        band = (np.abs(d0) <= policy.band) if policy.band is not None else np.zeros(n, bool)
        if policy.min_growth is None:
            lo = np.where(band, -np.inf, 0.0)  # no floor: never negative
        else:
            lo = np.where(band, -np.inf, np.maximum(b * (1.0 + floors(b, d0, policy)), 0.0))
        hi = np.full(n, np.inf) if policy.max_growth is None else b * (1.0 + policy.max_growth)
        hi = np.where(band, np.inf, hi)
        R = total - core[band].sum()
        free_n = ~band
        _feasible(lo[free_n].sum(), hi[free_n].sum(), R, total)
        messages: list[str] = []
        # The guard: convergence never moves an organisation away from its target, nor
        # past it; floors and caps take precedence (a = clamp(clamp(x, c∧t, c∨t), lo, hi),
        # which is one clamp to [L, H]).
        L = np.minimum(np.maximum(np.minimum(core, t), lo), hi)
        H = np.minimum(np.maximum(np.maximum(core, t), lo), hi)
        if L[free_n].sum() > R * (1 + 1e-12) + 1e-6 or H[free_n].sum() < R * (1 - 1e-12) - 1e-6:
            messages.append(
                "the floors and caps leave money that only moving an organisation away from "
                "its target could absorb, so the guard was set aside this year"
            )
            L, H = lo, hi
        base, slope = self.line(year)
        a = core.copy()
        parameter: float | None = None
        if free_n.any():
            theta = solve_batch(
                base[free_n][None],
                slope[free_n][None],
                L[free_n][None],
                H[free_n][None],
                np.array([R]),
            )[0]
            a[free_n] = np.clip(base[free_n] + theta * slope[free_n], L[free_n], H[free_n])
            parameter = self.parameter(float(theta))
        rule = self._rules(year, a, band, lo, hi, L, H)
        if free_n.any() and (rule[free_n] == "core").all():
            messages.append(_paused(year, free_n))
        guard_lo, guard_hi = np.where(free_n, L, lo), np.where(free_n, H, hi)
        return Allocation(a, rule, parameter, guard_lo, guard_hi, lo, hi, messages)

    def _rules(
        self,
        year: Year,
        a: Array,
        band: npt.NDArray[np.bool_],
        lo: Array,
        hi: Array,
        L: Array,
        H: Array,
    ) -> npt.NDArray[np.object_]:
        """Each organisation's rule.

        Band, floor or cap, then core or target (held by the guard), then the method's own.
        """
        free_n = ~band
        tol = 1e-9 * max(1.0, year.total / max(len(a), 1))
        rule = np.full(len(a), self.name, dtype=object)
        at_l, at_h = (a <= L + tol) & free_n, (a >= H - tol) & free_n
        guard = (at_l & (L > lo + tol)) | (at_h & (H < hi - tol))
        rule[guard & (np.abs(a - year.target) <= tol)] = "target"
        rule[guard & (np.abs(a - year.core) <= tol)] = "core"
        rule[at_l & (np.abs(L - lo) <= tol)] = "floor"
        rule[at_h & (np.abs(H - hi) <= tol)] = "cap"
        rule[band] = "band"
        return rule


def _feasible(lo_sum: float, hi_sum: float, R: float, total: float) -> None:
    """Floors that need more than there is, or caps that allow less, are an error."""
    if lo_sum > R * (1 + 1e-12) + 1e-6:
        raise InputError(
            f"infeasible policy: the floors need £{lo_sum:,.0f} but only £{R:,.0f} is "
            f"available (total £{total:,.0f} less £{total - R:,.0f} for organisations "
            "within the band); lower min_growth or the over-target floor",
            where="policy",
        )
    if hi_sum < R * (1 - 1e-12) - 1e-6:
        raise InputError(
            f"infeasible policy: the caps allow at most £{hi_sum:,.0f} but £{R:,.0f} must "
            f"be allocated (total £{total:,.0f}); raise max_growth",
            where="policy",
        )


def _paused(year: Year, free_n: npt.NDArray[np.bool_]) -> str:
    """The message when every organisation outside the band is held at core growth."""
    d0 = year.dft_before[free_n]
    side = "above" if (d0 > 0).all() else "below" if (d0 < 0).all() else "on both sides of"
    names = ", ".join(sorted(map(str, year.orgs[free_n])))
    return (
        f"convergence paused: every organisation outside the band is {side} target "
        f"({names}); none could move toward target without moving another away, so "
        f"each gets core growth ({year.growth:.2%})"
    )
