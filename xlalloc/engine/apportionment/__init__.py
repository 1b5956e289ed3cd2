"""Apportioning a whole ICB budget by care programme and place.

Source: Birmingham and Solihull CCG/ICB, *apportioning the whole budget by care
programme and place* (``shared/reference/001``), Appendix 1: each budget line
is apportioned by the best data available, in order:

1. practice-level data (contract activity cost, prescribing cost, packages of
   care) mapped to place through PCNs and localities; spend in the line not
   attributed to a practice is apportioned by the same practice shares;
2. place reference information (geography, historic funding flows) as
   explicit place percentages;
3. needs-weighted capitation (weighted population at practice level, grouped
   via localities to place) as the default and final fallback.

Plus ``scale`` (GMS payments for months 1 to 6 scaled to the full-year budget)
and ``follow`` (continuing healthcare: "other areas of spend apportioned in
line with these shares"). Table 1 is £ by care programme and place; Table 2 is
cost per 1,000 weighted population.

Every line records the methods it tried, why earlier ones were skipped, the
one it used and that method's data coverage; every line is rounded to the unit
by largest remainder, so lines, programmes and places reconcile exactly.

Each method is one module of :mod:`.methods` (a new one calls :func:`register`);
:mod:`.core` checks the tables, runs each line's chain and builds the tables.
"""

from __future__ import annotations

from .core import (
    DEFAULT_PROGRAMMES,
    Apportionment,
    ApportionmentSettings,
    apportion,
    default_chain,
    reads_data,
    rows_text,
)
from .methods import REGISTRY, ApportionmentMethod, Context, register

__all__ = [
    "Apportionment",
    "ApportionmentMethod",
    "ApportionmentSettings",
    "Context",
    "DEFAULT_PROGRAMMES",
    "METHODS",
    "REGISTRY",
    "apportion",
    "default_chain",
    "reads_data",
    "register",
    "rows_text",
]


def __getattr__(name: str) -> object:
    """``METHODS``: the registered methods' names, as they are now (a new one included)."""
    if name == "METHODS":
        return tuple(REGISTRY)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
