"""The overall check status, stated the same way everywhere."""

from xlalloc.model.checks import ALL_ZERO, CheckStatus


def test_status_words_and_formula():
    assert CheckStatus().ok and str(CheckStatus()) == ALL_ZERO == "all checks 0"
    bad = CheckStatus(("A: shares sum to 1.1", "B: targets sum to £9"))
    assert not bad.ok
    assert str(bad) == "2 check(s) not 0"
    assert bad.detail() == "2 check(s) not 0: A: shares sum to 1.1; B: targets sum to £9"
    assert bad.listed() == "A: shares sum to 1.1; B: targets sum to £9"
    assert CheckStatus().detail() == CheckStatus().listed() == "all checks 0"
    assert CheckStatus.formula("B7") == '=IF(B7=0,"all checks 0",B7&" check(s) not 0")'
