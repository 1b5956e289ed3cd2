"""Small tables for the convergence tests."""

import pandas as pd


def orgs(baselines, shares, hcdd=None):
    df = pd.DataFrame(
        {
            "org": [chr(65 + i) for i in range(len(baselines))],
            "baseline": baselines,
            "target_share": shares,
        }
    )
    if hcdd is not None:
        df["hcdd_baseline"] = hcdd
    return df


def by_org(res, col):
    return dict(zip(res.table["org"], res.table[col]))
