"""xlwings Lite: the files `xlalloc lite` writes, and a pure-Python wheel without the extras."""

from __future__ import annotations

import re
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


def test_lite_files_register_every_function_and_script_through_xlwings(tmp_path):
    assert main(["lite", str(tmp_path)]) == 0
    assert (tmp_path / "requirements.txt").read_text().splitlines()[0].startswith("xlalloc==")
    meta = run_child("lite", str(tmp_path / "main.py"))
    assert {f["name"] for f in meta["functions"]["functions"]} == {n.upper() for n in REGISTRY}
    assert {s["function_name"] for s in meta["scripts"]} == set(SCRIPTS)
    assert main(["lite", str(tmp_path), "--wheel", "https://example.nhs.uk/x.whl"]) == 2  # exists
    assert (
        main(
            [
                "lite",
                str(tmp_path),
                "--force",
                "--wheel",
                "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl",
            ]
        )
        == 0
    )
    assert (
        (tmp_path / "requirements.txt")
        .read_text()
        .startswith("xlalloc @ https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl")
    )
    assert main(["lite", str(tmp_path / "main.py")]) == 2  # a file, not a folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    d = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(d),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = d.glob("xlalloc-*.whl")
    return path


def test_the_wheel_is_pure_python_and_needs_only_the_core(wheel):
    assert wheel.name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        meta = next(n for n in z.namelist() if n.endswith("METADATA"))
        text = z.read(meta).decode()
        assert not [n for n in z.namelist() if n.endswith((".so", ".pyd", ".dll"))]
    required = [
        line.split(":", 1)[1].strip()
        for line in text.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    assert sorted(re.split(r"[<>=!~;, ]", r)[0] for r in required) == [
        "defusedxml",
        "lxml",  # a binary wheel, like numpy's and pandas', and built into Pyodide
        "numpy",
        "openpyxl",
        "pandas",
        "pydantic",
    ]


def test_the_wheel_installs_beside_only_its_core_and_runs_the_model_alike(wheel, tmp_path):
    # pip installs the wheel with numpy, pandas, pydantic, openpyxl, defusedxml, lxml and xlwings
    # (and what they need) into a folder of their own; a Python that sees only that folder
    # and the standard library (-S: no site-packages) imports the Excel modules, reads the
    # demo model with openpyxl (no python-calamine there) and gets the same Table 1.
    from conftest import need

    import xlalloc
    from xlalloc.model.runner import run_model
    from xlalloc.readers.model import read_model

    env = tmp_path / "env"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            "--target",
            str(env),
            str(wheel),
            "xlwings",
        ],
        capture_output=True,
        text=True,
    )
    need(proc.returncode == 0, f"pip could not install the wheel: {proc.stderr[-500:]}")
    installed = {p.name.split("-")[0].lower() for p in env.glob("*.dist-info")}
    assert not installed & {"python_calamine", "oletools", "duckdb", "matplotlib"}
    model = tmp_path / "model.xlsx"
    xlalloc.new(model, demo=True)
    want = run_model(read_model(model)).apportionment.table1
    script = f"""
import xlalloc, xlalloc.excel.scripts, xlalloc.excel.udfs
assert xlalloc.__file__.startswith({str(env)!r}), xlalloc.__file__
from xlalloc.readers.sheets import has_calamine
from xlalloc.readers.model import read_model
from xlalloc.model.runner import run_model
assert not has_calamine()
print(run_model(read_model({str(model)!r})).apportionment.table1.to_json())
"""
    proc = subprocess.run(
        [sys.executable, "-S", "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(env), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr
    from io import StringIO

    import pandas as pd

    got = pd.read_json(StringIO(proc.stdout.splitlines()[-1]))
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_names=False)
