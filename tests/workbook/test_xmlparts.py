"""The package writer's shared XML helpers."""

from xlalloc.workbook.xmlparts import _safe, _text


def test_text_is_escaped_and_control_characters_written_as_excel_does():
    assert _text("A & B < C") == "A &amp; B &lt; C"
    # XML 1.0 forbids these characters: Excel writes them as _xHHHH_; tab and line
    # breaks are allowed and kept.
    assert _safe("a\x01b\tc\nd\x1f") == "a_x0001_b\tc\nd_x001F_"
    assert _safe("plain") == "plain"
