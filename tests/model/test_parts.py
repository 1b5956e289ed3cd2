"""Model parts: the built-in ones declared once, and new ones added from outside alone.

This module registers a new apportionment method and a new model part (nothing else
changes) and finds them in the run, its tables, the written workbook and the docs.
"""

from dataclasses import dataclass

import pandas as pd
import pytest
from conftest import demo_model
from libreoffice import read_values, recalculate

import xlalloc
from xlalloc.engine import apportionment as ap
from xlalloc.model import parts as model_parts
from xlalloc.model.docs import render
from xlalloc.model.parts import ModelPart, OutputSheet, output_sheets, parts, register
from xlalloc.model.policy import ModelPolicy
from xlalloc.model.schema import OUTPUT_SHEETS
from xlalloc.workbook.sheetspec import Drawing


def test_built_in_parts_in_order_with_their_sheets_and_policy_fields():
    assert [p.name for p in parts()] == [
        "targets",
        "convergence",
        "apportionment",
        "bridge",
        "drivers",
        "equity",
        "assurance",
    ]
    assert (
        output_sheets()
        == OUTPUT_SHEETS
        == (
            "Summary",
            "Targets",
            "Convergence",
            "Trajectory",
            "Apportionment",
            "Audit",
            "Bridge",
            "Drivers",
            "Equity",
            "Assurance",
            "Checks",
        )
    )
    fields = set(ModelPolicy.model_fields)
    for p in parts():
        assert set(p.policy_fields) <= fields, p.name
    with pytest.raises(ValueError, match="registered already"):
        register(parts()[0])


@dataclass(frozen=True)
class AllToFirstPlace:
    """Every pound to the first place by name (a test's method)."""

    name: str = "all_to_first_place"

    def unavailable(self, ctx, line, row):
        return None

    def shares(self, ctx, line, row, component):
        cells = ctx.practices[["place", "locality"]].drop_duplicates()
        first = sorted(cells["place"])[0]
        weights = [1.0 if p == first else 0.0 for p in cells["place"]]
        return pd.Series(weights, index=pd.MultiIndex.from_frame(cells)), 1.0, f"all to {first}"


def _run_headcount(state):
    """Registered population by place in the financial year (a test's part)."""
    p = state.practices
    state.results["headcount"] = p.groupby("place", as_index=False)["population"].sum()


def _draw_headcount(result, rng, checks, look):
    table = result.results["headcount"]
    d = Drawing("Headcount", look)
    d.title("Registered population by place", "Written by a part a test registered.")
    d.header(3, 1, ["Place", "Registered population"])
    for i, (place, population) in enumerate(zip(table["place"], table["population"])):
        d.put(4 + i, 1, place)
        d.put(4 + i, 2, float(population), "#,##0")
    total = float(table["population"].sum())
    checks.append(
        (
            "Headcount differs from the Practices sheet's",
            f"=ROUND(SUM(Headcount!B4:B{3 + len(table)})-{total!r},6)",
            0,
        )
    )
    return [d.spec()]


HEADCOUNT = ModelPart(
    name="headcount",
    summary="registered population by place (a part added by a test)",
    policy_fields=("financial_year",),
    run=_run_headcount,
    tables=lambda r: {"headcount": r.results["headcount"]},
    sheets=(OutputSheet("Headcount", "Registered population by place."),),
    draw=_draw_headcount,
)


@pytest.fixture
def registered(monkeypatch):
    ap.register(AllToFirstPlace())
    monkeypatch.setitem(
        ap.DEFAULT_PROGRAMMES, "Corporate running costs", (("all_to_first_place",), "core")
    )
    register(HEADCOUNT, before="equity")
    yield
    model_parts.unregister("headcount")
    del ap.REGISTRY["all_to_first_place"]


