"""Lint and type-check as part of the suite, so CI enforces them."""

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import need

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean():
    need(shutil.which("ruff") is not None, "ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run(
        ["ruff", "check", "xlalloc", "tests", "benchmarks", "docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_clean():
    need(shutil.which("ruff") is not None, "ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run(
        ["ruff", "format", "--check", "xlalloc", "tests", "benchmarks", "docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_type_checks():
    """mypy over the whole package (pyproject: files = ["xlalloc"])."""
    need(shutil.which("mypy") is not None, "mypy is not installed (pip install -e '.[test]')")
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_engine_never_imports_excel_libraries():
    for path in (ROOT / "xlalloc" / "engine").rglob("*.py"):
        text = path.read_text()
        for lib in ("openpyxl", "xlwings", "python_calamine"):
            assert f"import {lib}" not in text and f"from {lib}" not in text, (path, lib)
