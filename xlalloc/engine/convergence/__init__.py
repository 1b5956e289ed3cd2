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

Layout: :mod:`.policy` (the parameters), :mod:`.solver` (the shared problem),
:mod:`.methods` (one module per method), :mod:`.explain` (a sentence per rule) and
:mod:`.core` (one year and several, rounding and the HCDD partition).
"""

from __future__ import annotations

from .core import (
    OUTPUT_COLUMNS,
    RULES,
    MultiYearResult,
    YearResult,
    converge,
    converge_years,
    hcdd_partition,
)
from .explain import EXPLAIN
from .methods import METHODS, ConvergenceMethod, register
from .policy import ConvergencePolicy, Method, floors, policy_from
from .solver import dft, solve_batch

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
    "register",
    "solve_batch",
]
