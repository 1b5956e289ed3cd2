"""Specs written with openpyxl; saved atomically and reproducibly."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xlalloc.workbook.sheetspec import ChartSpec, Drawing
from xlalloc.workbook.xlsx import fit_to_page, save_specs


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


_PLAIN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    # Text as a user types it: XML's specials, formula-like, spaces either side.
    st.text(st.sampled_from("ab <>&\"'=+-1é£\t"), min_size=1, max_size=12),
)


def _both_ways(tmp_path, rows, wrapped=False):
    """The same sheet saved with its rows as openpyxl cells (put_as) and put at save."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from xlalloc.workbook.xlsx import look_of, put, put_as, put_at_save, save_atomic, style_like

    out = []
    for at_save in (False, True):
        wb = Workbook()
        ws = wb.active
        ws.title = "Data"
        put(ws, 1, 1, "Title")
        figure, other = style_like(ws, "#,##0.00"), style_like(ws)
        for like in (figure, other):
            like.fill = PatternFill("solid", fgColor="FFFF99")
            like.font = Font(color="0000FF", sz=9)
            like.alignment = Alignment(wrap_text=wrapped)
        looks = {id(figure): look_of(figure), id(other): look_of(other)}
        for r, values in enumerate(rows, start=2):
            for c, v in enumerate(values, start=1):
                like = figure if type(v) in (int, float) else other
                if at_save:
                    put_at_save(ws, r, c, v, looks[id(like)])
                else:
                    put_as(ws, r, c, v, like)
        fit_to_page(ws)
        out.append(save_atomic(wb, tmp_path / f"{at_save}.xlsx"))
    return out


def _cells(path):
    """Each cell's type and style, the print scale and the sheet's extent; the values."""
    ws = load_workbook(path)["Data"]
    looks = [
        [(c.data_type, c.number_format, c.fill.fgColor.rgb, c.font.sz, c.style_id > 0) for c in r]
        for r in ws.iter_rows()
    ]
    page = (ws.page_setup.scale, ws.sheet_properties.pageSetUpPr.fitToPage, ws.dimensions)
    return looks, page, [[c.value for c in r] for r in ws.iter_rows()]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(_PLAIN, min_size=1, max_size=4), min_size=1, max_size=6))
def test_rows_put_at_save_read_back_as_the_openpyxl_cells_would(tmp_path, rows):
    """Types, styles, the print scale and the sheet's extent: the same either way. The
    values are the ones given, exactly (openpyxl writes a float to 16 digits, so a held
    cell may read back a 17-digit float a unit off in its last place; the rows put at
    save write the shortest text that reads back as the float itself)."""
    from python_calamine import CalamineWorkbook

    held, at_save = _both_ways(tmp_path, rows)
    looks, page, values = _cells(at_save)
    assert (looks, page) == _cells(held)[:2]
    given_values = {
        (r, c): v
        for r, row in enumerate([["Title"], *rows], start=1)
        for c, v in enumerate(row, start=1)
        if v is not None
    }

    def held_values(table):
        return {
            (r, c): v
            for r, row in enumerate(table, start=1)
            for c, v in enumerate(row, start=1)
            if v is not None and v != ""
        }

    assert held_values(values) == given_values
    read = CalamineWorkbook.from_path(str(at_save)).get_sheet_by_name("Data").to_python()
    assert held_values(read) == given_values
    for table in (values, read):  # the same type too: TRUE is not 1
        assert {k: type(v) for k, v in held_values(table).items() if type(v) is bool} == {
            k: bool for k, v in given_values.items() if type(v) is bool
        }


def test_long_text_put_at_save_widens_the_print_as_a_held_cell_does(tmp_path):
    """200 characters of 9-point text in column C run on past it. By hand: 200 x 9 / 11 =
    163.6 characters past two default columns print 1,022.8 points wide, against A4
    landscape's 769.9; one page wide would print the text at 769.9 / 1,022.8 x 9 = 6.8
    points, under 8 x 1.03, so the columns run on at ceil(100 x 8 / 9) = 89%. Wrapped, the
    text stays in its column: one page wide."""
    for wrapped, scale in ((False, 89), (True, None)):
        held, at_save = _both_ways(tmp_path, [[1.0, "a", "x" * 200]] * 3, wrapped)
        assert _cells(at_save)[:2] == _cells(held)[:2]
        assert _cells(at_save)[1][0] == scale


def test_an_openpyxl_cell_among_the_rows_put_at_save_is_refused(tmp_path):
    from openpyxl import Workbook

    from xlalloc.workbook.xlsx import look_of, put, put_at_save, save_atomic, style_like

    wb = Workbook()
    ws = wb.active
    put_at_save(ws, 2, 1, 5.0, look_of(style_like(ws)))
    put(ws, 3, 1, "below")
    with pytest.raises(
        ValueError, match="openpyxl holds row 3, at or below the first row put at save"
    ):
        save_atomic(wb, tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
