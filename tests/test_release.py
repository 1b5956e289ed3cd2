"""A release that installs from a file: built, checked, installed where nothing else is.

xlalloc is not on PyPI. ``python -m build`` makes the sdist and the pure-Python wheel;
``twine check`` reads their metadata as PyPI would; the wheel is installed with every
extra into a fresh virtual environment (the README's ``pip install
"xlalloc-0.1.0-py3-none-any.whl[all]"``) and the quick start runs there.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import need

import xlalloc

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, (proc.args, proc.stdout[-2000:], proc.stderr[-2000:])
    return proc.stdout


def _run(*args: str | Path, cwd: Path | None = None) -> str:
    return _ok(subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd))


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    # As a release is built: the backend pyproject.toml names, in an isolated environment.
    _run(sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", out, ROOT)
    return out


def test_build_makes_the_sdist_and_a_pure_python_wheel_that_twine_accepts(dist):
    names = sorted(p.name for p in dist.iterdir())
    version = xlalloc.__version__
    assert names == [f"xlalloc-{version}-py3-none-any.whl", f"xlalloc-{version}.tar.gz"]
    assert "PASSED" in _run(sys.executable, "-m", "twine", "check", "--strict", *dist.iterdir())
    with zipfile.ZipFile(dist / names[0]) as z:
        files = z.namelist()
    assert "xlalloc/reference/table_y1.csv" in files and "xlalloc/py.typed" in files
    assert not [f for f in files if f.startswith(("tests/", "benchmarks/"))]


def test_the_wheel_with_every_extra_installs_into_a_fresh_venv_and_runs_the_quick_start(
    dist, tmp_path, shared_dir
):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    bin_ = venv / "bin"
    wheel = next(dist.glob("*.whl"))
    proc = subprocess.run(
        [bin_ / "pip", "install", "-q", f"{wheel}[all]"], capture_output=True, text=True
    )
    need(proc.returncode == 0, f"pip could not install the wheel's dependencies: {proc.stderr}")
    # Nothing from this checkout: the installed xlalloc is the wheel's.
    where = _run(bin_ / "python", "-c", "import xlalloc; print(xlalloc.__file__)", cwd=tmp_path)
    assert where.strip().startswith(str(venv)), where
    version = _run(bin_ / "xlalloc", "--version").strip()
    assert version.startswith(f"xlalloc {xlalloc.__version__} (self-test: ")
    assert version.endswith("reference cases passed)")  # the wheel carries its references
    # The README's quick start, as written (the demo, then West Yorkshire's three years).
    out = _run(bin_ / "xlalloc", "demo", "xlalloc-demo.xlsx", cwd=tmp_path)
    assert "wrote" in out and (tmp_path / "xlalloc-demo.xlsx").exists()
    files = [
        f"--practices={shared_dir / f'ICB_Place_Based_Tool_2627-2829__{y}.csv'}"
        for y in ("2026_2027", "2027_2028", "2028_2029")
    ]
    _run(
        bin_ / "xlalloc",
        "new",
        "wy.xlsx",
        "--icb",
        "west yorkshire",
        "--places-by",
        "lad",
        *files,
        cwd=tmp_path,
    )
    out = _run(bin_ / "xlalloc", "run", "wy.xlsx", cwd=tmp_path)
    assert "ran " in out
    # Every extra works: DuckDB, the add-in (xlwings' template), Lite's files.
    _run(bin_ / "xlalloc", "addin", "build", cwd=tmp_path)
    assert _run(bin_ / "xlalloc", "addin", "verify", cwd=tmp_path).strip().endswith("ok")
    _run(bin_ / "xlalloc", "lite", "lite", cwd=tmp_path)
    assert (tmp_path / "lite" / "main.py").stat().st_size > 100_000
    _run(bin_ / "xlalloc", "demo-ledger", "xlalloc-demo.xlsx", "-o", "ledger.csv", cwd=tmp_path)
    _run(bin_ / "python", "-c", "import duckdb, python_calamine, xlwings, matplotlib", cwd=tmp_path)
