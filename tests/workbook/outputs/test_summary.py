"""The Summary sheet: the run at a glance."""

from xlalloc.workbook.outputs.common import CHECK_STATUS, RUN_AT
from xlalloc.workbook.outputs.summary import summary_sheet

from .conftest import cells


def test_summary_states_the_check_status_and_when_it_ran(demo):
    result, _, look = demo
    ok = summary_sheet(result, look, [("A check", "=0", 0)], ["a message"])
    values = cells(ok)
    by_label = {values.get((r, 1)): values.get((r, 2)) for (r, c) in values if c == 1}
    assert by_label[CHECK_STATUS] == "all checks 0"
    assert by_label[RUN_AT] == result.run_at.isoformat(sep=" ")
    bad = cells(summary_sheet(result, look, [("A check", "=1", 1), ("B", "=0", 0)], []))
    by_label = {bad.get((r, 1)): bad.get((r, 2)) for (r, c) in bad if c == 1}
    assert by_label[CHECK_STATUS] == "1 check(s) not 0"
    assert "a message" in values.values()


def test_a_sha256_is_shown_short_on_the_summary():
    from xlalloc.workbook.outputs.summary import short_sha

    digest = "ab12cd34ef56" + "0" * 52
    assert short_sha(digest) == "ab12cd34ef56…"
    assert short_sha(None) is None and short_sha("short") == "short"


def test_the_registered_population_is_each_years_never_added_across_years():
    """A model of three years holds each practice three times: the sum over the years
    read as three times the ICB's population (West Yorkshire's 8,152,893 for 2.7m)."""
    import pandas as pd

    from xlalloc.workbook.outputs.summary import registered_population

    practices = pd.DataFrame(
        {
            "year": ["2026/27", "2026/27", "2027/28", "2027/28"],
            "population": [1000.0, 2000.0, 1100.0, 2100.0],
        }
    )
    assert (
        registered_population(practices) == "registered population 2026/27: 3,000; 2027/28: 3,200"
    )


def test_two_targets_have_two_names_and_the_summary_says_why(demo):
    """The Targets sheet shares the ICB budget, the Convergence sheet each year's total:
    one share, two totals, two names, and a sentence on the Summary."""
    from xlalloc.model.labels import label
    from xlalloc.workbook.outputs.convergence import draw as draw_convergence
    from xlalloc.workbook.outputs.targets import draw as draw_targets

    result, rng, look = demo
    assert label("target") != label("convergence_target")
    (targets,) = draw_targets(result, rng, [], look)
    conv, _trajectory = draw_convergence(result, rng, [], look)
    assert label("convergence_target") not in cells(targets).values()
    assert label("target") not in cells(conv).values()
    # The two columns' totals: the budget lines' total, and the Totals sheet's first year.
    budget = float(result.inputs.budget["amount"].sum())
    first_total = float(result.inputs.totals["total"].iloc[0])
    assert (budget, first_total) == (2_516_000_000, 2_496_000_000)

    def column_total(spec, header):
        values = cells(spec)
        row, column = next(k for k, v in values.items() if v == header)
        return next(
            values[(r, column)] for r in range(row + 1, row + 100) if values.get((r, 1)) == "Total"
        )

    assert column_total(targets, label("target")) == budget
    assert column_total(conv, label("convergence_target")) == first_total
    text = " ".join(str(v) for v in cells(summary_sheet(result, look, [], [])).values())
    assert "£2,516,000,000" in text and "£2,496,000,000 in 2026/27" in text
    assert f"{label('target')} on the Targets sheet" in text
    assert "Convergence total, 2026/27 (£)" in text


def test_the_totals_of_several_years_are_not_added_on_the_summary(demo):
    """The demo's three Totals (£2,496,000,000, £2,570,880,000, £2,648,006,400) summed to
    £7,714,886,400 under "Total": a figure of no year. Each year's is listed instead."""
    result, _, look = demo
    values = cells(summary_sheet(result, look, [], []))
    row = next(r for (r, c), v in values.items() if c == 1 and v == "Totals")
    assert values[(row, 3)] == "by year, above (Convergence total)"
    assert 7_714_886_400 not in values.values()
    # The key figures (above the bridge, whose allocation total is 2026/27's total again).
    bridge = next(r for (r, c), v in values.items() if c == 1 and str(v).startswith("Each place"))
    listed = [v for (r, c), v in sorted(values.items()) if c == 2 and r < bridge]
    assert [2_496_000_000, 2_570_880_000, 2_648_006_400] == [
        v for v in listed if v in (2_496_000_000, 2_570_880_000, 2_648_006_400)
    ]
