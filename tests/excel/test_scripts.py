"""The ribbon's actions and the worksheet functions through xlwings' Office.js dispatch.

xlwings Lite and xlwings Server call ``custom_scripts_call`` and ``custom_functions_call``
on xlwings' remote book; the harness (``officejs.py``) runs them in a fresh process as
those runtimes do, applies the returned actions to the workbook and LibreOffice
recalculates it. Every figure must equal the headless run's.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import demo_model
from libreoffice import read_values, recalculate
from officejs import apply_actions, assert_same_outputs, run_child

import xlalloc
from xlalloc.excel.scripts import SCRIPTS
from xlalloc.excel.udfs import REGISTRY

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    d = tmp_path_factory.mktemp("officejs")
    path = d / "model.xlsx"
    demo_model(path)
    return path


@pytest.fixture(scope="module")
def headless(model, libreoffice):
    out = model.with_name("headless.xlsx")
    xlalloc.run(model, out)
    return read_values(recalculate(out))


def _numbers(rows):
    """Every cell as a number where it is one, rounded to 1e-9, else its text."""
    return [[round(v, 9) if isinstance(v, float) else v for v in r] for r in rows]


def test_run_script_through_officejs_gives_the_headless_figures(model, headless, tmp_path):
    actions = run_child("script", str(model), "xlalloc_run")["actions"]
    out = tmp_path / "officejs.xlsx"
    alerts = apply_actions(model, actions, out)
    assert alerts and alerts[-1].startswith("Done: 3 places")
    web = read_values(recalculate(out))
    assert_same_outputs(headless, web, read_values(model))
    # Charts on Office.js are pictures (xlwings draws no native charts there).
    assert any(a["func"] == "addPicture" for a in actions)


def test_validate_script_lists_every_problem_and_leaves_outputs_alone(tmp_path):
    from conftest import broken_model

    def edit(wb):
        ws = wb["Budget"]
        ws["C5"] = "lots"  # an amount that is not a number
        ws["B6"] = None  # a blank programme

    model = broken_model(tmp_path, "broken", edit)
    actions = run_child("script", str(model), "xlalloc_validate")["actions"]
    out = tmp_path / "validated.xlsx"
    alerts = apply_actions(model, actions, out)
    assert len(alerts) == 1 and "input problem(s); outputs were not updated" in alerts[0]
    assert "cell C5 holds text 'lots'" in alerts[0]
    written = {a["args"][1] for a in actions if a["func"] == "addSheet"}
    assert written <= {"Checks"}


@pytest.mark.slow  # four runs through xlwings' dispatch in child processes: 11 s
def test_a_sheet_of_the_users_is_never_cleared_and_refresh_alerts_when_it_fails(tmp_path):
    # A user's own Summary sheet in a model never run: once cleared by xlalloc_run (the
    # command line refuses). Refresh is quiet when it works, never when it fails.
    from conftest import broken_model
    from python_calamine import CalamineWorkbook

    def edit(wb):
        wb.create_sheet("Summary")["A1"] = "my own notes"

    model = broken_model(tmp_path, "users", edit)
    refused = (
        "workbook: the workbook has sheet(s) 'Summary' that xlalloc did not write (they are "
        "not on its record, the hidden name _xlalloc_outputs); xlalloc never overwrites a "
        "sheet of yours: rename or move them and run again"
    )
    for script in ("xlalloc_run", "xlalloc_refresh"):
        actions = run_child("script", str(model), script)["actions"]
        out = tmp_path / f"{script}.xlsx"
        alerts = apply_actions(model, actions, out)
        assert len(alerts) == 1 and refused in alerts[0], alerts
        summary = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Summary").to_python()
        assert summary == [["my own notes"]]
        cleared = {a["sheet_position"] for a in actions if a["func"] == "sheetClear"}
        names = CalamineWorkbook.from_path(str(out)).sheet_names
        assert names.index("Summary") not in cleared
    # Once run, the record names xlalloc's sheets: the next run replaces them.
    fresh = demo_model(tmp_path / "fresh.xlsx")
    first = tmp_path / "first.xlsx"
    apply_actions(fresh, run_child("script", str(fresh), "xlalloc_run")["actions"], first)
    actions = run_child("script", str(first), "xlalloc_refresh")["actions"]
    assert apply_actions(first, actions, tmp_path / "second.xlsx") == []
    assert any(a["func"] == "sheetClear" for a in actions)


def test_packs_script_on_the_web_says_where_packs_are_built(model, tmp_path):
    actions = run_child("script", str(model), "xlalloc_packs")["actions"]
    alerts = apply_actions(model, actions, tmp_path / "p.xlsx")
    assert len(alerts) == 1 and "xlalloc pack MODEL.xlsx" in alerts[0]
    assert [a["func"] for a in actions] == ["alert"]


def test_metadata_lists_every_pinned_function_and_script():
    meta = run_child("meta")
    functions = {f["name"]: f for f in meta["functions"]["functions"]}
    assert set(functions) == {name.upper() for name in REGISTRY}
    for name, info in REGISTRY.items():
        f = functions[name.upper()]
        assert f["description"] == info.help
        assert [(p["name"], p["description"]) for p in f["parameters"]] == list(info.args)
    assert {s["function_name"] for s in meta["scripts"]} == set(SCRIPTS)


def test_every_function_through_officejs_gives_the_engines_figures():
    from xlalloc.engine.capitation import need_index
    from xlalloc.engine.rounding import largest_remainder

    col = [[3.0], [1.0], [4.0]]
    calls = [
        (
            "xla_need_index",
            [
                [[100.0], [200.0], [300.0]],
                [[120.0], [180.0], [330.0]],
                [[True], [False], [True]],
                [[None]],
            ],
        ),
        ("xla_target_shares", [col]),
        ("xla_target_amounts", [col, [[1001.0]], [[None]]]),
        ("xla_dft", [[[50.0], [30.0], [20.0]], [[0.4], [0.4], [0.2]]]),
        ("xla_apportion", [[[1001.0]], col, [[None]]]),
        (
            "xla_converge",
            [
                [[100.0], [100.0]],
                [[0.6], [0.4]],
                [[210.0]],
                [[None]],
                [["level"]],
                [[0.01]],
                [[0.2]],
                [[0.0]],
                [[None]],
                [[None]],
                [[None]],
            ],
        ),
        (
            "xla_levelling_up",
            [[[100.0], [200.0]], [[100.0], [100.0]], [[50.0]], [[None]], [[None]]],
        ),
        ("xla_version", []),
        ("xla_target_amounts", [[["x"]], [[10.0]], [[None]]]),  # an error as cell text
    ]
    got = run_child("functions", json.dumps(calls))["results"]
    # By hand and by the engine (independently of the xlwings route).
    idx = need_index(
        np.array([100.0, 200, 300]), np.array([120.0, 180, 330]), np.array([True, False, True])
    )
    assert got[0] == [[pytest.approx(idx)]]
    assert got[0][0][0] == pytest.approx((450 / 400) / (630 / 600))
    assert got[1] == [[0.375], [0.125], [0.5]]
    assert got[2] == [
        [x] for x in largest_remainder(np.array([3.0, 1, 4]), 1001, 1.0, order=[0, 1, 2])
    ]
    assert got[2] == [[375.0], [125.0], [501.0]]  # 375.375, 125.125, 500.5: the .5 wins
    assert got[3] == [[pytest.approx(0.25)], [pytest.approx(-0.25)], [pytest.approx(0.0)]]
    assert got[4] == got[2]
    # Convergence of 2 x £100 to £210 at 60/40: targets 126 and 84; the lower gets the 1%
    # floor (101), the other the rest (109).
    assert [r[0] for r in got[5]] == [109.0, 101.0]
    # Levelling up £50: funding per need 1 and 2; the first rises to 1.5 (£50).
    assert got[6] == [[50.0], [0.0]]
    assert got[7] == [[xlalloc.__version__]]
    assert str(got[8][0][0]).startswith("#VALUE! xlalloc: ")


def test_the_drivers_function_through_officejs_gives_the_commands_figures(model, tmp_path):
    """XLA_DRIVERS over one programme's spend, records and need, as a sheet would give
    them, through xlwings' own dispatch: the figures ``xlalloc drivers`` writes."""
    table = xlalloc.drivers(model, tmp_path / "drivers.csv").tables["Drivers"]
    chc = table[(table["programme"] == "Continuing healthcare / FNC") & (table["place"] != "ICB")]
    column = lambda name: [[float(v)] for v in chc[name]]  # noqa: E731
    calls = [("xla_drivers", [column("spend"), column("activity"), column("need"), [[None]]])]
    (got,) = run_child("functions", json.dumps(calls))["results"]
    assert len(got) == len(chc) == 3
    for row, (_, e) in zip(got, chc.iterrows(), strict=True):
        assert row[:3] == [
            pytest.approx(e["spend_index"]),
            pytest.approx(e["activity_index"]),
            pytest.approx(e["cost_index"]),
        ]
        assert row[3:] == [
            pytest.approx(e["above_need"], abs=1e-6),
            pytest.approx(e["volume"], abs=1e-6),
            pytest.approx(e["price"], abs=1e-6),
        ]


