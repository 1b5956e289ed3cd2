"""Year-on-year practice changes, checked against hand-built lists."""

import pandas as pd
import pytest

from xlalloc.engine.errors import InputError
from xlalloc.engine.year_on_year import CHANGE_COLUMNS, practice_changes


def national():
    # 2026/27: A, B, C in ICB X; D in ICB Y.  2027/28: A stays; B gone from every file;
    # C moved to Y; D moved from Y to X; E is new in X.
    rows = [
        ("2026/27", "A", "X"),
        ("2026/27", "B", "X"),
        ("2026/27", "C", "X"),
        ("2026/27", "D", "Y"),
        ("2027/28", "A", "X"),
        ("2027/28", "C", "Y"),
        ("2027/28", "D", "X"),
        ("2027/28", "E", "X"),
    ]
    df = pd.DataFrame(rows, columns=["year", "practice_code", "icb_code"])
    df["practice_name"] = "Practice " + df["practice_code"]
    df["icb_name"] = "NHS " + df["icb_code"] + " ICB"
    df["population"] = [100.0, 200.0, 300.0, 400.0, 110.0, 310.0, 410.0, 50.0]
    df["core"] = df["population"] * 1.5
    return df


def test_every_kind_of_change_with_the_population_it_carries():
    nat = national()
    members = nat[nat["icb_code"] == "X"][["year", "practice_code"]]
    out = practice_changes(nat, members)
    assert list(out.columns) == CHANGE_COLUMNS
    got = {
        r.practice_code: (r.change, r.other_icb, r.population, r.core_wp) for r in out.itertuples()
    }
    assert got == {
        "D": ("joined from another ICB", "NHS Y ICB", 410.0, 615.0),  # its 2027/28 figures
        "E": ("new in the year's file", None, 50.0, 75.0),
        "C": ("left for another ICB", "NHS Y ICB", 300.0, 450.0),  # its 2026/27 figures
        "B": ("not in the year's file (closed or merged)", None, 200.0, 300.0),
    }
    assert set(out["from_year"]) == {"2026/27"} and set(out["to_year"]) == {"2027/28"}
    # Population reconciles: 2026/27's 600 + joined 410 + new 50 - left 300 - closed 200
    # = 2027/28's members (A 110 + D 410 + E 50 = 570) less A's own growth (+10).
    assert 600 + 410 + 50 - 300 - 200 + 10 == 570


def test_one_year_or_no_change_is_an_empty_table():
    nat = national()
    one = nat[(nat["year"] == "2026/27") & (nat["icb_code"] == "X")][["year", "practice_code"]]
    assert practice_changes(nat, one).empty
    assert list(practice_changes(nat, one).columns) == CHANGE_COLUMNS


def test_three_years_pair_consecutive_years_only():
    nat = national()
    third = nat[nat["year"] == "2027/28"].assign(year="2028/29")
    nat = pd.concat([nat, third], ignore_index=True)
    members = nat[nat["icb_code"] == "X"][["year", "practice_code"]]
    out = practice_changes(nat, members)
    assert set(zip(out["from_year"], out["to_year"])) == {("2026/27", "2027/28")}


def test_a_member_missing_from_its_year_is_an_error():
    nat = national()
    members = pd.DataFrame({"year": ["2026/27"], "practice_code": ["ZZZ"]})
    with pytest.raises(InputError, match="not in their year's file"):
        practice_changes(nat, members)
    with pytest.raises(InputError, match="missing column"):
        practice_changes(nat.drop(columns="core"), members)


def test_practices_that_came_with_their_former_icb_are_the_bridge():
    # T01 formed in 2026/27 from A and B: its practices are T01's in both years (by
    # reference), each listed with the ICB it came from and that year's figures.
    nat = pd.DataFrame(
        [
            ("2025/26", "P1", "One", "A", "Old A", 1000.0, 900.0),
            ("2025/26", "P2", "Two", "B", "Old B", 2000.0, 2100.0),
            ("2026/27", "P1", "One", "T01", "New", 1010.0, 910.0),
            ("2026/27", "P2", "Two", "T01", "New", 2020.0, 2120.0),
        ],
        columns=[
            "year",
            "practice_code",
            "practice_name",
            "icb_code",
            "icb_name",
            "population",
            "core",
        ],
    )
    members = nat[["year", "practice_code"]]
    got = practice_changes(nat, members)
    assert got[["change", "practice_code", "other_icb", "core_wp"]].values.tolist() == [
        ["came with its former ICB (a merger or boundary change)", "P1", "Old A", 900.0],
        ["came with its former ICB (a merger or boundary change)", "P2", "Old B", 2100.0],
    ]
