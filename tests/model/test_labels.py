"""The one mapping from machine names to the headers sheets show."""

from __future__ import annotations

from conftest import ROOT

from xlalloc.model.labels import LABELS, is_code_style, label, labels, money_label
from xlalloc.model.runner import run_model
from xlalloc.readers.model import read_model


def test_labels_cover_every_documented_column():
    result = run_model(read_model(ROOT / "workbooks" / "xlalloc-demo.xlsx"))
    names = {
        str(c) for t in result.tables().values() for c in t.columns if is_code_style(str(c))
    }  # places and years are shown as they are
    assert sorted(names - set(LABELS)) == []


def test_labels_are_plain_english_and_unique():
    assert not [v for v in LABELS.values() if is_code_style(v)]
    assert len(set(LABELS.values())) == len(LABELS)


def test_label_of_names_and_data():
    assert labels(["target_share", "core_wp", "dft_before"]) == [
        "Target share",
        "Core weighted population",
        "Distance from target before",
    ]
    assert label("new_measure") == "New measure"  # undocumented: still words
    assert label("Ashford City") == "Ashford City" and label("2026/27") == "2026/27"
    assert is_code_style("org") and not is_code_style("Org") and not is_code_style("2026/27")


def test_money_label_names_the_unit():
    assert money_label("Target (£)", "£000") == "Target (£000)"
    assert money_label("Target (£)", "£m") == "Target (£m)"
    assert money_label("Target (£)", "£") == "Target (£)"
    assert money_label("Target share", "£000") == "Target share"


def test_no_label_doubles_a_word():
    doubled = [v for v in LABELS.values() if any(a == b for a, b in zip(v.split(), v.split()[1:]))]
    assert doubled == []
    assert LABELS["pmc_need_index"] == "Primary medical care need index"
    assert LABELS["pmc_index"] == "Primary medical care (final) need index"


def test_every_column_has_one_kind_whose_unit_its_label_states():
    """The registry: a money column's label names £, and a label in (£) is money."""
    from xlalloc.model.labels import COLUMNS, FORMATS, column, number_format

    for c in COLUMNS.values():
        assert c.kind in FORMATS, c
        assert ("(£)" in c.label) == (c.kind == "money"), c
        assert ("£" in c.label) == (c.kind in ("money", "price", "per_1000")), c
    # Formats follow the kind, not the name: "from_shares" is money (a change in £ from
    # shares), not a share; "target_share_old" is a share, not money.
    assert number_format("from_shares") == '£#,##0;(£#,##0);"–"'
    assert number_format("target_share_old") == "0.0000%"
    assert number_format("need") == "#,##0" and number_format("ratio") == "0.000"
    # An undeclared column is text in General format, its name in words.
    assert column("new_measure") == ("new_measure", "New measure", "text")
    assert number_format("new_measure") is None


def test_the_commands_write_only_declared_columns(tmp_path):
    """Every code-style column the stand-alone commands write is in the registry."""
    import pandas as pd

    from xlalloc.cli import main
    from xlalloc.model.labels import COLUMNS

    units = tmp_path / "units.csv"
    units.write_text("unit,population,need,spend,deprivation\nA,10,11,100,0.1\nB,20,19,150,0.2\n")
    funding = tmp_path / "funding.csv"
    funding.write_text("org,funding,need\nA,800,10\nB,900,10\n")
    outs = {
        "equity": ["equity", str(units), "-o", str(tmp_path / "eq.csv")],
        "levelling-up": [
            "levelling-up",
            str(funding),
            "--pot",
            "100",
            "-o",
            str(tmp_path / "lu.csv"),
        ],
        "targets": ["targets", "demo", "--budget", "1000", "-o", str(tmp_path / "t.csv")],
    }
    for args in outs.values():
        assert main(args) == 0
    names = set()
    for f in tmp_path.glob("*.csv"):
        names |= set(pd.read_csv(f, encoding="utf-8-sig", nrows=0).columns)
    undeclared = sorted(n for n in names if is_code_style(n) and n not in COLUMNS)
    assert undeclared == []
