"""Excel on the web, xlwings Lite and xlwings Server, driven through xlwings' own code.

No Excel runs here, so the harness plays Excel's part at both ends and leaves the
middle to xlwings:

1. :func:`payload` builds the JSON Excel's Office.js client sends for a real workbook
   (every sheet's values from A1, defined names, tables);
2. a fresh Python process with ``XLWINGS_ON_SERVER=true`` (as xlwings Lite and Server
   run) imports ``xlalloc.excel.scripts`` and ``xlalloc.excel.udfs``, and calls them
   through ``xlwings.pro.udfs_officejs.custom_scripts_call`` on ``xw.Book(json=...)``
   and ``custom_functions_call``: xlwings' real dispatchers and remote book;
3. :func:`apply_actions` applies the actions the remote book returns (``book.json()``)
   to a copy of the workbook with openpyxl, as Excel would, so that LibreOffice can
   recalculate the result and the test compare it with the headless run.

Run as a script (``python officejs.py script|functions|meta ...``) it is step 2.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {"XLWINGS_ON_SERVER": "true", "XLWINGS_LICENSE_KEY": "noncommercial"}


def _cell(v: object) -> object:
    """A value as Office.js sends it (dates as ISO text, blanks as "")."""
    if v is None:
        return ""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        v = dt.datetime(v.year, v.month, v.day)
    if isinstance(v, dt.datetime):
        return v.isoformat() + ".000Z"
    return v


def payload(path: str | Path, version: str) -> dict:
    """The JSON Excel's Office.js client sends for the workbook at ``path``."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries
    from python_calamine import CalamineWorkbook

    cal = CalamineWorkbook.from_path(str(path))
    wb = load_workbook(path)
    sheets = []
    for name in cal.sheet_names:
        rows = cal.get_sheet_by_name(name).to_python(skip_empty_area=False)
        values = [[_cell(v) for v in r] for r in rows] or [[""]]
        ws = wb[name]
        # Excel sends an error cell as its text (#N/A); calamine reads it as a blank.
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "e" and c.row <= len(values) and c.column <= len(values[0]):
                    values[c.row - 1][c.column - 1] = str(c.value)
        tables = []
        for t in ws.tables.values():
            c1, r1, c2, r2 = range_boundaries(t.ref)
            a, b = get_column_letter(c1), get_column_letter(c2)
            tables.append(
                {
                    "name": t.name,
                    "range_address": t.ref,
                    "header_row_range_address": f"{a}{r1}:{b}{r1}",
                    "data_body_range_address": f"{a}{r1 + 1}:{b}{r2}",
                    "total_row_range_address": None,
                    "show_autofilter": True,
                    "row_count": r2 - r1,
                    "column_count": c2 - c1 + 1,
                    "columns": [c.name for c in t.tableColumns],
                }
            )
        sheets.append(
            {
                "name": name,
                "values": values,
                "pictures": [],
                "tables": tables,
                "used_range_address": ws.dimensions if rows else None,
            }
        )
    names = []
    for n, d in wb.defined_names.items():
        names.append(
            {
                "name": n,
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
                "refers_to": "=" + d.attr_text,
                "sheet_index": None,
                "address": None,
            }
        )
    return {
        "client": "Office.js",
        "version": version,
        "book": {"name": Path(path).name, "active_sheet_index": 0, "selection": "A1"},
        "names": names,
        "sheets": sheets,
    }


def _numbers(rows):
    """Every cell as a number where it is one, rounded to 1e-9, else its text."""
    return [[round(v, 9) if isinstance(v, float) else v for v in r] for r in rows]


