"""The Drivers sheet: the indices and the spend above need as formulas, the pounds as
the engine rounded them, the ICB row, a chart and the sentences, and its checks."""

import pandas as pd

from xlalloc.engine.drivers import DriversSettings, drivers
from xlalloc.workbook.outputs.drivers import drivers_sheet
from xlalloc.workbook.sheetspec import Look

UNITS = pd.DataFrame(
    {
        "programme": "Acute",
        "place": ["North", "South"],
        "spend": [600.0, 400.0],
        "activity": [6, 2],
        "need": [100.0, 100.0],
    }
)


def test_a_programme_block_with_its_formulas_chart_and_checks():
    checks = []
    spec = drivers_sheet(drivers(UNITS, DriversSettings(min_activity=3)), Look(), checks)
    cells = {(c.row, c.col): c for c in spec.cells}
    by_text = {c.value: (c.row, c.col) for c in spec.cells if isinstance(c.value, str)}
    header = by_text["Place"][0]
    north, south, icb = header + 1, header + 2, header + 3
    assert [cells[(r, 1)].value for r in (north, south, icb)] == ["North", "South", "ICB"]
    # Spend per weighted head against the ICB's: a formula, its value the engine's 1.2.
    assert cells[(north, 5)].value == f"=(B{north}/D{north})/($B${icb}/$D${icb})"
    assert cells[(north, 5)].cached == 1.2
    assert cells[(north, 7)].value == f'=IF(C{north}=0,"",(B{north}/C{north})/($B${icb}/$C${icb}))'
    # Spend above need = volume + price: £250 and -£150 (by hand in test_drivers).
    assert cells[(north, 8)].value == f"=I{north}+J{north}" and cells[(north, 8)].cached == 100
    assert (cells[(north, 9)].value, cells[(north, 10)].value) == (250.0, -150.0)
    assert cells[(south, 11)].value == "yes"  # two records: too few to read
    assert cells[(icb, 2)].value == f"=SUM(B{north}:B{south})"
    assert [c[1] for c in checks] == [f"=ROUND(Drivers!I{icb},2)", f"=ROUND(Drivers!J{icb},2)"]
    (chart,) = spec.charts
    assert (chart.kind, chart.name_col, chart.cross) == ("scatter", 1, 1.0)
    assert (chart.first_row, chart.last_row) == (north, south)  # the places, not the ICB
    assert "Why, Acute" in by_text
    assert any(str(c.value).startswith("North's Acute spend is £100 above") for c in spec.cells)


def test_no_activity_says_what_to_add():
    spec = drivers_sheet(None, Look())
    assert any("No activity records" in str(c.value) for c in spec.cells)


def test_many_places_put_the_sentences_and_a_larger_chart_on_pages_of_their_own():
    """Fifteen places' legend squeezes a chart beside the sentences: past six places the
    sentences run across the page below the table, and the chart has a page of its own."""
    n = 15
    units = pd.DataFrame(
        {
            "programme": "Acute",
            "place": [f"Place {k:02d}" for k in range(n)],
            "spend": [1000.0 + 37 * k for k in range(n)],
            "activity": [100 + 7 * k for k in range(n)],
            "need": [500.0 + 11 * k for k in range(n)],
        }
    )
    spec = drivers_sheet(drivers(units), Look())
    (chart,) = spec.charts
    anchor = int(chart.anchor[1:])
    assert (chart.width, chart.height) == (22, 13)
    assert anchor in spec.breaks  # the chart starts a page
    why = next(c for c in spec.cells if c.value == "Why, Acute")
    assert why.row in spec.breaks and why.row < anchor  # the sentences start a page
    sentences = [c for c in spec.cells if str(c.value).startswith("Place 03's Acute spend")]
    assert sentences[0].col == 2 and sentences[0].span == 10  # across the page