def test_excel_errors_reach_the_functions_as_errors_never_as_values():
    # Office.js passes #N/A as the text "#N/A": once read as TRUE in `selected` and, in a
    # policy range, taken for a value; a parameter named twice once took the last.
    blanks = [[[None]]] * 7
    calls = [
        ("xla_need_index", [[[100.0], [200.0]], [[120.0], [180.0]], [[True], ["#N/A"]], [[None]]]),
        (
            "xla_converge",
            [[[100.0], [100.0]], [[0.6], [0.4]], [[210.0]], [["min_growth", "#N/A"]], *blanks],
        ),
        (
            "xla_converge",
            [
                [[100.0], [100.0]],
                [[0.6], [0.4]],
                [[210.0]],
                [["min_growth", 0.01], ["min_growth", 0.03]],
                *blanks,
            ],
        ),
        ("xla_apportion", [[["#REF!"]], [[1.0], [2.0]], [[None]]]),
    ]
    got = [r[0][0] for r in run_child("functions", json.dumps(calls))["results"]]
    assert got == [
        "#VALUE! xlalloc: selected: selected item 2 holds the Excel error #N/A; fix the "
        "formula or type the value",
        "#VALUE! xlalloc: policy: min_growth holds the Excel error #N/A; fix the formula or "
        "type the value",
        "#VALUE! xlalloc: policy: min_growth is given twice (rows 1 and 2 of the range); give "
        "each parameter once",
        "#VALUE! xlalloc: amount: amount holds the Excel error #REF!; fix the formula or type "
        "the value",
    ]


