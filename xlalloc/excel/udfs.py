"""Worksheet functions for Excel (xlwings ``UDF_MODULES = xlalloc.excel.udfs``).

Each function converts its ranges once with :mod:`xlalloc.excel.convert`, calls the
engine once and returns a value or a range that spills as a dynamic array. On bad
input it returns a readable error text starting ``#VALUE!`` instead of a Python
traceback. Nothing is volatile and no function touches the calling book.

:data:`REGISTRY` records every function's Excel name, arguments and help text; a
test pins it, because renaming a function turns users' workbooks into ``#NAME?``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from .._version import __version__
from ..engine.capitation import need_index
from ..engine.convergence import ConvergencePolicy, converge, dft, hcdd_partition, policy_from
from ..engine.drivers import DriversSettings, drivers
from ..engine.errors import InputError, checked
from ..engine.levelling_up import LevellingUpSettings, levelling_up
from ..engine.rounding import largest_remainder, round_half_up
from ..model.policy import sheet_names
from . import convert as cv

CATEGORY = "xlalloc"
ERROR_PREFIX = "#VALUE! xlalloc: "


@dataclass(frozen=True)
class UdfInfo:
    """A worksheet function as Excel sees it."""

    name: str
    args: tuple[tuple[str, str], ...]
    help: str


REGISTRY: dict[str, UdfInfo] = {}


def error_text(e: Exception) -> str:
    """A one-cell error message (no traceback)."""
    if isinstance(e, InputError):  # an option the engine names is this function's argument
        return ERROR_PREFIX + "; ".join(re.sub(r"`(\w+)`", r"\1", str(p)) for p in e.problems)
    return ERROR_PREFIX + f"unexpected {type(e).__name__}: {e}"


def udf(help_text: str, **arg_help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a worksheet function and wrap it for xlwings.

    Errors become a readable error text in the cell; ranges arrive as 2-D lists.
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        import inspect

        params = list(inspect.signature(fn).parameters)
        missing = [p for p in params if p not in arg_help]
        if missing:
            raise TypeError(f"{fn.__name__}: no help for arguments {missing}")
        REGISTRY[fn.__name__] = UdfInfo(
            fn.__name__, tuple((p, arg_help[p]) for p in params), help_text
        )

        @wraps(fn)
        def safe(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # every error becomes a readable cell value
                return error_text(e)

        # xlwings reads the signature through __wrapped__; type hints would become
        # converters, so the wrapper carries none. Arguments first, xw.func last: xw.arg
        # re-initialises the function's settings, which would reset the category.
        safe.__annotations__ = {}
        safe.__doc__ = help_text  # Excel's function description, on every platform
        wrapped: Callable[..., Any] = safe
        for p in params:
            options: dict[str, Any] = {"doc": arg_help[p]}
            if p not in SCALARS:
                options["ndim"] = 2
            wrapped = xw.arg(p, **options)(wrapped)
        return xw.func(category=CATEGORY)(wrapped)

    return deco


#: Arguments that are always single values (not ranges): every convergence policy field
#: (``method``, ``unit``, the floors and caps ...) and the functions' own.
SCALARS = (set(ConvergencePolicy.model_fields) - {"source"}) | {
    "total",
    "amount",
    "decimals",
    "pot",
}


@udf(
    "Need index of the selected practices against all practices given: "
    "(Σ selected WP / Σ selected population) / (Σ WP / Σ population).",
    populations="registered population of each practice (one column)",
    weighted="weighted population of each practice, same rows",
    selected="TRUE for the practices in the place, same rows",
    decimals="round half-up to this many decimals like NHS England (blank: exact)",
)
def xla_need_index(populations: Any, weighted: Any, selected: Any, decimals: Any = None) -> Any:
    """Need index of a place (the selected practices) within the practices given."""
    pop = cv.vector(populations, "populations", minimum=0)
    wp = cv.vector(weighted, "weighted", minimum=0)
    cv.same_length(populations=pop, weighted=wp)
    index = need_index(pop, wp, cv.flags(selected, "selected", len(pop)))
    d = cv.scalar(decimals, "decimals")
    if d is not None and not (0 <= d <= 10 and float(d).is_integer()):
        raise InputError(
            f"decimals is {d:g}; expected a whole number from 0 to 10", where="decimals"
        )
    return float(round_half_up([index], int(d))[0]) if d is not None else float(index)


@udf(
    "Target shares: each weight over the total (spills down).",
    weights="weighted populations (or any non-negative weights), one column",
)
def xla_target_shares(weights: Any) -> Any:
    """Target shares that sum to 1."""
    w = cv.vector(weights, "weights", minimum=0)
    if w.sum() <= 0:
        raise InputError("weights are all zero", where="weights")
    return cv.column(w / w.sum())


@udf(
    "Target £: a total shared by weights, rounded to the unit by largest remainder so "
    "the parts sum to the total exactly (spills down).",
    weights="weighted populations (or shares), one column",
    total="the budget to share; a whole number of units",
    unit="rounding unit in £ (default 1; 1000 for £000)",
)
def xla_target_amounts(weights: Any, total: Any, unit: Any = None) -> Any:
    """Targets rounded by largest remainder."""
    return _share(weights, "weights", total, "total", unit)


def _share(weights: Any, weights_name: str, total: Any, total_name: str, unit: Any) -> Any:
    """A total shared by weights to the unit, largest remainder, as a spilling column."""
    w = cv.vector(weights, weights_name, minimum=0)
    cv.not_all_zero(w, weights_name)
    t = cv.scalar(total, total_name)
    if t is None:
        raise InputError(f"{total_name} is blank", where=total_name)
    return cv.column(largest_remainder(w, t, cv.unit(unit), order=list(range(len(w)))))


@udf(
    "Distance from target of each allocation: (x - s Σx) / (s Σx), positive above "
    "target (spills down).",
    allocations="allocations (or baselines), one column",
    shares="target shares (or weights, normalised), same rows",
)
def xla_dft(allocations: Any, shares: Any) -> Any:
    """Distance from target."""
    x = cv.vector(allocations, "allocations", minimum=0)
    s = cv.vector(shares, "shares", minimum=0)
    cv.same_length(allocations=x, shares=s)
    cv.not_all_zero(x, "allocations")
    cv.not_all_zero(s, "shares")
    return cv.column(dft(x, s / s.sum()))


@udf(
    "Converge baselines toward target under a policy; spills one row per organisation: "
    "allocation, rule, DfT before, DfT after.",
    baselines="baseline allocation of each organisation, one column",
    shares="target shares (or weights), same rows",
    total="total available; a whole number of units",
    policy="optional two-column range of policy names and values (e.g. a named range); "
    "values given as arguments take precedence",
    method="level, pace or topslice (default level)",
    min_growth="minimum growth, e.g. 0.01",
    max_growth="maximum growth, e.g. 0.06",
    band="|DfT| within which organisations get core growth",
    pace="pace of change 0-1",
    topslice="share top-sliced (topslice method)",
    unit="rounding unit in £ (default 1)",
)
def xla_converge(
    baselines: Any,
    shares: Any,
    total: Any,
    policy: Any = None,
    method: Any = None,
    min_growth: Any = None,
    max_growth: Any = None,
    band: Any = None,
    pace: Any = None,
    topslice: Any = None,
    unit: Any = None,
) -> Any:
    """Convergence of a block of organisations."""
    b = cv.vector(baselines, "baselines", minimum=0)
    s = cv.vector(shares, "shares", minimum=0)
    cv.same_length(baselines=b, shares=s)
    cv.not_all_zero(s, "shares")
    t = cv.scalar(total, "total")
    if t is None:
        raise InputError("total is blank", where="total")
    # A two-column range of names and values, or the model's whole Policy table: its own
    # names map to the engine's, and rows that are not convergence parameters are ignored.
    fields = set(ConvergencePolicy.model_fields) - {"source"}
    # The Policy sheet's names for the policy's fields (convergence_method is method).
    renamed = {row: f for f, row in sheet_names(ConvergencePolicy).items()}
    values: dict[str, object] = {}
    for k, v in cv.pairs(policy, "policy").items():
        key = renamed.get(k, k)
        if key in fields and v is not None:
            values[key] = cv.scalar(v, key) if key != "method" else str(v).strip()
    given = {
        "min_growth": min_growth,
        "max_growth": max_growth,
        "band": band,
        "pace": pace,
        "topslice": topslice,
        "unit": unit,
    }
    for k, v in given.items():
        x = cv.scalar(v, k)
        if x is not None:
            values[k] = x
    if method not in (None, ""):
        values["method"] = str(method).strip()
    values["source"] = "worksheet function XLA_CONVERGE"
    pol = policy_from(values, where="policy")
    orgs = pd.DataFrame(
        {"org": [f"row {i + 1:06d}" for i in range(len(b))], "baseline": b, "target_share": s}
    )
    res = converge(orgs, t, pol, where="baselines")
    tb = res.table
    return [
        [float(a), str(r), float(d0), float(d1)]
        for a, r, d0, d1 in zip(tb["allocation"], tb["rule"], tb["dft_before"], tb["dft_after"])
    ]


@udf(
    "Apportion an amount by a driver, rounded to the unit by largest remainder (spills down).",
    amount="the amount to apportion; a whole number of units",
    drivers="driver of each row (activity, cost, weighted population), one column",
    unit="rounding unit in £ (default 1)",
)
def xla_apportion(amount: Any, drivers: Any, unit: Any = None) -> Any:
    """Apportionment of one amount by a driver range."""
    return _share(drivers, "drivers", amount, "amount", unit)


@udf(
    "No-loser levelling-up payment: a pot lifts the lowest funding per unit of need toward "
    "one level, each payment at most its cap, rounded to sum to the pot (spills down).",
    funding="current funding of each organisation (£), one column",
    need="need of each (e.g. weighted population), same rows",
    pot="the sum to pay out (£); a whole number of units",
    caps="the most each may receive, same rows (blank: no cap; optional)",
    unit="rounding unit in £ (default 1)",
)
def xla_levelling_up(funding: Any, need: Any, pot: Any, caps: Any = None, unit: Any = None) -> Any:
    """Levelling-up payments, one per organisation."""
    f = cv.vector(funding, "funding", minimum=0)
    n = cv.vector(need, "need", minimum=0)
    cv.same_length(funding=f, need=n)
    total = cv.scalar(pot, "pot")
    if total is None:
        raise InputError("pot is blank", where="pot")
    frame = pd.DataFrame({"org": [f"row {i + 1}" for i in range(len(f))], "funding": f, "need": n})
    if caps is not None:
        c = cv.vector(caps, "caps", allow_blank=True, minimum=0)
        cv.same_length(funding=f, caps=c)
        frame["cap"] = c
    settings = checked(
        LevellingUpSettings, {"pot": total, "unit": cv.unit(unit)}, where={"pot": "pot"}, rates=()
    )
    result = levelling_up(frame, settings)
    return cv.column(result.table["payment"])


@udf(
    "High-cost drugs and devices partition; spills one row per organisation: HCDD "
    "contribution, remaining allocation.",
    allocations="converged allocations, one column",
    baselines="baselines, same rows",
    hcdd_baselines="baseline HCDD spend, same rows",
    dft_after="distance from target after convergence, same rows",
    hcdd_growth="HCDD growth rate q",
    cost_uplift="gross cost uplift factor u",
    unit="rounding unit in £ (default 1)",
)
def xla_hcdd(
    allocations: Any,
    baselines: Any,
    hcdd_baselines: Any,
    dft_after: Any,
    hcdd_growth: Any,
    cost_uplift: Any,
    unit: Any = None,
) -> Any:
    """HCDD partition of converged allocations."""
    a = cv.vector(allocations, "allocations", minimum=0)
    b = cv.vector(baselines, "baselines", minimum=0)
    h = cv.vector(hcdd_baselines, "hcdd_baselines", minimum=0)
    d = cv.vector(dft_after, "dft_after")
    cv.same_length(allocations=a, baselines=b, hcdd_baselines=h, dft_after=d)
    over = [int(i) + 1 for i in np.flatnonzero(h > b)]
    if over:
        raise InputError(
            f"hcdd_baselines item(s) {over} exceed their baselines; the HCDD "
            "baseline is part of the baseline",
            where="hcdd_baselines",
        )
    q = cv.scalar(hcdd_growth, "hcdd_growth")
    u = cv.scalar(cost_uplift, "cost_uplift")
    if q is None or u is None:
        raise InputError("hcdd_growth and cost_uplift are required", where="hcdd_growth")
    H, R, _ = hcdd_partition(a, b, h, d, q, u, cv.unit(unit))
    return [[float(x), float(y)] for x, y in zip(H, R)]


@udf(
    "Why each place spends above or below its need, for one care programme; spills one row "
    "per place: spend per weighted head, activity per weighted head and cost per record "
    "(each against the places' total = 1), spend above need (£) and its split into "
    "activity volume (£) and cost per record (£), which add to it.",
    spend="each place's spend on the programme (£), one column",
    activity="each place's activity records (spells, attendances, items), same rows",
    need="each place's need (the weighted population the programme is shared by), same rows",
    unit="rounding unit of the £ in £ (default 0.01: a penny)",
)
def xla_drivers(spend: Any, activity: Any, need: Any, unit: Any = None) -> Any:
    """The drivers of each place's spend, the places' total the comparator."""
    s = cv.vector(spend, "spend", minimum=0)
    n = cv.vector(activity, "activity", minimum=0)
    w = cv.vector(need, "need", minimum=0)
    cv.same_length(spend=s, activity=n, need=w)
    units = pd.DataFrame(
        {
            "programme": "the programme",
            "place": [f"row {i + 1}" for i in range(len(s))],
            "spend": s,
            "activity": n,
            "need": w,
        }
    )
    u = 0.01 if cv.scalar(unit, "unit") is None else cv.unit(unit)
    result = drivers(units, DriversSettings(min_activity=0, unit=u), where="need")
    if not len(result.table):
        raise InputError("the places have no activity with spend", where="activity")
    rows = result.table[result.table["place"] != "ICB"]
    cols = ("spend_index", "activity_index", "cost_index", "above_need", "volume", "price")
    return [[_cell(r[c]) for c in cols] for _, r in rows.iterrows()]


def _cell(value: float) -> object:
    """A figure for a cell (a blank where it has none: an index with no records)."""
    x = float(value)
    return "" if np.isnan(x) else x


@udf("The xlalloc version behind these functions.")
def xla_version() -> Any:
    """The package version (check it matches the add-in)."""
    return __version__


__all__ = [*REGISTRY, "REGISTRY", "UdfInfo", "error_text"]
