"""Every hint that names an optional part gives a command that installs it."""

import tomllib
from pathlib import Path

from xlalloc.extras import EXTRAS, install_hint

ROOT = Path(__file__).resolve().parents[1]


def test_extras_are_pyprojects_optional_dependencies():
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert {k: tuple(v) for k, v in optional.items() if k in EXTRAS} == EXTRAS
    assert set(optional) - set(EXTRAS) == {"all", "test"}  # (all: the three; test: CI's)
    assert optional["all"] == [f"xlalloc[{','.join(EXTRAS)}]"]


def test_a_hint_installs_the_packages_themselves_not_an_unpublished_name():
    assert install_hint("activity") == 'pip install "duckdb>=1.1"'
    assert install_hint("excel") == 'pip install "xlwings>=0.30" "oletools>=0.60" "matplotlib>=3.7"'
    for path in (ROOT / "xlalloc").rglob("*.py"):
        text = path.read_text()
        assert 'pip install "xlalloc[' not in text, path  # xlalloc is not on PyPI
