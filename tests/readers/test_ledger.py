"""Phasing profiles: whole months, numbers, never truncated."""

import pytest

from xlalloc.engine.errors import InputError
from xlalloc.readers.ledger import read_phasing


def test_phasing_profile(tmp_path):
    p = tmp_path / "phasing.csv"
    p.write_text("month,share\n" + "\n".join(f"{m},{1 / 12}" for m in range(1, 13)))
    s = read_phasing(p)
    assert list(s.index) == list(range(1, 13)) and s.sum() == pytest.approx(1)
    assert read_phasing(None) is None


def test_a_fractional_month_is_an_error_not_truncated(tmp_path):
    p = tmp_path / "phasing.csv"
    p.write_text("month,share\n1.5,0.5\n2,half\n")
    with pytest.raises(InputError) as e:
        read_phasing(p)
    assert [str(x) for x in e.value.problems] == [
        f"{p}, row 2, column 'month': month '1.5' is not a whole number 1 to 12",
        f"{p}, row 3, column 'share': share 'half' is not a number",
    ]


# --------------------------------------------------------------------------- ledgers

from xlalloc.readers.ledger import (  # noqa: E402
    parse_ledger_columns,
    read_actuals,
    read_cost_centres,
)


def test_an_isfe_extract_is_read_by_its_headers(tmp_path):
    p = tmp_path / "isfe.csv"
    p.write_text(
        "Period,Cost Centre,Subjective,Actual\n"
        'SEP-26,610100,521000,"£1,234.50"\n'
        "M06,610101,521000,(100.00)\n"
        "Q2,610101,521000,12%\n",
        encoding="utf-8",
    )
    x = read_actuals(p, {"cost_centre": "Cost Centre"}, "2026/27")
    f = x.frame
    assert f["month"].tolist()[:2] == [6.0, 6.0] and f["amount"].tolist()[:2] == [1234.5, -100.0]
    assert f["cost_centre"].tolist() == ["610100", "610101", "610101"]
    # Each refused cell is named by the file's own header, with the value and why.
    assert f["month_problem"].tolist()[2].startswith("Period 'Q2' is not a period")
    assert f["amount_problem"].tolist()[2] == "Actual '12%' is a percentage, not an amount of money"
    assert f["source_row"].tolist() == [2, 3, 4]
    assert x.headers == {
        "cost_centre": "Cost Centre",
        "month": "Period",
        "subjective": "Subjective",
        "amount": "Actual",
    }
    assert x.notes == [
        "Ledger column 'Period' read as the month.",
        "Ledger column 'Actual' read as the amount.",
    ]


def test_a_named_header_that_is_not_there_is_one_error_listing_the_headers(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("When,Spend\nM01,5\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_actuals(p, {"month": "Period"})
    text = str(e.value)
    assert (
        "no column 'Period' for month (named by `columns`); columns found: 'when' and 'spend'"
        in text
    )
    assert "no amount column" in text and "`columns` amount=HEADER" in text


def test_ledger_columns_are_checked():
    assert parse_ledger_columns("month=Period, amount = Actual") == {
        "month": "Period",
        "amount": "Actual",
    }
    with pytest.raises(InputError) as e:
        parse_ledger_columns("month=Period,month=M,colour=red,amount")
    assert [p.message for p in e.value.problems] == [
        "month is given twice",
        "unknown column 'colour'; expected one of month, programme, place, practice_code, "
        "cost_centre, subjective and amount",
        "'amount' is not NAME=HEADER, e.g. month=Period",
    ]


def test_a_cost_centre_map_needs_its_columns(tmp_path):
    p = tmp_path / "map.csv"
    p.write_text("cost_centre,programme\n610100,Acute\n", encoding="utf-8")
    m = read_cost_centres(p)
    assert m[["cost_centre", "programme", "place"]].values.tolist() == [["610100", "Acute", None]]
    p.write_text("code,programme\n610100,Acute\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"missing column\(s\) 'cost_centre'; columns found: code and programme"
    ):
        read_cost_centres(p)


def test_one_header_named_for_two_fields_is_an_error_not_a_guess(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("Period,Actual\nM01,5\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_actuals(p, {"month": "Actual", "amount": "actual"})
    assert "column 'actual' is named for both month and amount" in str(e.value)
