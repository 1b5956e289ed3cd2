"""Activity extracts checked and totalled by DuckDB: totals by hand, problems all at once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlalloc.cli import flags
from xlalloc.engine.errors import InputError
from xlalloc.readers.activity import AGGREGATE_SQL, parse_columns, read_activity

duckdb = pytest.importorskip("duckdb")

LINES = ["Acute IS", "CHC packages"]
PRACTICES = ["P1", "P2", "P3"]


def write(path: Path, df: pd.DataFrame) -> Path:
    """CSV through pandas (as a person's file); Parquet through DuckDB (no pyarrow needed)."""
    if path.suffix == ".parquet":
        con = duckdb.connect()
        con.register("df", df)
        con.execute(f"COPY df TO '{path}' (FORMAT parquet)")
    else:
        df.to_csv(path, index=False)
    return path


def problems_of(call) -> list[str]:
    """Every problem ``call`` raises, as the command line shows it (options as flags)."""
    with pytest.raises(InputError) as e:
        call()
    return [flags(str(p)) for p in e.value.problems]


def test_totals_by_line_and_practice_by_hand(tmp_path):
    # CSV rows 2-7; Parquet rows 1-3. P1 on Acute IS: 10.10 + 5.05 (code with spaces)
    # + 1.00 (Parquet) = 16.15. Blank codes on Acute IS: 2.50 + 0.50 ("   ") = 3.00.
    csv = write(
        tmp_path / "a.csv",
        pd.DataFrame(
            {
                "Contract": [
                    "Acute IS",
                    "Acute IS ",
                    "Acute IS",
                    "Acute IS",
                    "CHC packages",
                    "CHC packages",
                ],
                "GP": ["P1", " P1", None, "   ", "P2", "P2"],
                "Cost": [10.10, 5.05, 2.50, 0.50, 100.0, 0.01],
            }
        ),
    )
    pq = write(
        tmp_path / "b.parquet",
        pd.DataFrame(
            {
                "contract": ["Acute IS", "CHC packages", "CHC packages"],
                "gp": ["P1", "P3", None],
                "cost": [1.0, 7.0, 3.0],
            }
        ),
    )
    got = read_activity(
        [csv, pq], LINES, PRACTICES, parse_columns("line=CONTRACT,practice_code=gp,amount=Cost")
    )
    values = {(r.line, r.practice_code): round(r.amount, 6) for r in got.values.itertuples()}
    assert values == {
        ("Acute IS", "P1"): 16.15,
        ("Acute IS", None): 3.0,
        ("CHC packages", "P2"): 100.01,
        ("CHC packages", "P3"): 7.0,
        ("CHC packages", None): 3.0,
    }
    # Budget-line order, blank codes last within a line (as the Activity sheet lists them).
    assert got.values["line"].tolist() == ["Acute IS"] * 2 + ["CHC packages"] * 3
    assert got.files[["file", "rows"]].values.tolist() == [["a.csv", 6], ["b.parquet", 3]]
    assert got.files["sha256"].str.len().tolist() == [64, 64]
    cov = got.coverage.set_index(["file", "line"])
    # a.csv's Acute IS: 15.15 of 18.15 has a practice code.
    assert cov.loc[("a.csv", "Acute IS"), "attributed"] == pytest.approx(15.15)
    assert cov.loc[("a.csv", "Acute IS"), "coverage"] == pytest.approx(15.15 / 18.15)
    assert cov.loc[("b.parquet", "CHC packages"), "coverage"] == pytest.approx(0.7)
    assert cov.loc[("a.csv", "Acute IS"), "rows"] == 4
    totals = got.line_totals.set_index("line")
    assert totals.loc["Acute IS", "amount"] == 19.15
    assert totals.loc["CHC packages", "amount"] == 110.01
    assert totals["rows"].tolist() == [5, 4]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(LINES), st.sampled_from([*PRACTICES, None]), st.integers(0, 10**11)
        ),
        min_size=1,
        max_size=60,
    )
)
def test_line_totals_are_exact_to_the_penny(tmp_path, rows):
    # Amounts in pence, summed independently as integers; the file holds pounds.
    df = pd.DataFrame(rows, columns=["line", "practice_code", "pence"])
    df["amount"] = [f"{Decimal(p) / 100:.2f}" for p in df["pence"]]
    path = write(tmp_path / "pennies.csv", df[["line", "practice_code", "amount"]])
    got = read_activity([path], LINES, PRACTICES).line_totals.set_index("line")
    for line, g in df.groupby("line"):
        assert round(got.loc[line, "amount"] * 100) == int(g["pence"].sum())


