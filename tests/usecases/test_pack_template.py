"""``xlalloc pack-template``: the template through the Python API."""

import pytest

import xlalloc.api as api
from xlalloc.engine.errors import InputError


def test_pack_template_through_the_api(tmp_path):
    out = api.pack_template(tmp_path / "PACK.xlsx").path
    with pytest.raises(InputError, match="exists; pass `overwrite`"):
        api.pack_template(out)
    with pytest.raises(InputError, match="expected one of .xlsx"):
        api.pack_template(tmp_path / "PACK.csv")
