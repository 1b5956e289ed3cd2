"""How sure is a target? Intervals for target shares by seeded Monte Carlo.

Source: the workshop report on ICB resource allocation (``shared/reference/000``,
section 4, A1): NHS England's Advisory Committee on Resource Allocation considered
target allocations "accurate to within ±5%" at the level of the old CCGs, and
practice-level predictions are less stable the smaller the population.

Model. Each practice *i*'s weighted population ``w_i`` is multiplied by an
independent mean-one lognormal factor ``exp(σ_i Z_i − σ_i²/2)``, ``Z_i ~ N(0, 1)``,
with ``σ_i = U · sqrt(R / p_i)``: ``U`` is the relative uncertainty (standard
deviation on the log scale) of a population of ``R`` = 250,000, and a smaller
population is less certain in proportion to one over its square root, as a
sampling error is. ``U = 0.05 / 1.96`` matches ±5% at 95% for a 250,000
population, the size of a typical old CCG. In each draw a unit's (place's) share
is its summed weighted population over its ICB's, so shares sum to 1 in every
draw; the interval is the 5th to 95th percentile of the draws' shares.

Assumptions, plainly: practices' errors are independent (errors common to a whole
ICB cancel in shares and are not modelled); the factor has mean one, so the
expected weighted population is the published one; for a practice of a few
hundred patients σ is large and its factor skewed (its median is below one), so a
unit made of very small practices can have its point estimate near the edge of
its interval. A unit that is its ICB's only unit has share 1 in every draw: an
interval of width 0.

Distance from target of a baseline ``b`` in a draw is ``b / (s B) − 1`` with ``B``
the baselines' total in the ICB, as convergence measures it; a unit whose
interval contains 0 is *not distinguishable from target*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, Problem, listed
from .rounding import round_half_up

__all__ = [
    "ABOVE",
    "BELOW",
    "NOT_DISTINGUISHABLE",
    "DEFAULT_U",
    "ShareIntervals",
    "UncertaintySettings",
    "distance_intervals",
    "practice_sigmas",
    "share_intervals",
    "share_intervals_by",
    "target_intervals",
    "verdicts",
]

SOURCE = (
    "workshop report on ICB resource allocation (shared/reference/000), section 4, A1: "
    "targets accurate to about ±5% at CCG level"
)

#: ±5% at 95% for a population of 250,000: 0.05 / 1.96.
DEFAULT_U = 0.05 / 1.96

ABOVE = "above target"
BELOW = "below target"
NOT_DISTINGUISHABLE = "not distinguishable from target"

#: Draws simulated at a time: bounds memory (chunk × practices floats) on a national file.
#: A million (8 MB a block) was a quarter faster than four: the blocks stay in cache, and
#: the draws are the same whatever the chunk (one generator, drawn in order).
_CELLS_PER_CHUNK = 1_000_000


class UncertaintySettings(BaseModel):
    """Parameters of the target-uncertainty Monte Carlo."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    relative: float = Field(
        DEFAULT_U,
        gt=0,
        le=0.5,
        description="U: relative uncertainty (standard deviation, log scale) of the weighted "
        "population of a 250,000 population; 0.05/1.96 is ±5% at 95%",
        json_schema_extra={"source": SOURCE},
    )
    reference_population: float = Field(
        250_000,
        gt=0,
        description="the population U refers to (a typical old CCG's)",
        json_schema_extra={"source": SOURCE},
    )
    draws: int = Field(2000, ge=100, le=100_000, description="Monte Carlo draws")
    seed: int = Field(1, ge=0, description="random seed: the same seed gives the same figures")
    low: float = Field(0.05, gt=0, lt=0.5, description="lower percentile of the interval")
    high: float = Field(0.95, gt=0.5, lt=1, description="upper percentile of the interval")


