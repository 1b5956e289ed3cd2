"""Need indices, target shares and target pounds by weighted capitation.

Implements NHS England's place-based allocation method (ICB allocations
technical guide; the place-based allocation tool that accompanies each year's
GP-practice weighted populations):

* a place is a set of GP practices within one ICB;
* for component *c*, ``index_place = (ΣP WP_c / ΣP pop) / (ΣI WP_c / ΣI pop)``
  (ICB-standardised) and ``index_ICB = (ΣI WP_c / ΣI pop) / (ΣE WP_c / ΣE pop)``
  (England-standardised, where NHS England scales every component so that
  ``ΣE WP_c = ΣE pop``);
* sums are exact; for presentation weighted populations and population are
  rounded half-up to 1 and indices half-up to 0.001;
* a place's target share is its weighted population of the chosen component
  over the ICB's; target pounds are that share of a budget, rounded to the unit
  by largest remainder so places sum to the budget exactly.

Also: cost per 1,000 weighted population, and footprint changes (re-mapping
practices to new organisations, e.g. 42 ICBs in 2025/26 to 36 in 2026/27).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import InputError, Problem, Problems, listed, quoted, rows_text
from .frames import source_rows
from .rounding import largest_remainder, round_half_up

__all__ = [
    "COMPONENTS",
    "Component",
    "LEVELS",
    "PlaceMap",
    "add_targets",
    "check_components",
    "cost_per_1000",
    "define_places",
    "derive_footprint",
    "england_ratios",
    "footprint_change",
    "need_index",
    "need_indices",
    "round_nhse",
    "target_amounts",
    "target_shares",
]

#: Stable keys of the nine published weighted populations.
COMPONENTS: tuple[str, ...] = (
    "ga",
    "community",
    "mental_health",
    "maternity",
    "prescribing",
    "core",
    "pmc",
    "pmc_need",
    "health_inequalities",
)

#: A weighted-population component, as a type (the same keys as :data:`COMPONENTS`).
Component = Literal[
    "ga",
    "community",
    "mental_health",
    "maternity",
    "prescribing",
    "core",
    "pmc",
    "pmc_need",
    "health_inequalities",
]

assert get_args(Component) == COMPONENTS

LEVELS = ("icb", "place", "locality")


@dataclass
class PlaceMap:
    """A validated place definition.

    Attributes:
        frame: One row per mapped practice: ``practice_code, place, locality,
            icb_code``.
        warnings: Human-readable warnings (e.g. practices left out of every place).
        unmapped: Practice codes of the ICB(s) that are in no place.
    """

    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def check_components(keys: list[str] | tuple[str, ...], where: str = "component") -> None:
    """Raise if any key is not a published component."""
    bad = [k for k in keys if k not in COMPONENTS]
    if bad:
        raise InputError(
            f"unknown component(s) {quoted(bad)}; expected one of {listed(COMPONENTS)}", where=where
        )


def define_places(practices: pd.DataFrame, places: pd.DataFrame, where: str = "places") -> PlaceMap:
    """Validate a place definition against the practice data.

    Args:
        practices: Normalised practice frame (one year).
        places: Columns ``practice_code, place`` and optionally ``locality``.
        where: Name of the places table, for messages.

    Returns:
        The validated :class:`PlaceMap`.

    Raises:
        InputError: Every problem together: missing columns, blank cells, a
            practice not in the data, a practice in two places, a place spanning
            two ICBs.
    """
    problems = Problems()
    for col in ("practice_code", "place"):
        if col not in places.columns:
            problems.add(where, f"missing column '{col}'; columns found: {quoted(places.columns)}")
    problems.raise_if_any()
    rows = source_rows(places)
    m = places.copy()
    if "locality" not in m.columns:
        m["locality"] = pd.NA
    for col in ("practice_code", "place", "locality"):
        m[col] = m[col].astype("string").str.strip()
        if col != "locality":
            for k in np.flatnonzero((m[col].isna() | (m[col] == "")).to_numpy()):
                problems.add(where, "blank cell", row=rows[int(k)], column=col)
    m["locality"] = m["locality"].mask(m["locality"] == "")
    known = practices.set_index("practice_code")["icb_code"]
    for i, code in enumerate(m["practice_code"]):
        if pd.notna(code) and code != "" and code not in known.index:
            problems.add(
                where,
                f"practice {code} is not in the practice data",
                row=rows[i],
                column="practice_code",
            )
    counts = m.groupby("practice_code")["place"].nunique()
    for code in counts[counts > 1].index:
        at = np.flatnonzero((m["practice_code"] == code).fillna(False).to_numpy())
        given = [(str(m["place"].iloc[k]), rows[int(k)]) for k in at]
        problems.add(
            where,
            f"practice {code} is in more than one place: "
            + listed(f"{p} (row {r})" for p, r in given)
            + "; give each practice one place",
            row=rows_text([int(r) for _, r in given]),
            column="place",
        )
    dup_rows = m.duplicated("practice_code", keep="first") & ~m["practice_code"].isin(
        counts[counts > 1].index
    )
    m = m[~dup_rows]
    problems.raise_if_any()
    m["icb_code"] = m["practice_code"].map(known).astype("string")
    span = m.groupby("place")["icb_code"].nunique()
    for place in span[span > 1].index:
        icbs = sorted(m.loc[m["place"] == place, "icb_code"].unique())
        problems.add(where, f"place '{place}' spans more than one ICB: {listed(icbs)}")
    loc_span = m.dropna(subset=["locality"]).groupby("locality")["place"].nunique()
    for loc in loc_span[loc_span > 1].index:
        problems.add(where, f"locality '{loc}' is in more than one place")
    problems.raise_if_any()
    icb_set = set(m["icb_code"])
    in_icbs = practices[practices["icb_code"].isin(icb_set)]
    left = sorted(set(in_icbs["practice_code"]) - set(m["practice_code"]))
    warnings = []
    if left:
        shown = ", ".join(left[:20]) + (" ..." if len(left) > 20 else "")
        warnings.append(
            f"{len(left)} practice(s) of ICB(s) {listed(sorted(icb_set))} are in no place: {shown}"
        )
    return PlaceMap(
        m.reset_index(drop=True)[["practice_code", "place", "locality", "icb_code"]], warnings, left
    )


def need_index(
    population: npt.ArrayLike, weighted: npt.ArrayLike, selected: npt.ArrayLike
) -> float:
    """Need index of the selected practices against all practices given.

    ``(Σ_selected WP / Σ_selected pop) / (Σ WP / Σ pop)``: the place-based tool's
    ICB-standardised index when the practices given are one ICB's.

    Raises:
        InputError: If nothing is selected or a population sums to zero.
    """
    pop = np.asarray(population, dtype=np.float64)
    wp = np.asarray(weighted, dtype=np.float64)
    sel = np.asarray(selected, dtype=bool)
    if not sel.any():
        raise InputError("no practice is selected", where="selected")
    if pop[sel].sum() <= 0 or pop.sum() <= 0 or wp.sum() <= 0:
        raise InputError(
            "populations and weighted populations must not sum to zero", where="populations"
        )
    return float((wp[sel].sum() / pop[sel].sum()) / (wp.sum() / pop.sum()))


def england_ratios(practices: pd.DataFrame) -> pd.Series:
    """Weighted population per head of each component over a national frame."""
    pop = practices["population"].sum()
    return practices[list(COMPONENTS)].sum() / pop


def _sums(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    cols = ["population", *COMPONENTS]
    return frame.groupby(keys, sort=True, dropna=False)[cols].sum()


def _check_measurable(practices: pd.DataFrame, names: pd.Series, where: str) -> None:
    """Every ICB with people and weighted population to measure need by, or refused.

    An ICB whose practices' weighted population of a component is 0 throughout (or
    whose population is) has no need index: the indices divided 0 by 0 and the shares
    failed at rounding ("values to round contain blanks") without naming the cause.

    Raises:
        InputError: Each such ICB and component, together.
    """
    problems = Problems()
    sums = practices.groupby("icb_code")[["population", *COMPONENTS]].sum()
    for code, row in sums.iterrows():
        zero = [c for c in ("population", *COMPONENTS) if not row[c] > 0]
        if zero:
            shown = ", ".join(
                "the registered population" if c == "population" else f"{c} weighted population"
                for c in zero
            )
            problems.add(
                where,
                f"{code} {names.get(code, '')}: every practice has 0 for {shown}, so need "
                "cannot be measured; check the file (a column of zeros, or the wrong file)",
            )
    problems.raise_if_any()


def _place_tables(
    practices: pd.DataFrame, place_map: PlaceMap, icb_rate: pd.DataFrame, ratios: pd.Series
) -> list[pd.DataFrame]:
    """The places' rows, and the localities' where the map has them."""
    parts = []
    joined = practices.drop(columns=["place", "locality"], errors="ignore").merge(
        place_map.frame[["practice_code", "place", "locality"]], on="practice_code", how="inner"
    )
    parts.append(_level(joined, ["icb_code", "place"], "place", icb_rate, ratios))
    jl = joined.dropna(subset=["locality"])
    if len(jl):
        keys = ["icb_code", "place", "locality"]
        parts.append(_level(jl, keys, "locality", icb_rate, ratios))
    return parts


def _level(
    joined: pd.DataFrame, keys: list[str], level: str, icb_rate: pd.DataFrame, ratios: pd.Series
) -> pd.DataFrame:
    """One level's rows (places, or localities): named by the last key, in their place."""
    sums = _sums(joined, keys)
    codes = sums.index.get_level_values(0)
    ref = icb_rate.loc[codes].set_axis(sums.index)
    names = sums.index.get_level_values(len(keys) - 1)
    return _table(sums, level, names, codes, sums.index.get_level_values(1), ref, ratios)


