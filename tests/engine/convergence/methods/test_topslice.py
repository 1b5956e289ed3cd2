"""topslice: West Yorkshire's local convergence by hand."""

from xlalloc.engine.convergence import ConvergencePolicy, converge

from ..helpers import by_org, orgs


def test_topslice_by_hand():
    # B = 600, T = 630 (g = 5%): c = 105, 210, 315; t = 126, 189, 315.
    o = orgs([100, 200, 300], [0.2, 0.3, 0.5])
    # r = 1%: pot 6.3; only A is short (21): A gets 6.3.
    # a = 0.99 c + receipt = 110.25, 207.9, 311.85 -> 110, 208, 312 by largest remainder.
    res = converge(o, 630, ConvergencePolicy(method="topslice", topslice=0.01))
    assert by_org(res, "allocation") == {"A": 110, "B": 208, "C": 312}
    assert set(res.table["rule"]) == {"topslice"}
    # r = 10%: pot 63 > shortfall 21; A gets 21, the 42 left returns pro rata to c
    # (7, 14, 21): 94.5+21+7 = 122.5, 189+14 = 203, 283.5+21 = 304.5 -> 123, 203, 304.
    res = converge(o, 630, ConvergencePolicy(method="topslice", topslice=0.10))
    assert by_org(res, "allocation") == {"A": 123, "B": 203, "C": 304}
