"""place_split: explicit percentages, localities sharing their place's by capitation."""

import pandas as pd
from pytest import approx

from xlalloc.engine.apportionment import REGISTRY

from .conftest import as_dict

COLUMNS = ["line", "place", "locality", "pct"]


def test_place_percentages_go_to_localities_by_weighted_population(ctx_of):
    splits = pd.DataFrame([("B", "North", None, 0.4), ("B", "South", None, 0.6)], columns=COLUMNS)
    shares, coverage, note = REGISTRY["place_split"].shares(
        ctx_of(splits=splits), "B", pd.Series(), "core"
    )
    # North's 40% by core weighted population: N1 1,200 and N2 800 of 2,000.
    assert as_dict(shares) == approx(
        {("North", "N1"): 0.24, ("North", "N2"): 0.16, ("South", "S1"): 0.6}
    )
    assert (coverage, note) == (1.0, "explicit place percentages")


def test_a_locality_of_its_own_keeps_it_and_the_rest_is_shared(ctx_of):
    splits = pd.DataFrame(
        [("B", "North", "N2", 0.1), ("B", "North", None, 0.3), ("B", "South", None, 0.6)],
        columns=COLUMNS,
    )
    shares, _, _ = REGISTRY["place_split"].shares(ctx_of(splits=splits), "B", pd.Series(), "core")
    # N2: its own 10% plus 800/2,000 of the place's other 30%; N1: 1,200/2,000 of 30%.
    assert as_dict(shares) == approx(
        {("North", "N1"): 0.18, ("North", "N2"): 0.22, ("South", "S1"): 0.6}
    )


def test_unavailable_without_a_split(ctx_of):
    assert REGISTRY["place_split"].unavailable(ctx_of(), "B", pd.Series()) == "no place split"
