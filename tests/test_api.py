"""The Python API: the same use cases as the command line."""

import pytest
from conftest import sha

import xlalloc
from xlalloc.engine.errors import InputError


def test_new_run_validate(tmp_path):
    model = xlalloc.new(tmp_path / "m.xlsx", demo=True)
    with pytest.raises(InputError, match="exists; choose another name"):
        xlalloc.new(model)
    assert xlalloc.validate(model) == []
    before = sha(model)
    with pytest.raises(InputError, match="the output is the input workbook"):
        xlalloc.run(model, model)
    result = xlalloc.run(model)
    assert (tmp_path / "m-results.xlsx").exists() and sha(model) == before
    assert result.tables()["table1"].loc["Total", "Total"] == 2_516_000_000


def test_validate_lists_problems_as_lines(tmp_path):
    assert xlalloc.validate(tmp_path / "missing.xlsx") == [
        f"{tmp_path / 'missing.xlsx'}: file not found: {tmp_path / 'missing.xlsx'}"
    ]


def test_the_package_face_is_light():
    import subprocess
    import sys

    code = (
        "import sys, xlalloc; print(sorted(m for m in ('pandas', 'openpyxl', "
        "'xlalloc.api') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_every_api_function_stays_callable_after_the_others_are_used():
    """A submodule named like an API function would replace it once imported."""
    import importlib

    for name in xlalloc.__all__:
        importlib.import_module("xlalloc.api")
        importlib.import_module("xlalloc.usecases.pack")
        if name != "__version__":
            assert callable(getattr(xlalloc, name)), name


def test_new_over_an_existing_file_says_how_to_replace_it(tmp_path):
    from xlalloc.cli import flags
    from xlalloc.engine.errors import InputError

    path = tmp_path / "m.xlsx"
    path.write_bytes(b"mine")
    try:
        xlalloc.new(path)
    except InputError as e:
        text = str(e)
    assert "pass `overwrite` to replace it" in text  # the Python API's keyword
    assert "pass --force to replace it" in flags(text)  # the command line's flag
    assert path.read_bytes() == b"mine"
