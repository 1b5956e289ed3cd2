"""``xlalloc run``: where a run writes, checked before the model is read."""

from pathlib import Path

import pytest

from xlalloc.engine.errors import InputError
from xlalloc.usecases.run import RunRequest, _checked_target, default_output, run

MODEL = Path("/data/model.xlsx")


def target(**fields) -> Path:
    return _checked_target(RunRequest.of(path=MODEL, **fields), MODEL)


def test_a_run_writes_beside_the_model_unless_told_otherwise():
    assert default_output(MODEL) == Path("/data/model-results.xlsx")
    assert target() == Path("/data/model-results.xlsx")
    assert target(output="/out/v.xlsx") == Path("/out/v.xlsx")
    assert target(in_place=True) == MODEL


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"scenario": {"min_growth": "0.02"}}, "a scenario is a variant"),
        ({"scenario": {"min_growth": "0.02"}, "in_place": True}, "a scenario is a variant"),
        ({"activity_columns": {"line": "Contract"}}, "names the activity extracts' headers"),
        ({"output": "/out/v.xlsx", "in_place": True}, "not both"),
        ({"output": str(MODEL)}, "the output is the input workbook"),
        ({"output": "/data/e.csv", "activity": ["/data/e.csv"]}, "an activity extract"),
        ({"output": "/out/v.xlsm"}, "must keep the input's extension"),
    ],
)
def test_a_target_that_breaks_the_output_rule_is_refused(fields, message):
    with pytest.raises(InputError, match=message):
        target(**fields)


def test_a_missing_model_is_an_input_problem_and_nothing_is_written(tmp_path):
    with pytest.raises(InputError):
        run(RunRequest.of(path=tmp_path / "missing.xlsx"))
    assert list(tmp_path.iterdir()) == []
