"""What a stand-alone use case returns and how it writes its tables."""

import pandas as pd

from xlalloc.request import Written
from xlalloc.usecases.analysis import Analysis, write


def test_tables_are_written_as_csv_with_the_others_beside_the_first(tmp_path):
    tables = {
        "Activity": pd.DataFrame({"line": ["GP prescribing"], "amount": [1234.5]}),
        "Line totals": pd.DataFrame({"line": ["GP prescribing"], "amount": [1234.5]}),
    }
    request = Written(output=tmp_path / "values.csv")
    path = write(request.output, tables, request)
    assert path == tmp_path / "values.csv"
    # UTF-8 with a byte-order mark, money to the penny; the second table beside it.
    assert path.read_bytes() == "\ufeffline,amount\r\nGP prescribing,1234.50\r\n".encode()
    beside = tmp_path / "values-line_totals.csv"
    assert beside.read_text(encoding="utf-8-sig").splitlines()[1] == "GP prescribing,1234.50"


def test_each_analysis_has_notes_of_its_own(tmp_path):
    a = Analysis(tmp_path / "a.csv", {}, "one")
    b = Analysis(tmp_path / "b.csv", {}, "two")
    a.notes.append("a note")
    assert b.notes == [] and b.warnings == []
