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

    Every action xlalloc's scripts send is applied; any other fails the test, so an action
    the harness does not know cannot pass unnoticed.
    """
    from openpyxl import load_workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = load_workbook(source)
    alerts: list[str] = []

    def cells(a: dict):
        ws = wb.worksheets[a["sheet_position"]]
        for i in range(a["row_count"]):
            for j in range(a["column_count"]):
                yield ws.cell(a["start_row"] + 1 + i, a["start_column"] + 1 + j)

    for a in actions:
        f, args = a["func"], a["args"]
        if f == "addSheet":
            ws = wb.create_sheet(args[1], index=args[0])
        elif f == "sheetClear":  # values and formats: a fresh sheet of the same name
            old = wb.worksheets[a["sheet_position"]]
            name, index = old.title, a["sheet_position"]
            wb.remove(old)
            wb.create_sheet(name, index=index)
        elif f == "sheetDelete":
            wb.remove(wb.worksheets[a["sheet_position"]])
        elif f == "setValues":
            ws = wb.worksheets[a["sheet_position"]]
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    ws.cell(a["start_row"] + 1 + i, a["start_column"] + 1 + j).value = (
                        None if v == "" else v
                    )
        elif f == "setNumberFormat":
            for c in cells(a):
                c.number_format = args[0]
        elif f == "setFontProperty":
            for c in cells(a):
                if args[0] == "bold":
                    font = Font(**{**_font(c.font), "bold": args[1]})
                elif args[0] == "italic":
                    font = Font(**{**_font(c.font), "italic": args[1]})
                elif args[0] == "size":
                    font = Font(**{**_font(c.font), "size": args[1]})
                elif args[0] == "color":
                    font = Font(**{**_font(c.font), "color": args[1].lstrip("#").upper()})
                else:
                    raise AssertionError(f"font property {args[0]!r} not applied")
                c.font = font
        elif f == "setRangeColor":
            for c in cells(a):
                hex6 = args[0].lstrip("#").upper()
                c.fill = PatternFill("solid", start_color=hex6, end_color=hex6)
        elif f == "setColumnWidth":
            ws = wb.worksheets[a["sheet_position"]]
            letter = get_column_letter(a["start_column"] + 1)
            ws.column_dimensions[letter].width = args[0]
        elif f == "addPicture":
            ws = wb.worksheets[a["sheet_position"]]
            image = Image(io.BytesIO(base64.b64decode(args[0])))
            ws.add_image(image, f"{get_column_letter(args[1] + 1)}{args[2] + 1}")
        elif f == "setPictureName":
            pass  # openpyxl images carry no name
        elif f in ("setPictureWidth", "setPictureHeight"):
            ws = wb.worksheets[a["sheet_position"]]
            image = ws._images[args[0]]
            pixels = args[1] * 96 / 72  # points to pixels
            if f == "setPictureWidth":
                image.width = pixels
            else:
                image.height = pixels
        elif f == "alert":
            alerts.append(args[0])
        else:
            raise AssertionError(f"the harness does not apply {f!r}: {a}")
    wb.save(target)
    return alerts


def _font(f) -> dict:
    return {"name": f.name, "size": f.size, "bold": f.bold, "italic": f.italic, "color": f.color}


def _child() -> None:  # pragma: no cover - runs in the fresh process
    import asyncio

    import xlwings as xw
    from xlwings.pro.udfs_officejs import (
        custom_functions_call,
        custom_functions_meta,
        custom_scripts_call,
        custom_scripts_meta,
    )

    import xlalloc.excel.scripts as scripts
    import xlalloc.excel.udfs as udfs

    what = sys.argv[1]
    if what == "meta":
        out = {"functions": custom_functions_meta(udfs), "scripts": custom_scripts_meta(scripts)}
    elif what == "lite":  # the main.py `xlalloc lite` writes, as xlwings Lite loads it
        import importlib.util

        spec = importlib.util.spec_from_file_location("main", sys.argv[2])
        main = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(main)
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
    sys.path.insert(0, str(HERE.parent))
    _child()