def _check_populated(out: pd.DataFrame) -> None:
    """Every row has people: a need index is weighted population per head."""
    empty = out[out["population"] <= 0]
    if len(empty):
        raise InputError(
            [
                Problem(
                    "practices",
                    f"{lvl} {name!r} has a population of "
                    f"{pop:g}: its need index (weighted population per head) "
                    "cannot be computed; give it practices with patients",
                )
                for lvl, name, pop in zip(empty["level"], empty["name"], empty["population"])
            ]
        )


def need_indices(
    practices: pd.DataFrame,
    place_map: PlaceMap | None = None,
    england: Mapping[str, float] | pd.Series | None = None,
    rounding: str | None = None,
    where: str = "practices",
) -> pd.DataFrame:
    """Weighted population, population and need index for each ICB, place, locality.

    Args:
        practices: Normalised practice frame (one year). Without ``england``
            it is taken to be all of England.
        place_map: Places (and localities). Without it, each ICB is one row.
        england: National weighted population per head by component (default:
            from ``practices``). NHS England's published components are scaled so
            this is 1.0.
        rounding: ``None`` for exact figures, ``"nhse"`` to round as NHS England's
            tool does (populations to 1, indices to 0.001, half-up).
        where: The practices' file or sheet, for messages.

    Returns:
        One row per ICB, then its places, then its localities, with columns
        ``level, name, icb_code, icb_name, place, population``, ``{c}_wp``,
        ``{c}_index`` (ICB-standardised for places and localities,
        England-standardised for ICBs) and ``{c}_index_england`` for every
        component.
    """
    if rounding not in (None, "nhse"):
        raise InputError(f"rounding must be 'nhse' or none; got {rounding!r}", where="round")
    ratios = (
        england_ratios(practices)
        if england is None
        else pd.Series(dict(england), dtype="float64").reindex(list(COMPONENTS))
    )
    if ratios.isna().any():
        raise InputError(
            f"england ratios missing for {listed(ratios[ratios.isna()].index)}", where="england"
        )
    names = practices.drop_duplicates("icb_code").set_index("icb_code")["icb_name"].astype("string")
    _check_measurable(practices, names, where)
    icb_src = practices
    if place_map is not None:
        icb_src = practices[practices["icb_code"].isin(set(place_map.frame["icb_code"]))]
    icb = _sums(icb_src, ["icb_code"])
    icb_rate = icb[list(COMPONENTS)].div(icb["population"], axis=0)
    parts = [
        _table(
            icb, "icb", icb.index, icb.index, pd.Series(pd.NA, index=icb.index), icb_rate, ratios
        )
    ]
    if place_map is not None:
        parts += _place_tables(practices, place_map, icb_rate, ratios)
    out = pd.concat(parts, ignore_index=True)
    _check_populated(out)
    out.insert(3, "icb_name", out["icb_code"].map(names))
    is_icb = out["level"] == "icb"
    out.loc[is_icb, "name"] = out.loc[is_icb, "icb_name"].fillna(out.loc[is_icb, "icb_code"])
    order = {lvl: i for i, lvl in enumerate(LEVELS)}
    out = (
        out.assign(_l=out["level"].map(order))
        .sort_values(["icb_code", "_l", "place", "name"], kind="stable", na_position="first")
        .drop(columns="_l")
        .reset_index(drop=True)
    )
    if rounding == "nhse":
        out = round_nhse(out)
    return out


