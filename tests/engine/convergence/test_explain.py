"""One sentence per rule, quoting the figures that set it."""

from types import SimpleNamespace

import numpy as np

from xlalloc.engine.convergence import EXPLAIN, RULES, ConvergencePolicy
from xlalloc.engine.convergence.explain import Why

# A result row: its target is the table's (0.25 x 4,000).
ROW = SimpleNamespace(baseline=1000.0, dft_before=-0.015, target_share=0.25, target=1000.0)
WHY = Why(
    growth=0.04,
    lo=np.array([1010.0]),
    hi=np.array([1060.0]),
    policy=ConvergencePolicy(min_growth=0.01, max_growth=0.06, band=0.02),
    parameter=0.01,
    total=4000.0,
)


def test_every_rule_has_its_sentence():
    assert set(EXPLAIN) == set(RULES)


def test_the_shared_rules_quote_their_figures():
    assert EXPLAIN["band"](ROW, 0, WHY) == (
        "within band ±2.00% of target (DfT -1.50%): core growth 4.00% on £1,000"
    )
    assert EXPLAIN["floor"](ROW, 0, WHY) == (
        "floor: minimum growth 1.00% on baseline £1,000 = £1,010"
    )
    assert EXPLAIN["cap"](ROW, 0, WHY) == "cap: maximum growth 6.00% on baseline £1,000 = £1,060"
    assert EXPLAIN["target"](ROW, 0, WHY).startswith("stopped at its target £1,000:")
    assert EXPLAIN["core"](ROW, 0, WHY).startswith("held at core growth 4.00% on £1,000")
    # A method's own: level quotes L and (1 - L) × target (0.99 × 0.25 × 4,000).
    assert EXPLAIN["level"](ROW, 0, WHY) == (
        "level: (1 - L) × target with L = 1.0000%, i.e. 0.990000 × £1,000"
    )