def test_a_method_and_a_part_added_from_outside_are_in_the_run_tables_sheets_and_docs(
    tmp_path, registered
):
    model = demo_model(tmp_path / "m.xlsx")
    out = tmp_path / "out.xlsx"
    result = xlalloc.run(model, out)
    # The run: the part ran between apportionment and equity; the method was used.
    headcount = result.results["headcount"]
    practices = result.practices
    assert headcount["population"].sum() == pytest.approx(practices["population"].sum())
    audit = result.apportionment.audit.set_index("line")
    corporate = audit[audit["programme"] == "Corporate running costs"]
    assert len(corporate) and (corporate["method_used"] == "all_to_first_place").all()
    first = sorted(practices["place"].unique())[0]
    row = result.apportionment.table1.loc["Corporate running costs"]
    assert row[first] == row["Total"]  # by construction: every pound to the first place
    # The tables.
    assert result.tables()["headcount"].equals(headcount)
    # The sheets: in order, with its figures and its check on the Checks sheet.
    assert output_sheets()[-4:] == ("Headcount", "Equity", "Assurance", "Checks")
    values = read_values(out)
    sheet = values["Headcount"]
    assert sheet[3][:2] == [headcount["place"][0], float(headcount["population"][0])]
    checks = values["Checks"]
    assert any(r[0] == "Headcount differs from the Practices sheet's" for r in checks)
    # The docs.
    docs = render()
    assert "| headcount | registered population by place (a part added by a test) |" in docs
    assert "* **Headcount**: Registered population by place." in docs
    assert "| `all_to_first_place` | apportionment | Every pound to the first place" in docs


def test_without_the_test_part_nothing_of_it_remains(tmp_path):
    assert "headcount" not in [p.name for p in parts()]
    assert "all_to_first_place" not in ap.REGISTRY
    assert "all_to_first_place" not in ap.METHODS


def test_a_method_registered_twice_is_refused():
    with pytest.raises(ValueError, match="registered already"):
        ap.register(ap.REGISTRY["capitation"])


def test_the_added_part_recalculates_in_libreoffice_with_every_check_0(
    tmp_path, registered, libreoffice
):
    model = demo_model(tmp_path / "m.xlsx")
    out = tmp_path / "out.xlsx"
    result = xlalloc.run(model, out)
    values = read_values(recalculate(out))
    headcount = result.results["headcount"]
    rows = values["Headcount"][3 : 3 + len(headcount)]
    assert [r[0] for r in rows] == list(headcount["place"])
    assert [r[1] for r in rows] == pytest.approx(list(headcount["population"]))
    overall = next(r for r in values["Checks"] if r[0] == "Overall check (0 when all is well)")
    assert overall[1] == 0


def test_a_convergence_total_unlike_the_budgets_is_stated_with_what_follows(tmp_path):
    """The demo converges £2,496,000,000 in 2026/27 and apportions £2,516,000,000."""
    result = xlalloc.run(demo_model(tmp_path / "m.xlsx"), tmp_path / "out.xlsx")
    said = [n for n in result.notes if n.startswith("Convergence and budget:")]
    assert said == [
        "Convergence and budget: the 2026/27 convergence total (Totals sheet) is "
        "£2,496,000,000 and the budget lines total £2,516,000,000, so £20,000,000 more is "
        "apportioned to the places than converged. Each place's apportioned budget differs "
        "from its converged allocation by its part of this as well as by how its budget "
        "lines fall; if the two should agree, check the Totals sheet's year and the Budget "
        "sheet's lines."
    ]


def test_a_place_of_one_practice_is_named_with_how_to_merge_it():
    """Redbridge in NHS Essex: one practice, 9,076 people (0.4%): named, with the remedy."""
    from xlalloc.model.parts import small_places

    practices = pd.DataFrame(
        {
            "practice_code": ["A1", "A2", "A3", "B1", "C1", "C2", "C3"],
            "place": ["Alpha"] * 3 + ["Beta"] + ["Gamma"] * 3,
            "population": [30_000.0, 30_000.0, 30_000.0, 9_000.0, 1_000.0, 1_000.0, 1_000.0],
            "core": [30_000.0, 30_000.0, 30_000.0, 9_000.0, 300.0, 300.0, 300.0],
        }
    )
    said = small_places(practices, "core")
    # Beta: 1 practice (9,000 of 99,900 = 9.0%); Gamma: 3 practices but 900 of 99,900 = 0.9%.
    assert [s.split(" has ")[0] for s in said] == ["Place 'Beta'", "Place 'Gamma'"]
    assert said[0].startswith(
        "Place 'Beta' has 1 practice and 9.0% of the ICB's core weighted population (9,000 people)"
    )
    assert "Place 'Gamma' has 3 practices and 0.9%" in said[1]
    assert all("xlalloc new MODEL.xlsx --places PLACES.csv" in s for s in said)