def test_every_problem_in_every_file_at_once(tmp_path):
    bad = write(
        tmp_path / "bad.csv",
        pd.DataFrame(
            {
                "line": ["Acute IS", "Ghost", None, "CHC packages", "CHC packages", "Ghost"],
                "practice_code": ["P1", "P1", "P2", "Z99", "P1", None],
                "amount": ["12.5", "3", "4", "n/a", "-5", None],
            }
        ),
    )
    no_cols = write(tmp_path / "cols.csv", pd.DataFrame({"Contract": ["Acute IS"], "Cost": [1]}))
    found = problems_of(
        lambda: read_activity(
            [bad, tmp_path / "missing.csv", no_cols, tmp_path / "notes.txt"],
            LINES,
            PRACTICES,
            year="2026/27",
        )
    )
    assert found == [
        "missing.csv: no such file: " + str(tmp_path / "missing.csv"),
        "cols.csv: no columns 'line', 'practice_code', 'amount'; columns found: "
        "'Contract' and 'Cost'; name the extract's headers with --columns line=HEADER,"
        "practice_code=HEADER,amount=HEADER",
        "notes.txt: an extract must be a .csv, .csv.gz or .parquet file",
        "bad.csv, row 3, column 'line': unknown line 'Ghost' in 2 rows (first: rows 3, 7); "
        "the model's budget lines are on its Budget sheet",
        "bad.csv, row 5, column 'practice_code': practice Z99 is not in the model's "
        "practices for 2026/27: 1 row (row 5)",
        "bad.csv, row 4, column 'line': the line is blank in 1 row (row 4)",
        "bad.csv, row 5, column 'amount': the amount is not a number (or is £1 trillion or "
        "more) (row 5: 'n/a', "
        "row 7: blank) in 2 rows (first: rows 5, 7)",
        "activity extracts, column 'amount': line 'CHC packages', practice P1: the amounts "
        "net to -£5.00; credits may not exceed charges",
    ]


def test_credits_are_netted_against_charges(tmp_path):
    # P1: 100 - 30 = 70 (a credit note); blank codes: 20 - 5 = 15.
    df = pd.DataFrame(
        {
            "line": ["Acute IS"] * 4,
            "practice_code": ["P1", "P1", None, None],
            "amount": [100.0, -30.0, 20.0, -5.0],
        }
    )
    got = read_activity([write(tmp_path / "c.csv", df)], LINES, PRACTICES)
    assert got.values["amount"].tolist() == [70.0, 15.0]
    assert got.coverage["coverage"].tolist() == [70 / 85]


def test_first_rows_are_the_files_own_deep_in_a_large_file(tmp_path):
    # 300,000 rows (DuckDB reads a file this size in parallel chunks); the unknown
    # practice sits at data rows 150,000 and 299,999, so CSV rows 150,001 and 300,000;
    # Parquet counts data rows from 1, so rows 150,000 and 299,999.
    n = 300_000
    df = pd.DataFrame(
        {
            "line": np.where(np.arange(n) % 2, "Acute IS", "CHC packages"),
            "practice_code": np.array(PRACTICES)[np.arange(n) % 3],
            "amount": np.full(n, 1.25),
        }
    )
    df.loc[[149_999, 299_998], "practice_code"] = "X1"
    for name, first in (("big.csv", "150001, 300000"), ("big.parquet", "150000, 299999")):
        path = write(tmp_path / name, df)
        found = problems_of(lambda p=path: read_activity([p], LINES, PRACTICES))
        assert found == [
            f"{name}, row {first.split(',')[0]}, column 'practice_code': practice "
            f"X1 is not in the model's practices: 2 rows (first: rows {first})"
        ]


def test_many_unknown_practices_are_counted_beyond_the_first_twenty(tmp_path):
    codes = [f"X{i:02d}" for i in range(25)]
    df = pd.DataFrame({"line": "Acute IS", "practice_code": codes + ["X00"], "amount": 1.0})
    found = problems_of(lambda: read_activity([write(tmp_path / "x.csv", df)], LINES, PRACTICES))
    assert len(found) == 21
    assert found[0].startswith("x.csv, row 2, column 'practice_code': practice X00 is not")
    assert "2 rows (first: rows 2, 27)" in found[0]
    assert found[-1] == "x.csv, column 'practice_code': and 5 more unknown practices in 5 rows"


