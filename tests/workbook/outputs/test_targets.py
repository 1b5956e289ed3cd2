"""The Targets sheet: the engine's targets, and the practice checks."""

from xlalloc.model.labels import label
from xlalloc.workbook.outputs.targets import draw

from .conftest import cells, column_of


def test_targets_are_the_engines_and_every_practice_check_is_listed(demo):
    result, rng, look = demo
    checks = []
    (spec,) = draw(result, rng, checks, look)
    assert spec.name == "Targets"
    values = cells(spec)
    year = result.year
    want = result.targets[result.targets["year"] == year].set_index("place")["target"]
    row, col = column_of(spec, label("target"))
    got = {values[(r, 1)]: values[(r, col)] for r in range(row + 1, row + 1 + len(want))}
    assert got == want.to_dict()
    assert sum(got.values()) == result.budget_total  # places sum to the budget exactly
    assert "Practices with no place" in [c[0] for c in checks]