@dataclass
class ShareIntervals:
    """Result of :func:`share_intervals`.

    Attributes:
        table: One row per unit: ``group, unit, target_share, target_share_p05,
            target_share_p95`` (the percentile columns named by the settings).
        draws: Each draw's shares, draws × units, in the table's row order.
        settings: The settings used.
    """

    table: pd.DataFrame
    draws: npt.NDArray[np.float64]
    settings: UncertaintySettings

    @property
    def low_col(self) -> str:
        """Name of the lower percentile's column suffix, e.g. ``p05``."""
        return _pct(self.settings.low)

    @property
    def high_col(self) -> str:
        """Name of the upper percentile's column suffix, e.g. ``p95``."""
        return _pct(self.settings.high)


def _pct(q: float) -> str:
    return f"p{round(q * 100):02d}"


def practice_sigmas(
    population: npt.ArrayLike,
    weighted: npt.ArrayLike,
    settings: UncertaintySettings,
    names: list[str] | None = None,
) -> npt.NDArray[np.float64]:
    """σ_i = U · sqrt(R / population_i) for each practice.

    A practice with no population and no weighted population adds nothing and gets σ = 0.

    Raises:
        InputError: A practice with weighted population but no (or a negative) population,
            or a negative weighted population; every such practice named.
    """
    pop = np.asarray(population, dtype=np.float64)
    wp = np.asarray(weighted, dtype=np.float64)
    bad = (pop < 0) | (wp < 0) | ((pop == 0) & (wp != 0)) | ~np.isfinite(pop) | ~np.isfinite(wp)
    if bad.any():
        label = names or [f"practice {k + 1}" for k in range(len(pop))]
        raise InputError(
            [
                Problem(
                    "practices",
                    f"{label[k]}: population {pop[k]:g} and "
                    f"weighted population {wp[k]:g}; the uncertainty of a "
                    "weighted population needs a positive population",
                )
                for k in np.flatnonzero(bad)
            ]
        )
    with np.errstate(divide="ignore"):
        return np.where(
            pop > 0,
            settings.relative
            * np.sqrt(settings.reference_population / np.where(pop > 0, pop, 1.0)),
            0.0,
        )


def share_intervals(
    weighted: npt.ArrayLike,
    population: npt.ArrayLike,
    unit: npt.ArrayLike,
    group: npt.ArrayLike,
    settings: UncertaintySettings | None = None,
    names: list[str] | None = None,
) -> ShareIntervals:
    """Each unit's target share within its group, with its Monte Carlo interval.

    Factors are drawn for every practice given (the same seed and practices give the
    same factors, whatever the units), then practices in no unit (``unit`` missing) are
    left out, as :func:`~xlalloc.engine.capitation.target_shares` leaves them out.

    Args:
        weighted: Each practice's weighted population of the target component.
        population: Each practice's registered population.
        unit: Each practice's unit (place, locality or ICB); missing for none.
        group: Each practice's group (ICB) within which its unit's share is taken.
        settings: The Monte Carlo's parameters (default :class:`UncertaintySettings`).
        names: Practice names for messages.

    Returns:
        The intervals and the draws.

    Raises:
        InputError: A unit spread over two groups, or a practice whose uncertainty cannot
            be computed.
    """
    return share_intervals_by(weighted, population, {"": (unit, group)}, settings, names)[""]


