"""Cell values as people type them: one set of rules for every reader."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlalloc.readers.cells import a1_bounds, cell_rc, col_letter, parse_flag, parse_number


@pytest.mark.parametrize(
    "text,value",
    [
        (12, 12.0),
        (1.5, 1.5),
        ("1234.5", 1234.5),
        ("£1,234", 1234.0),
        ("1,234,567.89", 1234567.89),
        ("-1,234", -1234.0),
        ("(123)", -123.0),
        ("(£1,000)", -1000.0),
        ("5%", 0.05),
        (" 42 ", 42.0),
        ("1e3", 1000.0),
        (".5", 0.5),
    ],
)
def test_numbers_a_person_would_write(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "1,5",
        "12,34",
        "1.2.3",
        "abc",
        "",
        "£",
        "inf",
        "nan",
        float("inf"),
        float("nan"),
        True,
        "TRUE",
        "1,5%",
        "1e20",
        -2e13,
    ],
)
def test_ambiguous_or_not_numbers_are_refused(text):
    with pytest.raises(ValueError):
        parse_number(text)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_a_number_written_with_separators_reads_back(x):
    assert parse_number(f"{x:,.2f}") == pytest.approx(round(x, 2), abs=1e-6)
    assert math.isfinite(parse_number(repr(x)))


def test_flags():
    assert [parse_flag(v) for v in (True, "TRUE", "yes", 1, 1.0, "n", 0, "False")] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError):
        parse_flag("maybe")


def test_a1_references():
    assert [col_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert cell_rc("$B$12") == (12, 1)
    assert a1_bounds("A5:AB9") == (5, 0, 9, 27)
    assert a1_bounds("C3") == (3, 2, 3, 2)
    with pytest.raises(ValueError):
        cell_rc("12B")
