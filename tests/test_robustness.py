"""Corrupted inputs give input problems, never a crash: random edits to the demo model."""

import random

import pytest
from conftest import demo_model
from python_calamine import CalamineWorkbook

from xlalloc.engine.errors import InputError
from xlalloc.model.runner import run_model
from xlalloc.readers.model import read_model_rows

ODD_VALUES = ["", "n/a", -1.0, 0.0, 1e15, "=SUM(A1)", "  ", "Q19999", "Nowhere", True, 3.5]


@pytest.fixture(scope="module")
def demo_rows(tmp_path_factory):
    path = tmp_path_factory.mktemp("robust") / "m.xlsx"
    demo_model(path)
    wb = CalamineWorkbook.from_path(str(path))
    return {
        n: [list(r) for r in wb.get_sheet_by_name(n).to_python(skip_empty_area=False)]
        for n in wb.sheet_names
    }


@pytest.mark.parametrize("seed", range(100))
def test_random_corruption_is_reported_not_crashed(demo_rows, seed):
    rnd = random.Random(seed)
    rows = {k: [list(r) for r in v] for k, v in demo_rows.items()}
    for _ in range(rnd.randint(1, 4)):
        sheet = rnd.choice(
            [
                "Practices",
                "Budget",
                "PracticeData",
                "Activity",
                "PlaceSplits",
                "Baselines",
                "Totals",
                "Policy",
            ]
        )
        data = rows[sheet]
        r = rnd.randrange(3, len(data))  # header row (index 3) included: renamed columns
        c = rnd.randrange(0, len(data[r]))
        data[r][c] = rnd.choice(ODD_VALUES)
    try:
        result = run_model(read_model_rows(lambda s: rows.get(s), {}))
    except InputError as e:
        assert e.problems and all(str(p) for p in e.problems)
    else:
        a = result.apportionment
        if a is not None:
            assert a.table1.loc["Total", "Total"] == pytest.approx(
                result.inputs.budget["amount"].sum(), abs=0.5
            )
