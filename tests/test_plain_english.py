"""Plain English everywhere a person reads: no Python list, date or missing-value spelling
in any sheet or CSV a command writes (its messages: ``test_input_boundary.run``)."""

from __future__ import annotations

import re

import pytest
from conftest import demo_model, pack_argv
from python_calamine import CalamineWorkbook

from xlalloc.cli import main

#: A cell or a CSV field that is Python's spelling, not a person's.
LIST = re.compile(r"\[(?:'[^']*'|\d+)(?:, (?:'[^']*'|\d+))*\]")  # ['Bradford', 'Elsewhere']
DATE = re.compile(r"datetime\.(?:date|datetime)\(|Timestamp\(")  # datetime.date(2026, 3, 31)
MISSING = re.compile(r"^(?:nan|NaN|NaT|None|<NA>)$|\b(?:nan|NaT|<NA>)\b")  # "place nan"


def spellings(text: str) -> list[str]:
    """Each Python spelling in a cell's or field's text."""
    return [m.group() for rx in (LIST, DATE, MISSING) for m in rx.finditer(text)]


def _workbook_text(path):
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        for i, row in enumerate(book.get_sheet_by_name(name).to_python()):
            for j, v in enumerate(row):
                if isinstance(v, str) and v:
                    yield f"{path.name}!{name} R{i + 1}C{j + 1}", v


def _csv_text(path):
    for i, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines()):
        for j, field in enumerate(line.split(",")):
            yield f"{path.name} line {i + 1} field {j + 1}", field.strip('"')


def test_the_spellings_are_found_where_they_would_be():
    assert spellings("places ['Bradford', 'Elsewhere'] unknown") == ["['Bradford', 'Elsewhere']"]
    assert spellings("as at datetime.date(2026, 3, 31)") == ["datetime.date("]
    assert spellings("place nan") == ["nan"] and spellings("None") == ["None"]
    assert spellings("None: every ledger row was reported.") == []  # a word, as a person writes
    assert spellings("Nantwich") == [] and spellings("Finance") == []


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Every file the main commands write from the demo: workbooks and CSV files."""
    d = tmp_path_factory.mktemp("plain")
    model = demo_model(d / "model.xlsx")
    out = [d / "results.xlsx"]
    assert main(["run", str(model), "-o", str(out[0])]) == 0
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", "6", "-o", str(ledger)]) == 0
    assert main(pack_argv(model, ledger, 6, d / "packs")) == 0
    out += sorted((d / "packs").glob("*.xlsx"))
    for ext in ("xlsx", "csv"):
        assert main(["compare", str(model), str(out[0]), "-o", str(d / f"changes.{ext}")]) == 0
    orgs = d / "orgs.csv"
    orgs.write_text("org,baseline,target_share\nNorth,100,0.3\nSouth,120,0.7\n", encoding="utf-8")
    for ext in ("xlsx", "csv"):
        assert main(["converge", str(orgs), "--total", "231", "-o", str(d / f"conv.{ext}")]) == 0
    return [*out, d / "changes.xlsx", d / "conv.xlsx"], [d / "changes.csv", d / "conv.csv"]


def test_no_sheet_or_csv_a_command_writes_has_a_python_spelling(written):
    books, csvs = written
    found = []
    for where, text in [
        *(x for b in books for x in _workbook_text(b)),
        *(x for c in csvs for x in _csv_text(c)),
    ]:
        if spellings(text):
            found.append((where, text[:120]))
    assert len(books) == 7 and found == [], found
