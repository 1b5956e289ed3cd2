"""Run xlwings' real UDF decorators and VBA generator on xlalloc's UDF module.

xlwings' UDF machinery imports Windows-only modules (pythoncom, pywintypes,
win32com); this script stubs them so the pure-Python parts (decorators, VBA
wrapper generation) run on Linux. Run in a subprocess: it patches xlwings.
Prints JSON: each VBA function's name, arguments and category.
"""

import importlib
import io
import json
import re
import sys
import types

pythoncom = types.ModuleType("pythoncom")
pythoncom.CoInitialize = lambda: None
sys.modules["pythoncom"] = pythoncom
pywintypes = types.ModuleType("pywintypes")
pywintypes.com_error = type("com_error", (Exception,), {})
sys.modules["pywintypes"] = pywintypes
win32com = types.ModuleType("win32com")
client = types.ModuleType("win32com.client")
client.Dispatch = lambda *a, **k: None
win32com.client = client
sys.modules["win32com"] = win32com
sys.modules["win32com.client"] = client

import xlwings as xw  # noqa: E402
import xlwings.udfs as xu  # noqa: E402

xw.func, xw.arg, xw.ret = xu.xlfunc, xu.xlarg, xu.xlret
import xlalloc.excel.udfs as udfs  # noqa: E402

udfs = importlib.reload(udfs)
buf = io.StringIO()
xu.generate_vba_wrapper("xlalloc.excel.udfs", udfs, buf, types.SimpleNamespace(Name="m.xlsm"))
vba = buf.getvalue()
out = {}
for name, args in re.findall(r"^Function (\w+)\((.*)\)", vba, re.M):
    meta = getattr(udfs, name).__xlfunc__
    out[name] = {
        "args": [a.replace("Optional ", "") for a in args.split(", ") if a],
        "category": meta["category"],
        "volatile": meta["volatile"],
        "ndim": {a["name"]: a["options"].get("ndim") for a in meta["args"]},
        "convert": [a["name"] for a in meta["args"] if "convert" in a["options"]],
        "calls": f'XLPy.CallUDF("xlalloc.excel.udfs", "{name}"' in vba,
    }
print(json.dumps(out))
