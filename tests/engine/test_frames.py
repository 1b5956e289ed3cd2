"""Row numbers as the user sees them, and what counts as blank."""

import numpy as np
import pandas as pd

from xlalloc.engine.frames import SOURCE_ROW, is_blank, source_rows


def test_rows_come_from_the_reader_or_count_like_a_csv():
    assert source_rows(pd.DataFrame({"a": [1, 2, 3]})) == [2, 3, 4]
    assert source_rows(pd.DataFrame({"a": [1, 2], SOURCE_ROW: [9, 12]})) == [9, 12]


def test_blank():
    for v in (None, pd.NA, np.nan, float("nan"), "", "   ", pd.NaT):
        assert is_blank(v), v
    for v in (0, 0.0, "0", "x", False):
        assert not is_blank(v), v


def test_row_numbers_are_source_rows_as_an_array():
    from xlalloc.engine.frames import row_numbers

    assert row_numbers(pd.DataFrame({"a": [1, 2, 3]})).tolist() == [2, 3, 4]
    assert row_numbers(pd.DataFrame({"a": [1, 2], SOURCE_ROW: [9, 12]})).tolist() == [9, 12]


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["A", " A", "A ", "b", "  ", "", "B b"]),
            st.none(),
            st.just(np.nan),
            st.integers(0, 3),
            st.sampled_from([1.0, 2.5]),
            st.text(max_size=3),
        ),
        max_size=25,
    )
)
def test_text_codes_give_the_stripped_text_of_every_row(values):
    from xlalloc.engine.frames import text_codes

    column = pd.Series(values, dtype=object)
    codes, texts = text_codes(column)
    expected = column.astype("string").str.strip()
    got = [None if c < 0 else texts[c] for c in codes]
    assert got == [None if pd.isna(v) else v for v in expected]
    assert len(set(texts)) == len(texts)  # distinct, so codes can group rows


def test_text_codes_merge_values_that_differ_only_in_spaces():
    from xlalloc.engine.frames import text_codes

    codes, texts = text_codes(pd.Series(["Leeds", " Leeds ", None, "York"]))
    assert codes.tolist() == [0, 0, -1, 1]
    assert texts.tolist() == ["Leeds", "York"]


def test_the_contract_names_each_untyped_column_with_its_rows():
    import pytest

    from xlalloc.engine.errors import InputError
    from xlalloc.engine.frames import contract

    typed = pd.DataFrame({"amount": [1.0, None, 3], "recurrent": [True, False, True]})
    contract(typed, "Budget lines", numbers=("amount",), flags=("recurrent",))  # no error
    raw = pd.DataFrame(
        {"amount": [1.0, "£5", True], "recurrent": [True, "yes", None], "source_row": [5, 6, 7]}
    )
    with pytest.raises(InputError) as e:
        contract(raw, "Budget lines", numbers=("amount",), flags=("recurrent",))
    assert [(p.column, p.message.split(";")[0]) for p in e.value.problems] == [
        ("amount", "column 'amount' must hold numbers"),
        ("recurrent", "column 'recurrent' must hold TRUE or FALSE"),
    ]
    assert "rows 6, 7 do not" in e.value.problems[0].message  # the sheet's rows
    assert "rows 6, 7 do not" in e.value.problems[1].message
