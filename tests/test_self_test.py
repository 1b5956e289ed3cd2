"""The self-test: at least ten reference cases from outside sources, and it can fail."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from xlalloc.cli import main
from xlalloc.self_test import KINDS, run_selftest


def _cases() -> dict:
    text = resources.files("xlalloc.reference").joinpath("selftest.json").read_text("utf-8")
    return json.loads(text)


def test_every_shipped_case_passes_and_names_its_source(capsys):
    result = run_selftest()
    assert len(result.cases) >= 10 and result.ok, [c for c in result.cases if not c.passed]
    assert result.summary() == f"{len(result.cases)}/{len(result.cases)} reference cases passed"
    for case in result.cases:
        assert len(case.source) > 40, case.id  # a source a reviewer can look up
    kinds = {c["kind"] for c in _cases()["cases"]}
    assert kinds == set(KINDS)  # every kind is exercised by a shipped case
    # Published figures among them, not only worked examples.
    ids = {c.id for c in result.cases}
    assert {"nhse-place-tool-west-yorkshire-default-place", "specialised-annex-table-y1"} <= ids
    assert main(["selftest"]) == 0
    assert capsys.readouterr().out.strip().endswith("reference cases passed")


@pytest.mark.parametrize(
    "case_id,key,index",
    [
        ("nhse-place-tool-west-yorkshire-default-place", "core", None),  # 0.946 -> 0.947
        ("convergence-floor-band-cap-by-hand", "allocations", 1),
        ("rebase-by-hand", "X", None),
    ],
)
def test_a_corrupted_reference_value_fails_the_self_test(tmp_path, capsys, case_id, key, index):
    data = _cases()
    case = next(c for c in data["cases"] if c["id"] == case_id)
    if index is None:
        case["expected"][key] = round(case["expected"][key] + 0.001, 3)
    else:
        case["expected"][key][index] += 1
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run_selftest(path)
    failed = [c for c in result.cases if not c.passed]
    assert [c.id for c in failed] == [case_id]
    assert f"{key}: expected" in failed[0].detail
    assert main(["selftest", "--cases", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL  {case_id}" in out and f"{len(result.cases) - 1}/{len(result.cases)}" in out


def test_version_reports_the_self_test(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("xlalloc 0.1.0 (self-test: ") and "reference cases passed)" in out
