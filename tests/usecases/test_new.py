"""``xlalloc new``: its request, and what it refuses before anything is written."""

from pathlib import Path

import pytest

from xlalloc.engine.errors import InputError
from xlalloc.usecases.new import NewRequest, checked_grouping, places_picture, run


def test_the_request_names_a_bad_value_by_its_field():
    with pytest.raises(InputError) as e:
        NewRequest.of(path="m.xlsx", demo="perhaps")
    assert [p.where for p in e.value.problems] == ["`demo`"]


def test_every_problem_is_reported_together_and_nothing_is_written(tmp_path):
    out = tmp_path / "m.xlsx"
    request = NewRequest.of(path=out, demo=True, icb="T02", places_by="lad")
    with pytest.raises(InputError) as e:
        run(request)
    messages = [p.message for p in e.value.problems]
    # demo with files, files without practices: both at once (by hand, from the rules)
    assert any("not both" in m for m in messages)
    assert any("needs NHS England's practice files" in m for m in messages)
    assert not out.exists()


def test_an_empty_model_is_written_and_an_existing_one_kept(tmp_path):
    out = tmp_path / "m.xlsx"
    assert run(NewRequest.of(path=out)) == out and out.stat().st_size > 0
    before = out.read_bytes()
    with pytest.raises(InputError, match="pass `overwrite` to replace it"):
        run(NewRequest.of(path=out, demo=True))
    assert out.read_bytes() == before


def test_groupings_and_the_map_beside_the_model():
    assert checked_grouping(" Sub-ICB ") == "sub_icb"
    assert checked_grouping(None) is None
    with pytest.raises(InputError, match="unknown grouping 'ward'"):
        checked_grouping("ward")
    assert places_picture(Path("a/m.xlsx")) == Path("a/m-places.png")
