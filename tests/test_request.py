"""Typed requests: bad values named by their field, and the one output rule."""

from typing import ClassVar

import pytest
from pydantic import Field

from xlalloc.engine.errors import InputError
from xlalloc.request import Request, Written


class Example(Request):
    rate: float = Field(0.0, ge=0, le=1)
    count: int = 1

    rates: ClassVar[tuple[str, ...]] = ("rate",)


def test_every_bad_value_is_named_by_its_field_at_once():
    with pytest.raises(InputError) as e:
        Example.of(rate=5, count="many", colour="red")
    where = [p.where for p in e.value.problems]
    assert where == ["`rate`", "`count`", "`colour`"]
    text = str(e.value)
    assert "did you mean 0.05 for 5%?" in text  # a rate given as a percentage
    assert "(got 'many')" in text


def test_a_request_is_frozen():
    with pytest.raises(Exception, match="frozen"):
        Example.of().rate = 0.5  # type: ignore[misc]


def test_written_takes_the_policys_defaults_and_checks_the_output(tmp_path):
    r = Written.of(output=tmp_path / "out.csv")
    assert (r.money_unit, r.marking, r.overwrite) == ("£", "OFFICIAL", False)
    assert r.checked_output() == tmp_path / "out.csv"
    (tmp_path / "out-summary.csv").write_text("mine")
    with pytest.raises(InputError, match="out-summary.csv exists"):
        r.checked_output(sidecars=("summary",))
    with pytest.raises(InputError, match="is an input of this command"):
        r.checked_output(tmp_path / "out.csv")
    with pytest.raises(InputError) as e:
        Written.of(output=tmp_path / "o.xlsx", money_unit="$")
    assert e.value.problems[0].where == "`money_unit`"
