"""Drawing a sheet as data: values, formulas, blocks, widths."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlalloc.workbook.sheetspec import INDEX, MONEY, NUMBER, PCT, Drawing, cell_value, col, shown


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


# --------------------------------------------------------------------------- legibility

from xlalloc.workbook.sheetspec import column_points, print_fit, printed_width  # noqa: E402


def test_a_sheet_is_fitted_only_when_that_keeps_its_text_legible():
    # A4 landscape prints 841.89 - 72 = 769.89 points across. A sheet 600 points wide
    # fits as it is; one 800 points wide fits at 96% (11-point text at 10.6 points).
    assert print_fit(600, 11, landscape=True) is None
    assert print_fit(800, 11, landscape=True) is None
    # 1,000 points: fitted, 11-point text prints at 769.89 / 1000 x 11 = 8.47 points, above
    # the 3% margin (8.24): one page across.
    assert print_fit(1000, 11, landscape=True) is None
    # 1,050 points: 8.07 points fitted, inside the margin: it prints at 73% instead (11 x
    # 0.73 = 8.03 points), the columns running on to a second page.
    assert print_fit(1050, 11, landscape=True) == 73
    # A3 landscape is 1,190.55 - 72 = 1,118.55 points across: the same sheet fits.
    assert print_fit(1000, 11, landscape=True, paper="A3") is None
    # Smaller text needs a larger scale: 10-point chart text prints at 80%.
    assert print_fit(3000, 10, landscape=False) == 80


def test_a_sheets_printed_width_counts_text_running_on_and_charts():
    widths = [10, 10]
    assert printed_width(widths) == 2 * column_points(10)
    # Text of 40 characters in column B runs past it: B's start plus 40 characters.
    assert printed_width(widths, spills=[(2, 40)]) == column_points(10) + column_points(40)
    # A chart 500 points wide anchored at column C.
    assert printed_width(widths, objects=[(3, 500)]) == 2 * column_points(10) + 500


def test_the_paper_size_option_prints_a3(tmp_path):
    import re
    import zipfile

    from xlalloc.cli import main

    out = tmp_path / "t.xlsx"
    assert (
        main(["targets", "demo", "--budget", "2516000000", "--paper-size", "A3", "-o", str(out)])
        == 0
    )
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<pageSetup paperSize="8"', sheet)


def test_a_block_kept_together_starts_a_page_rather_than_leaving_its_tail_alone():
    """Landscape A4 holds 595.28 - 108 = 487 points of rows at 100%: 32 rows of 15
    points. A block of rows 30 to 40 (165 points) starting 435 points down would run over;
    it fits a page, so the break goes above row 30. One that could never fit a page is
    left to run on (a break would only add a page)."""
    from xlalloc.workbook.package import kept_breaks
    from xlalloc.workbook.sheetspec import Drawing

    d = Drawing("S")
    for r in range(1, 81):
        d.put(r, 1, f"row {r}")
    d.print_setup(landscape=True)
    d.keep_together(30, 40)
    d.keep_together(45, 80)  # 540 points: taller than a page
    spec = d.spec()
    assert kept_breaks(spec, 100) == [30]
    # At 50% a page holds 974 points of rows: rows 30 to 40 fit where they start; rows
    # 45 to 80 (540 points from 660 down) do not, but fit a page: the break goes above 45.
    assert kept_breaks(spec, 50) == [45]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.integers(-(10**12), 10**12),
            st.text(max_size=8),
            st.none(),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from([MONEY, INDEX, PCT, NUMBER, None]),
)
def test_a_column_drawn_at_once_is_the_cells_put_one_by_one(values, fmt):
    """``Drawing.column`` (a long table's column in one call) writes exactly the cells
    ``put`` writes one at a time, for a plain list, a numeric array and a Series; and the
    widths fitted from each column's extremes are those fitted from every cell's text."""
    one = Drawing("One")
    for i, v in enumerate(values):
        one.put(5 + i, 2, v, fmt)
    shapes = [values, pd.Series(values, dtype=object)]
    numeric = [v for v in values if isinstance(v, float) and not isinstance(v, bool)]
    if len(numeric) == len(values):
        shapes += [np.asarray(values, dtype=np.float64), pd.Series(values, dtype="float64")]
    for shape in shapes:
        many = Drawing("One")
        many.column(5, 2, shape, fmt)
        assert many.spec().cells == one.spec().cells
    # The widths: every figure's shown text, measured one by one (the rule before).
    spec = one.spec()
    shown_widths = [
        len(shown(c.value, c.number_format)) * 1.1
        for c in spec.cells
        if not isinstance(c.value, str)
    ]
    texts = [len(str(c.value)) for c in spec.cells if isinstance(c.value, str)]
    if shown_widths and not texts:
        assert spec.widths["B"] == float(max(math.ceil(max(shown_widths) + 2), 6))


def test_formulas_down_a_column_are_the_formulas_written_one_by_one():
    one, many = Drawing("F"), Drawing("F")
    texts = [f"=A{r}*2" for r in range(3, 7)]
    cached = [1.0, float("nan"), 3, None]
    for r, (t, v) in enumerate(zip(texts, cached), start=3):
        one.formula(r, 2, t, MONEY, value=v)
    many.formulas(3, 2, texts, MONEY, values=cached)
    assert many.spec().cells == one.spec().cells
    with pytest.raises(ValueError, match="4 formulas but 3 values"):
        many.formulas(3, 3, texts, values=cached[:3])
