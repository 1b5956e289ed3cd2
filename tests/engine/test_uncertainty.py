"""Target uncertainty: checked against the lognormal's closed form, and as properties."""

import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.errors import InputError
from xlalloc.engine.uncertainty import (
    DEFAULT_U,
    NOT_DISTINGUISHABLE,
    UncertaintySettings,
    distance_intervals,
    practice_sigmas,
    share_intervals,
)

Z = NormalDist().inv_cdf


def test_sigma_follows_the_square_root_of_population():
    s = UncertaintySettings()
    sig = practice_sigmas([250_000, 62_500, 0], [250_000, 70_000, 0], s)
    assert sig[0] == pytest.approx(0.05 / 1.96)  # ±5% at 95% for 250,000 people
    assert sig[1] == pytest.approx(2 * 0.05 / 1.96)  # a quarter the people: twice the σ
    assert sig[2] == 0  # no people, no weighted population: nothing to be unsure of


def test_two_practices_match_the_closed_form():
    # A's share is 1 / (1 + (w_B / w_A) F) with F = f_B / f_A lognormal: log F is normal
    # with mean -(σB² - σA²)/2 and standard deviation sqrt(σA² + σB²). Its share's 5th
    # percentile is where F is at its 95th.
    wa, wb, pa, pb = 30_000.0, 90_000.0, 25_000.0, 100_000.0
    s = UncertaintySettings(relative=0.05, draws=100_000, seed=7)
    sa, sb = 0.05 * math.sqrt(250_000 / pa), 0.05 * math.sqrt(250_000 / pb)
    mu, sd = -(sb**2 - sa**2) / 2, math.hypot(sa, sb)

    def share_at(q):
        return 1 / (1 + wb / wa * math.exp(mu + sd * Z(1 - q)))

    r = share_intervals([wa, wb], [pa, pb], ["A", "B"], ["ICB", "ICB"], s)
    a = r.table.set_index("unit").loc["A"]
    assert a["target_share"] == 0.25
    assert a["target_share_p05"] == pytest.approx(share_at(0.05), rel=3e-3)
    assert a["target_share_p95"] == pytest.approx(share_at(0.95), rel=3e-3)


def test_the_same_seed_gives_the_same_figures_and_another_seed_does_not():
    args = ([1e4, 2e4, 3e4], [1e4, 2e4, 2e4], ["a", "b", "b"], ["X"] * 3)
    one = share_intervals(*args, UncertaintySettings(seed=3)).table
    again = share_intervals(*args, UncertaintySettings(seed=3)).table
    other = share_intervals(*args, UncertaintySettings(seed=4)).table
    pd.testing.assert_frame_equal(one, again)
    assert not one.equals(other)


def test_draws_do_not_depend_on_how_they_are_chunked(monkeypatch):
    import xlalloc.engine.uncertainty as u

    args = (np.full(50, 1e3), np.full(50, 1e3), [f"p{i % 5}" for i in range(50)], ["X"] * 50)
    whole = share_intervals(*args, UncertaintySettings(draws=300)).draws
    monkeypatch.setattr(u, "_CELLS_PER_CHUNK", 70)  # one draw of 50 practices at a time
    assert np.array_equal(share_intervals(*args, UncertaintySettings(draws=300)).draws, whole)


def test_a_unit_that_is_its_whole_group_has_an_interval_of_width_0():
    r = share_intervals([5e3, 7e3, 9e3], [4e3, 8e3, 9e3], ["P", "P", "Q"], ["I1", "I1", "I2"])
    t = r.table
    assert (t["target_share"] == 1).all()
    assert (t["target_share_p05"] == 1).all() and (t["target_share_p95"] == 1).all()


def test_practices_in_no_unit_are_left_out_but_keep_their_draws():
    wp, pop = [1e4, 1e4, 5e3], [1e4, 1e4, 5e3]
    with_all = share_intervals(wp, pop, ["a", "b", "c"], ["X"] * 3)
    without = share_intervals(wp, pop, ["a", "b", None], ["X"] * 3)
    assert without.table["target_share"].tolist() == [0.5, 0.5]
    # The same practices' factors in both runs: A's weighted population draws agree.
    ratio_all = with_all.draws[:, 0] / with_all.draws[:, 1]
    ratio_without = without.draws[:, 0] / without.draws[:, 1]
    np.testing.assert_allclose(ratio_all, ratio_without)


populations = st.lists(st.integers(1_000, 60_000), min_size=2, max_size=12)


