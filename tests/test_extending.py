"""docs/extending.md: each example module, added to a copy of the package, works as written.

For each extension point the document shows one module (a fenced ``python`` block opening
``# file: PATH``) and the commands that use it (a fenced ``console`` block: ``$ xlalloc
...`` lines, each followed by text its output must contain). Each example is written into
a temporary copy of the package, with no other file changed, and its commands are run
there in a fresh process.
"""

from __future__ import annotations

import filecmp
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "extending.md"

FENCE = re.compile(r"```(\w+)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str, str, str]]:
    """(section, module path, module text, console text) for each ``##`` section."""
    out = []
    for section in DOC.read_text(encoding="utf-8").split("\n## ")[1:]:
        title = section.splitlines()[0]
        blocks = FENCE.findall(section)
        code = [b for kind, b in blocks if kind == "python"]
        console = [b for kind, b in blocks if kind == "console"]
        assert len(code) == 1 and len(console) == 1, title
        first, _, _ = code[0].partition("\n")
        assert first.startswith("# file: "), title
        out.append((title, first.removeprefix("# file: ").strip(), code[0], console[0]))
    return out


def commands(console: str) -> list[tuple[list[str], list[str]]]:
    """Each ``$ xlalloc ...`` command and the lines its output must contain."""
    out: list[tuple[list[str], list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            out.append((shlex.split(line[2:]), []))
        elif line.strip():
            out[-1][1].append(line.strip())
    return out


EXAMPLES = examples()


def test_the_document_has_an_example_for_each_extension_point():
    titles = [t for t, *_ in EXAMPLES]
    assert titles == [
        "An apportionment method",
        "A convergence method",
        "A model part",
        "A command",
        "An output column",
    ]
    for _title, _path, _code, console in EXAMPLES:
        assert all(argv[0] == "xlalloc" for argv, _ in commands(console))


def package_copy(tmp_path: Path) -> Path:
    """A copy of the package (no bytecode) under ``tmp_path/src``."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "xlalloc", src / "xlalloc", ignore=shutil.ignore_patterns("__pycache__"))
    return src


def changed_files(copy: Path) -> list[str]:
    """The package's files the copy adds or changes, against the repository's."""
    changed = []
    for path in sorted((copy / "xlalloc").rglob("*")):
        if path.is_dir() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(copy)
        original = ROOT / rel
        if not original.exists() or not filecmp.cmp(path, original, shallow=False):
            changed.append(str(rel))
    return changed


@pytest.mark.slow  # a fresh process per command, about 15 s in all
@pytest.mark.parametrize("title,path,code,console", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_an_example_works_as_written_from_a_copy_of_the_package(
    tmp_path, title, path, code, console
):
    src = package_copy(tmp_path)
    (src / path).write_text(code, encoding="utf-8")
    assert changed_files(src) == [path]  # the one module added, no other file changed
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(src), "XLALLOC_SECOND_PROCESS": "0"}
    for argv, expected in commands(console):
        done = subprocess.run(
            [sys.executable, "-m", "xlalloc.cli", *argv[1:]],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, (title, argv, done.stdout, done.stderr)
        for line in expected:
            assert line in done.stdout, (title, argv, line, done.stdout)
    assert changed_files(src) == [path]


@pytest.mark.slow
def test_the_apportionment_example_shares_a_line_by_registered_patients(tmp_path):
    """The method is used, not only listed: a line naming it is shared by list size."""
    title, path, code, _ = EXAMPLES[0]
    src = package_copy(tmp_path)
    (src / path).write_text(code, encoding="utf-8")
    check = """
import dataclasses, json, xlalloc
from xlalloc.model.runner import run_model
from xlalloc.readers.model import read_model
xlalloc.new("m.xlsx", demo=True)
inputs = read_model("m.xlsx")
budget = inputs.budget.copy()
budget.loc[budget.index[0], "methods"] = "registered"
result = run_model(dataclasses.replace(inputs, budget=budget))
line = budget["line"].iloc[0]
cells = result.apportionment.cells
cells = cells[cells["line"] == line].groupby("place")["amount"].sum()
p = result.practices
print(json.dumps({"amount": float(budget["amount"].iloc[0]), "cells": cells.to_dict(),
                  "population": p.groupby("place")["population"].sum().to_dict()}))
"""
    env = {**os.environ, "PYTHONPATH": str(src), "XLALLOC_SECOND_PROCESS": "0"}
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    import json

    got = json.loads(done.stdout)
    total = sum(got["population"].values())
    # Each place's part of the line is its share of registered patients, to the pound.
    for place, pop in got["population"].items():
        assert abs(got["cells"][place] - got["amount"] * pop / total) <= 1.0, place
    assert sum(got["cells"].values()) == got["amount"]
