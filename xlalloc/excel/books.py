"""A live Excel book through xlwings, as a :class:`~xlalloc.workbook.book.Book`.

The use cases in :mod:`xlalloc.api` are written once against that protocol; the
headless twin is :class:`~xlalloc.workbook.book.FileBook`.
"""

from __future__ import annotations

from typing import Any

from ..workbook.sheetspec import SheetSpec

__all__ = ["XlwingsBook"]


def _rgb(hex6: str) -> tuple[int, int, int]:
    return int(hex6[0:2], 16), int(hex6[2:4], 16), int(hex6[4:6], 16)


class XlwingsBook:
    """A live Excel book through xlwings (Windows or macOS).

    Args:
        book: An ``xlwings.Book`` (or an object with the same interface).
    """

    def __init__(self, book: Any):
        self.book = book
        self.name = book.name

    def sheet_names(self) -> list[str]:
        """Names of the book's sheets, in order."""
        return [s.name for s in self.book.sheets]

    def values(self, sheet: str) -> list[list[object]] | None:
        """A sheet's values from A1 to its last used cell."""
        if sheet not in self.sheet_names():
            return None
        sh = self.book.sheets[sheet]
        last = sh.used_range.last_cell
        rows = sh.range((1, 1), (last.row, last.column)).options(ndim=2).value
        return [["" if v is None else v for v in row] for row in rows]

    def merged(self) -> dict[str, list[str]]:
        """Sheets whose used range holds merged cells (reported as the whole range)."""
        out: dict[str, list[str]] = {}
        for sh in self.book.sheets:
            used = sh.used_range
            if used.merge_cells is not False:
                out[sh.name] = [used.address.replace("$", "")]
        return out

    def flags(self) -> dict[str, dict[tuple[int, int], str]]:
        """Excel calculates as it goes: no formula lacks its result."""
        return {}

    def write_sheets(self, specs: list[SheetSpec]) -> None:
        """Write every spec as a new sheet at the end, replacing one of the same name."""
        for spec in specs:
            names = self.sheet_names()
            if spec.name in names:
                self.book.sheets[spec.name].delete()
            sh = self.book.sheets.add(spec.name, after=self.book.sheets[len(self.book.sheets) - 1])
            self._write(sh, spec)

    @staticmethod
    def _write(sh: Any, spec: SheetSpec) -> None:
        if not spec.cells:
            return
        n_rows = max(c.row for c in spec.cells)
        n_cols = max(c.col for c in spec.cells)
        grid: list[list[object]] = [[None] * n_cols for _ in range(n_rows)]
        for c in spec.cells:
            v = c.value
            if isinstance(v, str) and not c.formula and v[:1] in ("=", "+", "-", "@", "'"):
                v = "'" + v  # text, never a formula
            grid[c.row - 1][c.col - 1] = v
        sh.range((1, 1), (n_rows, n_cols)).value = grid
        for c in spec.cells:
            cell = sh.range((c.row, c.col))
            if c.number_format != "General":
                cell.number_format = c.number_format
            if c.bold:
                cell.font.bold = True
            if c.italic:
                cell.font.italic = True
            if c.size:
                cell.font.size = c.size
            if c.font_color:
                cell.font.color = _rgb(c.font_color)
            if c.fill_color:
                cell.color = _rgb(c.fill_color)
        for letter, width in spec.widths.items():
            sh.range(f"{letter}:{letter}").column_width = width
        for ch in spec.charts:
            chart = sh.charts.add()
            chart.chart_type = "line"
            chart.set_source_data(sh.range((ch.header_row, ch.min_col),
                                           (ch.last_row, ch.max_col)))
            chart.name = ch.title

    def alert(self, message: str, title: str = "xlalloc") -> None:
        """A message box."""
        self.book.app.alert(message, title=title)

    def save(self) -> None:
        """Excel: the user decides when to save."""
