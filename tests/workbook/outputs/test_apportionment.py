"""The Apportionment and Audit sheets: Table 1 as the engine apportioned it."""

from xlalloc.workbook.outputs.apportionment import draw

from .conftest import cells


def test_table1_is_the_engines_and_the_audit_lists_every_line(demo):
    result, rng, look = demo
    checks = []
    specs = draw(result, rng, checks, look)
    assert [s.name for s in specs] == ["Apportionment", "Audit"]
    a = result.apportionment
    values = cells(specs[0])
    header = next(r for (r, c), v in values.items() if c == 1 and v == "Care programme")
    places = [c for c in a.table1.columns if c != "Total"]
    assert [values[(header, 2 + k)] for k in range(len(places) + 1)] == [*places, "Total"]
    for k, programme in enumerate(p for p in a.table1.index if p != "Total"):
        row = [values[(header + 1 + k, 2 + j)] for j in range(len(places) + 1)]
        assert values[(header + 1 + k, 1)] == programme
        assert row == list(a.table1.loc[programme, [*places, "Total"]])
    audit = cells(specs[1])
    lines = {v for (r, c), v in audit.items() if c == 1} & set(a.audit["line"])
    assert lines == set(a.audit["line"])
    assert checks and all(value == 0 for _, _, value in checks)
