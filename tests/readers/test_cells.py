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


# --------------------------------------------------------------------------- money, periods

from xlalloc.readers.cells import parse_money, parse_period  # noqa: E402


@pytest.mark.parametrize(
    "text, value",
    [
        ("£1,234.50", 1234.50),
        ("1,234.50", 1234.50),
        ("(100.00)", -100.0),
        ("(£1,234.56)", -1234.56),
        ("-£5.25", -5.25),
        (" £ 12 ", 12.0),
        (7, 7.0),
    ],
)
def test_money_as_excel_saves_it(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize(
    "text, why",
    [
        ("12%", "'12%' is a percentage, not an amount of money"),
        ("inf", "'inf' is not a finite amount"),
        ("-Infinity", "'-Infinity' is not a finite amount"),
        ("nan", "'nan' is not a finite amount"),
        (float("nan"), "nan is not a finite amount"),
        ("1e20", "'1e20' is beyond any NHS budget (at most £10 trillion)"),
        (True, "True is TRUE/FALSE, not a number"),
        ("see invoice", "'see invoice' is not a number"),
    ],
)
def test_money_that_is_not_money_is_refused_saying_why(text, why):
    with pytest.raises(ValueError) as e:
        parse_money(text)
    assert str(e.value) == why


@pytest.mark.parametrize(
    "period",
    [
        6,
        6.0,
        "6",
        "06",
        "M06",
        "M6",
        "Month 6",
        "P06",
        "Sep",
        "SEP",
        "Sept",
        "September",
        "Sep-26",
        "SEP-26",
        "Sep 2026",
        "2026-09",
        "2026/09",
        "09/2026",
        "September 2026",
        "2026-09-30",
    ],
)
def test_every_way_a_ledger_writes_september_is_month_6(period):
    assert parse_period(period, "2026/27") == 6


def test_a_date_is_its_calendar_month():
    import datetime as dt

    assert parse_period(dt.datetime(2027, 3, 31), "2026/27") == 12
    assert parse_period(dt.date(2026, 4, 1), "2026/27") == 1


@pytest.mark.parametrize(
    "period, why",
    [
        ("13", "'13' is not a month 1 (April) to 12 (March)"),
        ("M00", "'M00' is not a month 1 (April) to 12 (March)"),
        (6.5, "6.5 is not a whole month 1 (April) to 12 (March)"),
        (
            "Sep-25",
            "'Sep-25' is September 2025, outside the financial year 2026/27 (April 2026 to "
            "March 2027)",
        ),
        (
            "2027-04",
            "'2027-04' is April 2027, outside the financial year 2026/27 (April 2026 to "
            "March 2027)",
        ),
        (
            "9/26",
            "'9/26' is not a period xlalloc can read (e.g. 6, M06, Month 6, P06, Sep, "
            "Sep-26, 2026-09 or September 2026)",
        ),
        (
            "Q2",
            "'Q2' is not a period xlalloc can read (e.g. 6, M06, Month 6, P06, Sep, "
            "Sep-26, 2026-09 or September 2026)",
        ),
    ],
)
def test_a_period_outside_the_year_or_unreadable_is_refused_saying_why(period, why):
    with pytest.raises(ValueError) as e:
        parse_period(period, "2026/27")
    assert str(e.value) == why


def test_sheet_cell_reads_one_cell_of_a_named_sheet():
    from xlalloc.readers.cells import sheet_cell

    assert sheet_cell("'My ''s'!$B$4") == ("My 's", 4, 1)
    assert sheet_cell("Policy!$B$5") == ("Policy", 5, 1)
    assert sheet_cell("Sheet1!AA10") == ("Sheet1", 10, 26)
    for not_one in ("A1", "'x'!A1:B2", "=SUM(A1)", "!A1", "a'b!A1", "'x!A1"):
        assert sheet_cell(not_one) is None, not_one
