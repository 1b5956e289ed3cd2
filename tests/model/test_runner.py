"""Running a model's parts on validated frames, checked by hand."""

import pandas as pd
import pytest

from xlalloc.engine.capitation import COMPONENTS
from xlalloc.engine.errors import InputError
from xlalloc.model.policy import ModelPolicy
from xlalloc.model.runner import run_model
from xlalloc.readers.model import ModelInputs


def inputs(policy=None, baselines=None, totals=None):
    # Three practices in two places; core WP 600 / 400 / 1000 (places North 1000, South 1000).
    pr = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3"],
            "place": ["North", "North", "South"],
            "locality": [None, None, None],
            "population": [500.0, 500.0, 800.0],
        }
    )
    for c in COMPONENTS:
        pr[c] = [600.0, 400.0, 1000.0]
    pr["icb_code"], pr["icb_name"] = "ICB", "ICB"
    budget = pd.DataFrame(
        {
            "line": ["All"],
            "programme": ["Other programme costs"],
            "amount": [1001.0],
            "recurrent": [True],
            "methods": [("capitation",)],
            "component": [None],
            "follow": [None],
            "negative_ok": [False],
        }
    )
    empty = pd.DataFrame()
    return ModelInputs(
        pr,
        budget,
        empty,
        empty,
        empty,
        baselines if baselines is not None else empty,
        totals if totals is not None else empty,
        policy or ModelPolicy(),
    )


def test_targets_share_the_budget_by_weighted_population():
    r = run_model(inputs())
    t = r.targets.set_index("place")
    # Equal core WP: shares 1/2 each; £1,001 splits 501/500 (the tie goes to North by name).
    assert t["target_share"].tolist() == [0.5, 0.5]
    assert t["target"].to_dict() == {"North": 501.0, "South": 500.0}
    assert r.budget_total == 1001.0
    # Need index: North 1000/1000 over ICB 2000/1800 = 0.9; South 1000/800 / (2000/1800).
    assert t.loc["North", "core_index"] == pytest.approx(0.9)
    assert t.loc["South", "core_index"] == pytest.approx(1.125)
    assert r.apportionment.table1.loc["Total", "Total"] == 1001


def test_an_icb_budget_overrides_the_lines_total():
    r = run_model(inputs(ModelPolicy(icb_budget=2000)))
    assert r.targets["target"].sum() == 2000 and r.budget_total == 2000


def test_convergence_uses_the_policy_and_every_year():
    bl = pd.DataFrame({"place": ["North", "South"], "baseline": [600.0, 400.0]})
    tot = pd.DataFrame({"year": ["2026/27", "2027/28"], "total": [1050.0, 1100.0]})
    r = run_model(inputs(ModelPolicy(min_growth=0.0), bl, tot))
    assert list(r.convergence.years) == ["2026/27", "2027/28"]
    for year, total in (("2026/27", 1050), ("2027/28", 1100)):
        assert r.convergence.years[year].table["allocation"].sum() == total
    assert r.convergence.years["2026/27"].policy.min_growth == 0.0


def test_problems_from_every_part_together():
    bl = pd.DataFrame({"place": ["North", "South"], "baseline": [600.0, 400.0]})
    tot = pd.DataFrame({"year": ["2026/27"], "total": [1050.0]})
    bad = inputs(ModelPolicy(convergence_method="pace"), bl, tot)
    bad.budget.loc[0, "amount"] = -5.0
    with pytest.raises(InputError) as e:
        run_model(bad)
    text = str(e.value)
    assert "method 'pace' needs pace" in text and "is negative" in text