def test_an_excel_error_in_a_policy_cell_is_refused_through_officejs(tmp_path):
    # Office.js sends an error cell as its text, and xlwings' remote book read it as a
    # blank (min_growth #N/A: validate passed and the run had no floor).
    from conftest import broken_model

    def edit(wb):
        ws = wb["Policy"]
        row = next(r for r in range(1, 80) if ws.cell(r, 1).value == "min_growth")
        ws.cell(row, 2).value = "#N/A"

    model = broken_model(tmp_path, "na", edit)
    actions = run_child("script", str(model), "xlalloc_validate")["actions"]
    alerts = apply_actions(model, actions, tmp_path / "validated.xlsx")
    assert len(alerts) == 1 and "input problem(s); outputs were not updated" in alerts[0]
    assert "min_growth (cell B" in alerts[0]
    assert "holds the Excel error #N/A; fix the formula or type the value" in alerts[0]


def test_script_names_and_arguments_are_pinned():
    # Renaming a script breaks every button bound to it.
    import inspect

    assert {n: list(inspect.signature(f).parameters) for n, f in SCRIPTS.items()} == {
        "xlalloc_run": ["book"],
        "xlalloc_validate": ["book"],
        "xlalloc_refresh": ["book"],
        "xlalloc_packs": ["book"],
    }


def test_on_classic_xlwings_a_script_runs_on_the_calling_book(model, monkeypatch):
    # Classic xlwings calls a script as a VBA Sub, with no arguments.
    import xlwings as xw
    from fake_xlwings import Book as FakeBook

    fake = FakeBook(model)
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: fake), raising=False)
    SCRIPTS["xlalloc_run"]()
    assert "Apportionment" in [s.name for s in fake.sheets]
    assert any(m.startswith("Done: 3 places") for _, m in fake.app.alerts)
