"""The Equity sheet: each place's need-standardised ratio as the engine found it."""

from xlalloc.workbook.outputs.equity import draw

from .conftest import cells


def test_place_ratios_are_the_engines(demo):
    result, rng, look = demo
    checks = []
    (spec,) = draw(result, rng, checks, look)
    assert spec.name == "Equity"
    values = cells(spec)
    units = result.equity["places"].units.set_index("unit")
    for place, ratio in units["ratio"].items():
        row = next(r for (r, c), v in values.items() if c == 1 and v == place)
        assert any(
            isinstance(v, float) and abs(v - ratio) < 1e-12
            for (r, c), v in values.items()
            if r == row
        ), place
