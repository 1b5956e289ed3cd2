"""Small user tables: CSV or the first sheet of a workbook, and totals by year."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.engine.errors import InputError
from xlalloc.readers.tables import csv_table, read_table, read_totals


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


# csv_table: pandas' C parser reads the values, the csv module counts the cells. Whatever a
# file holds, the two must give what the csv module alone reads (the reference here).
_CELL = st.text(alphabet=st.sampled_from(list('ab ,";\n\r\t1.-£')), max_size=6)


@settings(max_examples=600, deadline=None)
@given(
    width=st.integers(1, 4),
    rows=st.lists(st.lists(_CELL, min_size=0, max_size=6), max_size=8),
    delimiter=st.sampled_from([",", ";"]),
    ending=st.sampled_from(["\n", "\r\n", ""]),
    shape=st.sampled_from(["as drawn", "as wide as the header", "last cell filled"]),
)
def test_csv_table_reads_what_the_csv_module_reads(
    tmp_path_factory, width, rows, delimiter, ending, shape
):
    header = [f"h{j}" for j in range(width)]
    if shape != "as drawn":  # as a published file's rows are: pandas' reading is taken
        if shape == "as wide as the header":
            rows = [(r + [""] * width)[:width] for r in rows]
        rows = [[*r[:-1], r[-1] or "x"] if r else r for r in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    text = buffer.getvalue().replace("\n", "\r\n") if ending == "\r\n" else buffer.getvalue()
    if ending == "":
        text = text[:-1] if text.endswith("\n") and not text.endswith('"\n') else text
    p = tmp_path_factory.mktemp("csv") / "t.csv"
    p.write_bytes(text.encode("utf-8"))
    read_as = delimiter if width > 1 else ","  # a header of one cell shows no semicolon
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=read_as))
    table = csv_table(p)
    assert table is not None and table.header == expected[0]
    body = expected[1:]
    assert table.odd == {i: r for i, r in enumerate(body, start=2) if len(r) != width}
    assert table.frame.shape == (len(body), width)
    assert table.frame.to_numpy().tolist() == [(r + [""] * width)[:width] for r in body]


def test_csv_table_of_an_empty_file_is_none(tmp_path):
    p = tmp_path / "empty.csv"
    p.write_bytes(b"")
    assert csv_table(p) is None
