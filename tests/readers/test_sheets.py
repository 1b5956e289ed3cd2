"""Workbook values read by python-calamine and by openpyxl (its fallback) are the same."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from xlalloc.engine.errors import InputError
from xlalloc.readers import sheets


def _both(path):
    fast = sheets._calamine(path)
    slow = sheets._openpyxl(path)
    assert fast.sheet_names == slow.sheet_names
    return {n: (fast.read(n), slow.read(n)) for n in fast.sheet_names}


def test_the_demo_model_reads_the_same_either_way(tmp_path):
    import xlalloc

    model = tmp_path / "model.xlsx"
    xlalloc.run(xlalloc.new(tmp_path / "in.xlsx", demo=True), model)  # inputs and outputs
    for name, (fast, slow) in _both(model).items():
        assert fast == slow, name


def test_blanks_numbers_flags_dates_and_trailing_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["B2"] = 5  # an integer reads as 5.0, as python-calamine gives it
    ws["C2"] = "x"
    ws["A3"] = True
    ws["C3"] = dt.datetime(2026, 4, 1)
    ws["A6"].number_format = "0.00"  # a formatted but empty row below the data
    path = tmp_path / "t.xlsx"
    wb.save(path)
    fast, slow = _both(path)["Data"]
    assert slow == [["", "", ""], ["", 5.0, "x"], [True, "", dt.date(2026, 4, 1)]]
    assert fast == slow


def test_other_formats_without_calamine_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(sheets, "has_calamine", lambda: False)
    with pytest.raises(InputError) as e:
        sheets.open_values(tmp_path / "old.xls")
    assert 'pip install "python-calamine>=0.2"' in str(e.value)


def test_sheets_read_together_are_the_sheets_read_one_by_one(tmp_path):
    """Two threads (python-calamine parses without the GIL), each sheet once, every
    sheet as read alone; a sheet that cannot be read has its error in its place; no
    thread is left running (a command forks only from a process of one thread)."""
    import threading

    import xlalloc

    model = tmp_path / "model.xlsx"
    xlalloc.run(xlalloc.new(tmp_path / "in.xlsx", demo=True), model)
    for opened in (sheets._calamine(model), sheets._openpyxl(model)):
        names = opened.sheet_names
        threads = threading.active_count()
        together = opened.rows_of([*names, "No such sheet"])
        assert threading.active_count() == threads
        assert set(together) == {*names, "No such sheet"}
        for name in names:
            assert together[name] == opened.read(name), name
        assert isinstance(together["No such sheet"], Exception)
        assert opened.rows_of(names[:1]) == {names[0]: opened.read(names[0])}
