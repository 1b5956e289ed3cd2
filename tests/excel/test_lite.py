"""xlwings Lite: the files `xlalloc lite` writes, and a pure-Python wheel without the extras."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from hashlib import sha256
from importlib import metadata
from pathlib import Path

import pytest
from officejs import run_child

import xlalloc
from xlalloc.cli import main
from xlalloc.excel.scripts import SCRIPTS
from xlalloc.excel.udfs import REGISTRY

ROOT = Path(__file__).resolve().parents[2]

#: xlalloc's core dependencies (pyproject.toml), which Pyodide has or PyPI serves pure.
CORE = ("numpy", "pandas", "pydantic", "openpyxl", "defusedxml", "lxml")


def test_lite_files_register_every_function_and_script_through_xlwings(tmp_path, capsys):
    assert main(["lite", str(tmp_path)]) == 0
    requirements = (tmp_path / "requirements.txt").read_text().splitlines()
    # Only what Lite installs itself: pure-Python packages pinned, Pyodide's unpinned.
    assert requirements == [
        f"xlwings=={metadata.version('xlwings')}",
        f"openpyxl=={metadata.version('openpyxl')}",
        f"defusedxml=={metadata.version('defusedxml')}",
        "numpy",
        "pandas",
        "pydantic",
        "lxml",
        "matplotlib",
    ]
    meta = run_child("lite", str(tmp_path / "main.py"))
    assert {f["name"] for f in meta["functions"]["functions"]} == {n.upper() for n in REGISTRY}
    assert {s["function_name"] for s in meta["scripts"]} == set(SCRIPTS)
    wheel = "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl"
    assert main(["lite", str(tmp_path), "--wheel", wheel]) == 2  # exists
    assert main(["lite", str(tmp_path), "--force", "--wheel", wheel]) == 0
    assert (tmp_path / "requirements.txt").read_text().splitlines()[0] == f"xlalloc @ {wheel}"
    assert "_XLALLOC" not in (tmp_path / "main.py").read_text()  # the hosted wheel brings it
    assert main(["lite", str(tmp_path / "main.py")]) == 2  # a file, not a folder
    capsys.readouterr()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl\nevil-package",
        "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl\n",
        "https://example.nhs.uk/my folder/xlalloc-0.1.0-py3-none-any.whl",
        "file:///C:/xlalloc-0.1.0-py3-none-any.whl",
        "https://example.nhs.uk/xlalloc-0.1.0.tar.gz",
        # issue 44: another package's wheel, plain http, and a ? query or # fragment
        # hiding what is fetched
        "https://example.nhs.uk/other-1.0-py3-none-any.whl",
        "http://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl",
        "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl?x=evil.whl",
        "https://example.nhs.uk/evil.whl#/xlalloc-0.1.0-py3-none-any.whl",
        "https://example.nhs.uk/xlalloc-0.1.0-py3-none-any.whl#",
    ],
)
def test_a_wheel_url_is_one_address_of_a_wheel(tmp_path, capsys, url):
    # A line break once wrote a requirement of its own into requirements.txt.
    assert main(["lite", str(tmp_path / "lite"), "--wheel", url]) == 2
    err = capsys.readouterr().err
    assert "is not the address of xlalloc's wheel: expected one https URL whose path ends" in (err)
    assert not (tmp_path / "lite").exists()


def test_main_py_carries_xlalloc_whole_and_checks_it(tmp_path):
    from xlalloc.excel.lite import main_py, package_zip

    text = main_py()
    data = package_zip()
    assert sha256(data).hexdigest() in text
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
    package = Path(xlalloc.__file__).parent
    want = {
        "xlalloc/" + p.relative_to(package).as_posix()
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert names == want  # every file of the package: code, py.typed, reference data
    assert main_py() == text  # reproducible: the same file every time
    # A damaged copy (one character of the payload changed) is refused on import.
    at = text.index('_XLALLOC = """') + 40
    broken = text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]
    path = tmp_path / "main.py"
    path.write_text(broken)
    proc = subprocess.run(
        [sys.executable, "-c", f"import runpy; runpy.run_path({str(path)!r})"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "the xlalloc carried in main.py is damaged" in proc.stderr


@pytest.fixture(scope="module")
def core_only(tmp_path_factory):
    """A folder with xlalloc's core dependencies and xlwings, and no xlalloc."""
    from conftest import need

    env = tmp_path_factory.mktemp("lite-core")
    pins = [f"{name}=={metadata.version(name)}" for name in (*CORE, "xlwings", "matplotlib")]
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-compile", "--target", str(env), *pins],
        capture_output=True,
        text=True,
    )
    need(proc.returncode == 0, f"pip could not install the core: {proc.stderr[-500:]}")
    assert not list(env.glob("xlalloc*"))
    return env


@pytest.mark.slow
def test_lite_main_py_runs_the_model_without_xlalloc_installed(core_only, tmp_path, libreoffice):
    # As xlwings Lite: a Python with the core and xlwings only loads main.py, which
    # unpacks the xlalloc it carries; xlalloc_run through xlwings' own dispatch then
    # writes every output cell of the headless run.
    from conftest import demo_model
    from libreoffice import read_values, recalculate
    from officejs import apply_actions, assert_same_outputs, run_lite_child

    assert main(["lite", str(tmp_path / "lite")]) == 0
    model = demo_model(tmp_path / "model.xlsx")
    headless = tmp_path / "headless.xlsx"
    xlalloc.run(model, headless)
    got = run_lite_child(str(core_only), str(tmp_path / "lite" / "main.py"), model, "xlalloc_run")
    assert "/xlalloc-0.1.0-" in got["xlalloc"] and not got["xlalloc"].startswith(str(ROOT))
    out = tmp_path / "lite.xlsx"
    alerts = apply_actions(model, got["actions"], out)
    assert alerts and alerts[-1].startswith("Done: 3 places")
    assert_same_outputs(
        read_values(recalculate(headless)), read_values(recalculate(out)), read_values(model)
    )


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
    from conftest import SHARED

    nhs = str(SHARED / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv")
    need(SHARED.is_dir(), f"NHS England files not found at {SHARED}")
    script = f"""
import xlalloc, xlalloc.excel.scripts, xlalloc.excel.udfs
assert xlalloc.__file__.startswith({str(env)!r}), xlalloc.__file__
from xlalloc.readers.sheets import has_calamine
from xlalloc.readers.model import read_model
from xlalloc.model.runner import run_model
assert not has_calamine()
from xlalloc.cli import main
# The README's second quick-start line with the core alone (once needed python-calamine).
assert main(["new", {str(tmp_path / "wy.xlsx")!r}, "--icb", "QWO", "--practices", {nhs!r}]) == 0
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
