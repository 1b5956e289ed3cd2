"""The model workbook end to end: new, run, LibreOffice recalculation, validation corpus,
in-place writing, and the committed demo workbook and template."""

import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import ROOT, broken_model, drivers_rows, sha
from libreoffice import read_values, recalculate
from openpyxl import load_workbook

import xlalloc
from xlalloc.cli import main
from xlalloc.model.labels import label
from xlalloc.model.schema import INPUT_TABLES, OUTPUT_SHEETS, PARAMETERS
from xlalloc.workbook.package import OWNER_NAME


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("demo")
    model = d / "model.xlsx"
    assert main(["new", str(model), "--demo"]) == 0
    out = d / "out.xlsx"
    assert main(["run", str(model), "-o", str(out)]) == 0
    result = xlalloc.run(model, d / "api.xlsx")
    return model, out, result


@pytest.fixture(scope="module")
def recalculated(demo_run, libreoffice):
    _, out, _ = demo_run
    return read_values(recalculate(out))


def block(rows, title):
    """Rows of a titled block: header, then data rows until a blank first cell."""
    for i, r in enumerate(rows):
        if r and r[0] == title:
            header = rows[i + 1]
            body = []
            for r2 in rows[i + 2 :]:
                if r2[0] in ("", None):
                    break
                body.append(r2)
            return header, body
    raise AssertionError(f"block {title!r} not found")


