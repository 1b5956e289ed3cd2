"""How a sheet prints: one page across where legible, breaks kept at the scale."""

from xlalloc.workbook.printing import kept_breaks, print_scale
from xlalloc.workbook.sheetspec import Drawing


def test_a_narrow_sheet_fits_one_page_across_and_a_wide_one_is_scaled():
    narrow = Drawing("N")
    narrow.put(1, 1, "short")
    assert print_scale(narrow.spec()) is None  # fit to one page wide
    wide = Drawing("W")
    for c in range(1, 60):
        wide.put(1, c, f"a long heading number {c}")
    scale = print_scale(wide.spec())
    assert scale is not None and 10 <= scale < 100  # legible text runs on across pages


def test_blocks_kept_together_get_a_break_above_them_only_where_needed():
    d = Drawing("K")
    for r in range(1, 200):
        d.put(r, 1, f"row {r}")
    d.keep_together(150, 170)
    spec = d.spec()
    breaks = kept_breaks(spec, None)
    assert all(isinstance(b, int) for b in breaks)
    assert not kept_breaks(Drawing("E").spec(), None)
