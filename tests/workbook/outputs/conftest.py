"""The demo model's run, drawn once for the output-sheet tests."""

import pytest
from conftest import demo_model

from xlalloc.model.runner import run_model
from xlalloc.readers.model import read_model
from xlalloc.workbook.outputs.common import Ranges
from xlalloc.workbook.sheetspec import Look


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """(result, ranges, look) of the demo model's run."""
    model = demo_model(tmp_path_factory.mktemp("outputs") / "m.xlsx")
    result = run_model(read_model(model))
    return result, Ranges(result.inputs.layout), Look.of(result.run_at)


def cells(spec):
    """A sheet's values by (row, column): a formula's stored value, else the value."""
    return {(c.row, c.col): c.cached if c.formula else c.value for c in spec.cells}


def column_of(spec, header):
    """(row, column) of a header cell."""
    return next((c.row, c.col) for c in spec.cells if c.value == header)
