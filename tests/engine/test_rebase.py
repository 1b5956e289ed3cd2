"""Rebasing baselines onto a new footprint: by hand, by properties, and on NHS England's
2025/26 and 2026/27 files with exact fractions from the raw CSV."""

from __future__ import annotations

import csv
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.errors import InputError
from xlalloc.engine.rebase import RebaseSettings, rebase


def practices(rows):
    return pd.DataFrame(rows, columns=["practice_code", "icb_code", "icb_name", "core"]).assign(
        practice_name=lambda d: "Practice " + d["practice_code"]
    )


OLD = practices(
    [
        ("P1", "A", "Old A", 100.0),
        ("P2", "A", "Old A", 200.0),
        ("P3", "B", "Old B", 300.0),
        ("P4", "C", "Old C", 50.0),
        ("P9", "C", "Old C", 25.0),  # closed: only in the old file
    ]
)
NEW = practices(
    [
        ("P1", "X", "New X", 999.0),  # the new file's own weights take no part
        ("P2", "Y", "New Y", 1.0),
        ("P3", "Y", "New Y", 1.0),
        ("P4", "Y", "New Y", 1.0),
        ("P8", "X", "New X", 1.0),  # opened: only in the new file
    ]
)


def test_each_old_baseline_split_by_its_practices_weighted_population_by_hand():
    # A (£1,000) splits 100:200 between X and Y: 333.33 and 666.67, rounded to 333 and 667
    # (the larger remainder); B (£500) and C (£77) move whole to Y, C by P4 alone (P9 closed).
    res = rebase(OLD, NEW, pd.Series({"A": 1000.0, "B": 500.0, "C": 77.0}))
    bridge = res.bridge.set_index(["old_code", "new_code"])
    assert bridge.loc[("A", "X"), "amount"] == 333 and bridge.loc[("A", "Y"), "amount"] == 667
    assert bridge.loc[("A", "X"), "exact_amount"] == pytest.approx(1000 / 3)
    assert bridge.loc[("A", "Y"), "practices"] == 1
    assert bridge.loc[("C", "Y"), "amount"] == 77 and bridge.loc[("C", "Y"), "share"] == 1
    assert res.baselines.to_dict("records") == [
        {"icb_code": "X", "icb_name": "New X", "baseline": 333.0},
        {"icb_code": "Y", "icb_name": "New Y", "baseline": 667.0 + 500 + 77},
    ]
    left = res.left_out.set_index("practice_code")["in_file"].to_dict()
    assert left == {"P9": "old", "P8": "new"}


def test_every_problem_is_reported_together():
    with pytest.raises(InputError) as e:
        rebase(OLD, NEW, pd.Series({"A": 1000.5, "B": -1.0, "Z": 5.0}))
    text = [str(p) for p in e.value.problems]
    assert text == [
        "baselines, column 'icb': no baseline for 1 of the old file's ICBs: C Old C; give "
        "every old ICB's baseline (the new ICBs' totals need them all)",
        "baselines, column 'icb': ICB Z is not in the old file",
        "baselines, column 'baseline': A's baseline 1,000.50 is not a whole number of the "
        "rounding unit £1",
        "baselines, column 'baseline': B: baseline -1 must be at least 0",
    ]
    # In pence the same baseline is whole.
    rebase(OLD, NEW, pd.Series({"A": 1000.5, "B": 1.0, "C": 0.0}), RebaseSettings(unit=0.01))


def test_an_old_icb_with_no_practice_in_the_new_file_is_refused():
    new = NEW[NEW["practice_code"] != "P3"]
    with pytest.raises(InputError, match="B Old B: none of its practices is in the new file"):
        rebase(OLD, new, pd.Series({"A": 1.0, "B": 1.0, "C": 1.0}))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 3), min_size=1, max_size=12),
    st.lists(st.floats(0.5, 1e5), min_size=12, max_size=12),
    st.lists(st.integers(0, 10**10), min_size=4, max_size=4),
)
def test_property_totals_kept_and_each_part_within_one_unit(moves, weights, amounts):
    # Practice i of old ICB i % 4 moves to new ICB moves[i]: whatever the moves, each old
    # ICB's parts sum to its baseline and each is within £1 of its exact share.
    n = len(moves)
    old = practices([(f"P{i}", f"O{i % 4}", f"Old {i % 4}", weights[i]) for i in range(n)])
    new = practices([(f"P{i}", f"N{m}", f"New {m}", 1.0) for i, m in enumerate(moves)])
    base = pd.Series({f"O{k}": float(amounts[k]) for k in range(min(n, 4))})
    res = rebase(old, new, base)
    sums = res.bridge.groupby("old_code")["amount"].sum()
    assert (sums == base.reindex(sums.index)).all()
    assert res.baselines["baseline"].sum() == base.sum()
    assert (np.abs(res.bridge["amount"] - res.bridge["exact_amount"]) < 1).all()


def _raw(path, icb, weight=None):
    """Practice -> (ICB, weighted population as a Fraction) read from the raw CSV."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return {
            r["Practice_Code"]: (r[icb], Fraction(r[weight]) if weight else None)
            for r in csv.DictReader(f)
        }


def test_nhs_englands_2025_26_icbs_rebased_onto_2026_27s_exactly(shared_dir, tmp_path):
    from xlalloc import api

    old_file = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new_file = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    old = _raw(old_file, "ICB", "Final WP")
    new = _raw(new_file, "ICB")
    codes = sorted({icb for icb, _ in old.values()})
    # A baseline for each of the 42 old ICBs (£ to the pound, arbitrary but not round).
    baselines = {c: 1_000_000_007 * (k + 1) + 13 * k for k, c in enumerate(codes)}
    path = tmp_path / "baselines.csv"
    pd.DataFrame({"icb": list(baselines), "baseline": list(baselines.values())}).to_csv(
        path, index=False
    )
    out = tmp_path / "rebased.csv"
    api.rebase(old_file, new_file, out, baselines=path)
    got = pd.read_csv(out, encoding="utf-8-sig")
    bridge = pd.read_csv(tmp_path / "rebased-bridge.csv", encoding="utf-8-sig")
    # The rebased total is the old total to the pound.
    assert len(got) == 36 and got["baseline"].sum() == sum(baselines.values())
    # Every part within £1 of its exact share, computed here in fractions from the raw CSV.
    weight: dict[tuple[str, str], Fraction] = {}
    for code, (old_icb, wp) in old.items():
        if code in new:
            key = (old_icb, new[code][0])
            weight[key] = weight.get(key, Fraction(0)) + wp
    for r in bridge.itertuples():
        w_o = sum(w for (o, _n), w in weight.items() if o == r.old_code)
        exact = Fraction(baselines[r.old_code]) * weight[(r.old_code, r.new_code)] / w_o
        assert abs(Fraction(int(r.amount)) - exact) < 1, (r.old_code, r.new_code)
    assert set(weight) == set(zip(bridge["old_code"], bridge["new_code"]))
    # T02 NHS Essex: from Hertfordshire and West Essex, Mid and South Essex, Suffolk and
    # North East Essex.
    assert sorted(bridge.loc[bridge["new_code"] == "T02", "old_code"]) == ["QH8", "QJG", "QM7"]
    t02 = got.set_index("icb_code").loc["T02", "baseline"]
    assert t02 == bridge.loc[bridge["new_code"] == "T02", "amount"].sum()
