"""The shared solver's guard and the pause, by hand."""

from xlalloc.engine.convergence import ConvergencePolicy, converge

from ..helpers import by_org, orgs


def test_guard_core_and_target_by_hand():
    # B = 1000, T = 1100 (g = 10%): cores 220, 330, 550; targets 0.3, 0.2, 0.5 of 1100 =
    # 330, 220, 550. A is under target (core 220 < 330), B over (330 > 220), C on target.
    o = orgs([200, 300, 500], [0.3, 0.2, 0.5])
    res = converge(o, 1100, ConvergencePolicy())
    # Without floors the level is (1 - L) t = t for everyone: A rises to its target, B is
    # cut to its target; C stays. All land exactly on target: rule 'target' for A and B
    # (the guard's target end binds), C on both ends (core = target): 'core'.
    assert by_org(res, "allocation") == {"A": 330, "B": 220, "C": 550}
    # With a 5% floor B cannot fall below 315: A gets the rest, 1100 - 315 - 550 = 235.
    # The level for A would be its target 330 (> 235), so A is at the level (1 - L) 330
    # = 235 and B at its floor; C, on target, is held there by the guard.
    res = converge(o, 1100, ConvergencePolicy(min_growth=0.05))
    assert by_org(res, "allocation") == {"A": 235, "B": 315, "C": 550}
    assert by_org(res, "rule") == {"A": "level", "B": "floor", "C": "core"}


def test_guard_holds_an_over_target_org_below_the_level_at_core():
    # The defect: an over-target org below the common level was raised (away from target).
    # A: 100 -> core 104, target 0.1 x 1040 = 104 x 0.1/0.1... set shares so that A is over
    # target but its (1 - L) t lies above its core.
    o = orgs([100, 100, 800], [0.09, 0.2, 0.71])
    # T = 1040, g = 4%: cores 104, 104, 832; targets 93.6, 208, 738.4.
    # B is under target, A and C over. Without a guard, a 7% cap on B (107) leaves 933 for A
    # and C at one level: (1 - L)(93.6 + 738.4) = 933 -> 1 - L = 1.1214, A = 104.96 > core:
    # A would be raised further above its target. The guard holds A at its core 104, and C
    # takes the rest: 1040 - 107 - 104 = 829 (below its core 832, toward its target).
    res = converge(o, 1040, ConvergencePolicy(max_growth=0.07))
    assert by_org(res, "allocation") == {"A": 104, "B": 107, "C": 829}
    assert by_org(res, "rule") == {"A": "core", "B": "cap", "C": "level"}


def test_convergence_pauses_and_says_so():
    # T = 1248 (g = 4%): targets 118.56, 118.56, 1010.88 against cores 104, 104, 1040.
    # C is 2.9% over target, inside the 5% band; A and B, outside it, are both under target:
    # nobody can fund their convergence without moving C, so all get core growth.
    o = orgs([100, 100, 1000], [0.095, 0.095, 0.81])
    res = converge(o, 1200 * 1.04, ConvergencePolicy(band=0.05))
    t = res.table.set_index("org")
    assert t.loc["C", "rule"] == "band"
    assert (t.loc[["A", "B"], "rule"] == "core").all()
    assert res.messages == [
        "convergence paused: every organisation outside the band is below target (A, B); "
        "none could move toward target without moving another away, so each gets core "
        "growth (4.00%)"
    ]
