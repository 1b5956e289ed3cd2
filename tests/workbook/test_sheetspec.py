"""Drawing a sheet as data: values, formulas, blocks, widths."""

import numpy as np
import pandas as pd

from xlalloc.workbook.sheetspec import Drawing, cell_value, col


def test_text_that_looks_like_a_formula_is_a_value_not_a_formula():
    d = Drawing("S")
    d.put(1, 1, "=HYPERLINK(1)")
    d.formula(1, 2, "=A1")
    a, b = d.spec().cells
    assert (a.value, a.formula) == ("=HYPERLINK(1)", False)
    assert (b.value, b.formula) == ("=A1", True)


def test_formats_apply_to_numbers_only_and_later_writes_replace():
    d = Drawing("S")
    d.put(2, 1, "label", "£#,##0")
    d.put(2, 2, 5, "£#,##0")
    d.put(2, 2, 7.5, "0.0%", bold=True)
    cells = {(c.row, c.col): c for c in d.spec().cells}
    assert cells[(2, 1)].number_format == "General"
    assert (cells[(2, 2)].value, cells[(2, 2)].number_format, cells[(2, 2)].bold) == (
        7.5,
        "0.0%",
        True,
    )


def test_block_header_values_and_blanks():
    d = Drawing("S")
    last = d.block(3, 2, pd.DataFrame({"a": [1.0, np.nan], "b": ["x", None]}), {"a": "0.00"})
    assert last == 5
    cells = {(c.row, c.col): c for c in d.spec().cells}
    assert cells[(3, 2)].value == "A" and cells[(3, 2)].fill_color == "1F4E78"  # label("a")
    assert cells[(4, 2)].number_format == "0.00" and cells[(5, 2)].value is None
    assert d.value(4, 3) == "x"


def test_helpers():
    assert [col(i) for i in (1, 26, 27, 703)] == ["A", "Z", "AA", "AAA"]
    assert cell_value(np.int64(3)) == 3 and type(cell_value(np.int64(3))) is int
    assert cell_value(float("inf")) is None and cell_value(pd.NA) is None
    assert cell_value(np.bool_(True)) is True
