"""The use cases found, and what every one shares: options named by keyword."""

import pytest
from conftest import write

import xlalloc.api as api
from xlalloc.engine.errors import InputError


def test_bad_options_are_named_by_their_keyword_and_nothing_is_written(tmp_path):
    with pytest.raises(InputError) as e:
        api.targets("demo", tmp_path / "t.csv", budget="lots", component="teeth")
    text = str(e.value)
    assert "`budget`" in text and "`component`" in text
    assert not (tmp_path / "t.csv").exists()


def test_settings_out_of_bounds_are_input_errors_not_crashes(tmp_path):
    units = write(tmp_path / "u.csv", "unit,population,need,spend\nA,1,1,1\nB,1,2,1\n")
    with pytest.raises(InputError, match="`tolerance`"):
        api.equity(units, tmp_path / "e.csv", tolerance=-0.1)
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,1,1\nB,2,1\n")
    with pytest.raises(InputError, match="`pot`"):
        api.levelling_up(funding, tmp_path / "lu.csv", pot=-100)


def test_an_existing_output_is_kept_without_overwrite(tmp_path):
    out = write(tmp_path / "lu.csv", "mine\n")
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,1,1\nB,2,1\n")
    with pytest.raises(InputError, match="exists; pass `overwrite` to replace it"):
        api.levelling_up(funding, out, pot=1)
    assert out.read_text() == "mine\n"
    api.levelling_up(funding, out, pot=1, overwrite=True)
    assert out.read_text() != "mine\n"


# ------------------------------------------------ the use cases found, and what derives from them


def test_every_use_case_module_is_found_by_its_docstring_without_being_imported():
    import subprocess
    import sys

    code = (
        "import sys; from xlalloc.usecases import use_cases; u = use_cases(); "
        "print(sorted(u)); print(sorted(m for m in sys.modules if m.startswith('xlalloc.usecases.')))"
    )
    found, imported = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # Every module of the package that opens with ``xlalloc NAME``: (analysis.py does not).
    assert found == str(
        sorted(
            [
                "activity", "compare", "converge", "demo-ledger", "drivers", "equity",
                "footprint", "levelling-up", "methods", "new", "pack", "pack-template",
                "rebase", "run", "table-y1", "targets", "validate",
            ]
        )
    )  # fmt: skip
    assert imported == "[]"


def test_every_use_case_names_its_request():
    from xlalloc.request import Request
    from xlalloc.usecases import use_cases

    for command, u in use_cases().items():
        assert issubclass(u.request, Request), command
        assert u.request.__module__ == f"xlalloc.usecases.{u.module}", command


def test_a_use_case_names_its_request_and_summary():
    from xlalloc.usecases import use_cases
    from xlalloc.usecases.levelling_up import LevellingUpRequest

    u = use_cases()["levelling-up"]
    assert (u.module, u.request) == ("levelling_up", LevellingUpRequest)
    assert u.summary == "a no-loser payment toward one level of funding per need"


def test_the_api_function_takes_the_requests_arguments_by_position_and_the_rest_by_name():
    import inspect

    sig = inspect.signature(api.rebase)
    positional = [p.name for p in sig.parameters.values() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == ["old", "new", "output", "baselines"]
    assert sig.parameters["component"].kind is inspect.Parameter.KEYWORD_ONLY
    assert sig.parameters["component"].default == "core"
    assert sig.parameters["unit"].default == 1.0
    doc = api.rebase.__doc__
    assert doc.startswith("Last year's ICB baselines rebased onto this year's ICBs.")
    assert "    baselines: CSV/XLSX with columns icb,baseline" in doc


def test_the_api_function_refuses_too_many_or_doubled_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"takes 2 positional arguments \(units, output\)"):
        api.equity("u.csv", "e.csv", 0.1)
    with pytest.raises(TypeError, match="got output by position and by name"):
        api.equity("u.csv", "e.csv", output="f.csv")


def test_the_api_function_passes_a_positional_argument_to_its_field(tmp_path):
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,100,1\nB,100,3\n")
    # pot third by position, as before the functions were derived from the requests
    by_position = api.levelling_up(funding, tmp_path / "a.csv", 40)
    by_name = api.levelling_up(funding, tmp_path / "b.csv", pot=40)
    assert by_position.tables.keys() == by_name.tables.keys()
    for name in by_name.tables:
        assert by_position.tables[name].equals(by_name.tables[name])
    # B's need is three times A's on the same funding (£33.33 a unit of need against
    # £100): the whole pot of 40 goes to B, lifting it to £140 / 3 = £46.67.
    table = by_position.tables["Levelling up"].set_index("org")
    assert table["payment"].to_dict() == {"A": 0.0, "B": 40.0}
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_every_use_case_is_an_api_function_and_a_command():
    from xlalloc.cli import build_parser
    from xlalloc.usecases import use_cases

    commands = build_parser(["--help"])._subparsers._group_actions[0].choices
    named = {"pack": "packs"}  # the API's name for it, written by hand (a progress callback)
    for command, u in use_cases().items():
        assert command in commands, command
        function = named.get(u.module, u.module)
        assert function in api.__all__ and callable(getattr(api, function)), u.module


def test_use_cases_are_found_in_a_zipped_package_too(tmp_path):
    """A package not unpacked into files (zipimport) has its modules imported instead."""
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    from xlalloc.usecases import use_cases

    root = Path(__file__).resolve().parents[2]
    archive = tmp_path / "xlalloc.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((root / "xlalloc").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(root).as_posix())
    code = "from xlalloc.usecases import use_cases; print(sorted(use_cases()))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(archive), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == str(sorted(use_cases()))
