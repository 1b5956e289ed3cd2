"""Monthly monitoring, checked by hand: phasing, budget against actual, run-rate forecast,
ledger exceptions and the reconciliation to the ledger total."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.errors import InputError
from xlalloc.engine.monitoring import (
    DEFAULT_THRESHOLD,
    PackSettings,
    budget_vs_actual,
    check_phasing,
    pence_sum,
    phase_budgets,
    read_ledger,
    reconcile,
)

ANNUAL = pd.DataFrame(
    [("A", "P", 1200), ("A", "Q", 600), ("B", "P", 2400), ("B", "Q", 1200)],
    columns=["place", "programme", "budget"],
)

#: (month, place, practice_code, programme, amount); ledger rows 2.. of the file.
LEDGER = pd.DataFrame(
    [
        (1, "A", None, "P", 110),  # row 2
        (2, "A", None, "P", 120),  # row 3
        (3, None, "X1", "P", 130.5),  # row 4: practice X1 is in place A
        (2, "A", None, "Q", 100),  # row 5
        (4, "B", None, "P", 999),  # row 6: after the month reported
        (1, "B", None, "P", 500),  # row 7
        (13, "A", None, "P", 7),  # row 8: month 13
        (1, "Z", None, "P", 40),  # row 9: unknown place
        (1, None, "NOPE", "P", 10),  # row 10: unknown practice
        (1, "A", None, "R", 20),  # row 11: unknown programme
        (1, "A", None, "P", "abc"),  # row 12: not a number
        (1, None, None, "P", 5),  # row 13: no place or practice
        (2, "B", None, "Q", 303),  # row 14
    ],
    columns=["month", "place", "practice_code", "programme", "amount"],
)


def ledger(frame=LEDGER):
    return read_ledger(frame, ["A", "B"], ["P", "Q"], {"X1": "A"})


def test_twelfths_by_largest_remainder():
    m = phase_budgets(pd.DataFrame([("A", "P", 100)], columns=["place", "programme", "budget"]))
    # 100 / 12 = 8.33: four months of £9 (the first four, by the stable tie-break) and
    # eight of £8 make £100 exactly.
    assert m["budget"].tolist() == [9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]
    assert m["month"].tolist() == list(range(1, 13))


def test_a_phasing_profile_is_checked():
    with pytest.raises(InputError) as e:
        check_phasing(pd.Series([0.5, 0.6], index=[1, 2]))
    text = str(e.value)
    assert "expected months 1 to 12 once each" in text and "sum to 1.100000, not 1" in text


def test_exceptions_are_listed_with_their_rows_and_reasons():
    exc = ledger().exceptions.set_index("source_row")["reason"]
    assert exc.to_dict() == {
        8: "month 13 is not 1 to 12",
        9: "unknown place 'Z'",
        10: "practice NOPE is not in the model",
        11: "unknown programme 'R'",
        12: "amount 'abc' is not a number",
        13: "no place or practice",
    }


def test_budget_against_actual_by_hand():
    bva = budget_vs_actual(phase_budgets(ANNUAL), ledger(), month=3).set_index(
        ["place", "programme"]
    )
    # A/P: budget 3 x 100 = 300; actual 110 + 120 + 130.50 (practice X1) = 360.50.
    ap = bva.loc[("A", "P")]
    assert (ap["annual_budget"], ap["ytd_budget"], ap["ytd_actual"]) == (1200, 300, 360.5)
    # Variance is budget less actual (NHS convention): 60.50 over is adverse, -60.50.
    assert ap["variance"] == -60.5 and ap["variance_pct"] == pytest.approx(-60.5 / 300)
    # Run rate: 360.50 / 3 x 12 = 1,442; against the annual 1,200: 242 over (adverse).
    assert ap["forecast_outturn"] == pytest.approx(1442)
    assert ap["forecast_variance"] == pytest.approx(-242)
    # A/Q: 150 budget, 100 actual: 50 under, favourable (+33%), forecast 400.
    aq = bva.loc[("A", "Q")]
    assert (aq["ytd_budget"], aq["ytd_actual"], aq["variance"]) == (150, 100, 50)
    assert aq["forecast_outturn"] == pytest.approx(400)
    # B/P: month 4's 999 is not in the year to date: 500 against 600.
    assert bva.loc[("B", "P"), "ytd_actual"] == 500
    # B/Q: 303 against 300 is 1%, inside the 5% threshold; the others are beyond it.
    assert bva.loc[("B", "Q"), "variance_pct"] == pytest.approx(-0.01)
    assert bva["flagged"].to_dict() == {
        ("A", "P"): True,
        ("A", "Q"): True,
        ("B", "P"): True,
        ("B", "Q"): False,
    }
    assert DEFAULT_THRESHOLD == PackSettings().threshold == 0.05


def test_reconciliation_by_hand():
    r = reconcile(ledger(), 3)
    # Numeric amounts: 110 + 120 + 130.50 + 100 + 999 + 500 + 7 + 40 + 10 + 20 + 5 + 303.
    assert r.total == 2344.5
    assert r.later == 999  # month 4, reported in later packs
    assert r.months_total == 2344.5 - 999
    assert r.reported == 110 + 120 + 130.5 + 100 + 500 + 303
    assert r.left_out == 7 + 40 + 10 + 20 + 5  # the exceptions that have an amount
    assert r.reported + r.left_out == r.months_total and r.check == 0
    assert (r.rows_left_out, r.unreadable) == (6, 1)  # row 12's 'abc' has no amount
    t = r.table().set_index("item")["amount"]
    assert t["Ledger total, months 1 to 3"] == 1345.5
    assert t["Left out: 6 row(s) on the Exceptions sheet"] == 82
    assert t["Check: reported + left out - ledger total (0)"] == 0


def test_a_ledger_by_cost_centre_takes_programme_and_place_from_the_map():
    frame = pd.DataFrame(
        [
            (1, "cc1", None, 100.0),  # row 2: A/P by the map
            (1, " CC2 ", "X1", 50.0),  # row 3: Q, the place from practice X1 (A)
            (2, "cc3", None, 70.0),  # row 4: not in the map
            (2, 612345.0, None, 30.0),  # row 5: a code read as a number: B/Q
        ],
        columns=["month", "cost_centre", "practice_code", "amount"],
    )
    ccs = {"CC1": ("P", "A"), "CC2": ("Q", None), "612345": ("Q", "B")}
    lg = read_ledger(frame, ["A", "B"], ["P", "Q"], {"X1": "A"}, ccs)
    got = lg.rows[["place", "programme", "amount"]].values.tolist()
    assert got == [["A", "P", 100.0], ["A", "Q", 50.0], ["B", "Q", 30.0]]
    assert lg.exceptions[["source_row", "reason", "amount"]].values.tolist() == [
        [4, "cost centre CC3 is not in the cost-centre map", 70.0]
    ]


def test_a_cost_centre_map_is_checked_against_the_model():
    from xlalloc.engine.monitoring import cost_centre_map

    frame = pd.DataFrame(
        {
            "cost_centre": ["C1", "c1", "C2", None, "C3"],
            "programme": ["P", "P", "Nope", "P", "Q"],
            "place": [None, None, "A", None, "Z"],
            "source_row": [2, 3, 4, 5, 6],
        }
    )
    with pytest.raises(InputError) as e:
        cost_centre_map(frame, ["A", "B"], ["P", "Q"], "map.csv")
    assert [(p.row, p.message) for p in e.value.problems] == [
        (3, "cost centre C1 is mapped twice (rows 2 and 3); keep one"),
        (4, "cost centre C2: unknown programme 'Nope'. The model's programmes are P and Q."),
        (5, "the cost centre is blank"),
        (6, "cost centre C3: unknown place 'Z'. The model's places are A and B."),
    ]


def test_amounts_that_total_beyond_any_budget_are_refused():
    frame = pd.DataFrame(
        [(1, "A", "P", 9e12)] * 3, columns=["month", "place", "programme", "amount"]
    )
    with pytest.raises(InputError, match="total £27,000,000,000,000.00, beyond any NHS budget"):
        read_ledger(frame, ["A"], ["P"])


def test_true_false_is_never_money():
    frame = pd.DataFrame(
        [(1, "A", "P", True), (1, "A", "P", 5.0)], columns=["month", "place", "programme", "amount"]
    )
    lg = read_ledger(frame, ["A"], ["P"])
    assert lg.rows["amount"].tolist() == [5.0]
    assert lg.exceptions["reason"].tolist() == ["amount True is not a number"]


def test_blank_place_in_a_string_ledger_uses_the_practice():
    # pandas' string dtype holds blanks as <NA>: still blank, never "unknown place '<NA>'".
    lg = ledger(LEDGER.astype({"place": "string", "practice_code": "string"}))
    assert 4 in set(lg.rows["source_row"])
    assert "<NA>" not in " ".join(lg.exceptions["reason"])


def test_rows_are_named_as_the_reader_numbered_them():
    frame = LEDGER.assign(source_row=np.arange(len(LEDGER)) + 10)
    assert ledger(frame).exceptions["source_row"].tolist() == [16, 17, 18, 19, 20, 21]


def test_missing_columns_and_bad_month():
    with pytest.raises(InputError, match="needs a 'place' or a 'practice_code' column"):
        read_ledger(LEDGER.drop(columns=["place", "practice_code"]), ["A"], ["P"])
    with pytest.raises(InputError, match="month must be 1 to 12; got 13"):
        budget_vs_actual(phase_budgets(ANNUAL), ledger(), month=13)


def test_pence_sum_is_exact():
    assert pence_sum([0.1] * 10) == 1.0
    assert pence_sum(np.array([1e9 + 0.01, -1e9])) == 0.01


def _row_loop_reference(ledger, places, programmes, practice_place):
    """The row-by-row ledger validation used before it was vectorised (kept as oracle)."""
    from xlalloc.engine.frames import is_blank, source_rows
    from xlalloc.engine.monitoring import MONTHS

    rows = source_rows(ledger)
    df = ledger.reset_index(drop=True).copy()
    for c in ("place", "practice_code"):
        if c not in df.columns:
            df[c] = None
    good, bad, total = [], [], 0.0
    for i, r in enumerate(df.itertuples(index=False)):
        amount = pd.to_numeric(pd.Series([r.amount]), errors="coerce").iloc[0]
        month = pd.to_numeric(pd.Series([r.month]), errors="coerce").iloc[0]
        place = None if is_blank(r.place) else str(r.place).strip()
        code = None if is_blank(r.practice_code) else str(r.practice_code).strip()
        prog = None if is_blank(r.programme) else str(r.programme).strip()
        reasons = []
        if pd.isna(amount) or not np.isfinite(float(amount)):
            reasons.append(f"amount {r.amount!r} is not a number")
        else:
            total += round(float(amount) * 100)
        if pd.isna(month) or float(month) not in MONTHS:
            reasons.append(f"month {r.month!r} is not 1 to 12")
        if place is None and code is not None:
            if code in practice_place:
                place = practice_place[code]
            else:
                reasons.append(f"practice {code} is not in the model")
        if place is None and code is None:
            reasons.append("no place or practice")
        elif place is not None and place not in set(places):
            reasons.append(f"unknown place {place!r}")
        if prog is None:
            reasons.append("no programme")
        elif prog not in set(programmes):
            reasons.append(f"unknown programme '{prog}'")
        if reasons:
            bad.append((rows[i], "; ".join(reasons)))
        else:
            good.append((int(month), place, prog, float(amount), rows[i]))
    return good, bad, total / 100


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([1, 6, 12, 13, 0, 1.5, "6", "x", None]),
            st.sampled_from(["A", "B", " A", "Z", "", None]),
            st.sampled_from(["X1", "NOPE", "", None]),
            st.sampled_from(["P", "Q", "R", " P ", None]),
            st.one_of(st.floats(-1e6, 1e6), st.sampled_from(["12.5", "abc", None, float("inf")])),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_vectorised_ledger_checks_say_what_the_row_loop_said(rows):
    frame = pd.DataFrame(rows, columns=["month", "place", "practice_code", "programme", "amount"])
    lg = read_ledger(frame, ["A", "B"], ["P", "Q"], {"X1": "A"})
    good, bad, total = _row_loop_reference(frame, ["A", "B"], ["P", "Q"], {"X1": "A"})
    assert list(zip(lg.exceptions["source_row"], lg.exceptions["reason"])) == bad
    assert [tuple(r) for r in lg.rows.itertuples(index=False)] == good
    assert lg.total == pytest.approx(total, abs=1e-9)


def test_an_amount_past_any_budget_is_an_exception_even_in_a_raw_frame():
    # 1e20 and -1e20 would cancel to 0 in a total: each is an exception instead, and the
    # pence are summed as Python integers, so nothing wraps round.
    frame = pd.DataFrame(
        [(1, "A", "P", 1e20), (1, "A", "P", -1e20), (1, "A", "P", 5.0)],
        columns=["month", "place", "programme", "amount"],
    )
    lg = read_ledger(frame, ["A"], ["P"])
    assert lg.total == 5.0 and lg.rows["amount"].tolist() == [5.0]
    assert lg.exceptions["reason"].tolist() == [
        "amount 1e+20 is beyond any NHS budget (at most £10 trillion)",
        "amount -1e+20 is beyond any NHS budget (at most £10 trillion)",
    ]
    assert pence_sum(np.array([9e12, 9e12, 0.01])) == 18_000_000_000_000.01


@settings(max_examples=300, deadline=None)
@given(
    shares=st.lists(st.floats(0.001, 1.0), min_size=12, max_size=12),
    units=st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=6),
    unit=st.sampled_from([1.0, 1000.0, 0.01]),
)
def test_phasing_every_budget_at_once_is_largest_remainder_row_by_row(shares, units, unit):
    """The vectorised phasing gives, budget by budget, largest_remainder's own figures."""
    from xlalloc.engine.monitoring import MONTHS, phased
    from xlalloc.engine.rounding import largest_remainder

    p = np.array(shares)
    budgets = np.array(units, dtype=float) * unit
    got = phased(p, budgets, unit)
    for row, b in zip(got, budgets, strict=True):
        expected = largest_remainder(p, float(b), unit, order=list(MONTHS))
        assert row.tolist() == expected.tolist()
        assert round(row.sum() / unit) == round(b / unit)


