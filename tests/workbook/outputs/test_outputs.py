"""render_outputs: the Summary, each part's sheets in order, then Checks."""

from xlalloc.model.parts import output_sheets
from xlalloc.workbook.outputs import error_specs, render_outputs


def test_every_output_sheet_in_order_and_the_overall_check_reads_0(demo):
    result, _, _ = demo
    specs = render_outputs(result)
    assert [s.name for s in specs] == list(output_sheets())
    checks = specs[-1]
    overall = next(c for c in checks.cells if c.value == "Overall check (0 when all is well)")
    value = next(c for c in checks.cells if c.row == overall.row and c.col == 2)
    assert value.formula and value.cached == 0


def test_a_failed_run_writes_only_the_checks_sheet():
    from xlalloc.engine.errors import InputError

    specs = error_specs(InputError("the Budget sheet is missing", where="Budget"))
    assert [s.name for s in specs] == ["Checks"]
