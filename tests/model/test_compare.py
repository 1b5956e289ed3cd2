"""Comparing two runs of the demo model: the exact identity on random edits."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xlalloc.cli import main
from xlalloc.engine.capitation import COMPONENTS
from xlalloc.model.compare import ICB, compare_results
from xlalloc.model.runner import run_model
from xlalloc.readers.model import read_model


@pytest.fixture(scope="module")
def demo_inputs(tmp_path_factory):
    path = tmp_path_factory.mktemp("cmp") / "model.xlsx"
    assert main(["new", str(path), "--demo"]) == 0
    inputs = read_model(path)
    # Intervals are not compared; leave the Monte Carlo out to keep the property fast.
    return dataclasses.replace(
        inputs, policy=inputs.policy.model_copy(update={"target_uncertainty": None})
    )


@pytest.fixture(scope="module")
def demo_result(demo_inputs):
    return run_model(demo_inputs)


def edited(inputs, scale, need, drop, add):
    """The demo's inputs with line amounts scaled, core need changed, lines dropped and
    a capitation line added."""
    budget = inputs.budget.copy()
    budget["amount"] = (budget["amount"] * np.asarray(scale)).round()
    follow = set(budget["follow"].dropna())
    dropped = [i for i in drop if budget.loc[i, "line"] not in follow]
    gone = set(budget.loc[dropped, "line"])
    budget = budget.drop(index=dropped)
    data = {k: getattr(inputs, k) for k in ("practice_data", "place_splits", "activity")}
    data = {k: v[~v["line"].isin(gone)] if "line" in v.columns else v for k, v in data.items()}
    if add:
        budget = pd.concat(
            [
                budget,
                pd.DataFrame(
                    [
                        {
                            "line": "New capitation line",
                            "programme": "Community",
                            "amount": float(add),
                            "recurrent": True,
                            "methods": ("capitation",),
                            "component": "core",
                            "follow": None,
                            "negative_ok": False,
                            "source_row": 99,
                        }
                    ]
                ),
            ],
            ignore_index=True,
        )
    practices = inputs.practices.copy()
    for c in COMPONENTS:
        practices[c] = practices[c] * np.resize(np.asarray(need), len(practices))
    return dataclasses.replace(
        inputs, budget=budget.reset_index(drop=True), practices=practices, notes=[], **data
    )


n_lines = 17


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.lists(st.sampled_from([1.0, 1.0, 0.9, 1.05, 1.3]), min_size=n_lines, max_size=n_lines),
    need=st.lists(st.sampled_from([1.0, 0.97, 1.04]), min_size=1, max_size=7),
    drop=st.lists(st.integers(0, n_lines - 1), max_size=2),
    add=st.sampled_from([0, 1, 2_500_001]),
)
def test_old_plus_amounts_plus_shares_is_new_on_random_edits(
    demo_inputs, demo_result, scale, need, drop, add
):
    assert len(demo_inputs.budget) == n_lines
    new = run_model(edited(demo_inputs, scale, need, drop, add))
    c = compare_results(demo_result, new)
    for table, (a, s) in (
        (c.programmes, ("from_amounts", "from_shares")),
        (c.places, ("from_amounts", "from_shares")),
        (c.targets, ("from_budget", "from_need")),
    ):
        cents = {
            k: np.round(table[k].to_numpy() * 100).astype(np.int64) for k in ("old", "new", a, s)
        }
        assert (cents["old"] + cents[a] + cents[s] == cents["new"]).all()
    # Old and new are the runs' own Table 1 and targets.
    t1_old, t1_new = demo_result.apportionment.table1, new.apportionment.table1
    for r in c.programmes.itertuples():
        assert r.old == (t1_old.loc[r.programme, r.place] if r.programme in t1_old.index else 0)
        assert r.new == (t1_new.loc[r.programme, r.place] if r.programme in t1_new.index else 0)
    # The whole ICB's change is the budget lines' change, all of it from amounts.
    icb = c.places.set_index("place").loc[ICB]
    moved = new.inputs.budget["amount"].sum() - demo_result.inputs.budget["amount"].sum()
    assert icb["change"] == icb["from_amounts"] == moved and icb["from_shares"] == 0
    # Targets: the budget's change at the old shares. The shares are those of the old
    # targets as rounded to £1, within £1 / budget of the exact target shares.
    old_t = demo_result.targets.set_index("place")
    d_budget = new.budget_total - demo_result.budget_total
    slack = 0.01 + abs(d_budget) / demo_result.budget_total
    for r in c.targets.itertuples():
        rounded_share = old_t.loc[r.place, "target"] / demo_result.budget_total
        assert abs(r.from_budget - d_budget * rounded_share) < 0.01
        assert abs(r.from_budget - d_budget * old_t.loc[r.place, "target_share"]) < slack


def test_nothing_changed_is_all_zero(demo_result):
    c = compare_results(demo_result, demo_result)
    assert (c.programmes[["change", "from_amounts", "from_shares"]] == 0).all().all()
    assert (c.convergence["rule_changed"] == "").all()


def test_a_new_floor_changes_allocations_and_names_the_rule(demo_inputs, demo_result):
    policy = demo_inputs.policy.model_copy(update={"min_growth": 0.03})
    new = run_model(dataclasses.replace(demo_inputs, policy=policy, notes=[]))
    conv = compare_results(demo_result, new).convergence
    assert (conv["change"].abs() > 0).any()
    changed = conv[conv["rule_changed"] != ""]
    assert len(changed) and changed["rule_changed"].str.contains("→").all()
    # A higher floor takes from the organisations the level set, never from the total.
    for _, part in conv.groupby("year"):
        assert part["change"].sum() == pytest.approx(0, abs=1e-6)


def test_the_summary_writes_changes_as_finance_does():
    """ "+£1,234" and "-£56", never Python's "£+1,234"; nothing moved reads "unchanged"."""
    from xlalloc.model.compare import _signed

    assert (_signed(1234.4), _signed(-56.0), _signed(0.3), _signed(-0.4)) == (
        "+£1,234",
        "-£56",
        "£0",
        "£0",
    )


def test_an_unchanged_apportionment_says_so(demo_result):
    lines = compare_results(demo_result, demo_result).summary().splitlines()
    assert lines[-1] == "apportionment: unchanged (ICB total £2,516,000,000)"


def test_a_problem_of_either_workbook_is_named_by_its_file_once(tmp_path):
    from conftest import demo_model
    from openpyxl import load_workbook

    import xlalloc
    from xlalloc.engine.errors import InputError

    good = demo_model(tmp_path / "good.xlsx")
    with pytest.raises(InputError) as e:
        xlalloc.compare(tmp_path / "missing.xlsx", good)
    # The file as the reader names it, not again after its name ("missing.xlsx: /tmp/...").
    assert [p.where for p in e.value.problems] == [str(tmp_path / "missing.xlsx")]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes())
    wb = load_workbook(broken)
    wb["Budget"]["C5"] = "lots"
    wb.save(broken)
    with pytest.raises(InputError) as e:
        xlalloc.compare(broken, good)
    assert e.value.problems
    assert all(p.where.startswith("broken.xlsx: ") for p in e.value.problems)  # a sheet: named