@settings(max_examples=150, deadline=None)
@given(
    budgets=st.lists(st.integers(0, 10**9), min_size=6, max_size=6),
    month=st.integers(1, 12),
    weights=st.one_of(st.none(), st.lists(st.integers(1, 50), min_size=12, max_size=12)),
)
def test_budget_to_date_is_annual_times_phasing_at_every_level(budgets, month, weights):
    """ICB, place and programme budgets to date each equal their own annual budget times
    the year's share to the month, to the pound (the ICB's to the nearest pound)."""
    places, programmes = ["A", "B", "C"], ["P", "Q"]
    annual = pd.DataFrame(
        [
            (p, q, float(b))
            for (p, q), b in zip([(p, q) for p in places for q in programmes], budgets, strict=True)
        ],
        columns=["place", "programme", "budget"],
    )
    phasing = (
        None
        if weights is None
        else pd.Series(weights, index=range(1, 13), dtype=float) / sum(weights)
    )
    share = (sum(weights[:month]) / sum(weights)) if weights else month / 12
    monthly = phase_budgets(annual, phasing)
    ledger = read_ledger(
        pd.DataFrame({"month": [1], "place": ["A"], "programme": ["P"], "amount": [0.0]}),
        places,
        programmes,
    )
    bva = budget_vs_actual(monthly, ledger, month, phasing=phasing)
    # The ICB to the nearest pound (exactly, where annual x share is whole pounds).
    icb = annual["budget"].sum() * share
    assert abs(bva["ytd_budget"].sum() - icb) <= 0.5 + 1e-6
    for key in ("place", "programme"):
        got = bva.groupby(key)["ytd_budget"].sum()
        exact = annual.groupby(key)["budget"].sum() * share
        assert (abs(got - exact) < 1 + 1e-6).all(), key
    assert (abs(bva["ytd_budget"] - annual["budget"] * share) < 1 + 1e-6).all()
    assert (bva["annual_budget"] == annual["budget"]).all()


