"""Inside Excel: worksheet functions, ribbon macros and the add-in, tested as Python."""

import inspect
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fake_xlwings import Book as FakeBook
from openpyxl import load_workbook

import xlalloc
from xlalloc.cli import main
from xlalloc.engine import capitation as cap
from xlalloc.engine.convergence import ConvergencePolicy, converge, hcdd_partition
from xlalloc.engine.rounding import largest_remainder
from xlalloc.excel import macros, udfs
from xlalloc.excel.addin import build, verify
from xlalloc.excel.books import XlwingsBook
from xlalloc.model.schema import OUTPUT_SHEETS
from xlalloc.workbook.book import FileBook as OpenpyxlBook

# The names Excel sees. Renaming any of these turns users' workbooks into #NAME?.
PINNED_UDFS = {
    "xla_need_index": ["populations", "weighted", "selected", "decimals"],
    "xla_target_shares": ["weights"],
    "xla_target_amounts": ["weights", "total", "unit"],
    "xla_dft": ["allocations", "shares"],
    "xla_converge": ["baselines", "shares", "total", "policy", "method", "min_growth",
                     "max_growth", "band", "pace", "topslice", "unit"],
    "xla_apportion": ["amount", "drivers", "unit"],
    "xla_hcdd": ["allocations", "baselines", "hcdd_baselines", "dft_after", "hcdd_growth",
                 "cost_uplift", "unit"],
    "xla_version": [],
}
PINNED_MACROS = {"run_model": ["book", "progress"], "validate_model": ["book"],
                 "refresh_outputs": ["book"], "build_packs": ["book"]}


def col(values):
    return [[v] for v in values]


def test_udf_names_and_arguments_are_pinned():
    assert {n: [a for a, _ in i.args] for n, i in udfs.REGISTRY.items()} == PINNED_UDFS
    for name, info in udfs.REGISTRY.items():
        fn = getattr(udfs, name)
        assert list(inspect.signature(fn).parameters) == PINNED_UDFS[name]
        assert info.help and all(h for _, h in info.args)


def test_macro_names_and_arguments_are_pinned():
    got = {n: list(inspect.signature(f).parameters) for n, f in macros.MACROS.items()}
    assert got == PINNED_MACROS
    assert list(inspect.signature(xlalloc.main).parameters) == []
    assert set(macros.DISPATCH) == {"run", "validate", "refresh", "packs"}


def test_udfs_are_not_volatile_and_never_touch_the_book():
    src = Path(udfs.__file__).read_text()
    for banned in ("volatile=True", "expand", "caller(", "Book("):
        assert banned not in src


def test_need_index_matches_engine_on_real_data(y2526_orig):
    qwo = y2526_orig[y2526_orig["icb_code"] == "QWO"]
    sel = qwo["practice_code"].isin(["B85005", "B85022", "B85061", "B85026"])
    got = udfs.xla_need_index(col(qwo["population"]), col(qwo["core"]), col(sel.tolist()), 3)
    assert got == 0.946
    pm = cap.define_places(qwo, pd.DataFrame({"practice_code": qwo.loc[sel, "practice_code"],
                                               "place": "P"}))
    engine = cap.need_indices(y2526_orig, pm).query("level == 'place'")["core_index"].iloc[0]
    assert udfs.xla_need_index(col(qwo["population"]), col(qwo["core"]),
                               col(sel.tolist())) == pytest.approx(engine, rel=1e-12)


def test_shapes_excel_passes():
    # A single cell arrives as a scalar; a row as a 1 x n list; a column as n x 1.
    assert udfs.xla_target_shares(5) == [[1.0]]
    assert udfs.xla_target_shares([[1, 3]]) == [[0.25], [0.75]]
    assert udfs.xla_target_shares([[1], [3]]) == [[0.25], [0.75]]
    assert udfs.xla_version() == xlalloc.__version__


def test_udfs_give_the_engines_numbers():
    w = [1200.0, 800.0, 3000.0, 1.5]
    assert [r[0] for r in udfs.xla_target_amounts(col(w), 1_000_001)] == list(
        largest_remainder(w, 1_000_001, order=[0, 1, 2, 3]))
    assert [r[0] for r in udfs.xla_apportion(90_000, col([10, 20, 70]))] == [9_000, 18_000,
                                                                             63_000]
    assert [r[0] for r in udfs.xla_target_amounts(col([1, 1, 1]), 10_000, 1000)] == [
        4000, 3000, 3000]
    d = udfs.xla_dft(col([101, 103, 104]), col([0.3, 0.3, 0.4]))
    np.testing.assert_allclose([r[0] for r in d], [101 / (0.3 * 308) - 1, 103 / (0.3 * 308) - 1,
                                                   104 / (0.4 * 308) - 1])
    # Convergence: the hand-worked example of the convergence tests.
    out = udfs.xla_converge(col([100] * 5), col([0.16, 0.18, 0.20, 0.22, 0.24]), 520, None,
                            None, 0.01, 0.06, 0.02)
    assert [r[0] for r in out] == [101, 103, 104, 106, 106]
    assert [r[1] for r in out] == ["floor", "level", "band", "cap", "cap"]
    # Policy from a named two-column range; an argument overrides it.
    rng = [["min_growth", 0.01], ["max_growth", 0.06], ["band", 0.02], ["method", "level"]]
    assert udfs.xla_converge(col([100] * 5), col([0.16, 0.18, 0.20, 0.22, 0.24]), 520,
                             rng) == out
    eng = converge(pd.DataFrame({"org": list("ABC"), "baseline": [200, 300, 500],
                                 "target_share": [0.25, 0.25, 0.5]}), 1100,
                   ConvergencePolicy(method="pace", pace=0.5)).table
    got = udfs.xla_converge(col([200, 300, 500]), col([0.25, 0.25, 0.5]), 1100, None, "pace",
                            None, None, None, 0.5)
    assert [r[0] for r in got] == list(eng["allocation"])
    H, R, _ = hcdd_partition([101, 103], [100, 100], [20, 2], [0.2, 0.1], 0.1, 0.03)
    assert udfs.xla_hcdd(col([101, 103]), col([100, 100]), col([20, 2]), col([0.2, 0.1]), 0.1,
                         0.03) == [[H[0], R[0]], [H[1], R[1]]]


