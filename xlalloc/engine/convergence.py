"""Convergence: moving allocations from baseline toward target under explicit policy.

Sources:

* NHS England, *Specialised commissioning 2024/25, Annex 2: setting revenue
  allocations* (``shared/reference/003``): convergence principles (maximum
  growth for the furthest below target; minimum growth for the furthest over
  target; no year-on-year volatility close to target; never exceeding the
  available budget), the high-cost drugs and devices (HCDD) partition, and
  Table Y1 (2023/24 distances from target).
* Workshop report on ICB resource allocation (``shared/reference/000``):
  West Yorkshire's local convergence adjustment of 0.25% of baseline
  (the ``topslice`` method).

Definitions (one year). Organisations *i* with baseline ``b_i > 0`` and target
share ``s_i`` (normalised to sum to 1); total available ``T``; ``B = Σ b_i``;
target ``t_i = s_i T``; core growth ``g = T / B - 1``. Distance from target of
an allocation *x*: ``DfT_i = (x_i - s_i Σx) / (s_i Σx)``, positive above target.

Methods:
``level`` (water-filling)
    Organisations with ``|DfT(b)| <= band`` get ``c_i = b_i (1 + g)``. Every other
    organisation gets ``clamp(clamp((1 - L) t_i, c_i ∧ t_i, c_i ∨ t_i), lo_i, hi_i)``
    with ``lo_i = b_i (1 + min_growth_i)``, ``hi_i = b_i (1 + max_growth)`` and one
    level ``L`` such that the allocations sum to ``T``. The inner clamp is the
    *guard* (the annex's principle that convergence moves organisations toward
    target): an allocation lies between core growth and target, never moving an
    organisation away from its target nor past it; floors and caps take precedence.
    Rules: ``floor`` or ``cap``, then ``core`` (held at core growth: the level would
    have moved it away) or ``target`` (stopped at target), then ``level``. When every
    organisation outside the band is on one side of target nothing can fund their
    convergence: it pauses, and the result says so in its messages.
``pace``
    ``clamp(clamp(c_i + p (t_i - c_i) + k b_i, c_i ∧ t_i, c_i ∨ t_i), lo_i, hi_i)`` with
    one uniform adjustment ``k`` such that the allocations sum to ``T``.
``topslice``
    Everyone gets ``c_i = b_i (1 + g)`` and contributes ``r c_i`` to a pot; the
    pot goes to organisations with ``c_i < t_i`` in proportion to their
    shortfall ``t_i - c_i``, never more than it; what is left returns pro rata
    to contributions.

Both ``level`` and ``pace`` are one problem: find θ with
``Σ clamp(base_i + θ slope_i, lo_i, hi_i) = R``, solved exactly (bisection to
the right linear piece, then the linear equation on that piece) and vectorised
over many policy scenarios at once (:func:`solve_batch`).

Without ``min_growth``, the floor is zero: an allocation is never negative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import InputError, Problems, checked
from .frames import SOURCE_ROW, is_blank, source_rows
from .rounding import largest_remainder, round_half_up, units_of

__all__ = [
    "EXPLAIN",
    "METHODS",
    "ConvergenceMethod",
    "ConvergencePolicy",
    "Method",
    "MultiYearResult",
    "OUTPUT_COLUMNS",
    "RULES",
    "YearResult",
    "converge",
    "converge_years",
    "dft",
    "floors",
    "hcdd_partition",
    "policy_from",
    "solve_batch",
]

Array = npt.NDArray[np.float64]

#: A convergence method's name.
Method = Literal["level", "pace", "topslice"]

RULES = ("band", "floor", "cap", "core", "target", "level", "pace", "topslice")

OUTPUT_COLUMNS = [
    "org",
    "baseline",
    "target_share",
    "target",
    "dft_before",
    "growth",
    "allocation",
    "dft_after",
    "rule",
]


class ConvergencePolicy(BaseModel):
    """A convergence policy, every parameter named and bounded.

    Growth figures are decimals (0.025 = 2.5%). Distances from target are
    decimals too (0.05 = 5% above target).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method = Field(
        "level", description="level (water-filling), pace, or topslice (local convergence)"
    )
    min_growth: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.01],
        description="minimum growth for every organisation (floor)",
    )
    max_growth: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.06],
        description="maximum growth for the furthest under target (cap)",
    )
    band: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        examples=[0.01],
        description="|DfT| within which organisations get core growth",
    )
    over_target_floor: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.0],
        description="reduced minimum growth for those far above target",
    )
    over_target_from: float | None = Field(
        None, ge=0.0, lt=1.0, examples=[0.05], description="DfT at which the floor starts to reduce"
    )
    over_target_to: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        examples=[0.15],
        description="DfT from which the reduced floor applies in full",
    )
    pace: float | None = Field(
        None, ge=0.0, le=1.0, examples=[0.5], description="pace of change p (pace method)"
    )
    topslice: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        examples=[0.0025],
        description="share of core-grown baseline top-sliced (topslice)",
    )
    unit: float = Field(1.0, gt=0, examples=[1000], description="rounding unit in £ (1 or 1000)")
    hcdd_growth: float | None = Field(
        None, ge=-1.0, lt=1.0, examples=[0.10], description="HCDD growth rate q"
    )
    cost_uplift: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.03],
        description="gross cost uplift factor u (cap on growth of the remaining allocation "
        "for over-target organisations)",
    )
    source: str = Field("user", description="where this policy comes from")

    @model_validator(mode="after")
    def _consistent(self) -> ConvergencePolicy:
        trio = (self.over_target_floor, self.over_target_from, self.over_target_to)
        if any(v is not None for v in trio) and any(v is None for v in trio):
            raise ValueError("over_target_floor, over_target_from and over_target_to go together")
        if self.over_target_floor is not None and self.min_growth is None:
            raise ValueError("an over-target floor reduces min_growth: set min_growth too")
        if (
            self.over_target_from is not None
            and self.over_target_to is not None
            and (self.over_target_to < self.over_target_from)
        ):
            raise ValueError("over_target_to must not be below over_target_from")
        if (
            self.min_growth is not None
            and self.max_growth is not None
            and self.max_growth < self.min_growth
        ):
            raise ValueError(f"max_growth {self.max_growth} is below min_growth {self.min_growth}")
        if self.method == "pace" and self.pace is None:
            raise ValueError("method 'pace' needs pace (0 to 1)")
        if self.method == "topslice" and self.topslice is None:
            raise ValueError("method 'topslice' needs topslice (e.g. 0.0025)")
        if (self.hcdd_growth is None) != (self.cost_uplift is None):
            raise ValueError("hcdd_growth and cost_uplift go together")
        return self


