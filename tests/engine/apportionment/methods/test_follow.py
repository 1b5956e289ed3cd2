"""follow: another line's shares, once that line has them."""

import pandas as pd

from xlalloc.engine.apportionment import REGISTRY

ROW = pd.Series({"line": "CHC other", "follow": " CHC packages "})


def test_available_while_checking_and_once_the_line_has_shares(ctx_of):
    method = REGISTRY["follow"]
    assert method.unavailable(ctx_of(), "CHC other", ROW) is None  # checking: not known yet
    running = ctx_of(running=True)
    assert method.unavailable(running, "CHC other", ROW) == "line CHC packages has no shares"


def test_shares_are_the_followed_lines(ctx_of):
    theirs = pd.Series([0.25, 0.75], index=pd.MultiIndex.from_tuples([("N", "N1"), ("S", "S1")]))
    ctx = ctx_of(shares_by_line={"CHC packages": theirs}, running=True)
    shares, coverage, note = REGISTRY["follow"].shares(ctx, "CHC other", ROW, "core")
    assert shares is theirs
    assert (coverage, note) == (1.0, "shares of line CHC packages")
