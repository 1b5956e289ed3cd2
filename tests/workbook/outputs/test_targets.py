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


def test_per_1000_looks_the_same_in_the_model_and_the_targets_command(tmp_path):
    """One column, one look: £ per 1,000 weighted population is whole pounds in the
    model's Targets sheet and in `xlalloc targets`' workbook (it was a plain count there,
    then pence)."""
    from openpyxl import load_workbook

    from xlalloc.cli import main
    from xlalloc.model.labels import label

    model = tmp_path / "m.xlsx"
    assert main(["demo", str(model)]) == 0
    out = tmp_path / "t.xlsx"
    assert main(["targets", "demo", "--budget", "2516000000", "-o", str(out)]) == 0
    head = label("per_1000_wp")

    def fmt(path, sheet):
        ws = load_workbook(path)[sheet]
        for row in ws.iter_rows():
            for c in row:
                if c.value == head:
                    return ws.cell(c.row + 1, c.column).number_format
        raise AssertionError(f"no {head!r} on {sheet}")

    assert fmt(model, "Targets") == fmt(out, "Targets") == "£#,##0;(£#,##0)"
