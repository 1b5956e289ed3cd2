"""xlwings Lite: the files `xlalloc lite` writes, and a pure-Python wheel without the extras."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from officejs import run_child

from xlalloc.cli import main
from xlalloc.excel.scripts import SCRIPTS
from xlalloc.excel.udfs import REGISTRY

ROOT = Path(__file__).resolve().parents[2]

#: The extras a Lite (Pyodide) install lacks: native code, or desktop-only.
EXTRAS = ("python_calamine", "oletools", "duckdb", "lxml")


def test_lite_files_register_every_function_and_script_through_xlwings(tmp_path):
    assert main(["lite", str(tmp_path)]) == 0
    assert (tmp_path / "requirements.txt").read_text().splitlines()[0].startswith("xlalloc==")
    meta = run_child("lite", str(tmp_path / "main.py"))
    assert {f["name"] for f in meta["functions"]["functions"]} == {n.upper() for n in REGISTRY}
    assert {s["function_name"] for s in meta["scripts"]} == set(SCRIPTS)
    assert main(["lite", str(tmp_path), "--wheel", "https://example.nhs.uk/x.whl"]) == 2  # exists
    assert main(["lite", str(tmp_path), "--force", "--wheel",
                 "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl"]) == 0
    assert (tmp_path / "requirements.txt").read_text().startswith(
        "xlalloc @ https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    d = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(d), str(ROOT)], check=True, capture_output=True)
    (path,) = d.glob("xlalloc-*.whl")
    return path


def test_the_wheel_is_pure_python_and_needs_only_the_core(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith("METADATA"))
        text = z.read(meta).decode()
        assert not [n for n in z.namelist() if n.endswith((".so", ".pyd", ".dll"))]
    required = [line.split(":", 1)[1].strip() for line in text.splitlines()
                if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert sorted(r.split(">=")[0] for r in required) == ["defusedxml", "numpy", "openpyxl",
                                                          "pandas", "pydantic"]


def test_without_the_extras_the_wheel_imports_and_runs_the_model_alike(wheel, tmp_path):
    # A fresh process where the extras cannot be imported, xlalloc taken from the wheel
    # itself (zipimport), reads the demo model with openpyxl and runs it; its figures must
    # equal those read with python-calamine.
    import xlalloc
    from xlalloc.model.runner import run_model
    from xlalloc.readers.model import read_model

    model = tmp_path / "model.xlsx"
    xlalloc.new(model, demo=True)
    want = run_model(read_model(model)).apportionment.table1
    script = f"""
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {EXTRAS!r}:
            raise ImportError(f"{{name}} is not installed (blocked)")
sys.meta_path.insert(0, Block())
sys.path.insert(0, {str(wheel)!r})
import xlalloc
assert xlalloc.__file__.startswith({str(wheel)!r}), xlalloc.__file__
import xlalloc.excel.scripts, xlalloc.excel.udfs
from xlalloc.readers.sheets import has_calamine
from xlalloc.readers.model import read_model
from xlalloc.model.runner import run_model
assert not has_calamine()
print(run_model(read_model({str(model)!r})).apportionment.table1.to_json())
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    from io import StringIO

    import pandas as pd

    got = pd.read_json(StringIO(proc.stdout.splitlines()[-1]))
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_names=False)
