"""The drivers of spend against need, by hand and by property.

Two places, two programmes, fourteen activity records; every figure below is worked
from the records by arithmetic in the comments, not by the code.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.drivers import (
    DriversSettings,
    driver_sentence,
    drivers,
    drivers_units,
)
from xlalloc.engine.errors import InputError

#: Fourteen records: Acute (its need the general and acute weighted population) and
#: Mental health (its need the mental health one). North's practices N1, N2; South's S1.
RECORDS = pd.DataFrame(
    [
        ("Acute contract", "N1", 100.0),
        ("Acute contract", "N1", 100.0),
        ("Acute contract", "N2", 100.0),
        ("Acute contract", "N2", 100.0),
        ("Acute contract", "N2", 100.0),
        ("Acute contract", "N2", 100.0),  # North: 6 records, £600
        ("Acute contract", "S1", 150.0),
        ("Acute contract", "S1", 250.0),  # South: 2 records, £400
        ("MH packages", "N1", 100.0),
        ("MH packages", "N1", 100.0),
        ("MH packages", "N2", 100.0),  # North: 3 records, £300
        ("MH packages", "S1", 50.0),
        ("MH packages", "S1", 100.0),
        ("MH packages", "S1", 150.0),  # South: 3 records, £300
    ],
    columns=["line", "practice_code", "amount"],
)
PRACTICES = pd.DataFrame(
    {
        "practice_code": ["N1", "N2", "S1"],
        "place": ["North", "North", "South"],
        "ga": [60.0, 40.0, 100.0],  # North 100, South 100
        "mental_health": [30.0, 20.0, 150.0],  # North 50, South 150
    }
)
BUDGET = pd.DataFrame(
    {
        "line": ["Acute contract", "MH packages"],
        "programme": ["Acute", "Mental health"],
        "component": ["ga", None],  # Mental health's default component
    }
)


def _units():
    units, notes = drivers_units(RECORDS, PRACTICES, BUDGET, lambda g: "mental_health")
    assert notes == []
    return units


def test_records_are_totalled_by_programme_and_place():
    u = _units().set_index(["programme", "place"])
    assert u.loc[("Acute", "North")].tolist() == [600.0, 6, 100.0]
    assert u.loc[("Acute", "South")].tolist() == [400.0, 2, 100.0]
    assert u.loc[("Mental health", "North")].tolist() == [300.0, 3, 50.0]
    assert u.loc[("Mental health", "South")].tolist() == [300.0, 3, 150.0]


def test_the_hand_worked_example():
    r = drivers(_units(), DriversSettings(min_activity=3))
    t = r.table.set_index(["programme", "place"])
    # Acute: the ICB spends £1,000 on 8 records for 200 of need: £5 a head, 0.04 records a
    # head, £125 a record. North: £6 a head (1.2), 0.06 records (1.5), £100 a record
    # (0.8): 1.5 x 0.8 = 1.2. Above need: 600 - 100 x 5 = £100 = volume (6 - 100 x 0.04)
    # x 125 = £250, and price 600 - 6 x 125 = -£150.
    north = t.loc[("Acute", "North")]
    assert north["spend_index"] == pytest.approx(1.2)
    assert north["activity_index"] == pytest.approx(1.5)
    assert north["cost_index"] == pytest.approx(0.8)
    assert (north["above_need"], north["volume"], north["price"]) == (100.0, 250.0, -150.0)
    # South: £4 a head (0.8), 0.02 records (0.5), £200 a record (1.6); -£100 = -£250
    # (volume: (2 - 4) x 125) + £150 (price: 400 - 2 x 125). Two records: too few (3).
    south = t.loc[("Acute", "South")]
    assert (south["spend_index"], south["activity_index"], south["cost_index"]) == (
        pytest.approx(0.8),
        pytest.approx(0.5),
        pytest.approx(1.6),
    )
    assert (south["above_need"], south["volume"], south["price"]) == (-100.0, -250.0, 150.0)
    assert bool(south["too_small"]) and not bool(north["too_small"])
    # Mental health: £600 on 6 records for 200 of need: £3 a head, 0.03 records, £100 a
    # record. North: £6 a head (2.0), all volume: (3 - 1.5) x 100 = £150; price 0.
    mh = t.loc[("Mental health", "North")]
    assert (mh["spend_index"], mh["activity_index"], mh["cost_index"]) == (
        pytest.approx(2.0),
        pytest.approx(2.0),
        pytest.approx(1.0),
    )
    assert (mh["above_need"], mh["volume"], mh["price"]) == (150.0, 150.0, 0.0)
    assert t.loc[("Mental health", "South"), "above_need"] == -150.0
    # The ICB rows: the comparator, at 1, nothing above its own need.
    icb = t.loc[("Acute", "ICB")]
    assert (icb["spend"], icb["activity"], icb["need"]) == (1000.0, 8, 200.0)
    assert (icb["above_need"], icb["volume"], icb["price"]) == (0.0, 0.0, 0.0)
    said = dict(zip(r.sentences["place"] + " " + r.sentences["programme"], r.sentences["sentence"]))
    assert said["North Acute"] == (
        "North's Acute spend is £100 above its need: £250 from more activity per weighted "
        "head, offset by £150 from a lower cost per record."
    )
    assert said["South Acute"] == (
        "South's Acute spend: 2 activity records, fewer than the 3 needed to read its "
        "drivers (too small to read)."
    )
    assert said["South Mental health"] == (
        "South's Mental health spend is £150 below its need, all of it from less activity "
        "per weighted head."
    )


def test_records_with_no_practice_are_left_out_and_said():
    rows = pd.concat(
        [RECORDS, pd.DataFrame([("Acute contract", None, 75.5)], columns=RECORDS.columns)]
    )
    units, notes = drivers_units(rows, PRACTICES, BUDGET, lambda g: "mental_health")
    assert units["spend"].sum() == 1600.0
    assert notes == [
        "1 activity record(s) with no practice (£75.50) are in no place: left out of the drivers"
    ]


def test_bad_units_are_every_one_named():
    bad = pd.DataFrame(
        {
            "programme": ["A", "A", "A"],
            "place": ["P", "Q", "P"],
            "spend": [10, -1, 5],
            "activity": [1, 1, 1],
            "need": [0, 1, 1],
        }
    )
    with pytest.raises(InputError) as e:
        drivers(bad, where="units.csv")
    said = [str(p) for p in e.value.problems]
    assert len(said) == 3
    assert "spend -1 for Q (A) is not a number of 0 or more" in said[0]
    assert "P has no need for A" in said[1]
    assert "P (A) is given twice" in said[2]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**9),  # spend in pence
            st.integers(0, 10**5),  # records
            st.integers(1, 10**7),  # need
        ),
        min_size=2,
        max_size=15,
    )
)
def test_the_identities_hold_for_any_places(rows):
    """Spend index = activity index x cost index; volume + price = spend above need,
    exactly in pence after rounding; each within a penny of its exact value; and across
    the places volume, price and spend above need each add to nothing."""
    spend = np.array([r[0] for r in rows]) / 100
    records = np.array([r[1] for r in rows], dtype=float)
    need = np.array([r[2] for r in rows], dtype=float)
    if spend.sum() == 0 or records.sum() == 0:
        return
    units = pd.DataFrame(
        {
            "programme": "P",
            "place": [f"p{i}" for i in range(len(rows))],
            "spend": spend,
            "activity": records,
            "need": need,
        }
    )
    t = drivers(units).table
    places = t[t["place"] != "ICB"]
    has = records > 0
    np.testing.assert_allclose(
        places["spend_index"][has],
        (places["activity_index"] * places["cost_index"])[has],
        rtol=1e-9,
    )

    def pence(c):
        return np.round(places[c].to_numpy() * 100).astype(np.int64)

    for c in ("volume", "price", "above_need"):  # whole pennies
        assert (np.abs(places[c].to_numpy() * 100 - pence(c)) < 1e-6).all(), c
    assert (pence("volume") + pence("price") == pence("above_need")).all()
    rate, per = spend.sum() / need.sum(), records.sum() / need.sum()
    cost = spend.sum() / records.sum()
    exact = {"volume": (records - need * per) * cost, "price": spend - records * cost}
    for c, x in exact.items():
        assert np.all(np.abs(places[c].to_numpy() - x) < 0.01 + 1e-6), c
    assert np.all(np.abs(places["above_need"].to_numpy() - (spend - need * rate)) < 0.02 + 1e-6)
    for c in ("volume", "price", "above_need"):
        assert pence(c).sum() == 0, c


def test_a_sentence_names_the_larger_driver_first():
    row = pd.Series(
        {
            "place": "Basildon",
            "programme": "acute",
            "volume": 3.2e6,
            "price": 0.9e6,
            "too_small": False,
            "activity": 500,
        }
    )
    assert driver_sentence(row, 100) == (
        "Basildon's acute spend is £4,100,000 above its need: £3,200,000 from more activity "
        "per weighted head and £900,000 from a higher cost per record."
    )
