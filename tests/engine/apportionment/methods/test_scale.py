"""scale: part-year GMS payments scaled to the budget, worked by hand."""

import pandas as pd

from xlalloc.engine.apportionment import REGISTRY

from .conftest import as_dict

GMS = pd.DataFrame(
    [
        ("GMS", "P1", 100_000.0),
        ("GMS", "P2", 100_000.0),
        ("GMS", "P3", 250_000.0),
        ("GMS", "P4", 150_000.0),
    ],
    columns=["line", "practice_code", "value"],
)


def test_shares_are_the_payments_and_the_note_the_factor(ctx_of):
    row = pd.Series({"line": "GMS", "amount": 1_200_000.0})
    shares, coverage, note = REGISTRY["scale"].shares(ctx_of(GMS), "GMS", row, "pmc")
    assert as_dict(shares) == {
        ("North", "N1"): 100_000,
        ("North", "N2"): 100_000,
        ("South", "S1"): 400_000,
    }
    assert coverage == 1.0
    # 1,200,000 / 600,000 = 2.
    assert note == "part-year actual £600,000 scaled by 2.0000 to the budget"


def test_unavailable_without_payments(ctx_of):
    assert REGISTRY["scale"].unavailable(ctx_of(), "GMS", pd.Series()) == "no practice data"
