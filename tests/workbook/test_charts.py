"""Chart parts: the kinds xlalloc draws, serialised by openpyxl's chart model."""

import pytest

from xlalloc.workbook.charts import BAR_COLOURS, chart_xml
from xlalloc.workbook.sheetspec import ChartSpec


def _spec(kind, **extra):
    return ChartSpec(
        title="Distance from target",
        y_title="",
        x_title="",
        y_format="0%",
        min_col=1,
        max_col=3,
        header_row=1,
        first_row=2,
        last_row=5,
        anchor="A8",
        kind=kind,
        **extra,
    )


@pytest.mark.parametrize(
    "kind, element", [("line", "lineChart"), ("bar", "barChart"), ("scatter", "scatterChart")]
)
def test_each_kind_is_its_chart_element(kind, element):
    xml = chart_xml("Trajectory", _spec(kind))
    assert f"<{element}>" in xml
    assert "'Trajectory'!" in xml or "Trajectory!" in xml  # data from the named sheet


def test_bars_are_filled_and_a_waterfall_base_is_invisible():
    bars = chart_xml("S", _spec("bar", by_rows=False))
    assert BAR_COLOURS[0] in bars  # a series with only a line prints as nothing
    waterfall = chart_xml("S", _spec("waterfall", by_rows=False))
    assert "<a:noFill" in waterfall and '<grouping val="stacked"/>' in waterfall