def policy_from(values: Mapping[str, object], where: str = "policy") -> ConvergencePolicy:
    """Build a policy, turning validation errors into an :class:`InputError`."""
    return checked(ConvergencePolicy, values, where)


def dft(x: npt.ArrayLike, shares: npt.ArrayLike) -> Array:
    """Distance from target: ``(x_i - s_i Σx) / (s_i Σx)``; positive above target."""
    x = np.asarray(x, dtype=np.float64)
    s = np.asarray(shares, dtype=np.float64)
    fair = s * x.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - fair) / fair


def floors(baseline: Array, dft_before: Array, policy: ConvergencePolicy) -> Array:
    """Minimum growth per organisation: ``min_growth``, reduced for those far over target.

    With ``over_target_floor`` f from ``over_target_from`` x1 to ``over_target_to``
    x2, the floor moves linearly from ``min_growth`` (at DfT x1) to f (at x2
    and above).
    """
    base = float(policy.min_growth or 0.0)
    mg = np.full(baseline.shape, base, dtype=np.float64)
    if policy.over_target_floor is not None:
        x1, x2 = float(policy.over_target_from or 0), float(policy.over_target_to or 0)
        f = policy.over_target_floor
        if x2 > x1:
            w = np.clip((dft_before - x1) / (x2 - x1), 0.0, 1.0)
        else:
            w = (dft_before >= x2).astype(np.float64)
        mg = mg + w * (f - base)
    return mg


