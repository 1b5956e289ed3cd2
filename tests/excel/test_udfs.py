"""Worksheet functions: pinned names and arguments, engine figures, readable errors."""

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xlalloc
from xlalloc.engine import capitation as cap
from xlalloc.engine.convergence import ConvergencePolicy, converge, hcdd_partition
from xlalloc.engine.rounding import largest_remainder
from xlalloc.excel import udfs

# The names Excel sees. Renaming any of these turns users' workbooks into #NAME?.


PINNED_UDFS = {
    "xla_need_index": ["populations", "weighted", "selected", "decimals"],
    "xla_target_shares": ["weights"],
    "xla_target_amounts": ["weights", "total", "unit"],
    "xla_dft": ["allocations", "shares"],
    "xla_converge": [
        "baselines",
        "shares",
        "total",
        "policy",
        "method",
        "min_growth",
        "max_growth",
        "band",
        "pace",
        "topslice",
        "unit",
    ],
    "xla_apportion": ["amount", "drivers", "unit"],
    "xla_hcdd": [
        "allocations",
        "baselines",
        "hcdd_baselines",
        "dft_after",
        "hcdd_growth",
        "cost_uplift",
        "unit",
    ],
    "xla_levelling_up": ["funding", "need", "pot", "caps", "unit"],
    "xla_drivers": ["spend", "activity", "need", "unit"],
    "xla_version": [],
}


def col(values):
    return [[v] for v in values]


def test_udf_names_and_arguments_are_pinned():
    assert {n: [a for a, _ in i.args] for n, i in udfs.REGISTRY.items()} == PINNED_UDFS
    for name, info in udfs.REGISTRY.items():
        fn = getattr(udfs, name)
        assert list(inspect.signature(fn).parameters) == PINNED_UDFS[name]
        assert info.help and all(h for _, h in info.args)


def test_udfs_are_not_volatile_and_never_touch_the_book():
    src = Path(udfs.__file__).read_text()
    for banned in ("volatile=True", "expand", "caller(", "Book("):
        assert banned not in src


def test_need_index_matches_engine_on_real_data(y2526_orig):
    qwo = y2526_orig[y2526_orig["icb_code"] == "QWO"]
    sel = qwo["practice_code"].isin(["B85005", "B85022", "B85061", "B85026"])
    got = udfs.xla_need_index(col(qwo["population"]), col(qwo["core"]), col(sel.tolist()), 3)
    assert got == 0.946
    pm = cap.define_places(
        qwo, pd.DataFrame({"practice_code": qwo.loc[sel, "practice_code"], "place": "P"})
    )
    engine = cap.need_indices(y2526_orig, pm).query("level == 'place'")["core_index"].iloc[0]
    assert udfs.xla_need_index(
        col(qwo["population"]), col(qwo["core"]), col(sel.tolist())
    ) == pytest.approx(engine, rel=1e-12)


def test_shapes_excel_passes():
    # A single cell arrives as a scalar; a row as a 1 x n list; a column as n x 1.
    assert udfs.xla_target_shares(5) == [[1.0]]
    assert udfs.xla_target_shares([[1, 3]]) == [[0.25], [0.75]]
    assert udfs.xla_target_shares([[1], [3]]) == [[0.25], [0.75]]
    assert udfs.xla_version() == xlalloc.__version__


def test_udfs_give_the_engines_numbers():
    w = [1200.0, 800.0, 3000.0, 1.5]
    assert [r[0] for r in udfs.xla_target_amounts(col(w), 1_000_001)] == list(
        largest_remainder(w, 1_000_001, order=[0, 1, 2, 3])
    )
    assert [r[0] for r in udfs.xla_apportion(90_000, col([10, 20, 70]))] == [9_000, 18_000, 63_000]
    assert [r[0] for r in udfs.xla_target_amounts(col([1, 1, 1]), 10_000, 1000)] == [
        4000,
        3000,
        3000,
    ]
    d = udfs.xla_dft(col([101, 103, 104]), col([0.3, 0.3, 0.4]))
    np.testing.assert_allclose(
        [r[0] for r in d], [101 / (0.3 * 308) - 1, 103 / (0.3 * 308) - 1, 104 / (0.4 * 308) - 1]
    )
    # Convergence: the hand-worked example of the convergence tests.
    out = udfs.xla_converge(
        col([100] * 5), col([0.16, 0.18, 0.20, 0.22, 0.24]), 520, None, None, 0.01, 0.06, 0.02
    )
    assert [r[0] for r in out] == [101, 103, 104, 106, 106]
    assert [r[1] for r in out] == ["floor", "level", "band", "cap", "cap"]
    # Policy from a named two-column range; an argument overrides it.
    rng = [["min_growth", 0.01], ["max_growth", 0.06], ["band", 0.02], ["method", "level"]]
    assert udfs.xla_converge(col([100] * 5), col([0.16, 0.18, 0.20, 0.22, 0.24]), 520, rng) == out
    eng = converge(
        pd.DataFrame(
            {"org": list("ABC"), "baseline": [200, 300, 500], "target_share": [0.25, 0.25, 0.5]}
        ),
        1100,
        ConvergencePolicy(method="pace", pace=0.5),
    ).table
    got = udfs.xla_converge(
        col([200, 300, 500]), col([0.25, 0.25, 0.5]), 1100, None, "pace", None, None, None, 0.5
    )
    assert [r[0] for r in got] == list(eng["allocation"])
    H, R, _ = hcdd_partition([101, 103], [100, 100], [20, 2], [0.2, 0.1], 0.1, 0.03)
    assert udfs.xla_hcdd(
        col([101, 103]), col([100, 100]), col([20, 2]), col([0.2, 0.1]), 0.1, 0.03
    ) == [[H[0], R[0]], [H[1], R[1]]]


