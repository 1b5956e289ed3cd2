"""The styles part: entries appended once and reused, never changed or removed."""

from xlalloc.workbook.package import new_package
from xlalloc.workbook.sheetspec import MONEY, Drawing
from xlalloc.workbook.styles import _Styles
from xlalloc.workbook.xmlparts import STYLES_PART


def _money_cell():
    d = Drawing("S")
    d.put(1, 1, 1234.5, MONEY)
    return d.spec().cells[0]


def test_a_format_is_appended_once_and_reused_on_the_next_run():
    first = _Styles.parse(new_package()[STYLES_PART])
    index = first.xf(_money_cell())
    assert index > 0 and first.xf(_money_cell()) == index  # one entry for one look
    written = first.render()
    assert b"&#163;#,##0" in written or "£#,##0".encode() in written
    again = _Styles.parse(written)
    assert again.xf(_money_cell()) == index
    assert again.render() == written  # the next run adds nothing: the file does not grow