@pytest.mark.parametrize("call,message", [
    (lambda: udfs.xla_target_shares([[1, 2], [3, 4]]),
     "weights: expected one row or one column, got 2 x 2"),
    (lambda: udfs.xla_target_shares(col([1, None, 3])),
     "weights item 2 is blank; expected a number"),
    (lambda: udfs.xla_dft(col([1, "lots"]), col([1, 1])),
     "allocations item 2 is text ('lots'); expected a number"),
    (lambda: udfs.xla_need_index(col([100, -5]), col([1, 1]), col([True, False])),
     "populations item 2 is -5; expected at least 0"),
    (lambda: udfs.xla_dft(col([1, 2, 3]), col([1, 1])),
     "ranges differ in length: allocations has 3, shares has 2"),
    (lambda: udfs.xla_target_amounts(col([1, 1]), 1500, 1000),
     "total 1,500.00 is not a whole number of the rounding unit £1,000"),
    (lambda: udfs.xla_converge(col([100, 100]), col([1, 1]), 300, None, None, 0.6),
     "infeasible policy: the floors need £320 but only £300 is available"),
    (lambda: udfs.xla_converge(col([100, 100]), col([1, 1]), 300, None, "warp"),
     "column 'method'"),
])
def test_bad_input_gives_readable_error_not_traceback(call, message):
    out = call()
    assert isinstance(out, str) and out.startswith("#VALUE! xlalloc: ")
    assert message in out, out
    assert "Traceback" not in out


# ---------------------------------------------------------------- macros


def _norm(v):
    return v


def same_cells(a, b):
    """Equal cells; floats to 14 significant digits (openpyxl writes 15-16 to the file)."""
    assert a.keys() == b.keys()
    for k in a:
        (va, fa, ba), (vb, fb, bb) = a[k], b[k]
        assert (fa, ba) == (fb, bb), k
        if isinstance(va, float) or isinstance(vb, float):
            assert va == pytest.approx(vb, rel=1e-14), k
        else:
            assert va == vb, k


def _openpyxl_cells(path, sheet):
    ws = load_workbook(path)[sheet]
    out = {}
    for row in ws.iter_rows():
        for c in row:
            if c.value is not None:
                out[(c.row, c.column)] = (_norm(c.value), c.number_format if c.number_format != "General"
                                          else None, bool(c.font.b))
    return out


def _fake_cells(fake, sheet):
    sh = fake.sheets[sheet]
    out = {}
    for rc, v in sh.data.items():
        st = sh.style.get(rc, {})
        out[rc] = (_norm(v), st.get("number_format"), bool(st.get("font.bold", False)))
    return out


@pytest.fixture
def demo_model(tmp_path):
    path = tmp_path / "model.xlsx"
    xlalloc.new(path, demo=True)
    return path


def test_macros_write_identical_sheets_headless_and_in_excel(demo_model, tmp_path):
    out = tmp_path / "headless.xlsx"
    r1 = macros.run_model_macro(OpenpyxlBook(demo_model, out))
    fake = FakeBook(demo_model)
    r2 = macros.run_model_macro(XlwingsBook(fake))
    assert r1 is not None and r2 is not None
    names = [s.name for s in fake.sheets]
    assert names[-len(OUTPUT_SHEETS):] == list(OUTPUT_SHEETS)
    assert load_workbook(out).sheetnames[-len(OUTPUT_SHEETS):] == list(OUTPUT_SHEETS)
    for sheet in OUTPUT_SHEETS:
        same_cells(_openpyxl_cells(out, sheet), _fake_cells(fake, sheet))
    assert len(fake.sheets["Trajectory"].charts) == 1
    assert any("Done" in m for _, m in fake.app.alerts)
    # The same results as the command line.
    pd.testing.assert_frame_equal(r1.apportionment.table1, r2.apportionment.table1)