def test_numbers_beyond_any_budget_infinities_and_text_are_not_numbers(tmp_path):
    # £999,999,999,999.99 is the largest a row may hold; £1 trillion is not a row's amount.
    df = pd.DataFrame(
        {
            "line": ["Acute IS"] * 6,
            "practice_code": ["P1"] * 6,
            "amount": ["1e12", "inf", "NaN", "£12", " 7.5 ", "999999999999.99"],
        }
    )
    found = problems_of(lambda: read_activity([write(tmp_path / "n.csv", df)], LINES, PRACTICES))
    # The two rows that are numbers total £1,000,000,000,007.49: over a line's limit too.
    assert found == [
        "n.csv, column 'amount': line 'Acute IS': the amounts total £1,000,000,000,007 "
        "(counting credits as positive), £1,000,000,000,000 or more; no ICB budget line is "
        "that large: check that the amounts are in pounds (not pence) and that no row is "
        "repeated",
        "n.csv, row 2, column 'amount': the amount is not a number (or is £1 "
        "trillion or more) (row 2: '1e12', row 3: 'inf', row 4: 'NaN', row 5: '£12') in 4 rows (first: "
        "rows 2, 3, 4, 5)",
    ]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_totals_beyond_64_bits_are_refused_not_wrapped(tmp_path, kind):
    # Ten rows of £999,999,999,999 (each a valid row) total £9,999,999,999,990: in
    # millionths of a pound past 2^63, which used to wrap to -£8,446,744,073,719.55.
    df = pd.DataFrame(
        {"line": ["Acute IS"] * 10, "practice_code": ["P1"] * 10, "amount": [999_999_999_999] * 10}
    )
    path = write(tmp_path / f"big.{kind}", df)
    before = path.read_bytes()
    found = problems_of(lambda: read_activity([path], LINES, PRACTICES))
    assert found == [
        f"big.{kind}, column 'amount': line 'Acute IS': the amounts total "
        "£9,999,999,999,990 (counting credits as positive), £1,000,000,000,000 or more; no "
        "ICB budget line is that large: check that the amounts are in pounds (not pence) "
        "and that no row is repeated"
    ]
    assert path.read_bytes() == before
    # Across practices and files too: two files of £600bn each on one line.
    one = pd.DataFrame({"line": ["Acute IS"], "practice_code": ["P1"], "amount": [6e11]})
    two = pd.DataFrame({"line": ["Acute IS"], "practice_code": ["P2"], "amount": [6e11]})
    paths = [write(tmp_path / "one.csv", one), write(tmp_path / "two.csv", two)]
    found = problems_of(lambda: read_activity(paths, LINES, PRACTICES))
    assert found == [
        "one.csv, two.csv, column 'amount': line 'Acute IS': the amounts total "
        "£1,200,000,000,000 (counting credits as positive), £1,000,000,000,000 or more; no "
        "ICB budget line is that large: check that the amounts are in pounds (not pence) "
        "and that no row is repeated"
    ]


def test_a_parquet_column_of_booleans_is_not_money(tmp_path):
    path = tmp_path / "flags.parquet"
    duckdb.sql(
        "COPY (SELECT 'Acute IS' AS line, 'P' || i AS practice_code, (i % 2 = 0) AS amount "
        f"FROM range(1, 3) t(i)) TO '{path}' (FORMAT parquet)"
    )
    found = problems_of(lambda: read_activity([path], LINES, PRACTICES))
    assert found == [
        "flags.parquet, column 'amount': the amount column holds BOOLEAN values, not "
        "amounts: expected numbers (or text that reads as numbers) in pounds"
    ]


