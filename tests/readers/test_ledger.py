"""Phasing profiles: whole months, numbers, never truncated."""

import pytest

from xlalloc.engine.errors import InputError
from xlalloc.readers.ledger import read_phasing


def test_phasing_profile(tmp_path):
    p = tmp_path / "phasing.csv"
    p.write_text("month,share\n" + "\n".join(f"{m},{1 / 12}" for m in range(1, 13)))
    s = read_phasing(p)
    assert list(s.index) == list(range(1, 13)) and s.sum() == pytest.approx(1)
    assert read_phasing(None) is None


def test_a_fractional_month_is_an_error_not_truncated(tmp_path):
    p = tmp_path / "phasing.csv"
    p.write_text("month,share\n1.5,0.5\n2,half\n")
    with pytest.raises(InputError) as e:
        read_phasing(p)
    assert [str(x) for x in e.value.problems] == [
        f"{p}, row 2, column 'month': month '1.5' is not a whole number 1 to 12",
        f"{p}, row 3, column 'share': share 'half' is not a number",
    ]
