"""The assurance record's tables, by hand: values as recorded, changes, status, logs."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.model.assurance import (
    LOG_HEADER,
    assumptions_log,
    recorded_values,
    shown,
    signoff_status,
)
from xlalloc.model.policy import ModelPolicy, parameters


@pytest.mark.parametrize(
    "value,text",
    [
        (None, "(blank)"),
        ("  ", "(blank)"),
        (math.nan, "(blank)"),
        (True, "TRUE"),
        (0.01, "0.01"),
        (2000.0, "2000"),
        (1 / 3, "0.333333333333"),
        (" core ", "core"),
    ],
)
def test_values_are_recorded_the_same_whatever_read_them(value, text):
    assert shown(value) == text


def test_the_previous_run_is_read_back_from_its_log():
    rows = [
        ["Assurance", ""],
        ["Assumptions log: every Policy parameter", ""],
        list(LOG_HEADER),
        ["min_growth", 0.01, "0.01"],
        ["max_growth", "", "(blank)"],
        ["", ""],
        ["Data log", ""],
    ]
    assert recorded_values(rows) == {"min_growth": "0.01", "max_growth": "(blank)"}
    assert recorded_values(None) == {} and recorded_values([["x"]]) == {}


def test_the_log_says_what_differs_from_the_default_and_what_changed():
    policy = ModelPolicy(min_growth=0.015, max_growth=0.06)
    log = assumptions_log(policy, {"min_growth": "0.01", "max_growth": "0.06"}, parameters())
    by = log.set_index("parameter")
    assert by.loc[
        "min_growth", ["value", "default", "differs", "previous", "changed"]
    ].tolist() == [
        "0.015",
        "0.01",
        "yes",
        "0.01",
        "yes",
    ]
    assert by.loc["max_growth", "changed"] == "no" and by.loc["max_growth", "differs"] == "yes"
    assert by.loc["pace", "previous"] == "(no previous run)"
    assert set(by.index) == {p.name for p in parameters()}  # every parameter, once
    assert (log["meaning"].str.len() > 0).all() and (log["source"].str.len() > 0).all()


def test_the_status_follows_who_signed_with_a_name_and_a_date():
    def frame(rows):
        return pd.DataFrame(rows, columns=["role", "name", "date"])

    assert signoff_status(None) == "drafted"
    assert signoff_status(frame([("analyst", "A", "2026-12-01")])) == "drafted"
    assert signoff_status(frame([("assurer", "B", math.nan)])) == "drafted"  # no date
    assert signoff_status(frame([("assurer", "B", "2026-12-01")])) == "assured"
    assert (
        signoff_status(frame([("Assurer", "B", "2026-12-01"), ("approver", "C", "2026-12-02")]))
        == "approved"
    )


def test_a_signature_whose_fingerprint_differs_never_counts_silently():
    """Whatever changed, a signature given against other inputs is named as changed."""
    from xlalloc.model.assurance import signatures

    frame = pd.DataFrame([("assurer", "A", "2026-04-30")], columns=["role", "name", "date"])
    recorded = {
        ("assurer", "A", "2026-04-30"): {"covers": "x", "run": "r", "sheets": {}, "policy": {}}
    }
    (sig,) = signatures(frame, recorded, {"Budget": "abc"}, {})
    assert sig.changed == ["the inputs"] and not sig.counts
    assert signoff_status([sig]) == "drafted"


# A signed record holds each input's fingerprint: the SHA-256 of its CSV text as pandas
# writes it with figures to 12 significant digits. The figures are formatted before
# pandas sees them (for speed); the text, and so every fingerprint already signed, must
# be the same. The reference is pandas writing the frame itself.
_FIGURE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-7, 123456789012345.6, 2.5, 1 / 3]),
)


@settings(max_examples=200, deadline=None)
@given(
    figures=st.lists(_FIGURE, min_size=0, max_size=6),
    text=st.lists(st.one_of(st.none(), st.text(max_size=4)), min_size=6, max_size=6),
    source_row=st.booleans(),
)
def test_a_fingerprint_is_of_the_text_pandas_writes(figures, text, source_row):
    import hashlib

    from xlalloc.model.assurance import _frame_sha

    n = len(figures)
    frame = pd.DataFrame(
        {
            "name": pd.Series(text[:n], dtype=object),
            "amount": pd.Series(figures, dtype="float64"),
            "count": pd.Series(range(n), dtype="int64"),
            "share": pd.Series(list(reversed(figures)), dtype="float32"),
        }
    )
    if source_row:
        frame["source_row"] = range(2, n + 2)
    body = frame.drop(columns=[c for c in frame.columns if c == "source_row"])
    expected = body.to_csv(index=False, lineterminator="\n", float_format="%.12g")
    assert _frame_sha(frame) == hashlib.sha256(expected.encode("utf-8")).hexdigest()[:16]
    assert _frame_sha(None) == "none"