def test_csv_files_that_duckdb_cannot_read_are_explained(tmp_path):
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(b"line,practice_code,amount\r\nAcute IS,P1,5\nAcute IS,P2,6\r\n")
    ansi = tmp_path / "ansi.csv"
    ansi.write_bytes("line,practice_code,amount\nAcute IS – main,P1,5\n".encode("cp1252"))
    twice = tmp_path / "twice.csv"
    twice.write_text("line,practice_code,Amount,amount\nAcute IS,P1,5,6\n")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("line,practice_code,amount\nAcute IS,P1\nAcute IS,P2,6,7\n")
    files = [mixed, ansi, twice, ragged]
    before = [f.read_bytes() for f in files]
    found = problems_of(lambda: read_activity(files, LINES, PRACTICES))
    assert found == [
        "mixed.csv: its rows end in more than one way (CR LF (Windows) and LF (Unix); line 1 "
        "and line 2 differ), so it cannot be read reliably: the file was joined from two "
        "sources or edited by hand; re-export it from one program",
        "ansi.csv: is not UTF-8 text (line 2): the file is in another encoding (often "
        "Windows-1252, from Excel's plain 'CSV' or a finance system); save it as 'CSV UTF-8 "
        "(Comma delimited)' or export it as UTF-8",
        "twice.csv: the header 'amount' is given twice (columns C and D of the first line); "
        "give each column one header",
        "ragged.csv: its first line has 3 headers ('line', 'practice_code' and 'amount'), "
        "but the file reads as 4 columns ('Acute IS', 'P2', '6' and '7'): some rows do not "
        "have the header's number of cells, or the file is not comma-separated; re-export "
        "it as CSV",
    ]
    assert [f.read_bytes() for f in files] == before


def test_a_file_duckdb_cannot_read_is_named(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"not parquet at all")
    found = problems_of(lambda: read_activity([path], LINES, PRACTICES))
    assert len(found) == 1 and found[0].startswith("broken.parquet: cannot be read as PARQUET")
    # A CSV whose rows go wrong further down is named with every other file's problems.
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(
        "line,practice_code,amount\nAcute IS,P1,1\n" * 1 + "Acute IS,P1,1,extra,cells\n"
    )
    good = write(
        tmp_path / "good.csv",
        pd.DataFrame({"line": ["Ghost"], "practice_code": ["P1"], "amount": [1.0]}),
    )
    found = problems_of(lambda: read_activity([ragged, good], LINES, PRACTICES))
    assert found[0].startswith(
        "ragged.csv: its first line has 3 headers ('line', "
        "'practice_code' and 'amount'), but the file reads as 5 columns"
    )
    assert found[1].startswith("good.csv, row 2, column 'line': unknown line 'Ghost'")


def test_column_mapping_is_checked():
    assert parse_columns(None) == {
        "line": "line",
        "practice_code": "practice_code",
        "amount": "amount",
    }
    assert parse_columns("amount=Cost £")["amount"] == "Cost £"
    found = problems_of(lambda: parse_columns("line=A,line=B,cost=C,amount"))
    assert found == [
        "--columns: line is given twice",
        "--columns: unknown column 'cost'; expected one of line, practice_code, amount and count",
        "--columns: 'amount' is not NAME=HEADER, e.g. line=Contract",
    ]


def test_the_aggregation_is_one_portable_query():
    # Spark SQL runs it unchanged: no DuckDB-only syntax (see docs/scale.md).
    from xlalloc.readers.activity import aggregate_sql

    assert aggregate_sql() == AGGREGATE_SQL
    for query in (AGGREGATE_SQL, aggregate_sql(counted=True)):
        _portable(" ".join(query.split()).upper())
    # A plain extract's per-row pass does no work for counts (it has none).
    assert "RECORDS >= 0" not in " ".join(AGGREGATE_SQL.split()).upper()


def _portable(sql):
    for duckdb_only in (
        "GROUP BY ALL",
        "::",
        "READ_CSV",
        "READ_PARQUET",
        "QUALIFY",
        "EXCLUDE",
        "FILENAME",
    ):
        assert duckdb_only not in sql
    assert "GROUP BY LINE, PRACTICE_CODE" in sql


def test_without_duckdb_the_message_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if not installed
    found = problems_of(lambda: read_activity([tmp_path / "x.csv"], LINES, PRACTICES))
    assert found == ['activity: reading activity extracts needs DuckDB: pip install "duckdb>=1.1"']


