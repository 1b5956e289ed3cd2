"""A small in-memory stand-in for the parts of xlwings' Book API that xlalloc uses.

Excel is not available on Linux; this fake lets the xlwings adapter
(:class:`xlalloc.excel.books.XlwingsBook`) run for real in tests.
"""

from __future__ import annotations

import re


def _rc(a):
    m = re.fullmatch(r"\$?([A-Z]+)\$?(\d+)", a)
    c = 0
    for ch in m.group(1):
        c = c * 26 + ord(ch) - 64
    return int(m.group(2)), c


class Font:
    def __init__(self, sheet, cells):
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_cells", cells)

    def __setattr__(self, name, value):
        for rc in self._cells:
            self._sheet.style.setdefault(rc, {})[f"font.{name}"] = value


class Range:
    def __init__(self, sheet, first, last=None, whole_column=None):
        self.sheet, self.first, self.last = sheet, first, last or first
        self.whole_column = whole_column
        self._ndim = None

    @property
    def cells(self):
        (r1, c1), (r2, c2) = self.first, self.last
        return [(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]

    def options(self, ndim=None, err_to_str=False):
        self._ndim = ndim
        self._err_to_str = err_to_str
        return self

    @property
    def value(self):
        # Excel's errors are stored as their text ("#N/A"); xlwings reads them as blanks
        # unless asked for err_to_str, as its desktop engine does.
        (r1, c1), (r2, c2) = self.first, self.last
        keep = getattr(self, "_err_to_str", False)

        def read(v):
            return v if keep or not (isinstance(v, str) and v.startswith("#")) else None

        grid = [
            [read(self.sheet.data.get((r, c))) for c in range(c1, c2 + 1)]
            for r in range(r1, r2 + 1)
        ]
        # As xlwings: one cell reads as its value, unless two dimensions are asked for.
        return grid[0][0] if (r1, c1) == (r2, c2) and self._ndim != 2 else grid

    @value.setter
    def value(self, grid):
        r1, c1 = self.first
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                if v is None:
                    self.sheet.data.pop((r1 + i, c1 + j), None)
                else:
                    self.sheet.data[(r1 + i, c1 + j)] = v

    def _style(self, key, value):
        for rc in self.cells:
            self.sheet.style.setdefault(rc, {})[key] = value

    number_format = property(lambda self: None, lambda self, v: self._style("number_format", v))
    color = property(lambda self: None, lambda self, v: self._style("color", v))

    @property
    def font(self):
        return Font(self.sheet, self.cells)

    @property
    def column_width(self):
        return None

    @column_width.setter
    def column_width(self, w):
        self.sheet.widths[self.whole_column] = w

    def _areas(self):
        """The sheet's merged areas (``sheet.merged``: A1 ranges) as sets of cells."""
        out = []
        for ref in self.sheet.merged:
            a, _, b = ref.partition(":")
            (r1, c1), (r2, c2) = _rc(a), _rc(b or a)
            cells = {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
            out.append((ref, cells))
        return out

    @property
    def merge_cells(self):
        """As Excel's Range.MergeCells: True if every cell is merged, False if none, else
        None."""
        merged = set().union(*(cells for _, cells in self._areas()))
        inside = [rc in merged for rc in self.cells]
        return True if all(inside) else (False if not any(inside) else None)

    @property
    def merge_area(self):
        for ref, cells in self._areas():
            if self.first in cells:
                a, _, b = ref.partition(":")
                return Range(self.sheet, _rc(a), _rc(b or a))
        return self

    @property
    def address(self):
        (r1, c1), (r2, c2) = self.first, self.last
        from openpyxl.utils import get_column_letter as L

        return f"${L(c1)}${r1}:${L(c2)}${r2}"

    @property
    def last_cell(self):
        r, c = self.last
        return type("Cell", (), {"row": r, "column": c})()

    @property
    def row(self):
        return self.first[0]

    @property
    def column(self):
        return self.first[1]


class Chart:
    def __init__(self, charts=None):
        self.chart_type = None
        self.source = None
        self.name = None
        self._charts = charts

    def delete(self):
        self._charts.remove(self)

    def set_source_data(self, rng):
        self.source = (rng.first, rng.last)


class Charts(list):
    def add(self, *args, **kwargs):
        c = Chart(self)
        self.append(c)
        return c


class Sheet:
    def __init__(self, book, name):
        self.book, self.name = book, name
        self.data, self.style, self.widths = {}, {}, {}
        self.charts = Charts()
        self.merged = []

    def range(self, a, b=None):
        if isinstance(a, str):
            m = re.fullmatch(r"([A-Z]+):([A-Z]+)", a)
            if m:
                return Range(self, (1, 1), (1, 1), whole_column=m.group(1))
            first = _rc(a)
            return Range(self, first, _rc(b) if isinstance(b, str) else b)
        return Range(self, a, b)

    @property
    def used_range(self):
        if not self.data:
            return Range(self, (1, 1))
        rows = [r for r, _ in self.data]
        cols = [c for _, c in self.data]
        return Range(self, (1, 1), (max(rows), max(cols)))

    def delete(self):
        self.book.sheets._items.remove(self)

    def clear(self):
        self.data.clear()
        self.style.clear()


class Sheets:
    def __init__(self, book):
        self.book = book
        self._items = []

    def __iter__(self):
        return iter(list(self._items))

    def __len__(self):
        return len(self._items)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self._items[key]
        for s in self._items:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name, after=None):
        s = Sheet(self.book, name)
        if after is None:
            self._items.insert(0, s)
        else:
            self._items.insert(self._items.index(after) + 1, s)
        return s


class Name:
    def __init__(self, names, name):
        self._names, self.name = names, name

    @property
    def refers_to(self):
        return self._names.values[self.name]

    @refers_to.setter
    def refers_to(self, value):
        self._names.values[self.name] = value


class Names:
    """Book-scoped defined names, as xlwings' Names: ``contains``, call by name, ``add``."""

    def __init__(self):
        self.values = {}

    def contains(self, name):
        return name in self.values

    def __call__(self, name):
        if name not in self.values:
            raise KeyError(name)
        return Name(self, name)

    def add(self, name, refers_to):
        self.values[name] = refers_to
        return Name(self, name)


class OpenedBook:
    """A workbook file Excel opened: what ``to_pdf`` and ``close`` are asked to do."""

    def __init__(self, app, fullname, update_links=None, read_only=None):
        self.app, self.fullname, self.read_only = app, fullname, read_only
        app.opened.append(self)
        self.closed = False

    def to_pdf(self, path=None, include=None, exclude=None, layout=None, show=False, **_):
        # Excel's own export; here a PDF's first bytes, to show the file was written.
        with open(path, "wb") as f:
            f.write(b"%PDF-1.7 printed by the fake Excel from " + self.fullname.encode())
        self.app.printed.append(path)

    def close(self):
        self.closed = True


class Books:
    def __init__(self, app):
        self.app = app

    def open(self, fullname, update_links=None, read_only=None, **_):
        return OpenedBook(self.app, fullname, update_links, read_only)


class App:
    def __init__(self):
        self.alerts = []
        self.opened = []
        self.printed = []
        self.books = Books(self)

    def alert(self, message, title=None):
        self.alerts.append((title, message))


class Book:
    """Built from a workbook file's values (as Excel would hold them)."""

    def __init__(self, path):
        from python_calamine import CalamineWorkbook

        self.name = str(path).rsplit("/", 1)[-1]
        self.app = App()
        self.sheets = Sheets(self)
        self.names = Names()
        from openpyxl import load_workbook

        for name, d in load_workbook(path, read_only=True).defined_names.items():
            self.names.values[name] = "=" + d.attr_text
        wb = CalamineWorkbook.from_path(str(path))
        for name in wb.sheet_names:
            sh = self.sheets.add(name, after=self.sheets[-1] if len(self.sheets) else None)
            for i, row in enumerate(wb.get_sheet_by_name(name).to_python(skip_empty_area=False)):
                for j, v in enumerate(row):
                    if v != "":
                        sh.data[(i + 1, j + 1)] = v