@settings(max_examples=100, deadline=None)
@given(
    pence=st.lists(st.integers(-(10**8), 10**11), min_size=6, max_size=6),
    month=st.integers(1, 12),
)
def test_forecast_is_actual_over_months_times_twelve_at_every_level(pence, month):
    """The run-rate forecast (actual to date / month x 12) of every line, place,
    programme and the ICB is its own exact forecast to the pound (the ICB's to the
    nearest), and the lines add to each total: a total row never differs from its lines."""
    places, programmes = ["A", "B", "C"], ["P", "Q"]
    lines = [(p, q) for p in places for q in programmes]
    annual = pd.DataFrame(
        [(p, q, 1_200.0) for p, q in lines], columns=["place", "programme", "budget"]
    )
    rows = pd.DataFrame(
        {
            "month": [1] * 6,
            "place": [p for p, _ in lines],
            "programme": [q for _, q in lines],
            "amount": [v / 100 for v in pence],
        }
    )
    ledger = read_ledger(rows, places, programmes)
    bva = budget_vs_actual(phase_budgets(annual), ledger, month)
    exact = pd.Series([v / 100 / month * 12 for v in pence], index=pd.MultiIndex.from_tuples(lines))
    got = bva.set_index(["place", "programme"])["forecast_outturn"]
    assert (got % 1 == 0).all()  # whole pounds
    assert (abs(got - exact.reindex(got.index)) < 1 + 1e-6).all()
    assert abs(got.sum() - exact.sum()) <= 0.5 + 1e-6
    for level in (0, 1):
        g, e = got.groupby(level=level).sum(), exact.groupby(level=level).sum()
        assert (abs(g - e.reindex(g.index)) < 1 + 1e-6).all()