def solve_batch(
    base: Array, slope: Array, lo: Array, hi: Array, total: Array, iterations: int = 60
) -> Array:
    """Solve ``Σ_i clamp(base + θ slope, lo, hi) = total`` for θ, per scenario.

    All arrays have shape ``(S, n)`` except ``total`` ``(S,)``. ``slope >= 0``;
    ``lo`` finite; ``hi`` may be ``inf``. The sum is piecewise linear and
    non-decreasing in θ: bisection finds the linear piece holding the answer,
    then that piece's linear equation gives θ exactly (to rounding).

    Returns:
        θ of shape ``(S,)``.
    """
    R = total[:, None]
    pos = slope > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        b_lo = np.where(pos, (lo - base) / slope, np.nan)
        b_hi = np.where(pos & np.isfinite(hi), (hi - base) / slope, np.nan)
        b_r = np.where(pos, (R - base) / slope, np.nan)
    allb = np.concatenate([b_lo, b_hi, b_r], axis=1)
    t_lo = np.nanmin(np.where(np.isfinite(allb), allb, np.nan), axis=1) - 1.0
    t_hi = np.nanmax(np.where(np.isfinite(allb), allb, np.nan), axis=1) + 1.0
    t_lo = np.nan_to_num(t_lo, nan=-1.0)
    t_hi = np.nan_to_num(t_hi, nan=1.0)

    def f(theta: Array) -> Array:
        return np.clip(base + theta[:, None] * slope, lo, hi).sum(axis=1)

    for _ in range(iterations):
        mid = 0.5 * (t_lo + t_hi)
        below = f(mid) < total
        t_lo = np.where(below, mid, t_lo)
        t_hi = np.where(below, t_hi, mid)
    theta = 0.5 * (t_lo + t_hi)
    # Exact finish on the linear piece: free organisations are strictly inside their bounds.
    x = base + theta[:, None] * slope
    free = (x > lo) & (x < hi) & pos
    fixed = np.where(free, 0.0, np.clip(x, lo, hi)).sum(axis=1)
    fb = np.where(free, base, 0.0).sum(axis=1)
    fs = np.where(free, slope, 0.0).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        exact = (total - fixed - fb) / fs
    ok = (fs > 0) & np.isfinite(exact)
    return np.where(ok, exact, theta)


@dataclass
class YearResult:
    """One year's convergence: the table and the figures behind it."""

    table: pd.DataFrame
    total: float
    core_growth: float
    parameter: float | None
    policy: ConvergencePolicy
    messages: list[str] = field(default_factory=list)


def _validate(orgs: pd.DataFrame, total: float, where: str) -> tuple[pd.DataFrame, Problems]:
    problems = Problems()
    need = ["org", "baseline"]
    for c in need:
        if c not in orgs.columns:
            problems.add(where, f"missing column '{c}'; columns found: {list(orgs.columns)}")
    has_share = "target_share" in orgs.columns or "target_weight" in orgs.columns
    if not has_share:
        problems.add(where, "missing column 'target_share' (or 'target_weight')")
    problems.raise_if_any()
    rows = source_rows(orgs)
    df = orgs.copy().reset_index(drop=True)
    share_col = "target_share" if "target_share" in df.columns else "target_weight"
    for i in np.flatnonzero(df["org"].map(is_blank).to_numpy(dtype=bool)):
        problems.add(where, "the organisation's name is blank", row=rows[i], column="org")
    df["org"] = df["org"].map(lambda v: v.strip() if isinstance(v, str) else v)
    for c in ("baseline", share_col, *(["hcdd_baseline"] if "hcdd_baseline" in df else [])):
        num = pd.to_numeric(df[c], errors="coerce")
        bad = num.isna() | ~np.isfinite(num.astype("float64"))
        for i in np.flatnonzero(bad.to_numpy()):
            problems.add(
                where,
                f"org {df['org'].iloc[i]}: {c} is blank or not a number ({df[c].iloc[i]!r})",
                row=rows[i],
                column=c,
            )
        df[c] = num.astype("float64")
    for i in np.flatnonzero((df["baseline"] <= 0).to_numpy()):
        problems.add(
            where,
            f"org {df['org'].iloc[i]}: baseline must be above zero",
            row=rows[i],
            column="baseline",
        )
    for i in np.flatnonzero((df[share_col] < 0).to_numpy()):
        problems.add(
            where,
            f"org {df['org'].iloc[i]}: {share_col} must not be negative",
            row=rows[i],
            column=share_col,
        )
    dup = df["org"].duplicated(keep=False)
    for org in sorted(set(df.loc[dup, "org"].astype(str))):
        problems.add(where, f"org {org} appears more than once")
    if "hcdd_baseline" in df:
        over = df["hcdd_baseline"] > df["baseline"]
        for i in np.flatnonzero(over.to_numpy()):
            problems.add(
                where,
                f"org {df['org'].iloc[i]}: hcdd_baseline exceeds baseline",
                row=rows[i],
                column="hcdd_baseline",
            )
    if not problems and df[share_col].sum() <= 0:
        problems.add(where, f"{share_col} must not all be zero", column=share_col)
    if not (total > 0 and np.isfinite(total)):
        problems.add("total", f"total must be a positive amount; got {total}")
    if not problems:
        # An exact sum: shares are the same to the last bit whatever the row order.
        df["target_share"] = df[share_col] / math.fsum(df[share_col])
    return df, problems


