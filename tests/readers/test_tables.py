"""Small user tables: CSV or the first sheet of a workbook, and totals by year."""

import pytest

from xlalloc.engine.errors import InputError
from xlalloc.readers.tables import read_table, read_totals


def test_read_table_strips_headers_and_reads_blank_as_missing(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("\ufeff org , baseline\nA,100\nB,\n", encoding="utf-8")
    df = read_table(p)
    assert list(df.columns) == ["org", "baseline", "source_row"]
    assert df["baseline"].tolist()[0] == "100" and df["baseline"].isna().tolist() == [False, True]
    assert df["source_row"].tolist() == [2, 3]


def test_totals_by_year(tmp_path):
    p = tmp_path / "totals.csv"
    p.write_text('year,total\n2026/27,"£1,000"\n2027/28,1050\n')
    assert read_totals(p) == {"2026/27": 1000.0, "2027/28": 1050.0}


def test_every_totals_problem_at_once(tmp_path):
    p = tmp_path / "totals.csv"
    p.write_text("year,total\n2026/27,1000\n2026/27,1050\n,5\n2028/29,lots\n")
    with pytest.raises(InputError) as e:
        read_totals(p)
    assert [str(x).split(": ", 1)[1] for x in e.value.problems] == [
        "'lots' is not a number; expected a number",
        "year 2026/27 appears more than once",
        "year is blank",
    ]
    assert [x.row for x in e.value.problems] == [5, 3, 4]


def test_missing_file_is_an_input_problem(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_table(tmp_path / "nope.csv")


def test_messages_quote_headers_as_the_file_spells_them(tmp_path):
    """A file headed "Org, Baseline, Target Share" is told of 'Baseline', not the key
    'baseline' xlalloc finds it by."""
    p = tmp_path / "orgs.csv"
    p.write_text("Org,Baseline,Target Share\nNorth,abc,0.3\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(p, numbers=["baseline", "target_share"])
    assert str(e.value.problems[0]) == (
        "orgs.csv, row 2, column 'Baseline': 'abc' is not a number; expected a number"
    )
    p.write_text("Org,Org,Target Share\nNorth,1,0.3\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_table(p, required=["org", "baseline"])
    said = [str(x) for x in e.value.problems]
    assert said[0].startswith("orgs.csv, row 1, column 'Org': column 'Org' appears twice")
    assert said[1].endswith("columns found: Org, Org and Target Share")
