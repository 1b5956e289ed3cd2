"""A small context for the method tests: four practices in two places, three localities."""

import pandas as pd
import pytest

from xlalloc.engine.apportionment import ApportionmentSettings, Context
from xlalloc.engine.capitation import COMPONENTS


def practices() -> pd.DataFrame:
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
    return df


def context(data=None, splits=None, threshold=0.8, shares_by_line=None, running=False):
    p = practices()
    data = data if data is not None else pd.DataFrame(columns=["line", "practice_code", "value"])
    return Context(
        data_by_line={str(k): g for k, g in data.groupby("line")},
        splits=splits
        if splits is not None
        else pd.DataFrame(columns=["line", "place", "locality", "pct"]),
        practices=p,
        practice_cell=pd.MultiIndex.from_frame(p[["place", "locality"]]),
        settings=ApportionmentSettings(coverage_threshold=threshold),
        shares_by_line=shares_by_line or {},
        running=running,
    )


@pytest.fixture
def ctx_of():
    return context


def as_dict(shares: pd.Series) -> dict:
    return {k: float(v) for k, v in shares.items()}