@dataclass
class _Year:
    """One year's figures every method works from (organisations in name order)."""

    orgs: npt.NDArray[np.object_]
    baseline: Array
    share: Array
    target: Array
    core: Array  # baseline grown at core growth
    dft_before: Array
    total: float
    growth: float  # core growth g
    policy: ConvergencePolicy


@dataclass
class _Allocation:
    """A method's unrounded allocations, the rule that set each, and the bounds to round in.

    ``lo``/``hi`` are the guard's where it holds, ``policy_lo``/``policy_hi`` the floors
    and caps alone.
    """

    a: Array
    rule: npt.NDArray[np.object_]
    parameter: float | None
    lo: Array
    hi: Array
    policy_lo: Array
    policy_hi: Array
    messages: list[str]


class ConvergenceMethod(Protocol):
    """One convergence method: a year's unrounded allocations under a policy."""

    @property
    def name(self) -> str:
        """The name a policy's ``method`` uses."""
        ...

    def allocate(self, year: _Year) -> _Allocation:
        """Allocations summing to the year's total, each with its rule."""
        ...


@dataclass(frozen=True)
class _Topslice:
    """West Yorkshire's local convergence (``shared/reference/000``).

    Everyone gets core growth and contributes ``r`` of it to a pot shared by shortfall
    to target; what is left returns pro rata to contributions.
    """

    name: str = "topslice"

    def allocate(self, year: _Year) -> _Allocation:
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
        return _Allocation(a, rule, r, lo, hi, lo, hi, [])


