"""pace: a pace of the gap to target by hand."""

import pytest

from xlalloc.engine.convergence import ConvergencePolicy, converge

from ..helpers import by_org, orgs


def test_pace_by_hand():
    # B = 1000, T = 1100 (g = 10%): core c = 220, 330, 550; targets 275, 275, 550.
    o = orgs([200, 300, 500], [0.25, 0.25, 0.5])
    res = converge(o, 1100, ConvergencePolicy(method="pace", pace=0.5))
    # c + 0.5 (t - c) = 247.5, 302.5, 550 sums to 1100 (k = 0); the one spare £ goes to
    # the tie (A and B both .5) by name: A.
    assert by_org(res, "allocation") == {"A": 248, "B": 302, "C": 550}
    assert res.parameter == pytest.approx(0.0)
    # With a 5% floor B (302.5) is lifted to 315. C is on its target (core 550 = target
    # 550), so the guard holds it there: moving it would take it away from target. A takes
    # the rest: 1100 - 315 - 550 = 235 = 247.5 + 200k -> k = -12.5/200 (A stays between its
    # core 220 and its target 275, so the guard does not bind on A).
    res = converge(o, 1100, ConvergencePolicy(method="pace", pace=0.5, min_growth=0.05))
    assert by_org(res, "allocation") == {"A": 235, "B": 315, "C": 550}
    assert by_org(res, "rule") == {"A": "pace", "B": "floor", "C": "core"}
    assert res.parameter == pytest.approx(-12.5 / 200)