@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda: udfs.xla_target_shares([[1, 2], [3, 4]]),
            "weights: expected one row or one column, got 2 x 2",
        ),
        (
            lambda: udfs.xla_target_shares(col([1, None, 3])),
            "weights item 2 is blank; expected a number",
        ),
        (
            lambda: udfs.xla_dft(col([1, "lots"]), col([1, 1])),
            "allocations item 2 is text ('lots'); expected a number",
        ),
        (
            lambda: udfs.xla_need_index(col([100, -5]), col([1, 1]), col([True, False])),
            "populations item 2 is -5; expected at least 0",
        ),
        (
            lambda: udfs.xla_dft(col([1, 2, 3]), col([1, 1])),
            "ranges differ in length: allocations has 3, shares has 2",
        ),
        (
            lambda: udfs.xla_target_amounts(col([1, 1]), 1500, 1000),
            "total 1,500.00 is not a whole number of the rounding unit £1,000",
        ),
        (
            lambda: udfs.xla_converge(col([100, 100]), col([1, 1]), 300, None, None, 0.6),
            "infeasible policy: the floors need £320 but only £300 is available",
        ),
        (
            lambda: udfs.xla_converge(col([100, 100]), col([1, 1]), 300, None, "warp"),
            "column 'method'",
        ),
    ],
)
def test_bad_input_gives_readable_error_not_traceback(call, message):
    out = call()
    assert isinstance(out, str) and out.startswith("#VALUE! xlalloc: ")
    assert message in out, out
    assert "Traceback" not in out


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


def test_converge_takes_the_models_policy_table():
    from xlalloc.model.policy import PARAMETERS, ModelPolicy

    policy = ModelPolicy(convergence_method="pace", pace=0.5, min_growth=0.0, rounding_unit=1)
    table = [["parameter", "value", "description", "allowed", "source"]]
    table += [
        [p.name, getattr(policy, p.name), p.description, p.allowed, p.source] for p in PARAMETERS
    ]
    table = [[("" if v is None else v) for v in row] for row in table]
    got = udfs.xla_converge([[200], [300], [500]], [[0.25], [0.25], [0.5]], 1100, table)
    expected = converge(
        pd.DataFrame(
            {
                "org": [f"row {i:06d}" for i in (1, 2, 3)],
                "baseline": [200, 300, 500],
                "target_share": [0.25, 0.25, 0.5],
            }
        ),
        1100,
        ConvergencePolicy(method="pace", pace=0.5, min_growth=0.0),
    ).table
    assert [r[0] for r in got] == expected["allocation"].tolist()


def test_levelling_up_spills_payments_worked_by_hand():
    # £80, £90, £100 per unit of need, A capped at £100: level £102.50 (see the engine test).
    assert udfs.xla_levelling_up(
        col([800, 900, 1000]), col([10, 10, 10]), 250, col([100, None, None])
    ) == [[100.0], [125.0], [25.0]]
    assert udfs.xla_levelling_up(col([800, 900, 1000]), col([10, 10, 10]), 250) == [
        [175.0],
        [75.0],
        [0.0],
    ]
    assert udfs.xla_levelling_up(col([1, 1]), col([1, 1]), 10, col([1, 1])).startswith(
        "#VALUE! xlalloc: pot: the pot of £10.00 is more than the caps allow in total (£2.00)"
    )


def test_drivers_by_hand():
    """North spends £600 on 6 records for 100 of need, South £400 on 2 for 100: North's
    spend per head is 1.2 of the pair's, its activity 1.5, its cost per record 0.8; its
    £100 above need is £250 of volume less £150 of price (tests/engine/test_drivers.py)."""
    got = udfs.xla_drivers(col([600, 400]), col([6, 2]), col([100, 100]))
    assert got[0] == [pytest.approx(1.2), pytest.approx(1.5), pytest.approx(0.8), 100, 250, -150]
    assert got[1] == [pytest.approx(0.8), pytest.approx(0.5), pytest.approx(1.6), -100, -250, 150]
    # A place with no records has no cost per record: a blank, not an error.
    assert udfs.xla_drivers(col([600, 400]), col([6, 0]), col([100, 100]), 1)[1][2] == ""
    assert udfs.xla_drivers(col([600, 400]), col([6, 2]), col([100, 0])).startswith(
        "#VALUE! xlalloc: "
    )