def _table(
    sums: pd.DataFrame,
    level: str,
    name: object,
    icb_codes: object,
    place: object,
    ref_rate: pd.DataFrame,
    ratios: pd.Series,
) -> pd.DataFrame:
    rate = sums[list(COMPONENTS)].div(sums["population"], axis=0)
    t = pd.DataFrame(
        {
            "level": level,
            "name": np.asarray(name, dtype=object),
            "icb_code": np.asarray(icb_codes, dtype=object),
            "place": np.asarray(place, dtype=object),
            "population": sums["population"].to_numpy(),
        }
    )
    for c in COMPONENTS:
        t[f"{c}_wp"] = sums[c].to_numpy()
        std = ref_rate[c].to_numpy() if level != "icb" else ratios[c]
        t[f"{c}_index"] = rate[c].to_numpy() / std
        t[f"{c}_index_england"] = rate[c].to_numpy() / ratios[c]
    return t


def round_nhse(table: pd.DataFrame) -> pd.DataFrame:
    """Round as NHS England's tool: populations half-up to 1, indices to 0.001."""
    out = table.copy()
    for col in out.columns:
        if col == "population" or col.endswith("_wp"):
            out[col] = round_half_up(out[col].to_numpy(), 0)
        elif "_index" in col:
            out[col] = round_half_up(out[col].to_numpy(), 3)
    return out


