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
