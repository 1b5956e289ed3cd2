"""``xlalloc demo-ledger``: the demo ledger through the Python API."""

import pytest

import xlalloc.api as api
from xlalloc.engine.errors import InputError


def test_demo_ledger_through_the_api(tmp_path):
    from conftest import demo_model

    model = demo_model(tmp_path / "m.xlsx")
    run = api.demo_ledger(model, tmp_path / "l.csv", style="isfe", month=3)
    assert (
        run.summary
        == f"wrote {tmp_path / 'l.csv'} and its cost-centre map {tmp_path / 'l-map.csv'}"
    )
    periods = set(run.tables["ledger"]["Period"])
    assert {"APR-26", "MAY-26", "JUN-26"} <= periods and "JUL-26" not in periods
    with pytest.raises(InputError, match="`month`"):
        api.demo_ledger(model, tmp_path / "l2.csv", month=13)
