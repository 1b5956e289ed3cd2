"""The headless book: reads a file with calamine, writes only to its output."""

from conftest import sha

import xlalloc
from xlalloc.workbook.book import FileBook
from xlalloc.workbook.sheetspec import Drawing


def test_reads_and_writes_to_its_output(tmp_path):
    model = xlalloc.new(tmp_path / "m.xlsx", demo=True)
    before = sha(model)
    book = FileBook(model, tmp_path / "out.xlsx")
    assert book.sheet_names()[:2] == ["Cover", "Policy"]
    assert book.values("Policy")[3][:2] == ["parameter", "value"]
    assert book.values("Nope") is None
    # Only each input sheet's description (row 2) is merged, above its table.
    assert book.merged() and all(
        refs == [f"A2:{refs[0].split(':')[1]}"] and refs[0].endswith("2")
        for refs in book.merged().values()
    )
    d = Drawing("Extra")
    d.put(1, 1, "hello")
    book.write_sheets([d.spec()])
    book.alert("note")
    book.save()
    assert sha(model) == before and book.messages == ["xlalloc: note"]
    assert FileBook(tmp_path / "out.xlsx").values("Extra") == [["hello"]]