def target_shares(indices: pd.DataFrame, component: str = "core") -> pd.Series:
    """Target share of each row within its ICB by one component.

    Places (and localities) share their ICB's total over the places defined
    (equal to the ICB's weighted population when every practice is mapped);
    ICB rows share the total of the ICBs in the table.

    Args:
        indices: Output of :func:`need_indices` (exact, not rounded).
        component: Weighted-population key.

    Returns:
        Shares aligned to ``indices``; each level within each ICB sums to 1.
    """
    check_components([component])
    wp = indices[f"{component}_wp"].astype("float64")
    is_icb = indices["level"] == "icb"
    group = indices["level"].where(is_icb, indices["level"] + "|" + indices["icb_code"])
    total = wp.groupby(group).transform("sum")
    return (wp / total).rename("target_share")


def target_amounts(
    shares: pd.Series | np.ndarray,
    budget: float,
    unit: float = 1.0,
    order: list[object] | None = None,
) -> np.ndarray:
    """Share a budget by target shares, rounded to ``unit`` by largest remainder.

    Args:
        shares: Non-negative shares (normalised here).
        budget: Control total; a whole number of ``unit``.
        unit: £1 by default; 1000 for £000.
        order: Tie-break keys (e.g. place names) for order-independent results.

    Returns:
        Amounts summing to ``budget`` exactly.
    """
    return largest_remainder(np.asarray(shares, dtype="float64"), budget, unit, order=order)