@dataclass(frozen=True)
class _Clamped:
    """``level`` and ``pace``: ``clamp(base + θ slope, L, H)`` summing to the total.

    With the band, floors, caps and the guard (NHS England specialised annex 2), solved
    exactly by :func:`solve_batch`; a method gives its ``base`` and ``slope``.
    """

    name: str

    def line(self, year: _Year) -> tuple[Array, Array]:
        """The method's ``base`` and ``slope``."""
        raise NotImplementedError

    def parameter(self, theta: float) -> float:
        """The figure the explanation quotes, from θ."""
        raise NotImplementedError

    def allocate(self, year: _Year) -> _Allocation:
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
        return _Allocation(a, rule, parameter, guard_lo, guard_hi, lo, hi, messages)

    def _rules(
        self,
        year: _Year,
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


@dataclass(frozen=True)
class _Level(_Clamped):
    """Water-filling: ``(1 - L) × target`` with one level ``L`` (``θ = -L``)."""

    name: str = "level"

    def line(self, year: _Year) -> tuple[Array, Array]:
        """``base = slope = target``."""
        return year.target, year.target

    def parameter(self, theta: float) -> float:
        """The level ``L``."""
        return -theta


@dataclass(frozen=True)
class _Pace(_Clamped):
    """Core growth plus a pace ``p`` of the gap to target, plus one uniform ``k × baseline``."""

    name: str = "pace"

    def line(self, year: _Year) -> tuple[Array, Array]:
        """``base = core + p (target - core)``, ``slope = baseline``."""
        p = float(year.policy.pace or 0.0)
        return year.core + p * (year.target - year.core), year.baseline

    def parameter(self, theta: float) -> float:
        """The uniform adjustment ``k``."""
        return theta


#: Every convergence method by name (a policy's ``method``).
METHODS: dict[str, ConvergenceMethod] = {m.name: m for m in (_Level(), _Pace(), _Topslice())}


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


def _paused(year: _Year, free_n: npt.NDArray[np.bool_]) -> str:
    """The message when every organisation outside the band is held at core growth."""
    d0 = year.dft_before[free_n]
    side = "above" if (d0 > 0).all() else "below" if (d0 < 0).all() else "on both sides of"
    names = ", ".join(sorted(map(str, year.orgs[free_n])))
    return (
        f"convergence paused: every organisation outside the band is {side} target "
        f"({names}); none could move toward target without moving another away, so "
        f"each gets core growth ({year.growth:.2%})"
    )


def converge(
    orgs: pd.DataFrame,
    total: float,
    policy: ConvergencePolicy | None = None,
    where: str = "organisations",
) -> YearResult:
    """Converge one year's allocations.

    Args:
        orgs: Columns ``org, baseline, target_share`` (or ``target_weight``,
            normalised), optionally ``hcdd_baseline``.
        total: Total available, a whole number of ``policy.unit``.
        policy: The policy (default: ``level`` with no floor, cap or band, which
            gives every organisation its target).
        where: Table name for messages.

    Returns:
        A :class:`YearResult` whose table has :data:`OUTPUT_COLUMNS`, an
        ``explanation`` per row, and ``hcdd_contribution`` and
        ``remaining_allocation`` when the policy sets HCDD parameters.

    Raises:
        InputError: Every input problem together; or an infeasible policy, with
            the amounts.
    """
    policy = policy or ConvergencePolicy()
    df, problems = _validate(orgs, total, where)
    if policy.hcdd_growth is not None and "hcdd_baseline" not in df:
        problems.add(where, "HCDD parameters need an 'hcdd_baseline' column")
    try:
        n_units = units_of(total, policy.unit)
    except InputError as e:
        problems.extend(e)
        n_units = 0
    problems.raise_if_any()
    # Compute in organisation order so floating-point sums, and so every rounding
    # tie, are the same whatever the row order; return rows in the caller's order.
    input_order = df["org"].astype(str)
    df = df.assign(_k=input_order).sort_values("_k", kind="stable").drop(columns="_k")
    total = n_units * policy.unit
    b = df["baseline"].to_numpy()
    s = df["target_share"].to_numpy()
    B = b.sum()
    g = total / B - 1.0
    t = s * total
    core = b * (1.0 + g)
    d0 = dft(b, s)
    year = _Year(df["org"].astype(str).to_numpy(), b, s, t, core, d0, total, g, policy)
    m = METHODS[policy.method].allocate(year)
    a, rule, parameter, messages = m.a, m.rule, m.parameter, m.messages
    lo, hi, policy_lo, policy_hi = m.lo, m.hi, m.policy_lo, m.policy_hi
    keys = list(df["org"].astype(str))
    # Round with the guard's bounds where whole units allow; where they cannot all hold,
    # the guard yields first (floors and caps take precedence over it).
    r_lo, r_hi = lo, hi
    if not _whole_units_fit(lo, hi, n_units, policy.unit):
        r_lo, r_hi = policy_lo, policy_hi
        messages.append(
            "whole pounds could not keep every organisation both between core "
            "growth and its target and within its floor and cap: rounding kept "
            "the floors and caps, so an allocation may sit a few pounds past "
            "its core or target"
        )
    alloc = largest_remainder(
        a,
        total,
        policy.unit,
        order=keys,
        lower=np.where(np.isfinite(r_lo), np.maximum(r_lo, 0.0), np.nan),
        upper=np.where(np.isfinite(r_hi), r_hi, np.nan),
    )
    target = largest_remainder(s, total, policy.unit, order=keys)
    out = pd.DataFrame(
        {
            "org": df["org"].to_numpy(),
            "baseline": b,
            "target_share": s,
            "target": target,
            "dft_before": d0,
            "growth": alloc / b - 1.0,
            "allocation": alloc,
            "dft_after": dft(alloc, s),
            "rule": rule,
        }
    )
    if policy.hcdd_growth is not None:
        out = _hcdd(out, df["hcdd_baseline"].to_numpy(), policy)
    out["explanation"] = _explain(out, g, lo, hi, policy, parameter)
    out = out.set_index(out["org"].astype(str)).loc[input_order].reset_index(drop=True)
    return YearResult(out, total, g, parameter, policy, messages)


def _whole_units_fit(lo: Array, hi: Array, n_units: int, unit: float) -> bool:
    """Whether bounds can all hold in whole units (ceil of each floor, floor of each cap)."""
    lo_u = np.ceil(np.maximum(lo, 0.0) / unit - 1e-9)
    hi_u = np.floor(hi / unit + 1e-9)
    fits_lo = not np.isfinite(lo).all() or lo_u.sum() <= n_units
    fits_hi = not np.isfinite(hi).all() or hi_u.sum() >= n_units
    return bool(fits_lo and fits_hi)


def hcdd_partition(
    allocation: npt.ArrayLike,
    baseline: npt.ArrayLike,
    hcdd_baseline: npt.ArrayLike,
    dft_after: npt.ArrayLike,
    hcdd_growth: float,
    cost_uplift: float,
    unit: float = 1.0,
) -> tuple[Array, Array, npt.NDArray[np.bool_]]:
    """Partition allocations into an HCDD contribution and a remaining allocation.

    NHS England specialised annex 2, paragraph 10: ``H_i = h_i (1 + q)`` (half-up
    to the unit); ``R_i = a_i - H_i``; for organisations above target after
    convergence, growth of ``R_i`` over ``b_i - h_i`` is capped at the gross cost
    uplift factor ``u`` and the excess moves into ``H_i``.

    Returns:
        ``(hcdd_contribution, remaining_allocation, capped)``; the first two sum to
        the allocation exactly.
    """
    a = np.asarray(allocation, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    h = np.asarray(hcdd_baseline, dtype=np.float64)
    d = np.asarray(dft_after, dtype=np.float64)
    H = round_half_up(h * (1 + hcdd_growth) / unit, 0) * unit
    H = np.minimum(H, a)
    R = a - H
    cap = np.floor((b - h) * (1 + cost_uplift) / unit + 1e-9) * unit
    over = (d > 0) & (R > cap)
    excess = np.where(over, R - cap, 0.0)
    return H + excess, R - excess, over


def _hcdd(out: pd.DataFrame, h: Array, policy: ConvergencePolicy) -> pd.DataFrame:
    """Add the HCDD partition (see :func:`hcdd_partition`) to a result table."""
    H, R, over = hcdd_partition(
        out["allocation"],
        out["baseline"],
        h,
        out["dft_after"],
        float(policy.hcdd_growth or 0.0),
        float(policy.cost_uplift or 0.0),
        policy.unit,
    )
    out = out.copy()
    out["hcdd_baseline"] = h
    out["hcdd_contribution"] = H
    out["remaining_allocation"] = R
    out["hcdd_capped"] = over
    return out


@dataclass(frozen=True)
class _Why:
    """What an explanation may quote.

    The year's core growth, each organisation's bounds, the policy, the method's
    parameter and the total.
    """

    growth: float
    lo: Array
    hi: Array
    policy: ConvergencePolicy
    parameter: float | None
    total: float


def _band(r: Any, i: int, w: _Why) -> str:
    return (
        f"within band ±{w.policy.band:.2%} of target (DfT {r.dft_before:+.2%}): "
        f"core growth {w.growth:.2%} on £{r.baseline:,.0f}"
    )


def _floor(r: Any, i: int, w: _Why) -> str:
    return (
        f"floor: minimum growth {w.lo[i] / r.baseline - 1:.2%} on baseline "
        f"£{r.baseline:,.0f} = £{w.lo[i]:,.0f}"
    )


def _cap(r: Any, i: int, w: _Why) -> str:
    return (
        f"cap: maximum growth {w.policy.max_growth:.2%} on baseline "
        f"£{r.baseline:,.0f} = £{w.hi[i]:,.0f}"
    )


def _core(r: Any, i: int, w: _Why) -> str:
    return (
        f"held at core growth {w.growth:.2%} on £{r.baseline:,.0f}: the common level would "
        f"have moved it away from target (DfT {r.dft_before:+.2%})"
    )


def _target(r: Any, i: int, w: _Why) -> str:
    return (
        f"stopped at its target £{r.target_share * w.total:,.0f}: the common level "
        "would have taken it past target"
    )


def _level(r: Any, i: int, w: _Why) -> str:
    return (
        f"level: (1 - L) × target with L = {w.parameter:.4%}, i.e. "
        f"{1 - (w.parameter or 0):.6f} × £{r.target_share * w.total:,.0f}"
    )


def _pace(r: Any, i: int, w: _Why) -> str:
    return (
        f"pace: core-grown baseline + {w.policy.pace:.0%} of the gap to target "
        f"+ uniform adjustment k = {w.parameter:.4%} of baseline"
    )


def _topslice(r: Any, i: int, w: _Why) -> str:
    return (
        f"topslice: core growth {w.growth:.2%}, {w.policy.topslice:.2%} top-sliced, "
        "pot shared by shortfall to target, remainder pro rata"
    )


#: How each rule explains the figure it set (one entry per rule in :data:`RULES`).
EXPLAIN: dict[str, Callable[[Any, int, _Why], str]] = {
    "band": _band,
    "floor": _floor,
    "cap": _cap,
    "core": _core,
    "target": _target,
    "level": _level,
    "pace": _pace,
    "topslice": _topslice,
}


def _explain(
    out: pd.DataFrame,
    g: float,
    lo: Array,
    hi: Array,
    policy: ConvergencePolicy,
    parameter: float | None,
) -> list[str]:
    why = _Why(g, lo, hi, policy, parameter, float(out["allocation"].sum()))
    texts = []
    for i, r in enumerate(out.itertuples(index=False)):
        txt = EXPLAIN[r.rule](r, i, why)
        txt += f"; rounded to £{policy.unit:,g} by largest remainder"
        if getattr(r, "hcdd_capped", False):
            txt += f"; HCDD: remaining growth capped at {policy.cost_uplift:.2%}"
        texts.append(txt)
    return texts


@dataclass
class MultiYearResult:
    """Several years of convergence, each year's result the next year's baseline."""

    years: dict[str, YearResult]
    trajectory: pd.DataFrame

    @property
    def messages(self) -> list[str]:
        """Every year's messages (e.g. convergence paused), each naming its year."""
        return [f"{year}: {m}" for year, r in self.years.items() for m in r.messages]


def converge_years(
    orgs: pd.DataFrame,
    totals: Mapping[str, float],
    policy: ConvergencePolicy | Mapping[str, ConvergencePolicy] | None = None,
    where: str = "organisations",
) -> MultiYearResult:
    """Converge over several years.

    Args:
        orgs: Columns ``org, year, target_share`` (or ``target_weight``) for each
            year, with ``baseline`` (and optionally ``hcdd_baseline``) on the
            first year's rows.
        totals: Total available per year.
        policy: One policy for every year, or a policy per year.
        where: Table name for messages.

    Returns:
        Per-year results and a trajectory table: DfT by organisation, the
        baseline's then each year's.
    """
    problems = Problems()
    if "year" not in orgs.columns:
        raise InputError("missing column 'year'", where=where)
    years = sorted(orgs["year"].astype(str).unique())
    missing = [y for y in years if y not in totals]
    if missing:
        problems.add("totals", f"no total for year(s) {missing}; totals given for {sorted(totals)}")
    extra = [y for y in totals if y not in years]
    if extra:
        problems.add("totals", f"total(s) for year(s) {extra} with no organisation rows")
    if isinstance(policy, Mapping):
        nopol = [y for y in years if y not in policy]
        if nopol:
            problems.add("policy", f"no policy for year(s) {nopol}")
    first = orgs[orgs["year"].astype(str) == years[0]] if years else orgs
    orgset = set(first["org"].astype(str))
    for y in years[1:]:
        these = set(orgs.loc[orgs["year"].astype(str) == y, "org"].astype(str))
        if these != orgset:
            problems.add(
                where,
                f"year {y}: organisations differ from {years[0]} "
                f"(missing {sorted(orgset - these)}, "
                f"extra {sorted(these - orgset)})",
            )
    problems.raise_if_any()
    share_col = "target_share" if "target_share" in orgs.columns else "target_weight"
    results: dict[str, YearResult] = {}
    current = first.copy()
    traj = pd.DataFrame({"org": first["org"].astype(str).to_numpy()})
    for k, y in enumerate(years):
        rows = orgs[orgs["year"].astype(str) == y].set_index(
            orgs.loc[orgs["year"].astype(str) == y, "org"].astype(str)
        )
        if k > 0:
            prev = results[years[k - 1]].table.set_index(traj["org"].to_numpy())
            current = pd.DataFrame({"org": traj["org"], "baseline": prev["allocation"].to_numpy()})
            if "hcdd_contribution" in prev:
                current["hcdd_baseline"] = prev["hcdd_contribution"].to_numpy()
        current = current.copy()
        current[share_col] = rows.loc[current["org"].astype(str), share_col].to_numpy()
        pol = policy[y] if isinstance(policy, Mapping) else policy
        # (The first year's rows keep the reader's row numbers for its messages.)
        res = converge(
            current[
                [
                    c
                    for c in ("org", "baseline", share_col, "hcdd_baseline", SOURCE_ROW)
                    if c in current
                ]
            ],
            totals[y],
            pol,
            where=f"{where} {y}",
        )
        res.table.insert(0, "year", y)
        results[y] = res
        if k == 0:
            traj["baseline"] = res.table["dft_before"].to_numpy()
        traj[y] = res.table["dft_after"].to_numpy()
    return MultiYearResult(results, traj)