def test_equity_by_place_and_practice_from_the_apportionment():
    # One capitation line of £1,001 over three practices: North (P1, P2) gets 501 and
    # South (P3) 500 (see above). Practices share it by core WP 600 : 400 : 1000.
    r = run_model(inputs())
    places = r.equity["places"].units.set_index("unit")
    assert places["spend"].to_dict() == {"North": 501.0, "South": 500.0}
    assert places["need"].to_dict() == {"North": 1000.0, "South": 1000.0}
    # Expected spend is 1,001 · need / 2,000 = 500.5 each; North's ratio 501 / 500.5.
    assert places["expected"].tolist() == [500.5, 500.5]
    assert places.loc["North", "ratio"] == pytest.approx(501 / 500.5)
    # South's ratio, 500 / 500.5 = 0.999, is within the default tolerance of 5% (targets
    # are accurate to about ±5%): not underserved. With no tolerance it is.
    assert places["underserved"].tolist() == [False, False]
    strict = run_model(inputs(ModelPolicy(equity_tolerance=0.0)))
    assert strict.equity["places"].units["underserved"].tolist() == [False, True]
    practices = r.equity["practices"].units.set_index("unit")
    assert practices["spend"].tolist() == pytest.approx([1001 * 0.3, 1001 * 0.2, 1001 * 0.5])
    assert practices["ratio"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    assert "equity_places_summary" in r.tables()


def test_target_intervals_when_the_policy_asks_for_them():
    bl = pd.DataFrame({"place": ["North", "South"], "baseline": [900.0, 100.0]})
    tot = pd.DataFrame({"year": ["2026/27"], "total": [1050.0]})
    r = run_model(inputs(ModelPolicy(min_growth=0.0, target_uncertainty=0.0255), bl, tot))
    t = r.targets.set_index("place")
    # Tiny practices (500 to 800 people) are very uncertain, but shares stay in [0, 1] and
    # the two places' percentiles mirror each other (their shares add up to 1 every draw).
    assert (t["target_share_p05"] < 0.5).all() and (t["target_share_p95"] > 0.5).all()
    assert t.loc["North", "target_share_p05"] == pytest.approx(
        1 - t.loc["South", "target_share_p95"]
    )
    assert t.loc["North", "target_p95"] == round(t.loc["North", "target_share_p95"] * 1001)
    # North holds 90% of the baselines against a target of 50%: clearly above target.
    assert t.loc["North", "against_target"] == "above target"
    assert t.loc["South", "against_target"] == "below target"
    again = run_model(inputs(ModelPolicy(min_growth=0.0, target_uncertainty=0.0255), bl, tot))
    pd.testing.assert_frame_equal(r.targets, again.targets)


def test_no_intervals_unless_asked():
    assert "target_share_p05" not in run_model(inputs()).targets.columns


def test_practice_equity_counts_a_line_fed_by_activity_as_by_practice_data():
    """Practice-level equity re-derived the attribution from the PracticeData sheet alone,
    so a line fed by the Activity sheet (or extracts) dropped out (West Yorkshire: £3.385bn
    to £1.935bn). The apportionment engine now attributes each line once, and equity reads
    it. By hand: Acute £1,000 shared 300 : 100 between P1 and P2 is 750 and 250; the
    capitation line £1,001 by core WP is 300.3, 200.2 and 500.5."""
    from dataclasses import replace

    base = inputs()
    acute = pd.DataFrame(
        {
            "line": ["Acute"],
            "programme": ["Acute"],
            "amount": [1000.0],
            "recurrent": [True],
            "methods": [("practice_data",)],
            "component": [None],
            "follow": [None],
            "negative_ok": [False],
        }
    )
    budget = pd.concat([base.budget, acute], ignore_index=True)
    rows = {"line": ["Acute", "Acute"], "practice_code": ["P1", "P2"]}
    by_data = replace(
        base, budget=budget, practice_data=pd.DataFrame({**rows, "value": [300.0, 100.0]})
    )
    by_activity = replace(
        base, budget=budget, activity=pd.DataFrame({**rows, "amount": [300.0, 100.0]})
    )
    expected = [1001 * 0.3 + 750, 1001 * 0.2 + 250, 1001 * 0.5]
    for model in (by_data, by_activity):
        r = run_model(model)
        spend = r.equity["practices"].units.set_index("unit")["spend"]
        assert spend.tolist() == pytest.approx(expected)
        note = r.equity["practices"].notes[0]
        assert "practice-attributable spend is £2,001 of Table 1's £2,001 (100.0%)" in note
        assert "1 capitation line(s) and 1 practice_data line(s)" in note


def test_the_monte_carlo_runs_beside_the_next_parts_and_its_problems_join_theirs():
    """The intervals are drawn on the run's worker thread while convergence and the
    apportionment run; a problem it finds is reported with theirs, all together."""
    bl = pd.DataFrame({"place": ["North", "South"], "baseline": [900.0, 100.0]})
    tot = pd.DataFrame({"year": ["2026/27"], "total": [1050.0]})
    bad = inputs(ModelPolicy(min_growth=0.0, target_uncertainty=0.0255), bl, tot)
    bad.practices.loc[1, "population"] = 0.0  # P2: 400 weighted, no one registered
    bad.budget.loc[0, "amount"] = -5.0  # the apportionment's own problem
    with pytest.raises(InputError) as e:
        run_model(bad)
    text = str(e.value)
    assert "P2" in text and "population" in text and "is negative" in text


def test_background_work_joins_in_order_and_its_input_errors_become_problems():
    from xlalloc.model.parts import RunState

    state = RunState(inputs(), lambda _s: None)
    got: list[object] = []

    def refuse() -> None:
        raise InputError("practice P9: no population", where="Practices")

    state.in_background(lambda: 1, got.append)
    state.in_background(refuse, got.append)
    state.in_background(lambda: 3, got.append)
    state.join()
    state.close()
    assert got == [1, 3] and not state.pending
    with pytest.raises(InputError) as e:
        state.problems.raise_if_any()
    assert "practice P9: no population" in str(e.value)
    state.in_background(lambda: 1 / 0, got.append)  # a bug is raised, never swallowed
    with pytest.raises(ZeroDivisionError):
        state.join()
    state.close()


def test_a_problem_only_the_monte_carlo_finds_is_reported_at_the_end_of_the_run():
    """No other part finds one, so the run goes on while the intervals are drawn (the
    parts after need only the target shares) and reports it, alone, at the end."""
    bl = pd.DataFrame({"place": ["North", "South"], "baseline": [900.0, 100.0]})
    tot = pd.DataFrame({"year": ["2026/27"], "total": [1050.0]})
    bad = inputs(ModelPolicy(min_growth=0.0, target_uncertainty=0.0255), bl, tot)
    bad.practices.loc[1, "population"] = 0.0  # P2: 400 weighted, no one registered
    with pytest.raises(InputError) as e:
        run_model(bad)
    assert len(e.value.problems) == 1
    assert "P2" in str(e.value) and "population" in str(e.value)
