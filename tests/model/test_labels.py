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
