"""Explaining a change: worked by hand, and the exact identity as a property."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.changes import convergence_changes, explain_change, round_to_total
from xlalloc.engine.errors import InputError

BY, LINE = ["programme", "place"], ["line", "programme"]


def cells(rows):
    return pd.DataFrame(rows, columns=["line", "programme", "place", "amount"])


def test_a_change_split_by_hand():
    # L1 grows from £100 (60/40) to £120 (75/45): £20 more at the old shares is 12 and 8;
    # its shares move from 60% to 62.5% for N: 120 × 2.5% = £3 from N's share.
    # L3 (£10 to N) is removed and L4 (£5 to S) added: both counted in amounts.
    old = cells(
        [
            ("L1", "A", "N", 60),
            ("L1", "A", "S", 40),
            ("L2", "A", "N", 30),
            ("L2", "A", "S", 70),
            ("L3", "B", "N", 10),
        ]
    )
    new = cells(
        [
            ("L1", "A", "N", 75),
            ("L1", "A", "S", 45),
            ("L2", "A", "N", 30),
            ("L2", "A", "S", 70),
            ("L4", "B", "S", 5),
        ]
    )
    t = explain_change(old, new, BY, LINE, ["programme"]).set_index(BY)
    assert t.loc[("A", "N")].tolist() == [90, 105, 15, 12, 3]
    assert t.loc[("A", "S")].tolist() == [110, 115, 5, 8, -3]
    assert t.loc[("B", "N")].tolist() == [10, 0, -10, -10, 0]
    assert t.loc[("B", "S")].tolist() == [0, 5, 5, 5, 0]


def test_a_line_moved_to_another_programme_is_removed_and_added():
    old = cells([("L1", "A", "N", 50), ("L1", "A", "S", 50)])
    new = cells([("L1", "B", "N", 50), ("L1", "B", "S", 50)])
    t = explain_change(old, new, BY, LINE, ["programme"])
    assert t["from_amounts"].tolist() == [-50, -50, 50, 50]
    assert (t["from_shares"] == 0).all()


def test_thirds_round_to_the_penny_keeping_the_total():
    # £1 more on a line shared 1/3 : 1/3 : 1/3 is 33.33p each: one place gets the penny.
    old = cells([("L", "A", p, 100) for p in "XYZ"])
    new = cells([("L", "A", "X", 101), ("L", "A", "Y", 100), ("L", "A", "Z", 100)])
    t = explain_change(old, new, BY, LINE)
    assert t["from_amounts"].tolist() == [0.34, 0.33, 0.33]
    assert t["from_shares"].tolist() == [0.66, -0.33, -0.33]


def test_round_to_total_moves_each_amount_by_less_than_a_penny():
    exact = np.array([10.4, -3.7, 2.5, 7.9, 0.3])
    groups = np.array([0, 0, 0, 1, 1])
    out = round_to_total(exact, groups, np.array([9, 8]))
    assert out.tolist() == [10, -4, 3, 8, 0]
    assert (np.abs(out - exact) < 1).all()


def test_fractions_of_a_penny_are_refused():
    old = cells([("L", "A", "N", 1.005)])
    with pytest.raises(InputError, match="whole pennies"):
        explain_change(old, old, BY, LINE)


programmes = st.sampled_from(["A", "B", "C"])
places = ["N", "S", "E", "W"]


@st.composite
def runs(draw):
    """A random old run, and a new run with amounts changed, shares moved, lines added and
    lines removed."""
    n_lines = draw(st.integers(1, 8))
    old, new = [], []
    for k in range(n_lines):
        prog = draw(programmes)
        amounts = draw(st.lists(st.integers(0, 10**7), min_size=4, max_size=4))
        kept = draw(st.sampled_from(["kept", "kept", "removed", "moved"]))
        old += [(f"L{k}", prog, p, a) for p, a in zip(places, amounts)]
        if kept == "kept":
            scale = draw(st.sampled_from([1.0, 0.5, 1.1, 3.0]))
            shuffle = draw(st.permutations(amounts))
            use = shuffle if draw(st.booleans()) else amounts
            new += [(f"L{k}", prog, p, round(a * scale)) for p, a in zip(places, use)]
        elif kept == "moved":
            new += [(f"L{k}", draw(programmes), p, a) for p, a in zip(places, amounts)]
    for k in range(draw(st.integers(0, 3))):  # added lines, some in pennies
        amounts = draw(st.lists(st.integers(-(10**6), 10**8), min_size=4, max_size=4))
        new += [(f"N{k}", draw(programmes), p, a / 100) for p, a in zip(places, amounts)]
    return cells(old), cells(new) if new else cells([])


@settings(max_examples=200, deadline=None)
@given(runs())
def test_old_plus_amounts_plus_shares_is_new_to_the_penny(pair):
    old, new = pair
    t = explain_change(old, new, BY, LINE, ["programme"])
    cents = {c: np.round(t[c].to_numpy() * 100).astype(np.int64) for c in t.columns[2:]}
    assert (cents["old"] + cents["from_amounts"] + cents["from_shares"] == cents["new"]).all()
    assert (cents["change"] == cents["new"] - cents["old"]).all()
    # Each programme keeps its exact change in amounts (Σ a' − a over its lines); the
    # shares part moves money between places only, so it sums to 0 in each programme.
    for prog, part in t.groupby("programme"):
        moved = (
            new.loc[new["programme"] == prog, "amount"].sum()
            - old.loc[old["programme"] == prog, "amount"].sum()
        )
        assert round(part["from_amounts"].sum(), 2) == round(moved, 2)
        assert round(part["from_shares"].sum(), 2) == 0
    # From amounts is within a penny of Σ (a' − a) s for each cell; from shares within a
    # penny of Σ a' (s' − s) (an independent line-by-line computation).
    ref_a, ref_s = _reference(old, new)
    got = t.set_index(BY)
    for key in got.index:
        assert abs(got.loc[key, "from_amounts"] - ref_a.get(key, 0.0)) < 0.01 + 1e-9
        assert abs(got.loc[key, "from_shares"] - ref_s.get(key, 0.0)) < 0.01 + 1e-9


def _reference(old, new):
    """The split, computed line by line in plain Python."""
    amounts, shares = {}, {}

    def lines(df):
        out = {}
        for ln, prog, place, a in df.itertuples(index=False):
            out.setdefault((ln, prog), {}).setdefault(place, 0.0)
            out[(ln, prog)][place] += a
        return out

    lo, ln = lines(old), lines(new)
    for key in set(lo) | set(ln):
        o, n = lo.get(key, {}), ln.get(key, {})
        a_o, a_n = sum(o.values()), sum(n.values())
        for place in set(o) | set(n):
            k = (key[1], place)
            if key in lo and key in ln and a_o != 0:
                s_o = o.get(place, 0) / a_o
                amounts[k] = amounts.get(k, 0.0) + (a_n - a_o) * s_o
                shares[k] = shares.get(k, 0.0) + n.get(place, 0) - a_n * s_o  # a' (s' − s)
            else:
                amounts[k] = amounts.get(k, 0.0) + n.get(place, 0) - o.get(place, 0)
    return amounts, shares


def test_convergence_changes_name_the_rule_that_changed():
    cols = ["year", "org", "target_share", "allocation", "rule"]
    old = pd.DataFrame(
        [("2026/27", "A", 0.5, 100.0, "floor"), ("2026/27", "B", 0.5, 200.0, "level")], columns=cols
    )
    new = pd.DataFrame(
        [
            ("2026/27", "A", 0.6, 120.0, "level"),
            ("2026/27", "B", 0.4, 180.0, "level"),
            ("2026/27", "C", 0.0, 0.0, "band"),
        ],
        columns=cols,
    )
    t = convergence_changes(old, new).set_index("org")
    assert t.loc["A", "change"] == 20 and t.loc["A", "rule_changed"] == "floor → level"
    assert t.loc["B", "rule_changed"] == ""
    assert t.loc["C", "rule_old"] == "(not in the old run)"