def test_empty_files_and_a_header_without_rows_are_named(tmp_path):
    import gzip

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    zipped = tmp_path / "empty.csv.gz"
    zipped.write_bytes(gzip.compress(b""))
    header = tmp_path / "header.csv"
    header.write_text("line,practice_code,amount\n")
    found = problems_of(lambda: read_activity([empty, zipped, header], LINES, PRACTICES))
    assert found == [
        "empty.csv: the file is empty; expected a header row (line, practice_code, amount) "
        "and one row per contract line",
        "empty.csv.gz: the file is empty; expected a header row (line, practice_code, amount) "
        "and one row per contract line",
        "header.csv: no rows below the header; expected one row per contract line",
    ]


@pytest.mark.slow
def test_the_same_query_on_a_real_local_spark_gives_duckdbs_totals_to_the_penny(tmp_path):
    # docs/scale.md: AGGREGATE_SQL runs unchanged on Spark SQL (NHS England's platforms).
    # A generated extract of 300,000 rows: six lines, 60 practices, a blank practice code
    # every 13th row, pence in every amount; Spark and DuckDB total it alike.
    import importlib.util
    import shutil

    from conftest import need

    need(importlib.util.find_spec("pyspark") is not None, "pyspark is not installed")
    need(shutil.which("java") is not None, "Spark needs Java: apt-get install default-jre-headless")
    import pyspark
    from pyspark.sql import SparkSession

    extract = tmp_path / "extract.parquet"
    duckdb.sql(
        "COPY (SELECT 'Line ' || (i % 6) AS line, "
        "CASE WHEN i % 13 = 0 THEN NULL ELSE 'P' || (i % 60) END AS practice_code, "
        "CAST(ROUND((i * 7919) % 100000 / 100.0 + 0.01, 2) AS DECIMAL(18, 2)) AS amount "
        f"FROM range(300000) t(i)) TO '{extract}' (FORMAT parquet)"
    )
    con = duckdb.connect()
    con.execute(f"CREATE VIEW extract AS SELECT * FROM read_parquet('{extract}')")
    ours = {
        (r[0], r[1]): (r[2], r[3]) for r in con.execute(AGGREGATE_SQL).fetchall()
    }  # line, practice -> rows, millionths of a pound
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("xlalloc-activity-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    try:
        spark.read.parquet(str(extract)).createOrReplaceTempView("extract")
        theirs = {
            (r["line"], r["practice_code"]): (r["row_count"], r["micropounds"])
            for r in spark.sql(AGGREGATE_SQL).collect()
        }
        version = spark.version
    finally:
        spark.stop()
    assert theirs == ours and len(ours) == 60 + 6  # each practice on its line; 6 blank codes
    assert version >= "3.2" and pyspark.__version__ == version
    # And both equal read_activity's line totals, to the penny.
    got = read_activity(
        [extract], [f"Line {k}" for k in range(6)], [f"P{k}" for k in range(60)]
    ).line_totals.set_index("line")["amount"]
    for line in got.index:
        total = sum(m for (ln, _p), (_n, m) in theirs.items() if ln == line)
        assert round(total / 1e6, 2) == got[line], line


def test_a_count_column_gives_each_rows_records(tmp_path):
    """``--columns count=Spells``: a row of three spells is three records; a count that
    is not a whole number of 0 or more is named by its row."""
    from xlalloc.readers.activity import parse_columns, read_activity

    p = tmp_path / "spells.csv"
    p.write_text(
        "line,practice_code,amount,Spells\nA,P1,100,3\nA,P1,50,2\nA,P2,10,1\n", encoding="utf-8"
    )
    cols = parse_columns("count=Spells")
    got = read_activity([p], ["A"], ["P1", "P2"], cols)
    assert got.values["practice_code"].tolist() == ["P1", "P2"]
    assert got.records.tolist() == [5, 1]  # 3 + 2 spells for P1, one row each otherwise
    assert got.files["rows"].tolist() == [3]  # the file's rows are still its rows
    plain = read_activity([p], ["A"], ["P1", "P2"])
    assert plain.records.tolist() == [2, 1]  # without it, each row is one record
    p.write_text(
        "line,practice_code,amount,Spells\nA,P1,100,3\nA,P1,50,two\nA,P2,10,-1\nA,P2,5,2.5\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as e:
        read_activity([p], ["A"], ["P1", "P2"], cols)
    assert [str(x) for x in e.value.problems] == [
        "spells.csv, row 3, column 'Spells': the count is not a whole number of 0 or more "
        "in 3 rows (first: rows 3, 4, 5)"
    ]
