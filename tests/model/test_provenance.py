"""Provenance rows: in order, typed, and the zero-filled practices named."""

from datetime import datetime

import pandas as pd
import pytest

from xlalloc import __version__
from xlalloc.model.provenance import COLUMNS, Provenance, ProvenanceRow


def test_rows_in_order_as_a_table():
    p = Provenance()
    p.source("a.csv", "2026/27", "ab" * 32)
    p.extract("x.parquet", 1234567, "cd" * 32)
    p.stamp(datetime(2026, 4, 1, 9, 30), "all checks 0")
    t = p.frame()
    assert list(t.columns) == COLUMNS
    assert list(t["item"]) == [
        "source file",
        "activity extract",
        "xlalloc version",
        "run at",
        "check status",
    ]
    assert list(t["value"]) == [
        "a.csv",
        "x.parquet (1,234,567 rows)",
        __version__,
        "2026-04-01 09:30:00",
        "all checks 0",
    ]


def test_zero_filled_practices_one_row_each_blank_names_without_a_gap():
    practices = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3"],
            "practice_name": ["One", None, "Three"],
            "year": ["2026/27"] * 3,
            "filled": ["core_wp", "ga_wp", None],
        }
    )
    p = Provenance()
    p.zero_filled(practices, "filled")
    assert [(r.value, r.years) for r in p.of("zero-filled")] == [
        ("P1 One: core_wp read as 0", "2026/27"),
        ("P2: ga_wp read as 0", "2026/27"),
    ]
    p.zero_filled(practices, "no such column")  # nothing zero-filled: nothing added
    assert len(p.rows) == 2


def test_an_unknown_item_is_refused():
    with pytest.raises(ValueError, match="unknown provenance item 'colour'"):
        ProvenanceRow("colour", "red")