class _Units:
    """One grouping of practices into units within groups, and its shares of a draw."""

    def __init__(self, unit: npt.ArrayLike, group: npt.ArrayLike):
        units = pd.Series(np.asarray(unit, dtype=object)).astype("string")
        groups = pd.Series(np.asarray(group, dtype=object)).astype("string")
        keep = units.notna().to_numpy()
        pairs = pd.DataFrame({"group": groups[keep], "unit": units[keep]})
        spread = pairs.drop_duplicates().groupby("unit")["group"].nunique()
        if (spread > 1).any():
            raise InputError(
                f"unit(s) {listed(sorted(spread[spread > 1].index))} lie in more than one group",
                where="units",
            )
        self.table = pairs.drop_duplicates().sort_values(["group", "unit"]).reset_index(drop=True)
        if not len(self.table):
            raise InputError("no practice is in a unit: nothing to share", where="units")
        #: Each practice's unit (its row of the table), -1 where it has none.
        self.code = np.asarray(pd.Categorical(units, categories=self.table["unit"]).codes)
        self.unit_group = pd.factorize(self.table["group"])[0]  # the table is sorted by group
        self.group_starts = np.flatnonzero(np.r_[True, self.unit_group[1:] != self.unit_group[:-1]])

    def plan(self, perm: npt.NDArray[np.intp]) -> None:
        """Prepare to total practices given in the order ``perm``.

        One order serves every grouping, so the draws are reordered once, not once per
        grouping. Practices are totalled by runs of one unit (or of no unit) in that order; a unit
        whose practices lie in several runs (groupings that do not nest) adds its runs.
        """
        c = self.code[perm]
        #: Where each run of practices of one unit starts, in the order ``perm``.
        self.run_starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
        run_code = c[self.run_starts]
        self.run_keep = np.flatnonzero(run_code >= 0)
        kept = run_code[self.run_keep]
        self.run_order: npt.NDArray[np.intp] | None = None
        if len(kept) != len(self.table) or (np.diff(kept) < 0).any():
            self.run_order = np.argsort(kept, kind="stable")
            self.unit_starts = np.searchsorted(kept[self.run_order], np.arange(len(self.table)))

    def shares(self, runs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Units' shares within their groups, from rows of totals by run (:meth:`plan`)."""
        by_unit = runs[:, self.run_keep]
        if self.run_order is not None:
            by_unit = np.add.reduceat(by_unit[:, self.run_order], self.unit_starts, axis=1)
        by_group = np.add.reduceat(by_unit, self.group_starts, axis=1)
        return by_unit / by_group[:, self.unit_group]


def _run_totals(
    x: npt.NDArray[np.float64], units: Mapping[str, _Units]
) -> dict[str, npt.NDArray[np.float64]]:
    """Each grouping's totals by run, for rows of practice values in the planned order.

    The finest grouping is totalled from the practices; a coarser one whose runs are
    made of whole runs of a finer one (groupings that nest) from those totals, which is
    far cheaper than going over every practice again.
    """
    out: dict[str, npt.NDArray[np.float64]] = {}
    done: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]] = []
    for name, u in sorted(units.items(), key=lambda kv: -len(kv[1].run_starts)):
        for starts, totals in done:
            at = np.searchsorted(starts, u.run_starts)
            if (at < len(starts)).all() and (starts[at] == u.run_starts).all():
                out[name] = np.add.reduceat(totals, at, axis=1)
                break
        else:
            out[name] = np.add.reduceat(x, u.run_starts, axis=1)
            done.append((u.run_starts, out[name]))
    return out


def _common_order(units: Mapping[str, _Units]) -> npt.NDArray[np.intp]:
    """One order of the practices in which each grouping's units run together.

    They all do where the groupings nest (ICBs, their places, the places' localities):
    by the coarsest grouping's unit, then the next, keeping the practices' own order
    within a unit.
    """
    ranked = sorted(units.values(), key=lambda u: len(u.table), reverse=True)
    keys = [np.where(u.code < 0, len(u.table), u.code) for u in ranked]
    return np.lexsort(keys)  # the last key (the coarsest grouping) sorts first