def test_failed_ribbon_run_reports_on_checks_and_leaves_outputs(demo_model):
    fake = FakeBook(demo_model)
    book = XlwingsBook(fake)
    macros.run_model_macro(book)
    before = dict(fake.sheets["Targets"].data)
    fake.sheets["Budget"].data[(6, 3)] = "lots"
    assert macros.run_model_macro(book) is None
    checks = [v for (r, c), v in fake.sheets["Checks"].data.items() if c == 1]
    assert any("RUN FAILED: 1 input problem(s)" in str(v) for v in checks)
    assert any("cell C6 holds text 'lots'" in str(v) for v in checks)
    assert fake.sheets["Targets"].data == before
    title, message = fake.app.alerts[-1]
    assert title == "xlalloc: run failed" and "cell C6 holds text 'lots'" in message


def test_action_switch_on_policy_sheet_chooses_what_runs(demo_model):
    fake = FakeBook(demo_model)
    policy = fake.sheets["Policy"]
    row = next(r for (r, c), v in policy.data.items() if c == 1 and v == "action")
    policy.data[(row, 2)] = "validate"
    assert macros.dispatch(XlwingsBook(fake)) == []
    assert fake.app.alerts[-1][1] == "No input problems found."
    assert "Targets" not in [s.name for s in fake.sheets]
    policy.data[(row, 2)] = "refresh"
    macros.dispatch(XlwingsBook(fake))
    assert "Targets" in [s.name for s in fake.sheets]
    assert fake.app.alerts[-1][1] == "No input problems found."  # refresh is quiet


def test_cli_run_and_macro_share_code(demo_model, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert main(["run", str(demo_model), "-o", str(a)]) == 0
    macros.run_model_macro(OpenpyxlBook(demo_model, b))
    for sheet in OUTPUT_SHEETS:
        assert _openpyxl_cells(a, sheet) == _openpyxl_cells(b, sheet)


# ---------------------------------------------------------------- add-in


def test_addin_builds_and_passes_structural_checks(tmp_path):
    out = tmp_path / "xlalloc.xlam"
    assert main(["addin", "build", "-o", str(out)]) == 0
    report = verify(out)
    assert report.ok, report.problems
    assert report.callbacks == ["RibbonMyAddin.RunMain"]
    assert report.runpython and report.udf_modules == "xlalloc.excel.udfs"
    with zipfile.ZipFile(out) as z:
        assert b'label="xlalloc"' in z.read("customUI/customUI.xml")


def test_addin_verify_catches_a_broken_ribbon(tmp_path):
    good = build(tmp_path / "xlalloc.xlam")
    bad = tmp_path / "broken.xlam"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "customUI/customUI.xml":
                data = data.replace(b"RibbonMyAddin.RunMain", b"RibbonMyAddin.Missing")
            zout.writestr(info, data)
    report = verify(bad)
    assert "ribbon callback RibbonMyAddin.Missing is not a VBA Sub" in report.problems
    assert main(["addin", "verify", "-o", str(bad)]) == 1


def test_packs_action_from_the_ribbon(demo_model, tmp_path):
    from xlalloc import demo
    from xlalloc.model.runner import run_model
    from xlalloc.readers.model import read_model

    result = run_model(read_model(demo_model))
    ledger = tmp_path / "ledger.csv"
    demo.ledger(result.apportionment.cells, result.inputs.practices, 4).to_csv(ledger,
                                                                               index=False)
    fake = FakeBook(demo_model)
    policy = fake.sheets["Policy"]
    rows = {v: r for (r, c), v in policy.data.items() if c == 1}
    policy.data[(rows["action"], 2)] = "packs"
    book = XlwingsBook(fake)
    assert macros.dispatch(book) == []  # parameters missing: reported, nothing written
    checks = [v for (r, c), v in fake.sheets["Checks"].data.items() if c == 1]
    assert any("set ['pack_actuals', 'pack_month', 'pack_dir'] on the Policy sheet" in str(v)
               for v in checks)
    policy.data[(rows["pack_actuals"], 2)] = str(ledger)
    policy.data[(rows["pack_month"], 2)] = 4
    policy.data[(rows["pack_dir"], 2)] = str(tmp_path / "packs")
    paths = macros.dispatch(book)
    assert sorted(p.name for p in paths) == ["Ashford City.xlsx", "Brookvale.xlsx",
                                             "Castleton.xlsx", "ICB summary.xlsx"]
    assert "Wrote 4 packs" in fake.app.alerts[-1][1]


def test_xlwings_generates_the_pinned_vba_functions():
    """xlwings' own decorators and VBA generator (Windows modules stubbed) see our names."""
    import json
    import subprocess
    import sys

    probe = Path(__file__).with_name("xlwings_vba_probe.py")
    proc = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert {n: v["args"] for n, v in got.items()} == PINNED_UDFS
    for name, v in got.items():
        assert v["category"] == "xlalloc" and v["volatile"] is False and v["calls"], name
        assert v["convert"] == [], name  # no type hint became a converter
    assert got["xla_converge"]["ndim"]["baselines"] == 2
    assert got["xla_converge"]["ndim"]["total"] is None