def assert_same_outputs(headless: dict, web: dict, inputs: dict) -> None:
    """Every output sheet's every cell (after LibreOffice recalculated both) the same,
    and the Checks sheet reading 0."""
    outputs = [s for s in headless if s not in inputs]
    assert outputs, "the headless run adds output sheets"
    for sheet in [*outputs, "Checks"]:
        assert sheet in web, sheet
        a, b = _numbers(headless[sheet]), _numbers(web[sheet])
        width = max(len(r) for r in a)
        a = [r + [""] * (width - len(r)) for r in a]
        b = [r + [""] * (width - len(r)) for r in b[: len(a)]]
        diffs = [
            (i + 1, j + 1, x, y)
            for i, (ra, rb) in enumerate(zip(a, b))
            for j, (x, y) in enumerate(zip(ra, rb))
            if x != y
        ]
        assert not diffs, (sheet, diffs[:10])
    total = next(r for r in web["Checks"] if r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0


def run_child(*args: str) -> dict:
    """Step 2 in a fresh process (xlwings reads ``XLWINGS_ON_SERVER`` when imported)."""
    env = dict(os.environ, **ENV)
    proc = subprocess.run(
        [sys.executable, str(HERE / "officejs.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.splitlines()[-1])


def apply_actions(source: str | Path, actions: list[dict], target: str | Path) -> list[str]:
    """Apply Office.js actions to a copy of ``source``; returns the alerts shown.

    Every action xlalloc's scripts send is applied (one function each in ``_APPLY``); any
    other fails the test, so an action the harness does not know cannot pass unnoticed.
    """
    from openpyxl import load_workbook

    wb = load_workbook(source)
    alerts: list[str] = []
    for a in actions:
        if a["func"] == "alert":
            alerts.append(a["args"][0])
            continue
        apply = _APPLY.get(a["func"])
        if apply is None:
            raise AssertionError(f"the harness does not apply {a['func']!r}: {a}")
        apply(wb, a, a["args"])
    wb.save(target)
    return alerts


def _cells(wb, a: dict):
    ws = wb.worksheets[a["sheet_position"]]
    for i in range(a["row_count"]):
        for j in range(a["column_count"]):
            yield ws.cell(a["start_row"] + 1 + i, a["start_column"] + 1 + j)


def _sheet_clear(wb, a, args):
    """Values and formats cleared: a fresh sheet of the same name."""
    old = wb.worksheets[a["sheet_position"]]
    name, index = old.title, a["sheet_position"]
    wb.remove(old)
    wb.create_sheet(name, index=index)


def _set_values(wb, a, args):
    ws = wb.worksheets[a["sheet_position"]]
    for i, row in enumerate(a["values"]):
        for j, v in enumerate(row):
            ws.cell(a["start_row"] + 1 + i, a["start_column"] + 1 + j).value = (
                None if v == "" else v
            )


def _set_number_format(wb, a, args):
    for c in _cells(wb, a):
        c.number_format = args[0]


def _set_font_property(wb, a, args):
    from openpyxl.styles import Font

    prop, value = args
    if prop not in ("bold", "italic", "size", "color"):
        raise AssertionError(f"font property {prop!r} not applied")
    if prop == "color":
        value = value.lstrip("#").upper()
    for c in _cells(wb, a):
        c.font = Font(**{**_font(c.font), prop: value})


def _set_range_color(wb, a, args):
    from openpyxl.styles import PatternFill

    hex6 = args[0].lstrip("#").upper()
    for c in _cells(wb, a):
        c.fill = PatternFill("solid", start_color=hex6, end_color=hex6)


def _set_column_width(wb, a, args):
    from openpyxl.utils import get_column_letter

    ws = wb.worksheets[a["sheet_position"]]
    ws.column_dimensions[get_column_letter(a["start_column"] + 1)].width = args[0]


def _add_picture(wb, a, args):
    from openpyxl.drawing.image import Image
    from openpyxl.utils import get_column_letter

    ws = wb.worksheets[a["sheet_position"]]
    image = Image(io.BytesIO(base64.b64decode(args[0])))
    ws.add_image(image, f"{get_column_letter(args[1] + 1)}{args[2] + 1}")


def _set_picture_size(attribute: str):
    def apply(wb, a, args):
        image = wb.worksheets[a["sheet_position"]]._images[args[0]]
        setattr(image, attribute, args[1] * 96 / 72)  # points to pixels

    return apply


#: How the harness applies each Office.js action (``alert`` is collected, not applied).
def _set_name(wb, a, args):
    """A book-scoped defined name added or re-pointed (namesAdd, setNameRefersTo)."""
    from openpyxl.workbook.defined_name import DefinedName

    name, value = (args[0], args[1]) if a["func"] == "namesAdd" else (args[0], args[3])
    if name in wb.defined_names:
        del wb.defined_names[name]
    wb.defined_names[name] = DefinedName(name, attr_text=str(value).lstrip("="))


_APPLY = {
    "namesAdd": _set_name,
    "setNameRefersTo": _set_name,
    "addSheet": lambda wb, a, args: wb.create_sheet(args[1], index=args[0]),
    "sheetClear": _sheet_clear,
    "sheetDelete": lambda wb, a, args: wb.remove(wb.worksheets[a["sheet_position"]]),
    "setValues": _set_values,
    "setNumberFormat": _set_number_format,
    "setFontProperty": _set_font_property,
    "setRangeColor": _set_range_color,
    "setColumnWidth": _set_column_width,
    "addPicture": _add_picture,
    "setPictureName": lambda wb, a, args: None,  # openpyxl images carry no name
    "setPictureWidth": _set_picture_size("width"),
    "setPictureHeight": _set_picture_size("height"),
}


def _font(f) -> dict:
    return {"name": f.name, "size": f.size, "bold": f.bold, "italic": f.italic, "color": f.color}


def _load_main(path: str):
    """A ``main.py`` loaded as xlwings Lite loads it: a module of its own, by file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("main", path)
    main = importlib.util.module_from_spec(spec)
    sys.modules["main"] = main
    spec.loader.exec_module(main)
    return main


def run_lite_child(python_path: str, main_py: str, model: str | Path, name: str) -> dict:
    """Run a script of ``main.py`` in a Python that sees only ``python_path`` (and the
    standard library: ``-S``), as xlwings Lite runs it: the payload is built here (with
    this process's readers) and the child needs nothing but xlwings and what main.py
    brings."""
    import tempfile

    import xlwings as xw

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(payload(model, xw.__version__), f)
    env = dict(ENV, PYTHONPATH=python_path, PATH="/usr/bin:/bin", HOME=str(Path(f.name).parent))
    if "SOURCE_DATE_EPOCH" in os.environ:  # the run's time stamp, as the headless run's
        env["SOURCE_DATE_EPOCH"] = os.environ["SOURCE_DATE_EPOCH"]
    proc = subprocess.run(
        [sys.executable, "-S", str(HERE / "officejs.py"), "lite-script", main_py, f.name, name],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    os.unlink(f.name)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.splitlines()[-1])


def _child() -> None:  # pragma: no cover - runs in the fresh process
    import asyncio

    import xlwings as xw
    from xlwings.pro.udfs_officejs import (
        custom_functions_call,
        custom_functions_meta,
        custom_scripts_call,
        custom_scripts_meta,
    )

    what = sys.argv[1]
    if what == "lite-script":  # no xlalloc installed: main.py brings it
        main = _load_main(sys.argv[2])
        with open(sys.argv[3]) as f:
            book = xw.Book(json=json.load(f))
        asyncio.run(custom_scripts_call(main, sys.argv[4], typehint_to_value={xw.Book: book}))
        out = book.json()
        out["xlalloc"] = sys.modules["xlalloc"].__file__
        print(json.dumps(out, default=str))
        return

    import xlalloc.excel.scripts as scripts
    import xlalloc.excel.udfs as udfs

    if what == "meta":
        out = {"functions": custom_functions_meta(udfs), "scripts": custom_scripts_meta(scripts)}
    elif what == "lite":  # the main.py `xlalloc lite` writes, as xlwings Lite loads it
        main = _load_main(sys.argv[2])
        out = {"functions": custom_functions_meta(main), "scripts": custom_scripts_meta(main)}
    elif what == "script":
        model, name = sys.argv[2], sys.argv[3]
        book = xw.Book(json=payload(model, xw.__version__))
        asyncio.run(custom_scripts_call(scripts, name, typehint_to_value={xw.Book: book}))
        out = book.json()
    else:  # functions: a JSON list of [name, args] from stdin
        calls = json.loads(sys.stdin.read() if len(sys.argv) < 3 else sys.argv[2])
        out = {"results": []}
        for name, args in calls:
            data = {
                "func_name": name,
                "args": args,
                "version": xw.__version__,
                "client": "Office.js",
                "runtime": "1.4",
                "caller_address": "Sheet1!A1",
                "formula_name": f"XLALLOC.{name.upper()}",
                "culture_info_name": "en-GB",
                "date_format": "dd/mm/yyyy",
            }
            out["results"].append(asyncio.run(custom_functions_call(data, udfs)))
    print(json.dumps(out, default=str))


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1] != "lite-script":  # a Lite child sees only what main.py brings
        sys.path.insert(0, str(HERE.parent))
    _child()