def share_intervals_by(
    weighted: npt.ArrayLike,
    population: npt.ArrayLike,
    groupings: dict[str, tuple[npt.ArrayLike, npt.ArrayLike]],
    settings: UncertaintySettings | None = None,
    names: list[str] | None = None,
) -> dict[str, ShareIntervals]:
    """:func:`share_intervals` for several groupings of the same practices at once.

    The practices' factors are drawn once and every grouping (ICBs, places, localities)
    is totalled from the same draws, so a place's and its localities' intervals come from
    the same simulated practices and the drawing, the dearest part, is done once.

    Args:
        weighted: Each practice's weighted population of the target component.
        population: Each practice's registered population.
        groupings: Name -> (each practice's unit, its group).
        settings: The Monte Carlo's parameters.
        names: Practice names for messages.
    """
    s = settings or UncertaintySettings()
    wp = np.asarray(weighted, dtype=np.float64)
    sigma = practice_sigmas(population, wp, s, names)
    units = {name: _Units(u, g) for name, (u, g) in groupings.items()}
    parts: dict[str, list[npt.NDArray[np.float64]]] = {name: [] for name in units}
    perm = _common_order(units)
    for u in units.values():
        u.plan(perm)
    rng = np.random.default_rng(s.seed)
    n = wp.size
    chunk = max(1, _CELLS_PER_CHUNK // max(n, 1))
    done = 0
    # Each practice's factors are drawn in the practices' own order (a practice's draws do
    # not depend on the units asked for), then put in the common order once.
    wp_p, sigma_p = wp[perm], sigma[perm]
    half_var = sigma_p**2 / 2
    while done < s.draws:
        k = min(chunk, s.draws - done)
        x = rng.standard_normal((k, n))[:, perm]
        x *= sigma_p  # the factors in place: wp * exp(sigma * z - sigma**2 / 2)
        x -= half_var
        np.exp(x, out=x)
        x *= wp_p
        totals = _run_totals(x, units)
        for name, u in units.items():
            parts[name].append(u.shares(totals[name]))
        done += k
    point = _run_totals(wp_p[np.newaxis, :], units)
    out = {}
    for name, u in units.items():
        table = u.table
        draws = np.vstack(parts[name]) if parts[name] else np.zeros((0, len(table)))
        table["target_share"] = u.shares(point[name])[0]
        lo, hi = np.quantile(draws, [s.low, s.high], axis=0)
        result = ShareIntervals(table, draws, s)
        table[f"target_share_{result.low_col}"] = lo
        table[f"target_share_{result.high_col}"] = hi
        out[name] = result
    return out


def distance_intervals(result: ShareIntervals, baselines: pd.Series) -> pd.DataFrame:
    """The interval of each unit's baseline distance from target, and a verdict.

    Args:
        result: :func:`share_intervals`' result.
        baselines: Baseline (£) by unit name; every unit of a group that has any baseline
            must have one.

    Returns:
        One row per unit with a baseline: ``group, unit, baseline, dft_baseline,
        dft_p05, dft_p95, against_target`` (percentile columns named by the settings).

    Raises:
        InputError: A group with baselines for some units and not others, or a baseline
            that is not positive.
    """
    t = result.table
    b = baselines.reindex(t["unit"]).to_numpy(dtype=np.float64)
    has = ~np.isnan(b)
    problems = []
    for g, part in t.assign(_has=has).groupby("group"):
        if part["_has"].any() and not part["_has"].all():
            problems.append(
                Problem(
                    "baselines",
                    f"group {g}: no baseline for "
                    f"{listed(sorted(part.loc[~part['_has'], 'unit']))}; a distance "
                    "from target needs every unit's baseline",
                )
            )
    for u, v in zip(t["unit"][has], b[has]):
        if not v > 0:
            problems.append(Problem("baselines", f"{u}: baseline {v:g} must be positive"))
    if problems:
        raise InputError(problems)
    group_total = (
        pd.Series(np.where(has, b, 0.0)).groupby(t["group"].to_numpy()).transform("sum").to_numpy()
    )
    point = b / (t["target_share"].to_numpy() * group_total) - 1
    d = b / (result.draws * group_total) - 1
    s = result.settings
    lo, hi = np.quantile(d, [s.low, s.high], axis=0)
    out = pd.DataFrame(
        {
            "group": t["group"],
            "unit": t["unit"],
            "baseline": b,
            "dft_baseline": point,
            f"dft_{result.low_col}": lo,
            f"dft_{result.high_col}": hi,
        }
    )
    out["against_target"] = verdicts(lo, hi)
    return out[has].reset_index(drop=True)


def verdicts(low: npt.ArrayLike, high: npt.ArrayLike) -> list[str]:
    """``above target`` (interval above 0), ``below target``, or not distinguishable."""
    lo, hi = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    return list(np.where(lo > 0, ABOVE, np.where(hi < 0, BELOW, NOT_DISTINGUISHABLE)))


def target_intervals(
    indices: pd.DataFrame,
    practices: pd.DataFrame,
    places: pd.DataFrame | None,
    component: str,
    settings: UncertaintySettings | None = None,
    budget: float | None = None,
    unit: float = 1.0,
    baselines: pd.Series | None = None,
) -> pd.DataFrame:
    """A targets table with each row's interval added, at every level it holds.

    One set of draws serves every level (ICBs share across the ICBs in the table,
    places and localities within their ICB), so a place's and its localities' intervals
    come from the same simulated practices.

    Args:
        indices: :func:`~xlalloc.engine.capitation.need_indices` output (with
            ``target_share`` and, with a budget, ``target``).
        practices: The practices the table was computed from (``practice_code,
            icb_code, population`` and the component).
        places: ``practice_code, place, locality`` (``None`` when the table has ICBs only).
        component: The weighted population the target shares follow.
        settings: The Monte Carlo's parameters.
        budget: The ICB budget (£): adds ``target_p05`` and ``target_p95``, half-up to
            ``unit``. Percentiles are not a control total: they do not sum to the budget.
        unit: The rounding unit of the targets (£).
        baselines: Baseline (£) by place: adds ``dft_baseline``, ``dft_p05``, ``dft_p95``
            and ``against_target`` to place rows.

    Returns:
        ``indices`` with the interval columns (named by the settings' percentiles).
    """
    s = settings or UncertaintySettings()
    p = practices.drop(columns=["place", "locality"], errors="ignore")
    if places is not None:
        p = p.merge(places[["practice_code", "place", "locality"]], on="practice_code", how="left")
    names = list(p["practice_code"].astype(str))
    out = indices.copy()
    in_table = p["icb_code"].isin(set(indices.loc[indices["level"] == "icb", "icb_code"]))
    levels = {"icb": (p["icb_code"].where(in_table), pd.Series("all", index=p.index))}
    if places is not None:
        levels["place"] = (p["place"], p["icb_code"])
        levels["locality"] = (p["locality"], p["icb_code"])
    result: ShareIntervals | None = None
    lo_c = hi_c = ""
    asked = {k: v for k, v in levels.items() if (out["level"] == k).any()}
    results = share_intervals_by(p[component], p["population"], asked, s, names) if asked else {}
    for level, result in results.items():
        rows = out["level"] == level
        lo_c, hi_c = f"target_share_{result.low_col}", f"target_share_{result.high_col}"
        key = out.loc[rows, "icb_code"] if level == "icb" else out.loc[rows, "name"]
        t = result.table.set_index("unit")
        out.loc[rows, lo_c] = t[lo_c].reindex(key).to_numpy()
        out.loc[rows, hi_c] = t[hi_c].reindex(key).to_numpy()
        if level == "place" and baselines is not None:
            d = distance_intervals(result, baselines).set_index("unit")
            for c in d.columns.drop(["group", "baseline"]):
                out.loc[rows, c] = d[c].reindex(key).to_numpy()
    if budget is not None and result is not None:
        for c in (lo_c, hi_c):
            out[c.replace("target_share", "target")] = (
                round_half_up(out[c].to_numpy(dtype=np.float64) * budget / unit) * unit
            )
    return out
