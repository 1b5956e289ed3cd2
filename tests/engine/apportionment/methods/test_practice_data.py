"""practice_data: shares from practice-level values, worked by hand."""

import pandas as pd
from pytest import approx

from xlalloc.engine.apportionment import REGISTRY

from .conftest import as_dict

VALUES = pd.DataFrame(
    [
        ("L", "P1", 300.0),
        ("L", "P2", 100.0),
        ("L", "P3", 400.0),
        ("L", "P4", 100.0),
        ("L", None, 100.0),
    ],
    columns=["line", "practice_code", "value"],
)
ROW = pd.Series({"line": "L", "amount": 1000.0})


def test_shares_are_the_practices_values_by_locality(ctx_of):
    shares, coverage, note = REGISTRY["practice_data"].shares(ctx_of(VALUES), "L", ROW, "core")
    # P3 and P4 are both in South/S1: 400 + 100.
    assert as_dict(shares) == {("North", "N1"): 300, ("North", "N2"): 100, ("South", "S1"): 500}
    assert coverage == approx(900 / 1000)
    assert note == "practice shares; £100 unattributed apportioned by the same shares"


def test_unavailable_without_data_or_below_the_threshold(ctx_of):
    method = REGISTRY["practice_data"]
    assert method.unavailable(ctx_of(), "L", ROW) == "no practice data"
    assert (
        method.unavailable(ctx_of(VALUES, threshold=0.95), "L", ROW) == "coverage 90.0% below 95%"
    )
    assert method.unavailable(ctx_of(VALUES, threshold=0.9), "L", ROW) is None


def test_full_coverage_says_practice_shares(ctx_of):
    full = VALUES.dropna(subset=["practice_code"])
    _, coverage, note = REGISTRY["practice_data"].shares(ctx_of(full), "L", ROW, "core")
    assert (coverage, note) == (1.0, "practice shares")
