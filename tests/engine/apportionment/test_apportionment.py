"""The package face: METHODS follows the registry, a method added included."""

from dataclasses import dataclass

import pytest

from xlalloc.engine import apportionment as ap


@dataclass(frozen=True)
class Nothing:
    name: str = "nothing"


def test_methods_follow_the_registry():
    assert ap.METHODS == ("practice_data", "place_split", "capitation", "scale", "follow")
    ap.register(Nothing())
    try:
        assert ap.METHODS[-1] == "nothing"
    finally:
        del ap.REGISTRY["nothing"]
    assert "nothing" not in ap.METHODS
    with pytest.raises(AttributeError, match="no attribute 'NOPE'"):
        _ = ap.NOPE
