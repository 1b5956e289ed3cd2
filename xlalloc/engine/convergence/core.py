"""One year's convergence and several years': checks, rounding, the HCDD partition."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import InputError, Problems, listed, quoted
from ..frames import SOURCE_ROW, contract, is_blank, source_rows
from ..rounding import largest_remainder, round_half_up, units_of
from .explain import EXPLAIN, Why
from .methods import METHODS, Allocation, Year
from .policy import ConvergencePolicy
from .solver import dft

__all__ = [
    "MultiYearResult",
    "OUTPUT_COLUMNS",
    "RULES",
    "YearResult",
    "converge",
    "converge_years",
    "hcdd_partition",
]

Array = npt.NDArray[np.float64]

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
            problems.add(where, f"missing column '{c}'; columns found: {quoted(orgs.columns)}")
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
    numbers = ("baseline", share_col, *(["hcdd_baseline"] if "hcdd_baseline" in df else []))
    # Typed by the reader; asserted here a whole column at a time, not re-read cell by cell.
    contract(df, where, numbers=numbers)
    for c in numbers:
        num = pd.to_numeric(df[c], errors="coerce").astype("float64")
        for i in np.flatnonzero((num.isna() | ~np.isfinite(num)).to_numpy()):
            problems.add(
                where,
                f"org {df['org'].iloc[i]}: {c} is blank or not finite",
                row=rows[i],
                column=c,
            )
        df[c] = num
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


def _round_year(
    m: Allocation, year: Year, n_units: int, keys: list[str], messages: list[str]
) -> tuple[Array, Array, Array, Array, Array]:
    """The year's allocations and targets in whole units, within the bounds that hold.

    Returns:
        The allocations, the targets (largest remainder), the exact allocations as the
        rules set them, and the lower and upper bounds the rounding held.
    """
    a, rule, lo, hi = m.a, m.rule, m.lo, m.hi
    policy_lo, policy_hi, policy = m.policy_lo, m.policy_hi, year.policy
    s, t, core, total = year.share, year.target, year.core, year.total
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
    target = largest_remainder(s, total, policy.unit, order=keys)
    # The guard's bounds in whole units: a bound that is the organisation's target is its
    # rounded target (the target column), one that is its core its rounded core (core
    # growth rounded as the band rule and pace 0 give it); a floor or cap stays, held in
    # whole units. So pace 1 gives the targets exactly and a paused year the rounded cores,
    # each within one unit of its exact figure, rather than every target pushed below
    # (or above) itself by the bound's floor (or ceiling).
    rounded_core = largest_remainder(core, total, policy.unit, order=keys)
    # An allocation the rule says is its target (or core) is that figure exactly: the
    # solver's last digits (a millionth of a pound) must not decide who rounds up.
    a = np.where(rule == "target", t, np.where(np.isin(rule, ("core", "band")), core, a))
    r_lo = _as_rounded(r_lo, policy_lo, t, target, core, rounded_core)
    r_hi = _as_rounded(r_hi, policy_hi, t, target, core, rounded_core)
    alloc = largest_remainder(
        a,
        total,
        policy.unit,
        order=keys,
        lower=np.where(np.isfinite(r_lo), np.maximum(r_lo, 0.0), np.nan),
        upper=np.where(np.isfinite(r_hi), r_hi, np.nan),
    )
    return alloc, target, a, r_lo, r_hi


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
    year = Year(df["org"].astype(str).to_numpy(), b, s, t, core, d0, total, g, policy)
    m = METHODS[policy.method].allocate(year)
    a, rule, parameter, messages = m.a, m.rule, m.parameter, m.messages
    lo, hi, policy_lo, policy_hi = m.lo, m.hi, m.policy_lo, m.policy_hi
    keys = list(df["org"].astype(str))
    alloc, target, a, r_lo, r_hi = _round_year(m, year, n_units, keys, messages)
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
    out["explanation"] = out["explanation"] + _rounding_notes(
        alloc, a, policy_lo, policy_hi, r_lo, r_hi, policy.unit
    )
    out = out.set_index(out["org"].astype(str)).loc[input_order].reset_index(drop=True)
    return YearResult(out, total, g, parameter, policy, messages)


def _rounding_notes(
    alloc: Array, a: Array, floor: Array, cap: Array, lo: Array, hi: Array, unit: float
) -> list[str]:
    """What each figure's rounding could not hold, in words (``""`` where it held all).

    Each figure takes its floor or its ceiling among the whole units its bounds allow;
    where the bounds of all cannot hold at once in whole units, the figures that moved
    past a bound say so, with how far: "£100, £0.40 below its floor of £100.40".
    """
    notes = []
    for x, exact, f, c, low, high in zip(alloc, a, floor, cap, lo, hi, strict=True):
        said = []
        if np.isfinite(f) and x < f - 1e-6:
            said.append(f"£{f - x:,.2f} below its floor of £{f:,.2f}")
        elif np.isfinite(c) and x > c + 1e-6:
            said.append(f"£{x - c:,.2f} above its cap of £{c:,.2f}")
        elif np.isfinite(low) and x < np.ceil(low / unit - 1e-9) * unit - 1e-6:
            said.append(f"£{low - x:,.2f} below its core or target £{low:,.2f}")
        elif np.isfinite(high) and x > np.floor(high / unit + 1e-9) * unit + 1e-6:
            said.append(f"£{x - high:,.2f} above its core or target £{high:,.2f}")
        if abs(x - exact) >= unit - 1e-9:
            said.append(f"£{abs(x - exact):,.2f} from its exact £{exact:,.2f}")
        notes.append(
            f"; whole £{unit:,g} could not hold every bound: £{x:,.0f}, " + ", ".join(said)
            if said
            else ""
        )
    return notes


def _as_rounded(
    bound: Array, policy_bound: Array, t: Array, target: Array, core: Array, rounded_core: Array
) -> Array:
    """A guard bound as the rounded figure it stands for (see :func:`converge`).

    A floor or cap (the policy's own bound) is kept as it is, to be held in whole units;
    a bound equal to the target becomes the rounded target, one equal to the core the
    rounded core.
    """

    def same(x: Array, y: Array) -> npt.NDArray[np.bool_]:
        return np.isfinite(x) & np.isclose(x, y, rtol=1e-12, atol=1e-6)

    policy = same(bound, policy_bound)
    out = np.where(~policy & same(bound, t), target, bound)
    return np.where(~policy & ~same(bound, t) & same(bound, core), rounded_core, out)


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


def _explain(
    out: pd.DataFrame,
    g: float,
    lo: Array,
    hi: Array,
    policy: ConvergencePolicy,
    parameter: float | None,
) -> list[str]:
    alloc = out["allocation"].to_numpy()
    why = Why(g, lo, hi, policy, parameter, float(alloc.sum()), alloc)
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


def _check_years(
    orgs: pd.DataFrame,
    years: list[str],
    first: pd.DataFrame,
    totals: Mapping[str, float],
    policy: ConvergencePolicy | Mapping[str, ConvergencePolicy] | None,
    where: str,
) -> None:
    """Each year has its total (and policy), and the same organisations as the first.

    Raises:
        InputError: Every problem together.
    """
    problems = Problems()
    missing = [y for y in years if y not in totals]
    if missing:
        problems.add(
            "totals",
            f"no total for year(s) {listed(missing)}; totals given for {listed(sorted(totals))}",
        )
    extra = [y for y in totals if y not in years]
    if extra:
        problems.add("totals", f"total(s) for year(s) {listed(extra)} with no organisation rows")
    if isinstance(policy, Mapping):
        nopol = [y for y in years if y not in policy]
        if nopol:
            problems.add("policy", f"no policy for year(s) {nopol}")
    orgset = set(first["org"].astype(str))
    for y in years[1:]:
        these = set(orgs.loc[orgs["year"].astype(str) == y, "org"].astype(str))
        if these != orgset:
            problems.add(
                where,
                f"year {y}: organisations differ from {years[0]} "
                f"(missing: {listed(sorted(orgset - these)) or 'none'}; "
                f"extra: {listed(sorted(these - orgset)) or 'none'})",
            )
    problems.raise_if_any()


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
    if "year" not in orgs.columns:
        raise InputError("missing column 'year'", where=where)
    years = sorted(orgs["year"].astype(str).unique())
    first = orgs[orgs["year"].astype(str) == years[0]] if years else orgs
    _check_years(orgs, years, first, totals, policy, where)
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
