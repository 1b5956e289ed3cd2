"""``xlalloc activity``: extracts totalled by line and practice against a model."""

import pandas as pd
import pytest
from conftest import loaded_after

import xlalloc
from xlalloc.engine.errors import InputError


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    from xlalloc import demo
    from xlalloc.workbook.model_book import build_model, save_model

    d = tmp_path_factory.mktemp("activity")
    tables = demo.model_tables()
    path = save_model(build_model(dict(tables, tblActivity=None), demo.DEMO_POLICY), d / "m.xlsx")
    return path, tables["tblPractices"]["practice_code"].tolist()


def test_rows_are_totalled_by_line_and_practice_to_the_penny(model, tmp_path):
    path, codes = model
    rows = pd.DataFrame(
        {
            "line": ["CHC packages of care"] * 4 + ["Acute - independent sector"],
            "practice_code": [codes[0], codes[0], codes[1], None, codes[0]],
            "amount": [100.10, 200.20, 0.01, 5.00, 1.50],
        }
    )
    extract = tmp_path / "claims.csv"
    rows.to_csv(extract, index=False)
    result = xlalloc.activity([extract], path, tmp_path / "values.csv")
    got = result.tables["Activity"]
    totals = {(r.line, r.practice_code): r.amount for r in got.itertuples()}
    # By hand: 100.10 + 200.20; 0.01; the row with no practice kept as its own total.
    assert totals[("CHC packages of care", codes[0])] == pytest.approx(300.30, abs=1e-9)
    assert totals[("CHC packages of care", codes[1])] == pytest.approx(0.01, abs=1e-9)
    assert totals[("CHC packages of care", None)] == pytest.approx(5.00, abs=1e-9)
    assert totals[("Acute - independent sector", codes[0])] == pytest.approx(1.50, abs=1e-9)
    lines = result.tables["Line totals"].set_index("line")["amount"]
    assert lines["CHC packages of care"] == pytest.approx(305.31, abs=1e-9)
    assert "read 1 file(s), 5 rows" in result.summary


def test_an_unknown_line_is_named_and_nothing_is_written(model, tmp_path):
    path, codes = model
    extract = tmp_path / "bad.csv"
    pd.DataFrame({"line": ["No such line"], "practice_code": [codes[0]], "amount": [1]}).to_csv(
        extract, index=False
    )
    with pytest.raises(InputError, match="No such line"):
        xlalloc.activity([extract], path, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_the_command_loads_neither_the_model_runs_writers_nor_the_packs():
    unwanted = (
        "openpyxl",
        "xlalloc.usecases.pack",
        "xlalloc.usecases.targets",
        "xlalloc.workbook.package",
    )
    assert loaded_after("import xlalloc.usecases.activity", (*unwanted, "matplotlib")) == []