def add_targets(
    indices: pd.DataFrame, budget: float | None, component: str = "core", unit: float = 1.0
) -> pd.DataFrame:
    """Add ``target_share`` and (with a budget) ``target`` columns.

    The budget is the ICB's: with places, each level of each ICB sums to it; the
    table must then hold one ICB. Without places, ICB rows share it.

    Raises:
        InputError: If a budget is given for places in more than one ICB.
    """
    out = indices.copy()
    out["target_share"] = target_shares(indices, component)
    if budget is None:
        return out
    sub = out["level"] != "icb"
    if sub.any() and out.loc[sub, "icb_code"].nunique() > 1:
        raise InputError(
            "a budget applies to one ICB's places; the places span ICBs "
            f"{listed(sorted(out.loc[sub, 'icb_code'].unique()))}",
            where="budget",
        )
    target = np.zeros(len(out))
    for _, idx in out.groupby(out["level"]).groups.items():
        rows = out.loc[idx]
        target[np.asarray(idx)] = target_amounts(
            rows["target_share"], budget, unit, order=list(rows["name"].astype(str))
        )
    out["target"] = target
    return out


def cost_per_1000(amounts: pd.Series, weighted_population: pd.Series) -> pd.Series:
    """Cost per 1,000 weighted population, aligned on the index of ``amounts``.

    Raises:
        InputError: If a row has no (or zero) weighted population.
    """
    wp = weighted_population.reindex(amounts.index)
    bad = wp.isna() | (wp <= 0)
    if bad.any():
        raise InputError(
            f"no weighted population for {listed(wp[bad].index)}", where="weighted population"
        )
    return (amounts.astype("float64") / wp * 1000.0).rename("per_1000_wp")


def derive_footprint(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Practice -> new organisation mapping, read from a later year's practice file.

    Returns:
        Columns ``practice_code, new_code, new_name`` for practices in both files.
    """
    m = new[["practice_code", "icb_code", "icb_name"]].rename(
        columns={"icb_code": "new_code", "icb_name": "new_name"}
    )
    return m[m["practice_code"].isin(set(old["practice_code"]))].reset_index(drop=True)


def footprint_change(
    practices: pd.DataFrame,
    mapping: pd.DataFrame,
    component: str = "core",
    england: Mapping[str, float] | pd.Series | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Re-map practices to new organisations and compare with their predecessors.

    Args:
        practices: Normalised frame of the year being re-mapped (old footprint).
        mapping: ``practice_code, new_code`` (and optionally ``new_name``).
        component: Component whose index is reported.
        england: National ratios (default: from ``practices``).

    Returns:
        A table per new organisation (population, weighted population, England
        index, predecessors, and the minimum, maximum and spread of the index
        of the part of each predecessor that moved into it), and the practice
        codes of ``practices`` that the mapping leaves out.
    """
    check_components([component])
    ratios = england_ratios(practices) if england is None else pd.Series(dict(england))
    r = float(ratios[component])
    j = practices.merge(mapping, on="practice_code", how="inner")
    unmapped = sorted(set(practices["practice_code"]) - set(j["practice_code"]))
    new = j.groupby("new_code")[["population", component]].sum()
    parts = j.groupby(["new_code", "icb_code"])[["population", component]].sum()
    parts["index"] = parts[component] / parts["population"] / r
    g = parts.groupby(level=0)["index"]
    out = pd.DataFrame(
        {
            "population": new["population"],
            f"{component}_wp": new[component],
            f"{component}_index": new[component] / new["population"] / r,
            "predecessors": parts.reset_index()
            .groupby("new_code")["icb_code"]
            .agg(lambda s: ", ".join(sorted(s))),
            "n_predecessors": g.size(),
            "predecessor_index_min": g.min(),
            "predecessor_index_max": g.max(),
        }
    )
    out["predecessor_index_spread"] = out["predecessor_index_max"] - out["predecessor_index_min"]
    if "new_name" in mapping.columns:
        out.insert(
            0,
            "new_name",
            mapping.drop_duplicates("new_code")
            .set_index("new_code")["new_name"]
            .reindex(out.index),
        )
    return out.reset_index(), unmapped
