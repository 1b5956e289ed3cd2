"""``xlalloc levelling-up``: a no-loser payment, by hand."""

from conftest import write

import xlalloc.api as api


def test_levelling_up_by_hand(tmp_path):
    funding = write(
        tmp_path / "f.csv", "org,funding,need,cap\nA,800,10,100\nB,900,10,\nC,1000,10,\n"
    )
    run = api.levelling_up(funding, tmp_path / "lu.csv", pot=250)
    # A is capped at 100; B and C share 150 to one level: (10L - 900) + (10L - 1000) = 150,
    # L = 102.5: B 125, C 25.
    pay = dict(zip(run.tables["Levelling up"]["org"], run.tables["Levelling up"]["payment"]))
    assert pay == {"A": 100, "B": 125, "C": 25}
    assert run.summary.startswith("level £102.50 per unit of need; 3 of 3")
