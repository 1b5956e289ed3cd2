"""Need indices, target shares and targets: real data, hand examples, invariants."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc import demo
from xlalloc.cli import main
from xlalloc.engine import capitation as cap
from xlalloc.engine.capitation import COMPONENTS
from xlalloc.engine.errors import InputError

WY_DEFAULT = ["B85005", "B85022", "B85061", "B85026"]
# NHS England's place-based tool, default place, 2025/26 original file.
WY_EXPECTED = {
    "core": 0.946,
    "ga": 1.092,
    "mental_health": 0.659,
    "maternity": 0.667,
    "prescribing": 1.087,
    "pmc": 0.904,
    "pmc_need": 0.985,
    "health_inequalities": 0.547,
}


def _places(codes, place="P"):
    return pd.DataFrame({"practice_code": codes, "place": place})


def test_nhse_default_place_west_yorkshire(y2526_orig):
    pm = cap.define_places(y2526_orig, _places(WY_DEFAULT, "Default place"))
    assert set(pm.frame["icb_code"]) == {"QWO"}
    t = cap.need_indices(y2526_orig, pm, rounding="nhse")
    row = t[t["name"] == "Default place"].iloc[0]
    assert {k: row[f"{k}_index"] for k in WY_EXPECTED} == WY_EXPECTED
    assert t[t["level"] == "icb"].iloc[0]["name"] == "NHS West Yorkshire ICB"


def test_whole_icb_place_has_index_one(y2526_orig):
    for icb in ("QWO", "QHM", "QOP"):
        codes = y2526_orig.loc[y2526_orig["icb_code"] == icb, "practice_code"]
        t = cap.need_indices(y2526_orig, cap.define_places(y2526_orig, _places(codes)))
        place = t[t["level"] == "place"].iloc[0]
        for c in COMPONENTS:
            assert place[f"{c}_index"] == pytest.approx(1.0, abs=1e-12)
        rounded = cap.round_nhse(t)
        assert (
            (rounded.loc[rounded["level"] == "place", [f"{c}_index" for c in COMPONENTS]] == 1.0)
            .all()
            .all()
        )


def test_icb_index_is_population_weighted_mean_of_places(y2526_orig):
    # Places = local authority districts within each ICB (a practice's own LAD).
    places = y2526_orig[["practice_code"]].assign(
        place=y2526_orig["icb_code"] + ":" + y2526_orig["lad_code"]
    )
    t = cap.need_indices(y2526_orig, cap.define_places(y2526_orig, places))
    icb = t[t["level"] == "icb"].set_index("icb_code")
    pl = t[t["level"] == "place"]
    assert len(icb) == 42 and pl["icb_code"].nunique() == 42
    for c in COMPONENTS:
        weighted = (pl[f"{c}_index_england"] * pl["population"]).groupby(pl["icb_code"]).sum()
        mean = weighted / pl.groupby("icb_code")["population"].sum()
        np.testing.assert_allclose(mean.sort_index(), icb[f"{c}_index"].sort_index(), rtol=1e-12)
        # England's own index is 1: population-weighted mean of ICB indices.
        assert (icb[f"{c}_index"] * icb["population"]).sum() / icb["population"].sum() == (
            pytest.approx(1.0, abs=1e-8)
        )


def test_place_errors_reported_together(y2526_orig):
    bad = pd.DataFrame(
        {
            "practice_code": ["B85005", "B85005", "ZZZ999", "A81001", "B85022", None],
            "place": ["One", "Two", "One", "Mixed", "Mixed", "Three"],
        }
    )
    with pytest.raises(InputError) as e:
        cap.define_places(y2526_orig, bad, where="PLACES.csv")
    msg = str(e.value)
    assert (
        "PLACES.csv, row 4, column 'practice_code': practice ZZZ999 is not in the practice data"
        in msg
    )
    # Named with its rows, in words (it spelt a Python list, ['One', 'Two'], without rows).
    assert "practice B85005 is in more than one place: One (row 2) and Two (row 3)" in msg
    assert "row 7, column 'practice_code': blank cell" in msg
    # Spanning two ICBs is found once the rows above are fixed.
    with pytest.raises(InputError, match=r"place 'Mixed' spans more than one ICB: QHM and QWO"):
        cap.define_places(y2526_orig, bad.iloc[3:5])


def test_left_out_practices_warned(y2526_orig):
    pm = cap.define_places(y2526_orig, _places(WY_DEFAULT))
    assert len(pm.unmapped) == (y2526_orig["icb_code"] == "QWO").sum() - 4
    assert "are in no place" in pm.warnings[0]


def test_hand_worked_indices_and_targets():
    # Two places in one ICB; England ratio 1 for every component.
    df = pd.DataFrame(
        {
            "practice_code": ["A", "B", "C"],
            "icb_code": "I",
            "icb_name": "ICB",
            "population": [100.0, 300.0, 600.0],
        }
    )
    for c in COMPONENTS:
        df[c] = [150.0, 300.0, 450.0]  # ICB: 900 WP / 1000 pop = 0.9 per head
    pm = cap.define_places(
        df, pd.DataFrame({"practice_code": ["A", "B", "C"], "place": ["North", "North", "South"]})
    )
    t = cap.need_indices(df, pm, england={c: 1.0 for c in COMPONENTS})
    t = cap.add_targets(t, budget=1_000_000, component="core")
    row = t.set_index("name")
    # North: 450 WP / 400 pop = 1.125 per head; / 0.9 = 1.25. South: 0.75 / 0.9 = 0.8333...
    assert row.loc["North", "core_index"] == pytest.approx(1.25)
    assert row.loc["South", "core_index"] == pytest.approx(0.75 / 0.9)
    assert row.loc["ICB", "core_index"] == pytest.approx(0.9)
    assert row.loc["North", "core_index_england"] == pytest.approx(1.125)
    # Shares 450/900 each: £500,000 each.
    assert row.loc["North", "target"] == 500_000 and row.loc["South", "target"] == 500_000
    per = cap.cost_per_1000(
        row.loc[["North", "South"], "target"], row.loc[["North", "South"], "core_wp"]
    )
    assert per["North"] == pytest.approx(500_000 / 450 * 1000)


@st.composite
def practice_frames(draw):
    n = draw(st.integers(min_value=2, max_value=25))
    pops = draw(st.lists(st.floats(min_value=1, max_value=50_000), min_size=n, max_size=n))
    factors = draw(st.lists(st.floats(min_value=0.2, max_value=3.0), min_size=n, max_size=n))
    places = draw(st.lists(st.sampled_from(["P1", "P2", "P3"]), min_size=n, max_size=n))
    df = pd.DataFrame(
        {
            "practice_code": [f"X{i:03d}" for i in range(n)],
            "icb_code": "I",
            "icb_name": "ICB",
            "population": pops,
        }
    )
    for k, c in enumerate(COMPONENTS):
        df[c] = df["population"] * np.array(factors) ** (1 + k / 10)
    return df, pd.DataFrame({"practice_code": df["practice_code"], "place": places})


ENG = {c: 1.0 for c in COMPONENTS}


def _run(df, places, budget=None):
    t = cap.need_indices(df, cap.define_places(df, places), england=ENG)
    return cap.add_targets(t, budget).set_index(["level", "name"]).sort_index()


@settings(max_examples=60, deadline=None)
@given(practice_frames(), st.integers(min_value=0, max_value=10**10), st.randoms())
def test_shares_targets_and_order_invariance(frame, budget, rnd):
    df, places = frame
    t = _run(df, places, budget)
    for level in ("icb", "place"):
        assert t.loc[level, "target_share"].sum() == pytest.approx(1.0, abs=1e-12)
        assert t.loc[level, "target"].sum() == budget  # exact to the pound
    perm = list(range(len(df)))
    rnd.shuffle(perm)
    t2 = _run(
        df.iloc[perm].reset_index(drop=True), places.iloc[perm].reset_index(drop=True), budget
    )
    pd.testing.assert_frame_equal(t, t2, check_exact=False, rtol=1e-12)
    assert (t["target"] == t2["target"]).all()


@settings(max_examples=60, deadline=None)
@given(practice_frames(), st.integers(min_value=0, max_value=100))
def test_splitting_a_practice_in_halves_changes_nothing(frame, which):
    df, places = frame
    i = which % len(df)
    half = df.iloc[[i]].copy()
    num = ["population", *COMPONENTS]
    half[num] = half[num] / 2
    a, b = half.copy(), half.copy()
    a["practice_code"], b["practice_code"] = "SPLIT_A", "SPLIT_B"
    df2 = pd.concat([df.drop(index=df.index[i]), a, b], ignore_index=True)
    pl = places.iloc[i]["place"]
    places2 = pd.concat(
        [
            places.drop(index=places.index[i]),
            pd.DataFrame({"practice_code": ["SPLIT_A", "SPLIT_B"], "place": pl}),
        ],
        ignore_index=True,
    )
    t1, t2 = _run(df, places), _run(df2, places2)
    cols = [
        c
        for c in t1.columns
        if c.endswith("_index") or c.endswith("_index_england") or c == "target_share"
    ]
    pd.testing.assert_frame_equal(t1[cols], t2[cols], check_exact=False, rtol=1e-9)


def test_footprint_2025_26_to_2026_27(y2526_orig, y2627):
    mapping = cap.derive_footprint(y2526_orig, y2627)
    table, unmapped = cap.footprint_change(y2526_orig, mapping)
    assert len(table) == 36
    mapped = y2526_orig[~y2526_orig["practice_code"].isin(unmapped)]
    assert table["population"].sum() == pytest.approx(mapped["population"].sum(), rel=1e-12)
    merged = table[table["n_predecessors"] > 1]
    assert len(merged) >= 5  # 42 ICBs became 36
    assert (merged["predecessor_index_spread"] > 0).all()
    assert (
        (table["core_index"] >= table["predecessor_index_min"] - 1e-12)
        & (table["core_index"] <= table["predecessor_index_max"] + 1e-12)
    ).all()


def test_demo_icb_is_realistic_and_deterministic():
    a, b = demo.practices(), demo.practices()
    pd.testing.assert_frame_equal(a, b)
    assert 130 <= len(a) <= 170 and a["place"].nunique() == 3 and a["locality"].nunique() == 8
    assert a["pcn_code"].nunique() >= 20
    assert 5_000 < a["population"].median() < 12_000


def test_targets_command_csv_and_errors(tmp_path, shared_dir, capsys):
    f = shared_dir / "ICB_Allocation_Tool_update__2025_2026_orig_2025-02-25.csv"
    places = tmp_path / "places.csv"
    _places(WY_DEFAULT, "Default").to_csv(places, index=False)
    out = tmp_path / "t.csv"
    assert (
        main(
            [
                "targets",
                str(f),
                "--places",
                str(places),
                "--round",
                "nhse",
                "--budget",
                "1000000",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    t = pd.read_csv(out)
    assert list(t.columns[:7]) == [
        "level",
        "name",
        "icb_code",
        "icb_name",
        "population",
        "ga_wp",
        "ga_index",
    ]
    assert t.loc[t["level"] == "place", "core_index"].iloc[0] == 0.946
    assert t.loc[t["level"] == "place", "target"].iloc[0] == 1_000_000
    place = t[t["level"] == "place"].iloc[0]
    assert place["per_1000_wp"] == pytest.approx(1_000_000 / place["core_wp"] * 1000, rel=1e-3)
    _places(["B85005", "NOPE01"], "Default").to_csv(places, index=False)
    assert main(["targets", str(f), "--places", str(places), "-o", str(out), "--force"]) == 2
    assert "practice NOPE01 is not in the practice data" in capsys.readouterr().err


def test_targets_without_places_gives_one_row_per_icb(tmp_path, shared_dir):
    out = tmp_path / "t.csv"
    f = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    assert main(["targets", str(f), "--budget", "100000000000", "-o", str(out)]) == 0
    t = pd.read_csv(out)
    assert len(t) == 36 and (t["level"] == "icb").all()
    assert t["target"].sum() == 100_000_000_000


def test_an_icb_with_no_weighted_population_is_named_not_divided_by_zero(tmp_path):
    """Every weighted population 0: `targets` failed at rounding with "values to round
    contain blanks or non-finite numbers", naming nothing. Now the file, the ICB and the
    components."""
    import pandas as pd

    from xlalloc.engine.capitation import COMPONENTS, need_indices
    from xlalloc.engine.errors import InputError

    practices = pd.DataFrame(
        {
            "practice_code": ["P1", "P2"],
            "icb_code": ["QWO", "QWO"],
            "icb_name": ["NHS West Yorkshire ICB"] * 2,
            "population": [100.0, 200.0],
            **{c: [0.0, 0.0] if c == "core" else [1.0, 2.0] for c in COMPONENTS},
        }
    )
    with pytest.raises(InputError) as e:
        need_indices(practices, england={c: 1.0 for c in COMPONENTS}, where="f_2024_2025.csv")
    assert (
        "f_2024_2025.csv: QWO NHS West Yorkshire ICB: every practice has 0 for core weighted "
        "population, so need cannot be measured"
    ) in str(e.value)
