"""capitation: weighted population by locality, always available."""

import pandas as pd

from xlalloc.engine.apportionment import REGISTRY

from .conftest import as_dict


def test_shares_are_the_components_weighted_population(ctx_of):
    method = REGISTRY["capitation"]
    shares, coverage, note = method.shares(ctx_of(), "X", pd.Series(), "core")
    assert as_dict(shares) == {("North", "N1"): 1200, ("North", "N2"): 800, ("South", "S1"): 3000}
    assert (coverage, note) == (1.0, "needs-weighted capitation (core)")
    assert method.unavailable(ctx_of(), "X", pd.Series()) is None
