"""Specs written with openpyxl; saved atomically and reproducibly."""

from openpyxl import load_workbook

from xlalloc.workbook.sheetspec import ChartSpec, Drawing
from xlalloc.workbook.xlsx import save_specs


def _spec():
    d = Drawing("Data")
    d.header(1, 1, ["year", "2026/27", "2027/28"])
    d.put(2, 1, "North")
    d.put(2, 2, 0.01, "0.0%")
    d.put(2, 3, -0.02, "0.0%")
    d.put(3, 1, "+cmd|' /C calc'!A0")
    d.formula(4, 2, "=SUM(B2:C2)", "0.0%", bold=True)
    d.width("A", 30)
    d.freeze = "A2"
    d.charts.append(ChartSpec("t", "y", "x", "0%", 1, 3, 1, 2, 2, "E2", width=24))
    return d.spec()


def test_specs_round_trip(tmp_path):
    p = save_specs([_spec()], tmp_path / "a.xlsx")
    ws = load_workbook(p)["Data"]
    assert ws["B2"].value == 0.01 and ws["B2"].number_format == "0.0%"
    assert ws["A3"].data_type == "s"  # formula-like text stays text
    assert ws["B4"].value == "=SUM(B2:C2)" and ws["B4"].font.b
    assert ws.column_dimensions["A"].width == 30 and ws.freeze_panes == "A2"
    assert len(ws._charts) == 1
    # The chart (24 cm, 680 points, from column E, 343 points in) runs past one A4
    # landscape width (770 points): fitted, its 10-point text would print at 770 / 1,023
    # x 10 = 7.5 points, so the sheet prints at 80% across two pages, column A repeated
    # (the legibility rule).
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.scale == 80
    assert ws.print_title_cols == "$A:$A"


def test_same_specs_same_bytes(tmp_path):
    a = save_specs([_spec()], tmp_path / "a.xlsx").read_bytes()
    b = save_specs([_spec()], tmp_path / "b.xlsx").read_bytes()
    assert a == b
    assert not [f for f in tmp_path.iterdir() if f.name.startswith(".~xlalloc")]


def test_a_value_put_in_anothers_style_is_the_cell_put_would_write():
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from xlalloc.workbook.xlsx import put, put_as

    ws = Workbook().active
    first = put(ws, 1, 1, 1234.5, "#,##0.00")
    first.font = Font(color="0000FF")
    by_hand = put(ws, 2, 1, "=SUM(A1)", "#,##0.00")  # text that looks like a formula
    by_hand.font = Font(color="0000FF")
    by_hand.number_format = "#,##0.00"
    copied = put_as(ws, 3, 1, "=SUM(A1)", first)
    assert (
        (copied.value, copied.data_type) == (by_hand.value, by_hand.data_type) == ("=SUM(A1)", "s")
    )
    assert copied.style_id == by_hand.style_id
    assert put_as(ws, 4, 1, 7, first).number_format == "#,##0.00"
