"""Convergence: hand-worked examples (arithmetic in the test) and invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xlalloc import demo
from xlalloc.engine.convergence import (
    OUTPUT_COLUMNS,
    RULES,
    ConvergencePolicy,
    converge,
    converge_years,
    floors,
    policy_from,
)
from xlalloc.engine.errors import InputError


def orgs(baselines, shares, hcdd=None):
    df = pd.DataFrame({"org": [chr(65 + i) for i in range(len(baselines))],
                       "baseline": baselines, "target_share": shares})
    if hcdd is not None:
        df["hcdd_baseline"] = hcdd
    return df


def by_org(res, col):
    return dict(zip(res.table["org"], res.table[col]))


def test_level_every_rule_binds_by_hand():
    # B = 500, T = 520: core growth 4%. Targets s*T = 83.2, 93.6, 104, 114.4, 124.8.
    # Baseline DfT: 100/80-1 = +25%, 100/90-1 = +11.1%, 0, 100/110-1 = -9.1%, 100/120-1 = -16.7%.
    pol = ConvergencePolicy(min_growth=0.01, max_growth=0.06, band=0.02)
    res = converge(orgs([100] * 5, [0.16, 0.18, 0.20, 0.22, 0.24]), 520, pol)
    # C is within the band: 100 * 1.04 = 104. Floors 101, caps 106.
    # D and E are capped (106 each); A at its floor (101); B takes the rest:
    # 520 - 104 - 106 - 106 - 101 = 103 = (1 - L) * 93.6, L = 1 - 103/93.6.
    assert by_org(res, "allocation") == {"A": 101, "B": 103, "C": 104, "D": 106, "E": 106}
    assert by_org(res, "rule") == {"A": "floor", "B": "level", "C": "band", "D": "cap",
                                   "E": "cap"}
    assert res.parameter == pytest.approx(1 - 103 / 93.6)
    assert res.core_growth == pytest.approx(0.04)
    assert by_org(res, "dft_before")["A"] == pytest.approx(0.25)
    assert by_org(res, "dft_after")["A"] == pytest.approx(101 / 83.2 - 1)
    assert by_org(res, "dft_after")["E"] == pytest.approx(106 / 124.8 - 1)
    assert by_org(res, "growth")["B"] == pytest.approx(0.03)
    assert res.table["allocation"].sum() == 520
    assert "floor: minimum growth 1.00% on baseline £100 = £101" in by_org(res, "explanation")["A"]


def test_no_floor_or_cap_gives_target():
    res = converge(orgs([100, 100, 100, 100], [0.2, 0.3, 0.25, 0.25]), 420)
    assert by_org(res, "allocation") == {"A": 84, "B": 126, "C": 105, "D": 105}
    assert (res.table["dft_after"].abs() < 1e-12).all()


def test_pace_by_hand():
    # B = 1000, T = 1100 (g = 10%): core c = 220, 330, 550; targets 275, 275, 550.
    o = orgs([200, 300, 500], [0.25, 0.25, 0.5])
    res = converge(o, 1100, ConvergencePolicy(method="pace", pace=0.5))
    # c + 0.5 (t - c) = 247.5, 302.5, 550 sums to 1100 (k = 0); the one spare £ goes to
    # the tie (A and B both .5) by name: A.
    assert by_org(res, "allocation") == {"A": 248, "B": 302, "C": 550}
    assert res.parameter == pytest.approx(0.0)
    # With a 5% floor B (302.5) is lifted to 315; A and C share 785:
    # 247.5 + 200k + 550 + 500k = 785 -> k = -12.5/700; A = 243.93, C = 541.07 -> 244, 541.
    res = converge(o, 1100, ConvergencePolicy(method="pace", pace=0.5, min_growth=0.05))
    assert by_org(res, "allocation") == {"A": 244, "B": 315, "C": 541}
    assert by_org(res, "rule") == {"A": "pace", "B": "floor", "C": "pace"}
    assert res.parameter == pytest.approx(-12.5 / 700)


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


def test_over_target_floor_tapers_linearly():
    pol = ConvergencePolicy(min_growth=0.02, over_target_floor=-0.01, over_target_from=0.05,
                            over_target_to=0.15)
    got = floors(np.ones(5), np.array([-0.1, 0.05, 0.10, 0.15, 0.3]), pol)
    # 0.02 until 5%; halfway (10%) 0.02 + 0.5 * (-0.01 - 0.02) = 0.005; -0.01 from 15%.
    np.testing.assert_allclose(got, [0.02, 0.02, 0.005, -0.01, -0.01])


def test_hcdd_partition_by_hand():
    pol = ConvergencePolicy(min_growth=0.01, max_growth=0.06, band=0.02, hcdd_growth=0.10,
                            cost_uplift=0.03)
    res = converge(orgs([100] * 5, [0.16, 0.18, 0.20, 0.22, 0.24], hcdd=[20, 2, 30, 10, 40]),
                   520, pol)
    t = res.table.set_index("org")
    # H = h * 1.1 = 22, 2.2 -> 2, 33, 11, 44. R = a - H.
    # A over target: R = 101 - 22 = 79 <= (100 - 20) * 1.03 = 82.4: no cap.
    assert t.loc["A", "hcdd_contribution"] == 22 and t.loc["A", "remaining_allocation"] == 79
    # B over target: R = 103 - 2 = 101 > (100 - 2) * 1.03 = 100.94 -> £100; £1 moves to HCDD.
    assert t.loc["B", "hcdd_contribution"] == 3 and t.loc["B", "remaining_allocation"] == 100
    assert bool(t.loc["B", "hcdd_capped"]) and not bool(t.loc["A", "hcdd_capped"])
    # E under target: no cap; 106 - 44 = 62.
    assert t.loc["E", "remaining_allocation"] == 62
    assert ((t["hcdd_contribution"] + t["remaining_allocation"]) == t["allocation"]).all()


def test_infeasible_policy_states_amounts():
    with pytest.raises(InputError, match=r"floors need £606 but only £600 is available"):
        converge(orgs([200, 200, 200], [1, 1, 1]), 600, ConvergencePolicy(min_growth=0.01))
    with pytest.raises(InputError, match=r"caps allow at most £618 but £630 must be allocated"):
        converge(orgs([200, 200, 200], [1, 1, 1]), 630, ConvergencePolicy(max_growth=0.03))


def test_bad_inputs_reported_together():
    bad = pd.DataFrame({"org": ["A", "A", "C"], "baseline": [100, "x", -5],
                        "target_share": [0.5, 0.5, -1]})
    with pytest.raises(InputError) as e:
        converge(bad, 1000.5, ConvergencePolicy())
    msg = str(e.value)
    assert "row 3, column 'baseline': org A: baseline is blank or not a number ('x')" in msg
    assert "org C: baseline must be above zero" in msg
    assert "org C: target_share must not be negative" in msg
    assert "org A appears more than once" in msg
    assert "not a whole number of the rounding unit £1" in msg


def test_policy_errors_name_the_parameter():
    with pytest.raises(InputError) as e:
        policy_from({"min_growth": 2.0, "pace": 1.5, "colour": "red"})
    msg = str(e.value)
    assert "column 'min_growth'" in msg and "column 'pace'" in msg and "column 'colour'" in msg
    with pytest.raises(InputError, match="max_growth 0.01 is below min_growth 0.02"):
        policy_from({"min_growth": 0.02, "max_growth": 0.01})
    with pytest.raises(InputError, match="method 'pace' needs pace"):
        policy_from({"method": "pace"})


def test_multi_year_chains_baselines_by_hand():
    rows = pd.DataFrame({
        "org": ["A", "B", "A", "B"], "year": ["2026/27", "2026/27", "2027/28", "2027/28"],
        "baseline": [100, 100, None, None], "target_share": [0.4, 0.6, 0.4, 0.6]})
    pol = ConvergencePolicy(min_growth=0.01, max_growth=0.10)
    res = converge_years(rows, {"2026/27": 210, "2027/28": 220}, pol)
    y1 = res.years["2026/27"].table.set_index("org")
    y2 = res.years["2027/28"].table.set_index("org")
    # Year 1: targets 84, 126; A floor 101, B 109 (cap 110 not reached).
    assert y1["allocation"].to_dict() == {"A": 101, "B": 109}
    # Year 2: baselines 101, 109; floor A 102.01 -> 103 in whole pounds? No: A gets its floor
    # rounded up to whole £ (102.01 -> 103 would exceed); B cap 119.9; A floor 102.01.
    assert y2["baseline"].to_dict() == {"A": 101, "B": 109}
    assert y2.loc["A", "rule"] == "floor" and y2.loc["A", "allocation"] >= 102.01
    assert y2["allocation"].sum() == 220
    assert list(res.trajectory.columns) == ["org", "baseline", "2026/27", "2027/28"]
    assert res.trajectory.set_index("org").loc["A", "2027/28"] == pytest.approx(
        y2.loc["A", "allocation"] / 88 - 1)


def test_multi_year_problems_together():
    rows = pd.DataFrame({"org": ["A", "B", "A"], "year": ["1", "1", "2"],
                         "baseline": [1, 1, None], "target_share": [1, 1, 1]})
    with pytest.raises(InputError) as e:
        converge_years(rows, {"1": 2, "3": 5})
    msg = str(e.value)
    assert "no total for year(s) ['2']" in msg and "year(s) ['3'] with no organisation rows" in msg
    assert "year 2: organisations differ from 1 (missing ['B']" in msg


def test_table_y1_demonstration_reproduces_published_dft():
    rows, totals = demo.table_y1_orgs()
    y1 = demo.table_y1()
    assert len(y1) == 42
    res = converge_years(rows, totals, demo.Y1_POLICY)
    traj = res.trajectory.set_index("org")
    np.testing.assert_allclose(traj.loc[y1["system"], "baseline"], y1["dft_2023_24"], atol=5e-9)
    # Convergence narrows the spread every year until the band stalls it; never widens.
    spread = traj.abs().max()
    assert all(spread.iloc[k + 1] <= spread.iloc[k] + 1e-12 for k in range(len(spread) - 1))
    assert spread.iloc[-1] < spread.iloc[0] / 2
    for y, r in res.years.items():
        assert r.table["allocation"].sum() == totals[y]


# ---------------------------------------------------------------- properties


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=2, max_value=12))
    b = draw(st.lists(st.integers(min_value=1_000, max_value=10_000_000), min_size=n, max_size=n))
    s = draw(st.lists(st.floats(min_value=0.01, max_value=1.0), min_size=n, max_size=n))
    growth = draw(st.floats(min_value=-0.02, max_value=0.12))
    total = int(round(sum(b) * (1 + growth)))
    mg = draw(st.one_of(st.none(), st.floats(min_value=-0.03, max_value=0.04)))
    cap = draw(st.one_of(st.none(), st.floats(min_value=0.0, max_value=0.15)))
    maxg = None if cap is None else (mg or 0) + cap
    band = draw(st.one_of(st.none(), st.floats(min_value=0.0, max_value=0.05)))
    return orgs(b, s), total, dict(min_growth=mg, max_growth=maxg, band=band)


def _run(o, total, **kw):
    try:
        return converge(o, total, ConvergencePolicy(**kw))
    except InputError as e:
        assume("infeasible" not in str(e))
        raise


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_property_conservation_bounds_and_fairness(sc):
    o, total, kw = sc
    res = _run(o, total, **kw)
    t = res.table
    assert list(t.columns[:9]) == OUTPUT_COLUMNS and set(t["rule"]) <= set(RULES)
    assert t["allocation"].sum() == total
    assert (t["allocation"] == np.round(t["allocation"])).all()
    b = t["baseline"].to_numpy()
    a = t["allocation"].to_numpy()
    free = (t["rule"] != "band").to_numpy()
    if kw["min_growth"] is not None:
        lo = b * (1 + kw["min_growth"])
        assert (a[free] >= lo[free] - 1).all()  # within one £ of rounding at most
    if kw["max_growth"] is not None:
        hi = b * (1 + kw["max_growth"])
        assert (a[free] <= hi[free] + 1).all()
    # Nobody outside the band ends further below target than anyone who got more than
    # their floor, except organisations held by the cap.
    tgt = t["target_share"].to_numpy() * total
    lo = b * (1 + (-1 if kw["min_growth"] is None else kw["min_growth"]))
    d = t["dft_after"].to_numpy()
    # Whole-pound rounding: bounds are kept in whole pounds (ceil of a floor, floor of a
    # cap), so the pennies they shed land on others: at most one £ per bound org.
    n_bound = int(t["rule"].isin(["floor", "cap"]).sum())
    above_floor = free & (a > lo + 1 + n_bound)
    not_capped = free & (t["rule"] != "cap").to_numpy()
    if above_floor.any() and not_capped.any():
        tol = (1.0 + n_bound) / tgt
        j = np.flatnonzero(above_floor)
        i = np.flatnonzero(not_capped)
        worst_i = (d[i] + tol[i]).min()
        assert worst_i >= (d[j] - tol[j]).max() - 1e-9 or (t["rule"].iloc[j] == "cap").all()


@settings(max_examples=80, deadline=None)
@given(scenarios(), st.randoms())
def test_property_row_order_does_not_matter(sc, rnd):
    o, total, kw = sc
    r1 = _run(o, total, **kw).table.set_index("org").sort_index()
    perm = list(range(len(o)))
    rnd.shuffle(perm)
    r2 = converge(o.iloc[perm], total, ConvergencePolicy(**kw)).table.set_index("org").sort_index()
    assert (r1["allocation"] == r2["allocation"]).all()
    assert (r1["rule"] == r2["rule"]).all()


@settings(max_examples=80, deadline=None)
@given(scenarios())
def test_property_pace_zero_and_one(sc):
    o, total, _ = sc
    b = o["baseline"].to_numpy(dtype=float)
    s = o["target_share"].to_numpy() / o["target_share"].sum()
    r0 = converge(o, total, ConvergencePolicy(method="pace", pace=0.0)).table
    core = b * total / b.sum()
    assert np.all(np.abs(r0["allocation"].to_numpy() - core) <= 1)
    r1 = converge(o, total, ConvergencePolicy(method="pace", pace=1.0)).table
    assert np.all(np.abs(r1["allocation"].to_numpy() - s * total) <= 1)
    assert r0["allocation"].sum() == total == r1["allocation"].sum()