@settings(max_examples=40, deadline=None)
@given(populations, st.data())
def test_intervals_contain_the_estimate_and_narrow_as_population_grows(pops, data):
    n = len(pops)
    need = data.draw(st.lists(st.floats(0.6, 1.8), min_size=n, max_size=n))
    units = data.draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    pop = np.array(pops, dtype=float)
    wp = pop * np.array(need)
    s = UncertaintySettings(draws=400)
    small = share_intervals(wp, pop, units, ["X"] * n, s).table
    big = share_intervals(wp * 100, pop * 100, units, ["X"] * n, s).table
    lo, hi = small["target_share_p05"], small["target_share_p95"]
    assert (lo <= small["target_share"] + 1e-12).all()
    assert (small["target_share"] <= hi + 1e-12).all()
    assert np.allclose(small["target_share"], big["target_share"])
    width, width_big = hi - lo, big["target_share_p95"] - big["target_share_p05"]
    whole = small["target_share"] == 1
    assert (width_big[~whole] < width[~whole]).all()
    assert (width[whole] == 0).all()


def test_distance_from_target_and_its_verdict():
    # Two places of 250,000 people and equal need: each targets half the baselines' total.
    s = UncertaintySettings(relative=DEFAULT_U)
    r = share_intervals([250_000, 250_000], [250_000, 250_000], ["A", "B"], ["X", "X"], s)
    near = distance_intervals(r, pd.Series({"A": 101.0, "B": 99.0})).set_index("unit")
    # DfT of A: 101 / (0.5 × 200) - 1 = +1%, inside the roughly ±3% interval.
    assert near.loc["A", "dft_baseline"] == pytest.approx(0.01)
    assert near.loc["A", "against_target"] == NOT_DISTINGUISHABLE
    assert near.loc["A", "dft_p05"] < 0 < near.loc["A", "dft_p95"]
    far = distance_intervals(r, pd.Series({"A": 120.0, "B": 80.0})).set_index("unit")
    assert far.loc["A", "against_target"] == "above target"
    assert far.loc["B", "against_target"] == "below target"
    # The distance's 5th percentile is where the share is at its 95th.
    a = r.table.set_index("unit").loc["A"]
    assert far.loc["A", "dft_p05"] == pytest.approx(
        120 / (a["target_share_p95"] * 200) - 1, abs=1e-4
    )


def test_a_group_with_baselines_for_only_some_units_is_refused():
    r = share_intervals([1e4, 1e4], [1e4, 1e4], ["A", "B"], ["X", "X"])
    with pytest.raises(InputError, match=r"group X: no baseline for B; a distance"):
        distance_intervals(r, pd.Series({"A": 5.0}))
    with pytest.raises(InputError, match="baseline -5 must be positive"):
        distance_intervals(r, pd.Series({"A": 5.0, "B": -5.0}))


def test_a_practice_with_need_but_no_people_is_named():
    with pytest.raises(InputError) as e:
        share_intervals([10.0, 5.0], [0.0, 5.0], ["A", "B"], ["X", "X"], names=["P1", "P2"])
    assert "P1: population 0 and weighted population 10" in str(e.value)


def test_settings_are_bounded():
    with pytest.raises(ValueError):
        UncertaintySettings(draws=10)
    with pytest.raises(ValueError):
        UncertaintySettings(relative=0)


def test_nhs_england_places_of_one_icb(y2627):
    # West Yorkshire's 2026/27 practices, one place per local authority district: every
    # interval holds its place's target share, and larger places are surer.
    p = y2627[y2627["icb_code"] == "QWO"]
    r = share_intervals(
        p["core"], p["population"], p["lad_name"], p["icb_code"], UncertaintySettings(draws=1000)
    )
    t = r.table
    pop = p.groupby("lad_name")["population"].sum().reindex(t["unit"]).to_numpy()
    assert len(t) == 6
    assert (t["target_share_p05"] < t["target_share"]).all()
    assert (t["target_share"] < t["target_share_p95"]).all()
    assert t["target_share"].sum() == pytest.approx(1)
    rel = ((t["target_share_p95"] - t["target_share_p05"]) / t["target_share"]).to_numpy()
    assert np.argmax(rel) == np.argmin(pop) and np.argmin(rel) == np.argmax(pop)
    # Craven (about 25,000 people): σ ≈ U·sqrt(250,000 / 25,000) ≈ 0.08, a 90% interval
    # about 2 × 1.645 × 0.08 ≈ 27% wide; Leeds (977,000): about 4%.
    craven, leeds = rel[list(t["unit"]).index("Craven")], rel[list(t["unit"]).index("Leeds")]
    assert 0.2 < craven < 0.35 and 0.02 < leeds < 0.06
