"""Books in Excel: styles written as few rectangles as possible, each cell as drawn."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xlalloc.excel.books import _runs, chart_figure
from xlalloc.workbook.sheetspec import CellSpec, ChartSpec, SheetSpec


@given(
    st.dictionaries(
        st.tuples(st.integers(1, 8), st.integers(1, 6)),
        st.tuples(st.sampled_from(["General", "0.00%", "#,##0"]), st.booleans()),
        max_size=40,
    )
)
def test_style_rectangles_cover_each_styled_cell_once_with_its_style(grid):
    cells = [CellSpec(r, c, 1.0, number_format=f, bold=b) for (r, c), (f, b) in grid.items()]
    spec = SheetSpec("S", cells)
    covered: dict[tuple[int, int], tuple] = {}
    for top, bottom, first, last, c in _runs(spec):
        for r in range(top, bottom + 1):
            for k in range(first, last + 1):
                assert (r, k) not in covered
                covered[(r, k)] = c.style
    plain = CellSpec(0, 0, None).style
    assert covered == {(c.row, c.col): c.style for c in cells if c.style != plain}


def test_a_column_of_one_format_is_one_rectangle():
    cells = [CellSpec(r, 2, float(r), number_format="0.00%") for r in range(5, 105)]
    assert [(t, b, f, la) for t, b, f, la, _ in _runs(SheetSpec("S", cells))] == [(5, 104, 2, 2)]


def test_chart_picture_has_a_line_per_series_from_the_engines_figures():
    cells = [
        CellSpec(1, 1, "Place"),
        CellSpec(1, 2, "2026/27"),
        CellSpec(1, 3, "2027/28"),
        CellSpec(2, 1, "A"),
        CellSpec(2, 2, 0.04),
        CellSpec(2, 3, "=B2/2", formula=True, cached=0.02),
        CellSpec(3, 1, "B"),
        CellSpec(3, 2, -0.01),
        CellSpec(3, 3, 0.0),
    ]
    chart = ChartSpec("DfT", "Distance", "Year", "0.0%", 1, 3, 1, 2, 3, "E2")
    fig = chart_figure(SheetSpec("S", cells), chart)
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[0.04, 0.02], [-0.01, 0.0]]
    assert [line.get_label() for line in lines] == ["A", "B"]
    assert (
        chart_figure(
            SheetSpec("S", cells),
            ChartSpec("x", "", "", "", 1, 3, 1, 2, 3, "E2", data_sheet="Other"),
        )
        is None
    )
