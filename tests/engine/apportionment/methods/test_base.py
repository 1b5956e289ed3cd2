"""The registry and the coverage every data method reports."""

import pandas as pd
import pytest

from xlalloc.engine.apportionment import REGISTRY, register
from xlalloc.engine.apportionment.methods.base import coverage


def test_the_registry_holds_the_guidances_methods_in_its_order():
    assert list(REGISTRY) == ["practice_data", "place_split", "capitation", "scale", "follow"]


def test_a_second_method_of_a_name_is_refused():
    with pytest.raises(ValueError, match="'capitation' is registered already"):
        register(REGISTRY["capitation"])


def test_coverage_is_the_attributed_share_and_zero_without_money():
    d = pd.DataFrame({"practice_code": ["P1", None, "P2"], "value": [30.0, 10.0, 60.0]})
    assert coverage(d) == pytest.approx(0.9)
    assert coverage(d.assign(value=0.0)) == 0.0
