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
