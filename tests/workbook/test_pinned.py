"""The private internals xlalloc/workbook/pinned.py relies on are what it expects."""

import io
import zipfile
from xml.etree import ElementTree

import openpyxl

from xlalloc.workbook.pinned import chart_part, copy_stored


def test_zipfile_internals_and_a_copied_entry_reads_back_unchanged():
    src = io.BytesIO()
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", b"<a>" + b"x" * 5000 + b"</a>")
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for attr in ("start_dir", "filelist", "NameToInfo", "_didModify"):
            assert hasattr(zout, attr), attr
        info = zin.getinfo("a.xml")
        copy_stored(zin, zout, info)
        stored = info.compress_size
    with zipfile.ZipFile(out) as z:
        assert z.testzip() is None
        assert z.read("a.xml") == b"<a>" + b"x" * 5000 + b"</a>"
        assert z.getinfo("a.xml").compress_size == stored  # copied, not compressed again


def test_openpyxl_chart_model_writes_a_chart_part():
    from openpyxl.chart import BarChart, Reference

    assert openpyxl.__version__.startswith("3.1.")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    root = ElementTree.fromstring(chart_part(chart))
    assert root.tag == "{http://schemas.openxmlformats.org/drawingml/2006/chart}chartSpace"
    assert "'Data'!$B$2:$B$3" in chart_part(chart)


def test_a_style_given_at_once_is_the_style_set_piece_by_piece():
    from openpyxl.styles import Font, PatternFill

    from xlalloc.workbook.pinned import same_style

    wb = openpyxl.Workbook()
    ws = wb.active
    source, by_hand, copied = ws["A1"], ws["A2"], ws["A3"]
    for cell in (source, by_hand):
        cell.font = Font(name="Calibri", color="0000FF")
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        cell.number_format = "#,##0.000"
    same_style(source, copied)
    for attr in ("font", "fill", "border", "alignment", "protection"):
        assert getattr(copied, attr) == getattr(by_hand, attr).copy(), attr  # not proxies
    assert copied.number_format == by_hand.number_format == "#,##0.000"
    assert copied.style_id == by_hand.style_id  # one entry in the workbook's style table
    copied.font = Font(bold=True)  # its own copy: the source is not changed with it
    assert not source.font.b


def test_a_style_key_is_equal_exactly_for_cells_styled_alike():
    from openpyxl.styles import Font

    from xlalloc.workbook.pinned import style_key

    ws = openpyxl.Workbook().active
    ws["A1"].font = Font(sz=9)
    ws["A2"].font = Font(sz=9)
    ws["A3"].font = Font(sz=10)
    ws["A4"].number_format = "0.0"
    keys = [style_key(ws[f"A{r}"]) for r in range(1, 6)]
    assert keys[0] == keys[1]
    assert len({keys[0], keys[2], keys[3], keys[4]}) == 4  # A5: no style of its own
    assert all(len(k) == 9 for k in keys)  # an unstyled cell's key as long as a styled one's


def test_held_cells_are_the_cells_iter_rows_gives_that_hold_something_and_make_none():
    from openpyxl.styles import Font, PatternFill

    from xlalloc.workbook.pinned import held_cells

    ws = openpyxl.Workbook().active
    ws["B2"] = "text"
    ws["D5"] = 3.5
    ws["A7"].fill = PatternFill("solid", fgColor="FFFF00")  # styled, no value
    ws["C3"].font = Font(sz=8)
    held = {c.coordinate for c in held_cells(ws)}
    assert held == {"B2", "D5", "A7", "C3"}
    assert len(ws._cells) == 4  # reading them made no blank cells
    something = {
        c.coordinate for row in ws.iter_rows() for c in row if c.value is not None or c.has_style
    }
    assert something == held
    assert len(ws._cells) == 7 * 4  # where iter_rows makes every cell of the rectangle
