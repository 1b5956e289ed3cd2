"""The levelling-up payment, worked by hand, and its promises as properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlalloc.engine.errors import InputError
from xlalloc.engine.levelling_up import LevellingUpSettings, levelling_up, solve_level


def orgs(funding, need, cap=None):
    df = pd.DataFrame(
        {
            "org": list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: len(funding)]),
            "funding": funding,
            "need": need,
        }
    )
    if cap is not None:
        df["cap"] = cap
    return df


def test_the_pot_lifts_the_lowest_funded_to_one_level():
    # £80, £90 and £100 per unit of need. A pot of £250: with A and B topped up,
    # 10ℓ − 800 + 10ℓ − 900 = 250, so ℓ = 97.50; C (at £100) is above it.
    r = levelling_up(orgs([800, 900, 1000], [10, 10, 10]), LevellingUpSettings(pot=250))
    assert r.level == pytest.approx(97.5)
    t = r.table.set_index("org")
    assert t["payment"].tolist() == [175, 75, 0]
    assert t["rule"].tolist() == ["level", "level", "none"]
    assert t.loc["A", "explanation"] == (
        "funded £80.00 per weighted patient, 17.9% below the "
        "level of £97.50; a payment of £175 brings it to the "
        "level"
    )
    assert t.loc["C", "explanation"].endswith("2.6% above the level of £97.50; no payment")


def test_a_cap_binds_and_the_level_rises_for_the_others():
    # A's cap of £100 binds (it would need £225); then B and C share the other £150:
    # 10ℓ − 900 + 10ℓ − 1000 = 150, ℓ = 102.50: B gets 125, C 25.
    r = levelling_up(
        orgs([800, 900, 1000], [10, 10, 10], [100, None, None]), LevellingUpSettings(pot=250)
    )
    assert r.level == pytest.approx(102.5)
    t = r.table.set_index("org")
    assert t["payment"].tolist() == [100, 125, 25]
    assert t["rule"].tolist() == ["cap", "level", "level"]
    assert (
        "(its cap of £100) brings it to £90.00, still 12.2% below the level"
        in (t.loc["A", "explanation"])
    )


def test_a_pot_that_lifts_everyone_to_the_mean_and_a_unit_exactly_at_the_level():
    # 30ℓ − 2,700 = 300 gives ℓ = 100, which is C's funding per need exactly: C gets
    # nothing and everyone ends at the funding-weighted mean, (2,700 + 300) / 30 = £100.
    r = levelling_up(orgs([800, 900, 1000], [10, 10, 10]), LevellingUpSettings(pot=300))
    t = r.table.set_index("org")
    assert r.level == pytest.approx(100)
    assert t["payment"].tolist() == [200, 100, 0]
    assert t["per_need_after"].tolist() == [100, 100, 100]
    assert t.loc["C", "rule"] == "none"
    assert t.loc["C", "explanation"] == (
        "funded £100.00 per weighted patient, at the level of £100.00; no payment"
    )


def test_payments_are_rounded_to_sum_to_the_pot():
    r = levelling_up(orgs([0, 0, 0], [1, 1, 1]), LevellingUpSettings(pot=100))
    assert r.table["payment"].tolist() == [34, 33, 33]  # the tie goes to A by name
    r = levelling_up(orgs([0, 0, 0], [1, 1, 1]), LevellingUpSettings(pot=10_000, unit=1000))
    assert r.table["payment"].tolist() == [4000, 3000, 3000]


def test_bad_input_is_reported_together():
    with pytest.raises(InputError) as e:
        levelling_up(orgs([10, 10, 10], [1, 1, 1], [10, 10, 10]), LevellingUpSettings(pot=31))
    assert "the pot of £31.00 is more than the caps allow in total (£30.00)" in str(e.value)
    bad = orgs([10, -1, 10], [1, 1, "x"], [1, -2, 1])
    bad.loc[2, "org"] = "A"
    with pytest.raises(InputError) as e:
        levelling_up(bad, LevellingUpSettings(pot=1))
    text = str(e.value)
    assert "row 3, column 'funding': funding must be a number at least 0" in text
    assert "row 4, column 'need': need must be a number at least 0" in text
    assert "row 3, column 'cap': cap is -2; expected a cap of at least 0" in text
    assert "organisation 'A' appears more than once" in text
    with pytest.raises(InputError, match="whole number"):
        levelling_up(orgs([1, 2], [1, 1]), LevellingUpSettings(pot=10.5))


units = st.lists(
    st.tuples(
        st.integers(0, 10_000_000),
        st.integers(1, 100_000),
        st.one_of(st.none(), st.integers(0, 5_000_000)),
    ),
    min_size=1,
    max_size=12,
)


@given(units, st.integers(0, 20_000_000))
def test_payment_properties(rows, pot):
    df = orgs(
        [r[0] for r in rows], [r[1] for r in rows], [np.nan if r[2] is None else r[2] for r in rows]
    )
    room = sum(np.inf if r[2] is None else r[2] for r in rows)
    if pot > room:
        with pytest.raises(InputError, match="more than the caps allow"):
            levelling_up(df, LevellingUpSettings(pot=pot))
        return
    r = levelling_up(df, LevellingUpSettings(pot=pot))
    t = r.table
    cap = df["cap"].fillna(np.inf).to_numpy()
    assert (t["payment"] >= 0).all()
    assert (t["payment"] <= cap).all()
    assert t["payment"].sum() == pot
    assert (t["payment"] == t["payment"].round()).all()
    # Everyone paid and not capped ends at one funding per need, within a £1 of rounding.
    lifted = t[(t["rule"] == "level")]
    if len(lifted):
        after = lifted["per_need_after"].to_numpy()
        tol = 1.0 / lifted["need"].to_numpy()
        assert np.all(np.abs(after - r.level) <= tol + 1e-9 * r.level)
    # Nobody at or above the level is paid; nobody loses.
    assert (t.loc[t["rule"] == "none", "payment"] == 0).all()
    assert (t["funding_after"] >= t["funding"]).all()


def test_solve_level_is_exact_on_each_segment():
    assert solve_level([0, 10], [1, 1], 10) == pytest.approx(10)  # A alone up to 10
    assert solve_level([0, 10], [1, 1], 30) == pytest.approx(20)  # both: 2ℓ − 10 = 30
    assert solve_level([0, 10], [1, 1], 0) == pytest.approx(0)


def test_caps_hold_in_whole_units_and_a_pot_not_in_whole_units_is_named():
    """Caps of £0.50 and a £1 pot: rounding to £1 paid £1 to one organisation, past its
    cap. Each cap rounded down to the unit allows £0: refused, saying so; in pence each
    gets its 50p. A pot of £100.50 in whole pounds is named as the pot (it was "total")."""
    import pandas as pd

    from xlalloc.engine.errors import InputError
    from xlalloc.engine.levelling_up import LevellingUpSettings, levelling_up

    orgs = pd.DataFrame({"org": ["A", "B"], "funding": [800.0, 900.0], "need": [10.0, 10.0]})
    capped = orgs.assign(cap=[0.5, 0.5])
    with pytest.raises(InputError) as e:
        levelling_up(capped, LevellingUpSettings(pot=1, unit=1))
    assert "more than the caps allow in whole £1 (each cap rounded down: £0.00 in all)" in str(
        e.value
    )
    pence = levelling_up(capped, LevellingUpSettings(pot=1, unit=0.01)).table
    assert pence["payment"].tolist() == [0.5, 0.5]
    with pytest.raises(InputError) as e:
        levelling_up(orgs, LevellingUpSettings(pot=100.5, unit=1))
    assert "the pot of £100.50 is not a whole number of the rounding unit £1" in str(e.value)
