"""Row numbers as the user sees them, and what counts as blank."""

import numpy as np
import pandas as pd

from xlalloc.engine.frames import SOURCE_ROW, is_blank, source_rows


def test_rows_come_from_the_reader_or_count_like_a_csv():
    assert source_rows(pd.DataFrame({"a": [1, 2, 3]})) == [2, 3, 4]
    assert source_rows(pd.DataFrame({"a": [1, 2], SOURCE_ROW: [9, 12]})) == [9, 12]


def test_blank():
    for v in (None, pd.NA, np.nan, float("nan"), "", "   ", pd.NaT):
        assert is_blank(v), v
    for v in (0, 0.0, "0", "x", False):
        assert not is_blank(v), v
