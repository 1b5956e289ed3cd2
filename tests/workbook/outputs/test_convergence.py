"""The Convergence and Trajectory sheets: the engine's allocations and rules."""

from xlalloc.model.labels import label
from xlalloc.workbook.outputs.convergence import draw

from .conftest import cells


def test_each_years_allocations_are_the_engines_and_its_checks_read_0(demo):
    result, rng, look = demo
    checks = []
    specs = draw(result, rng, checks, look)
    assert [s.name for s in specs] == ["Convergence", "Trajectory"]
    values = cells(specs[0])
    heads = [(r, c) for (r, c), v in values.items() if v == label("allocation")]
    assert len(heads) == len(result.convergence.years)  # one block per year
    first = next(iter(result.convergence.years.values())).table.set_index("org")
    r0, c0 = min(heads)
    # The organisation is column A: it identifies the row on every printed page.
    got = {values[(r, 1)]: values[(r, c0)] for r in range(r0 + 1, r0 + 1 + len(first))}
    assert got == first["allocation"].to_dict()
    assert checks and all(value == 0 for _, _, value in checks)
