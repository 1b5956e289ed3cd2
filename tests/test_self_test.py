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


def _counting(monkeypatch, tmp_path):
    """The self-test's cache in ``tmp_path``, and a count of the cases actually run."""
    from xlalloc import self_test

    monkeypatch.setenv(self_test.CACHE_ENV, str(tmp_path))
    runs = []
    real = self_test._check
    monkeypatch.setattr(self_test, "_check", lambda case: runs.append(case["id"]) or real(case))
    self_test.selftest_result.cache_clear()
    return self_test, runs


def test_a_pass_is_kept_for_the_installation_and_run_again_when_it_changes(monkeypatch, tmp_path):
    st, runs = _counting(monkeypatch, tmp_path)
    first = st.selftest_result()
    n = len(runs)
    assert first.ok and n >= 10 and len(list(tmp_path.glob("selftest-*.json"))) == 1
    st.selftest_result.cache_clear()  # a new process, the same installation
    again = st.selftest_result()
    assert len(runs) == n  # not run again: the kept pass, case by case
    assert again.cases == first.cases
    # Another engine (or library version): another fingerprint, so the cases run again.
    monkeypatch.setattr(st, "fingerprint", lambda: "0" * 64)
    st.selftest_result.cache_clear()
    assert st.selftest_result().ok and len(runs) == 2 * n
    st.selftest_result.cache_clear()


def test_a_failure_is_never_kept_and_a_damaged_cache_is_ignored(monkeypatch, tmp_path):
    st, runs = _counting(monkeypatch, tmp_path)
    key = st.fingerprint()
    assert key is not None and len(key) == 64
    kept = tmp_path / f"selftest-{key[:32]}.json"
    kept.write_text("{not json", encoding="utf-8")
    assert st.selftest_result().ok and runs  # run, and the damaged file replaced
    assert json.loads(kept.read_text(encoding="utf-8"))["cases"]
    # A kept result that records a failure is not trusted as a pass: the cases run.
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["cases"][0]["passed"] = False
    kept.write_text(json.dumps(data), encoding="utf-8")
    st.selftest_result.cache_clear()
    runs.clear()
    assert st.selftest_result().ok and len(runs) >= 10
    # A failing run is not written down.
    kept.unlink()
    monkeypatch.setattr(st, "run_selftest", lambda: st.SelfTest([st.CaseResult("x", "s", False)]))
    st.selftest_result.cache_clear()
    assert not st.selftest_result().ok and not kept.exists()
    st.selftest_result.cache_clear()


def test_with_nowhere_to_keep_it_the_self_test_still_runs(monkeypatch, tmp_path):
    """No home folder (a service account) or a cache path that is a file: every run
    runs the cases, and says the same."""
    from pathlib import Path

    from xlalloc import self_test as st

    monkeypatch.delenv(st.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(st.sys, "platform", "linux")

    def no_home():
        raise RuntimeError("Could not determine home directory")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    st.selftest_result.cache_clear()
    assert st.selftest_result().ok
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    monkeypatch.setenv(st.CACHE_ENV, str(a_file))
    st.selftest_result.cache_clear()
    assert st.selftest_result().ok and a_file.read_text(encoding="utf-8") == "x"
    st.selftest_result.cache_clear()
