"""Activity extracts beside a model: apportioned exactly as the Activity sheet's rows."""

from __future__ import annotations

import pandas as pd
import pytest

from xlalloc.engine.errors import InputError
from xlalloc.readers.activity import parse_columns

duckdb = pytest.importorskip("duckdb")


def problems_of(call) -> list[str]:
    with pytest.raises(InputError) as e:
        call()
    return [str(p) for p in e.value.problems]


@pytest.fixture(scope="module")
def two_models(tmp_path_factory):
    """The demo model with its activity on the sheet, and the same with the sheet empty
    and the activity in an extract (CSV rows in the sheet's order, headers renamed)."""
    from xlalloc import demo
    from xlalloc.workbook.model_book import build_model, save_model

    d = tmp_path_factory.mktemp("extract")
    tables = demo.model_tables()
    on_sheet = save_model(build_model(tables, demo.DEMO_POLICY), d / "sheet.xlsx")
    activity = tables["tblActivity"]
    extract = d / "claims.csv"
    activity.rename(columns={"line": "Contract", "practice_code": "GP", "amount": "Cost"}).to_csv(
        extract, index=False
    )
    empty = dict(tables, tblActivity=None)
    beside = save_model(build_model(empty, demo.DEMO_POLICY), d / "beside.xlsx")
    return d, on_sheet, beside, extract, activity


def test_an_extract_apportions_exactly_as_the_activity_sheet(two_models):
    import xlalloc

    d, on_sheet, beside, extract, activity = two_models
    a = xlalloc.run(on_sheet, d / "a.xlsx")
    b = xlalloc.run(
        beside,
        d / "b.xlsx",
        activity=[extract],
        activity_columns={"line": "Contract", "practice_code": "GP", "amount": "Cost"},
    )
    pd.testing.assert_frame_equal(a.apportionment.table1, b.apportionment.table1)
    pd.testing.assert_frame_equal(a.apportionment.cells, b.apportionment.cells)
    cols = ["line", "method_used", "coverage", "apportioned"]
    pd.testing.assert_frame_equal(a.apportionment.audit[cols], b.apportionment.audit[cols])
    # The audit records the file and the coverage it gave each line.
    prov = b.provenance().set_index("item")
    assert prov.loc["activity extract", "value"] == f"claims.csv ({len(activity):,} rows)"
    cov = b.tables()["activity_coverage"].set_index("line")["coverage"]
    audit = b.apportionment.audit.set_index("line")
    for line, share in cov.items():  # the coverage the apportionment used, or skipped at
        if audit.loc[line, "method_used"] == "practice_data":
            assert share == pytest.approx(audit.loc[line, "coverage"])
        else:
            assert f"practice_data: coverage {share:.1%} below 80%" in audit.loc[line, "skipped"]
    assert "activity_coverage" not in a.tables()


def test_a_line_on_the_sheet_and_in_an_extract_is_refused(two_models):
    import xlalloc

    d, on_sheet, _, extract, activity = two_models
    found = problems_of(
        lambda: xlalloc.run(
            on_sheet,
            d / "both.xlsx",
            activity=[extract],
            activity_columns=parse_columns("line=Contract,practice_code=GP,amount=Cost"),
        )
    )
    lines = list(dict.fromkeys(activity["line"]))
    assert len(found) == len(lines)
    assert found[0].startswith(
        f"Activity, column 'line': line {lines[0]!r} is on the Activity sheet (rows "
    )
    assert not (d / "both.xlsx").exists()


def test_the_model_is_read_beside_duckdb_and_both_sets_of_problems_are_reported(two_models):
    """``xlalloc activity`` reads the model while DuckDB totals the extracts: the same
    extract as reading the model first; a model problem and an extract problem are
    reported together; a model that cannot be read leaves nothing checked against it."""
    from openpyxl import load_workbook

    from xlalloc.model.extracts import read_extracts, read_model_and_extracts
    from xlalloc.readers.model import KEY_TABLES, read_model

    d, _on_sheet, beside, extract, activity = two_models
    columns = {"line": "Contract", "practice_code": "GP", "amount": "Cost"}
    inputs, together = read_model_and_extracts(beside, [extract], columns)
    first = read_extracts(read_model(beside, KEY_TABLES), [extract], columns)
    assert inputs.practices.equals(read_model(beside, KEY_TABLES).practices)
    pd.testing.assert_frame_equal(together.values, first.values)
    pd.testing.assert_frame_equal(together.line_totals, first.line_totals)
    # A budget amount typed as text, and an extract row naming a line the model lacks.
    wb = load_workbook(beside)
    wb["Budget"]["C5"] = "lots"
    broken = d / "broken-budget.xlsx"
    wb.save(broken)
    bad = d / "bad-line.csv"
    activity.assign(line=["Ghost"] + list(activity["line"][1:])).rename(
        columns={"line": "Contract", "practice_code": "GP", "amount": "Cost"}
    ).to_csv(bad, index=False)
    found = problems_of(lambda: read_model_and_extracts(broken, [bad, d / "missing.csv"], columns))
    assert any(p.startswith("Budget, row 5, column 'amount': cell C5 holds text") for p in found)
    assert any(p.startswith("missing.csv: no such file") for p in found), found
    # Without the model's lines, no line is called unknown: only what can be known.
    assert not any("unknown line" in p for p in found), found
    # With a sound model, the extract's unknown line is found.
    found = problems_of(lambda: read_model_and_extracts(beside, [bad], columns))
    assert any(
        "bad-line.csv, row 2, column 'Contract': unknown line 'Ghost'" in p for p in found
    ), found
