"""Apportionment: a worked example by hand, invariants and bad input."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.apportionment import ApportionmentSettings, apportion
from xlalloc.engine.capitation import COMPONENTS
from xlalloc.engine.errors import InputError


def practices():
    df = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3", "P4"],
            "place": ["North", "North", "South", "South"],
            "locality": ["N1", "N2", "S1", "S1"],
            "population": [1000.0, 1000.0, 2000.0, 1000.0],
        }
    )
    for c in COMPONENTS:
        df[c] = [1200.0, 800.0, 2000.0, 1000.0]
    df["mental_health"] = [1500.0, 500.0, 2000.0, 1000.0]
    return df


LINES = pd.DataFrame(
    [
        ("Acute contracts", "Acute", 1_000_000, True, ("practice_data", "capitation"), None),
        ("MH packages", "Mental health", 600_000, True, ("practice_data", "capitation"), None),
        ("BCF", "Community", 500_000, True, "place_split", None),
        ("GMS", "Primary care (GMS)", 1_200_000, True, "scale", None),
        ("CHC other", "Continuing healthcare / FNC", 90_000, True, "follow", "CHC packages"),
        ("CHC packages", "Continuing healthcare / FNC", 300_000, True, "practice_data", None),
        ("Corporate", "Corporate running costs", 100_000, False, "", None),
    ],
    columns=["line", "programme", "amount", "recurrent", "methods", "follow"],
)

VALUES = pd.DataFrame(
    [
        ("Acute contracts", "P1", 300),
        ("Acute contracts", "P2", 100),
        ("Acute contracts", "P3", 400),
        ("Acute contracts", "P4", 100),
        ("Acute contracts", None, 100),
        ("MH packages", "P1", 50),
        ("MH packages", None, 50),
        ("GMS", "P1", 100_000),
        ("GMS", "P2", 100_000),
        ("GMS", "P3", 250_000),
        ("GMS", "P4", 150_000),
    ],
    columns=["line", "practice_code", "value"],
)

ACTIVITY = pd.DataFrame(
    [
        ("CHC packages", "P1", 10),
        ("CHC packages", "P2", 20),
        ("CHC packages", "P3", 30),
        ("CHC packages", "P4", 40),
    ],
    columns=["line", "practice_code", "amount"],
)

SPLITS = pd.DataFrame(
    [("BCF", "North", 40), ("BCF", "South", 60)], columns=["line", "place", "pct"]
)


def run():
    return apportion(LINES, practices(), VALUES, SPLITS, ACTIVITY)


def cell(res, line, loc):
    c = res.cells
    return c[(c["line"] == line) & (c["locality"] == loc)]["amount"].iloc[0]


def test_worked_example_by_hand():
    res = run()
    a = res.audit.set_index("line")
    # Acute: practice data covers 900 of 1,000 (90% >= 80%): shares 300/900, 100/900, 500/900
    # of £1m = 333,333.33, 111,111.11, 555,555.56 -> floors sum 999,999; +1 to S1 (.56).
    assert [cell(res, "Acute contracts", x) for x in ("N1", "N2", "S1")] == [
        333_333,
        111_111,
        555_556,
    ]
    assert a.loc["Acute contracts", "method_used"] == "practice_data"
    assert a.loc["Acute contracts", "coverage"] == pytest.approx(0.9)
    # MH packages: 50% coverage -> skipped; capitation by mental-health WP 1500/500/3000 of 5000.
    assert a.loc["MH packages", "method_used"] == "capitation"
    assert a.loc["MH packages", "skipped"] == "practice_data: coverage 50.0% below 80%"
    assert [cell(res, "MH packages", x) for x in ("N1", "N2", "S1")] == [180_000, 60_000, 360_000]
    # BCF: North 40% = 200,000 shared N1:N2 by community WP 1200:800; South 60% = 300,000.
    assert [cell(res, "BCF", x) for x in ("N1", "N2", "S1")] == [120_000, 80_000, 300_000]
    # GMS: months 1-6 £600k scaled by 2: 200k, 200k, 800k.
    assert [cell(res, "GMS", x) for x in ("N1", "N2", "S1")] == [200_000, 200_000, 800_000]
    assert "scaled by 2.0000" in a.loc["GMS", "note"]
    # CHC packages from the activity extract: 10/20/70 per 100 of £300k.
    assert [cell(res, "CHC packages", x) for x in ("N1", "N2", "S1")] == [30_000, 60_000, 210_000]
    # CHC other follows CHC packages (listed before it): 9k, 18k, 63k.
    assert [cell(res, "CHC other", x) for x in ("N1", "N2", "S1")] == [9_000, 18_000, 63_000]
    assert a.loc["CHC other", "method_used"] == "follow"
    # Corporate: blank methods -> programme default, capitation (core) 1200/800/3000 of 5000.
    assert [cell(res, "Corporate", x) for x in ("N1", "N2", "S1")] == [24_000, 16_000, 60_000]
    assert a.loc["Corporate", "methods_tried"] == "capitation"

    t1 = res.table1
    north = 333_333 + 111_111 + 180_000 + 60_000 + 200_000 + 400_000 + 27_000 + 90_000 + 40_000
    assert t1.loc["Total", "North"] == north
    assert t1.loc["Total", "Total"] == LINES["amount"].sum()
    assert t1.loc["Continuing healthcare / FNC", "South"] == 63_000 + 210_000
    # Recurrent only: Corporate (non-recurrent) drops out.
    assert t1.loc["Total", "Total"] - res.table1_recurrent.loc["Total", "Total"] == 100_000
    # Table 2: North has 2,000 core WP: acute 444,444 / 2,000 * 1,000.
    assert res.table2.loc["Acute", "North"] == pytest.approx(444_444 / 2000 * 1000)
    assert res.table2.loc["Acute", "ICB"] == pytest.approx(1_000_000 / 5000 * 1000)
    assert res.index.loc["Acute", "North"] == pytest.approx(222_222 / 200_000)
    # Corporate by capitation on core: the same cost per weighted head everywhere.
    assert res.index.loc["Corporate running costs", "North"] == pytest.approx(1.0)
    assert (res.audit["difference"] == 0).all()
    assert res.table1_locality.loc["Total", ["N1", "N2", "S1"]].sum() == LINES["amount"].sum()


def test_bad_input_reported_together():
    lines = LINES.copy()
    lines.loc[0, "amount"] = -5
    lines.loc[1, "methods"] = "practice_data"  # 50% coverage and no fallback
    lines.loc[5, "methods"] = "follow"
    lines.loc[5, "follow"] = "CHC other"  # cycle with CHC other
    values = pd.concat(
        [VALUES, pd.DataFrame([("GMS", "ZZ999", 5)], columns=["line", "practice_code", "value"])]
    )
    splits = pd.DataFrame(
        [("BCF", "North", 40), ("BCF", "South", 50)], columns=["line", "place", "pct"]
    )
    with pytest.raises(InputError) as e:
        apportion(lines, practices(), values, splits, ACTIVITY)
    msg = str(e.value)
    assert (
        "Budget lines, row 2, column 'amount': line Acute contracts: amount -5.00 is negative"
        in msg
    )
    assert (
        "Practice values, row 13, column 'practice_code': practice ZZ999 is not in the practice table"
        in msg
    )
    assert "Place splits, column 'pct': line BCF: place percentages sum to 90, not 100%" in msg
    assert "follow cycle: CHC other -> CHC packages -> CHC other" in msg
    assert (
        "line MH packages: missing method data, no method could be used "
        "(practice_data: coverage 50.0% below 80%)"
    ) in msg


def test_missing_columns_and_unknown_methods():
    with pytest.raises(InputError) as e:
        apportion(LINES.drop(columns="amount"), practices())
    assert "missing column 'amount'" in str(e.value)
    bad = LINES.copy()
    bad.loc[0, "methods"] = "guesswork"
    bad.loc[1, "component"] = "dentistry"
    with pytest.raises(InputError) as e:
        apportion(bad, practices(), VALUES, SPLITS, ACTIVITY)
    assert "unknown method(s) 'guesswork'; expected one of" in str(e.value)
    assert "unknown component 'dentistry'" in str(e.value)


def test_coverage_threshold_is_a_setting():
    res = apportion(
        LINES, practices(), VALUES, SPLITS, ACTIVITY, ApportionmentSettings(coverage_threshold=0.5)
    )
    assert res.audit.set_index("line").loc["MH packages", "method_used"] == "practice_data"


# ---------------------------------------------------------------- properties


@st.composite
def budgets(draw):
    n = draw(st.integers(min_value=2, max_value=15))
    places = draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=n, max_size=n))
    pops = draw(st.lists(st.integers(min_value=100, max_value=20_000), min_size=n, max_size=n))
    need = draw(st.lists(st.floats(min_value=0.3, max_value=3), min_size=n, max_size=n))
    P = pd.DataFrame(
        {
            "practice_code": [f"X{i}" for i in range(n)],
            "place": places,
            "locality": [f"{p}{i % 2}" for i, p in enumerate(places)],
            "population": pops,
        }
    )
    for c in COMPONENTS:
        P[c] = P["population"] * np.array(need)
    k = draw(st.integers(min_value=1, max_value=6))
    amounts = draw(st.lists(st.integers(min_value=0, max_value=10**9), min_size=k, max_size=k))
    methods = draw(
        st.lists(
            st.sampled_from(["capitation", ("practice_data", "capitation")]), min_size=k, max_size=k
        )
    )
    lines = pd.DataFrame(
        {
            "line": [f"L{j}" for j in range(k)],
            "programme": [f"Prog{j % 3}" for j in range(k)],
            "amount": amounts,
            "methods": methods,
        }
    )
    vals = []
    for j in range(k):
        for i in range(n):
            vals.append((f"L{j}", f"X{i}", draw(st.integers(min_value=0, max_value=1000))))
    values = pd.DataFrame(vals, columns=["line", "practice_code", "value"])
    return lines, P, values


@settings(max_examples=60, deadline=None)
@given(budgets(), st.randoms())
def test_property_conservation_and_order_invariance(b, rnd):
    lines, P, values = b
    res = apportion(lines, P, values)
    c = res.cells
    assert (c["amount"] >= 0).all()
    per_line = c.groupby("line")["amount"].sum()
    assert (per_line.reindex(lines["line"]).to_numpy() == lines["amount"].to_numpy()).all()
    assert res.table1.loc["Total", "Total"] == lines["amount"].sum()
    by_prog = lines.groupby("programme")["amount"].sum()
    assert (res.table1["Total"].drop("Total").reindex(by_prog.index) == by_prog).all()
    assert (
        res.table1.drop(index="Total").drop(columns="Total").sum(axis=0)
        == res.table1.loc["Total"].drop("Total")
    ).all()
    # Shuffle practices, lines and values: identical cells.
    P2 = P.sample(frac=1, random_state=rnd.randint(0, 10**6))
    L2 = lines.sample(frac=1, random_state=rnd.randint(0, 10**6))
    V2 = values.sample(frac=1, random_state=rnd.randint(0, 10**6))
    res2 = apportion(L2, P2, V2)
    key = ["line", "place", "locality"]
    pd.testing.assert_frame_equal(
        res.cells.sort_values(key).reset_index(drop=True)[key + ["amount"]],
        res2.cells.sort_values(key).reset_index(drop=True)[key + ["amount"]],
    )


@settings(max_examples=60, deadline=None)
@given(budgets())
def test_property_capitation_gives_equal_cost_per_weighted_head(b):
    lines, P, _ = b
    lines = lines.assign(methods="capitation", component="core")
    res = apportion(lines, P)
    wp = P.groupby("place")["core"].sum()
    for _, line in lines.iterrows():
        amt = res.cells[res.cells["line"] == line["line"]].groupby("place")["amount"].sum()
        per_head = amt / wp[amt.index]
        expected = line["amount"] / wp.sum()
        # Within rounding: at most £1 per locality cell, over the place's weighted heads.
        n_cells = P.groupby("place")["locality"].nunique()[amt.index]
        assert (np.abs(per_head - expected) <= n_cells / wp[amt.index] + 1e-12).all()


def test_negative_line_allowed_when_marked():
    lines = pd.DataFrame(
        [("Income", "Other programme costs", -1_000, "capitation", True)],
        columns=["line", "programme", "amount", "methods", "negative_ok"],
    )
    res = apportion(lines, practices())
    # Core WP 1200 / 800 / 3000 of 5000: -240, -160, -600.
    assert sorted(res.cells["amount"].tolist()) == [-600, -240, -160]
    assert res.table1.loc["Total", "Total"] == -1_000


def _row_loop_reference(frame, value_col, where, known_lines, known_practices):
    """The row-by-row checks the engine used before they were vectorised (kept as oracle)."""
    from xlalloc.engine.apportionment import rows_text
    from xlalloc.engine.errors import Problems
    from xlalloc.engine.frames import source_rows

    problems = Problems()
    rows = source_rows(frame)
    df = frame[["line", "practice_code", value_col]].copy().reset_index(drop=True)
    df["line"] = df["line"].astype("string").str.strip()
    df["practice_code"] = df["practice_code"].astype("string").str.strip()
    df["practice_code"] = df["practice_code"].mask(df["practice_code"] == "")
    vals = pd.to_numeric(df[value_col], errors="coerce")
    unknown = df.loc[~df["line"].isin(known_lines), "line"]
    for line in unknown.dropna().unique():
        at = [rows[int(i)] for i in np.flatnonzero((df["line"] == line).to_numpy())]
        problems.add(where, f"unknown line {line!r} (rows {rows_text(at)})", column="line")
    for i in range(len(df)):
        code = df["practice_code"].iloc[i]
        if pd.notna(code) and code not in known_practices:
            problems.add(
                where,
                f"practice {code} is not in the practice table",
                row=rows[i],
                column="practice_code",
            )
        if pd.isna(vals.iloc[i]):
            problems.add(
                where,
                f"{value_col} {df[value_col].iloc[i]!r} is not a number",
                row=rows[i],
                column=value_col,
            )
        elif vals.iloc[i] < 0:
            problems.add(where, f"{value_col} is negative", row=rows[i], column=value_col)
    return [str(p) for p in problems.items]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["L1", "L2", " L1 ", "ghost", "Ghost"]),
            st.sampled_from(["P1", "P2", "P9", "", None, " P1"]),
            st.one_of(st.floats(-5, 100), st.sampled_from(["x", None, "1e3"])),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_vectorised_value_checks_say_what_the_row_loop_said(rows):
    # (The old loop raised a traceback on a blank line name beside an unknown one, so
    # line names here are never blank; the reader reports blank ones before this.)
    from xlalloc.engine.apportionment.core import _data_table
    from xlalloc.engine.errors import Problems

    frame = pd.DataFrame(rows, columns=["line", "practice_code", "value"])
    found = Problems()
    _data_table(frame, "value", "PracticeData", {"L1", "L2"}, {"P1", "P2"}, found)
    assert [str(p) for p in found.items] == _row_loop_reference(
        frame, "value", "PracticeData", {"L1", "L2"}, {"P1", "P2"}
    )


def test_place_percentages_give_whole_pound_place_totals_exactly():
    # 42% / 25% / 33% of £190,000,000 are £79,800,000, £47,500,000 and £62,700,000 exactly.
    # Each place then splits by capitation between two localities of uneven weighted
    # population, whose pounds must sum to the place's exactly.
    pr = pd.DataFrame(
        {
            "practice_code": [f"P{i}" for i in range(6)],
            "place": ["A", "A", "B", "B", "C", "C"],
            "locality": ["A1", "A2", "B1", "B2", "C1", "C2"],
            "population": [1000.0] * 6,
        }
    )
    for c in COMPONENTS:
        pr[c] = [333.3, 666.7, 111.1, 888.9, 500.05, 499.95]
    lines = pd.DataFrame(
        [("Community contract", "Community", 190_000_000, True, ("place_split",))],
        columns=["line", "programme", "amount", "recurrent", "methods"],
    )
    splits = pd.DataFrame(
        {"line": ["Community contract"] * 3, "place": ["A", "B", "C"], "pct": [42, 25, 33]}
    )
    res = apportion(lines, pr, place_splits=splits)
    assert res.table1.loc["Community", ["A", "B", "C"]].tolist() == [
        79_800_000,
        47_500_000,
        62_700_000,
    ]
    by_loc = res.cells.groupby("place")["amount"].sum()
    assert by_loc.to_dict() == {"A": 79_800_000, "B": 47_500_000, "C": 62_700_000}


def test_value_table_is_totalled_by_line_and_practice_with_blank_codes_kept_apart():
    # Rows 2-6 as a CSV: P1 gets 10 + 5 (one code with spaces), the blank codes 7 + 3.
    from xlalloc.engine.apportionment.core import _data_table
    from xlalloc.engine.errors import Problems

    frame = pd.DataFrame(
        {
            "line": ["L1", "L1 ", "L1", "L1", "L2"],
            "practice_code": ["P1", " P1", None, "   ", "P2"],
            "amount": [10.0, 5.0, 7.0, 3.0, 2.5],
        }
    )
    found = Problems()
    out = _data_table(frame, "amount", "Activity", {"L1", "L2"}, {"P1", "P2"}, found)
    assert not found
    got = {
        (r.line, None if pd.isna(r.practice_code) else r.practice_code): r.value
        for r in out.itertuples()
    }
    assert got == {("L1", "P1"): 15.0, ("L1", None): 10.0, ("L2", "P2"): 2.5}


def test_rows_with_no_line_are_reported_not_ignored():
    from xlalloc.engine.apportionment.core import _data_table
    from xlalloc.engine.errors import Problems

    frame = pd.DataFrame(
        {"line": ["L1", None, None, "L1", None], "practice_code": ["P1"] * 5, "amount": [1.0] * 5}
    )
    found = Problems()
    _data_table(frame, "amount", "Activity", {"L1"}, {"P1"}, found)
    assert [str(p) for p in found.items] == ["Activity, column 'line': line is blank (rows 3-4, 6)"]


def test_a_method_registered_from_outside_is_tried_checked_and_audited(monkeypatch):
    """A new method is one object implementing the protocol, added to the registry."""
    from dataclasses import dataclass

    from xlalloc.engine import apportionment as ap

    @dataclass(frozen=True)
    class FirstPlaceOnly:
        name: str = "first_place_only"

        def unavailable(self, ctx, line, row):
            return None if row["amount"] > 0 else "nothing to give"

        def shares(self, ctx, line, row, component):
            cells = ctx.practices[["place", "locality"]].drop_duplicates()
            first = sorted(cells["place"])[0]
            weights = [1.0 if p == first else 0.0 for p in cells["place"]]
            index = pd.MultiIndex.from_frame(cells)
            return pd.Series(weights, index=index), 1.0, f"all to {first}"

    monkeypatch.setitem(ap.REGISTRY, "first_place_only", FirstPlaceOnly())
    monkeypatch.setattr(ap, "METHODS", tuple(ap.REGISTRY))
    practices = pd.DataFrame(
        {
            "practice_code": ["P1", "P2"],
            "place": ["North", "South"],
            "locality": ["N1", "S1"],
            "population": [100, 100],
            **{c: [100.0, 300.0] for c in COMPONENTS},
        }
    )
    lines = pd.DataFrame(
        {
            "line": ["L1", "L2"],
            "programme": ["Acute", "Acute"],
            "amount": [1000.0, 0.0],
            "methods": [["first_place_only"], ["first_place_only", "capitation"]],
        }
    )
    out = apportion(lines, practices)
    audit = out.audit.set_index("line")
    assert audit.loc["L1", "method_used"] == "first_place_only"
    assert audit.loc["L1", "note"] == "all to North"
    assert out.table1.loc["Acute", "North"] == 1000  # by hand: every pound to North
    assert audit.loc["L2", "method_used"] == "capitation"
    assert audit.loc["L2", "skipped"] == "first_place_only: nothing to give"
    bad = lines.assign(methods=[["no_such_method"], None])
    with pytest.raises(InputError, match="unknown method"):
        apportion(bad, practices)


def test_budget_lines_that_did_not_come_through_a_reader_break_the_contract():
    raw = LINES.copy()
    raw["amount"] = raw["amount"].astype(object)
    raw["recurrent"] = raw["recurrent"].astype(object)
    raw.loc[2, "amount"] = "£500,000"
    raw.loc[3, "recurrent"] = "yes"
    with pytest.raises(InputError) as e:
        apportion(raw, practices(), VALUES, SPLITS, ACTIVITY)
    assert [p.column for p in e.value.problems] == ["amount", "recurrent"]
    assert "rows 4 do not" in e.value.problems[0].message


def test_practice_data_a_line_does_not_read_is_named_not_dropped_silently():
    # Corporate (capitation only) gets activity of £60; Acute contracts tries capitation
    # before practice_data. Neither line reads its data: each says so, figures unchanged.
    lines = LINES.copy()
    lines.loc[lines["line"] == "Acute contracts", "methods"] = [("capitation", "practice_data")]
    extra = pd.DataFrame(
        [("Corporate", "P1", 10.0), ("Corporate", "P3", 50.0)],
        columns=["line", "practice_code", "amount"],
    )
    res = apportion(
        lines, practices(), VALUES, SPLITS, pd.concat([ACTIVITY, extra], ignore_index=True)
    )
    assert res.warnings == [
        "line 'Acute contracts': its practice-level data (£1,000.00 from Practice values or "
        "Activity) is not used: method capitation comes before practice_data in its methods",
        "line 'Corporate': its practice-level data (£60.00 from Practice values or Activity) "
        "is not used: its methods (capitation) do not read practice-level data",
    ]
    a = res.audit.set_index("line")
    assert "is not used" in a.loc["Corporate", "note"]
    # By hand: capitation on core 1200/800/3000 of 5000, as without the data.
    assert [cell(res, "Corporate", x) for x in ("N1", "N2", "S1")] == [24_000, 16_000, 60_000]
    # Lines that read their data say nothing (MH packages' skip is in its skipped column).
    assert run().warnings == []