def test_checks_all_zero_after_libreoffice(recalculated):
    rows = recalculated["Checks"]
    header_at = next(i for i, r in enumerate(rows) if r[:2] == ["Check", "Value"])
    checks = []
    for r in rows[header_at + 1 :]:
        if r[0] in ("", None):
            break
        checks.append(r)
    assert len(checks) >= 20
    assert all(r[1] == 0 for r in checks), [r for r in checks if r[1] != 0]
    total = next(r for r in rows if r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0


def test_targets_formulas_equal_engine(recalculated, demo_run):
    _, _, result = demo_run
    rows = recalculated["Targets"]
    header_at = next(i for i, r in enumerate(rows) if r and r[0] == label("place"))
    header = rows[header_at]
    body = rows[header_at + 1 : header_at + 1 + len(result.targets)]
    total = rows[header_at + 1 + len(result.targets)]
    t = result.targets.set_index("place")
    first_year = next(iter(result.convergence.years.values())).table.set_index("org")
    col = {h: j for j, h in enumerate(header)}
    for r in body:
        place = r[0]
        assert r[col[label("population")]] == pytest.approx(t.loc[place, "population"], rel=1e-12)
        assert r[col[label("core_wp")]] == pytest.approx(t.loc[place, "core_wp"], rel=1e-12)
        assert r[col[label("target_share")]] == pytest.approx(
            t.loc[place, "target_share"], rel=1e-12
        )
        assert r[col[label("target")]] == t.loc[place, "target"]
        assert r[col[label("per_1000_wp")]] == pytest.approx(
            t.loc[place, "target"] / t.loc[place, "core_wp"] * 1000, rel=1e-12
        )
        assert r[col[label("dft_baseline")]] == pytest.approx(
            first_year.loc[place, "dft_before"], rel=1e-9
        )
    assert total[col[label("target")]] == result.budget_total
    # The demo asks for target intervals: the Monte Carlo's percentiles, as values, in a
    # block of their own below the core table.
    at = next(
        i for i, r in enumerate(rows) if r and r[0] == label("place") and label("target_p05") in r
    )
    col = {h: j for j, h in enumerate(rows[at])}
    for r in rows[at + 1 : at + 1 + len(result.targets)]:
        place = r[0]
        for c in (
            "target_share_p05",
            "target_share_p95",
            "target_p05",
            "target_p95",
            "dft_p05",
            "dft_p95",
        ):
            assert r[col[label(c)]] == pytest.approx(t.loc[place, c], rel=1e-14), c
        assert r[col[label("against_target")]] == t.loc[place, "against_target"]
        assert r[col[label("target_p05")]] <= t.loc[place, "target"] <= r[col[label("target_p95")]]


def test_apportionment_formulas_equal_engine(recalculated, demo_run):
    _, _, result = demo_run
    a = result.apportionment
    rows = recalculated["Apportionment"]
    header, body = block(rows, "Table 1: £ by care programme and place")
    for r in body:
        for j, h in enumerate(header[1:], start=1):
            if h:
                assert r[j] == a.table1.loc[r[0], h], (r[0], h)
    header, body = block(rows, "Shares of each programme by place")
    for r in body:
        for j, h in enumerate(header[1:], start=1):
            if h:
                expect = (
                    a.shares.loc[r[0], h]
                    if r[0] != "Total"
                    else (a.table1.loc["Total", h] / a.table1.loc["Total", "Total"])
                )
                assert r[j] == pytest.approx(expect, rel=1e-12)
    header, body = block(rows, "Table 2: £ per 1,000 weighted population")
    for r in body:
        for j, h in enumerate(header[1:], start=1):
            if h:
                assert r[j] == pytest.approx(a.table2.loc[r[0], h], rel=1e-12), (r[0], h)
    header, body = block(rows, "Index against the ICB average (Table 2 / ICB)")
    for r in body:
        for j, h in enumerate(header[1:], start=1):
            if h:
                assert r[j] == pytest.approx(a.index.loc[r[0], h], rel=1e-12)
    header, body = block(rows, "Table 1 (recurrent lines only)")
    tot = next(r for r in body if r[0] == "Total")
    assert tot[header.index("Total")] == a.table1_recurrent.loc["Total", "Total"]


def test_convergence_sheet_equals_engine(recalculated, demo_run):
    _, _, result = demo_run
    rows = recalculated["Convergence"]
    for year, res in result.convergence.years.items():
        title = next(r[0] for r in rows if r and str(r[0]).startswith(f"Convergence {year}"))
        header, body = block(rows, title)
        alloc = header.index(label("allocation"))
        orgs = set(res.table["org"])  # the block's rows (its title names the year)
        got = {r[0]: r[alloc] for r in body if r[0] in orgs}
        assert got == dict(zip(res.table["org"], res.table["allocation"]))
    traj = recalculated["Trajectory"]
    header, body = block(traj, "Distance from target (positive: above target)")
    eng = result.convergence.trajectory.set_index("org")
    for r in body:
        np.testing.assert_allclose(
            [float(x) for x in r[1 : len(header)] if x != ""],
            eng.loc[r[0]].to_numpy(dtype=float),
            rtol=1e-12,
        )


def test_files_get_ordinary_permissions(tmp_path):
    import os
    import stat

    model = tmp_path / "m.xlsx"
    xlalloc.new(model, demo=True)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(model.stat().st_mode) == 0o666 & ~umask
    os.chmod(model, 0o640)
    xlalloc.run(model, in_place=True)
    assert stat.S_IMODE(model.stat().st_mode) == 0o640


def test_run_writes_new_file_and_leaves_input_byte_identical(tmp_path):
    model = tmp_path / "m.xlsx"
    xlalloc.new(model, demo=True)
    before = sha(model)
    assert main(["run", str(model)]) == 0
    assert sha(model) == before
    assert (tmp_path / "m-results.xlsx").exists()
    assert main(["run", str(model), "-o", str(model)]) == 2  # refuses without --in-place
    assert sha(model) == before


def _snapshot_inputs(path):
    wb = load_workbook(path)
    # Every defined name but xlalloc's record of its own sheets.
    snap = {
        "names": {n: wb.defined_names[n].attr_text for n in wb.defined_names if n != OWNER_NAME}
    }
    for spec in INPUT_TABLES + (type("P", (), {"sheet": "Policy"})(),):
        ws = wb[spec.sheet]
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    cells[c.coordinate] = (
                        c.value,
                        c.number_format,
                        c.font.color.rgb if c.font and c.font.color else None,
                        c.fill.fgColor.rgb if c.fill else None,
                        c.font.b,
                    )
        snap[spec.sheet] = {
            "cells": cells,
            "tables": {t.displayName: t.ref for t in ws.tables.values()},
            "validation": sorted(
                (str(dv.sqref), dv.type, dv.formula1, dv.formula2)
                for dv in ws.data_validations.dataValidation
            ),
            "freeze": ws.freeze_panes,
        }
    return snap


def test_in_place_keeps_inputs_exactly(tmp_path):
    model = tmp_path / "m.xlsx"
    xlalloc.new(model, demo=True)
    before = _snapshot_inputs(model)
    assert main(["run", str(model), "--in-place"]) == 0
    after = _snapshot_inputs(model)
    assert after == before
    wb = load_workbook(model)
    assert set(OUTPUT_SHEETS) <= set(wb.sheetnames)
    # Run again in place: still the same inputs, and no temporary files left behind.
    assert main(["run", str(model), "--in-place"]) == 0
    assert _snapshot_inputs(model) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.xlsx"]


def test_text_that_looks_like_a_formula_stays_text(tmp_path, libreoffice):
    def edit(wb):
        wb["Budget"]["B5"] = '=HYPERLINK("http://x","click")'
        wb["Budget"]["B5"].data_type = "s"
        wb["Practices"]["C5"] = "@SUM(1)"  # practice_name

    model = broken_model(tmp_path, "inject", edit)
    out = tmp_path / "out.xlsx"
    xlalloc.run(model, out)
    wb = load_workbook(out)
    audit = wb["Audit"]
    cell = next(
        c
        for row in audit.iter_rows()
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    )
    assert cell.data_type == "s"
    vals = read_values(recalculate(out))
    assert any('=HYPERLINK("http://x","click")' in r for r in vals["Audit"])


def test_committed_demo_workbook_and_template_are_up_to_date(tmp_path):
    demo = tmp_path / "demo.xlsx"
    assert main(["demo", str(demo)]) == 0
    tpl = tmp_path / "model.xlsx"
    assert main(["new", str(tpl)]) == 0
    for fresh, committed in (
        (demo, ROOT / "workbooks" / "xlalloc-demo.xlsx"),
        (tpl, ROOT / "templates" / "model.xlsx"),
    ):
        assert _content(fresh) == _content(committed), (
            f"{committed} is stale: regenerate with `xlalloc demo workbooks/xlalloc-demo.xlsx "
            "--force` and `xlalloc new templates/model.xlsx --force`"
        )


def _content(path):
    """Every cell's value; a float to 12 significant figures, since numpy's sums differ in
    the last binary digit across versions and processors (-0.051689009296709165 against
    -0.05168900929670916), which is not a stale workbook."""
    wb = load_workbook(path)
    return {
        ws.title: [
            [float(f"{c.value:.12g}") if isinstance(c.value, float) else c.value for c in row]
            for row in ws.iter_rows()
        ]
        for ws in wb
    }


def test_regeneration_is_byte_identical(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    xlalloc.new(a, demo=True)
    xlalloc.new(b, demo=True)
    assert sha(a) == sha(b)
    xlalloc.run(a, tmp_path / "ra.xlsx")
    xlalloc.run(b, tmp_path / "rb.xlsx")
    assert sha(tmp_path / "ra.xlsx") == sha(tmp_path / "rb.xlsx")


def test_layout_named_ranges_and_tables(demo_run):
    model, out, _ = demo_run
    wb = load_workbook(out)
    assert wb.sheetnames[:2] == ["Cover", "Policy"]
    for p in PARAMETERS:
        assert p.name in wb.defined_names
    for spec in INPUT_TABLES:
        ws = wb[spec.sheet]
        (table,) = ws.tables.values()
        assert table.displayName == spec.table
        assert [c.value for c in ws[4]][: len(spec.names)] == spec.names


def test_api_returns_tables(demo_run):
    _, _, result = demo_run
    tables = result.tables()
    assert {"targets", "table1", "table2", "audit", "trajectory"} <= set(tables)
    assert tables["table1"].loc["Total", "Total"] == 2_516_000_000


def test_openpyxl_parses_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def test_quiet_when_piped(tmp_path):
    model = tmp_path / "m.xlsx"
    xlalloc.new(model, demo=True)
    proc = subprocess.run(
        [sys.executable, "-m", "xlalloc.cli", "run", str(model)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "[" not in proc.stderr and "ran 3 places" in proc.stdout


def test_workbook_opens_in_libreoffice_for_template(tmp_path, libreoffice):
    tpl = tmp_path / "t.xlsx"
    shutil.copy(ROOT / "templates" / "model.xlsx", tpl)
    vals = read_values(recalculate(tpl))
    assert "Policy" in vals and vals["Policy"][3][:2] == ["parameter", "value"]


def test_equity_formulas_equal_engine(recalculated, demo_run):
    _, _, result = demo_run
    rows = recalculated["Equity"]
    for level in ("places", "practices"):
        eq = result.equity[level].units.set_index("unit")
        unit = label("place" if level == "places" else "practice_code")
        at = next(i for i, r in enumerate(rows) if i and r[0] == unit) - 1  # the table's title
        header = rows[at + 1]
        col = {h: j for j, h in enumerate(header)}
        body = rows[at + 2 : at + 2 + len(eq)]
        assert [r[0] for r in body] == list(eq.index)
        for r in body:
            assert r[col[label("expected")]] == pytest.approx(eq.loc[r[0], "expected"], rel=1e-12)
            assert r[col[label("ratio")]] == pytest.approx(eq.loc[r[0], "ratio"], rel=1e-12)
            assert r[col[label("underserved")]] == ("yes" if eq.loc[r[0], "underserved"] else "no")
    # Places' spend is Table 1's total by place.
    places = result.equity["places"].units.set_index("unit")["spend"]
    assert places.to_dict() == result.apportionment.table1.loc["Total"].drop("Total").to_dict()


def test_bridge_sheet_adds_up_and_shows_each_sheets_figure(recalculated, demo_run):
    """Each place's bridge, recalculated: baseline + core growth + adjustment is the
    Convergence sheet's allocation, the apportioned budget is Table 1's place total, and
    the totals are the Totals sheet's and the budget lines' (the demo: £2,496,000,000 and
    £2,516,000,000, the £20,000,000 between them the gaps' total)."""
    _, _, result = demo_run
    rows = recalculated["Bridge"]
    conv = recalculated["Convergence"]
    for year, res in result.convergence.years.items():
        title = next(r[0] for r in rows if str(r[0]).startswith(f"Bridge {year}"))
        header, body = block(rows, title)
        at = {name: header.index(label(name)) for name in ("baseline", "allocation")}
        growth, adj = header.index("Core growth (£)"), header.index("Convergence adjustment (£)")
        places = [r for r in body if r[0] in set(res.table["org"])]
        assert len(places) == len(res.table) == 3
        chead, cbody = block(
            conv, next(r[0] for r in conv if str(r[0]).startswith(f"Convergence {year}"))
        )
        shown_conv = {r[0]: r for r in cbody}
        for r in places:
            assert r[at["baseline"]] + r[growth] + r[adj] == r[at["allocation"]]
            assert r[at["allocation"]] == shown_conv[r[0]][chead.index(label("allocation"))]
            assert r[at["baseline"]] == shown_conv[r[0]][chead.index(label("baseline"))]
        total = next(r for r in body if r[0] == "Total")
        assert total[at["allocation"]] == res.total
        after = body[body.index(total) + 1 :]
        assert after[0][0].startswith("Convergence total")
        assert after[0][at["allocation"]] == res.total
        if year == result.year:
            apportioned = header.index("Apportioned budget (£)")
            gap = header.index("Apportioned budget less allocation (£)")
            t1 = result.apportionment.table1
            for r in places:
                assert r[apportioned] == t1.loc["Total", r[0]]
                assert r[gap] == r[apportioned] - r[at["allocation"]]
            assert total[apportioned] == 2_516_000_000 and res.total == 2_496_000_000
            diff = next(r for r in after if r[0] == "Budget's total less the convergence total")
            assert diff[gap] == total[gap] == 20_000_000
    summary = "\n".join(str(r[0]) + " " + str(r[2]) for r in recalculated["Summary"] if r)
    assert "Each place's budget and why, 2026/27" in summary
    assert "Birmingham and Solihull" in summary


def test_drivers_sheet_recalculates_to_the_engines_figures(recalculated, demo_run):
    """The demo's Drivers sheet: each index a formula LibreOffice recalculates to the
    engine's figure, the spend above need its volume plus its price, the ICB at 1."""
    _, _, result = demo_run
    table = result.drivers.table
    engine = {(r.programme, r.place): r for r in table.itertuples()}
    at, rows = drivers_rows(recalculated["Drivers"])
    n = 0
    for programme, r in rows:
        e = engine[(programme, r[0])]
        for name in ("spend_index", "activity_index", "cost_index"):
            assert r[at[label(name)]] == pytest.approx(getattr(e, name), rel=1e-12), name
        assert r[at[label("above_need")]] == pytest.approx(
            r[at[label("volume")]] + r[at[label("price")]], abs=1e-9
        )
        n += 1
    assert n == len(table) == 8


def test_a_real_icbs_bridge_adds_up_on_its_sheet_and_its_summary(shared_dir, libreoffice, tmp_path):
    """NHS Essex ICB's fifteen places, from NHS England's three files, with Budget,
    Baselines and Totals typed in (``conftest.essex_model``): recalculated by LibreOffice,
    every place's lines add to its allocation, the allocations to the Totals sheet's
    figure, the apportioned budgets to the budget lines' total, and the Summary's ICB
    lines are the Bridge sheet's totals."""
    from conftest import essex_model

    model, places, (convergence_total, budget_total) = essex_model(tmp_path, shared_dir)
    out = tmp_path / "essex-results.xlsx"
    assert main(["run", str(model), "-o", str(out)]) == 0
    values = read_values(recalculate(out, tmp_path / "lo"))
    title = next(r[0] for r in values["Bridge"] if str(r[0]).startswith("Bridge 2026/27"))
    header, body = block(values["Bridge"], title)
    col = {h: k for k, h in enumerate(header)}
    rows = [
        r
        for r in body
        if r[0] not in ("Total", "") and not str(r[0]).startswith(("Conv", "Budget"))
    ]
    assert len(rows) == places == 15
    for r in rows:
        assert (
            r[col["Baseline (£)"]]
            + r[col["Core growth (£)"]]
            + r[col["Convergence adjustment (£)"]]
            == r[col["Allocation (£)"]]
        ), r[0]
        assert r[col["Apportioned budget less allocation (£)"]] == pytest.approx(
            r[col["Apportioned budget (£)"]] - r[col["Allocation (£)"]], abs=1e-6
        )
    total = next(r for r in body if r[0] == "Total")
    assert total[col["Allocation (£)"]] == convergence_total
    assert total[col["Apportioned budget (£)"]] == pytest.approx(budget_total, abs=1e-6)
    assert total[col["Apportioned budget less allocation (£)"]] == pytest.approx(
        budget_total - convergence_total, abs=1e-6
    )
    summary = {r[0]: r[1] for r in values["Summary"] if r and isinstance(r[0], str)}
    assert summary["Allocation (£)"] == convergence_total
    assert summary["Apportioned budget (£)"] == pytest.approx(budget_total, abs=1e-6)
    overall = next(
        r for r in values["Checks"] if r and r[0] == "Overall check (0 when all is well)"
    )
    assert overall[1] == 0
