"""How a workbook is presented: one set of choices and defaults for the Policy sheet,
every writing command and its options."""

from typing import get_args

import pytest
from conftest import loaded_after

from xlalloc.model.policy import ModelPolicy
from xlalloc.model.presentation import (
    HEADER_LIMIT,
    MARKING,
    MONEY_UNIT,
    PAPER_SIZE,
    MoneyUnit,
    PaperSize,
    checked_marking,
)
from xlalloc.request import Written


def test_the_policy_sheet_and_every_command_take_the_same_choices_and_defaults():
    fields = ModelPolicy.model_fields
    assert fields["money_unit"].default == MONEY_UNIT == Written.model_fields["money_unit"].default
    assert fields["paper_size"].default == PAPER_SIZE == Written.model_fields["paper_size"].default
    assert fields["protective_marking"].default == MARKING == "OFFICIAL"
    assert Written.model_fields["marking"].default == MARKING
    assert set(get_args(MoneyUnit)) == {"£", "£000", "£m"}
    assert set(get_args(PaperSize)) == {"A4", "A3"}


def test_a_marking_fits_excels_page_header_and_one_too_long_is_refused():
    # Excel's header holds 255 characters, of which the centred bold codes take 11
    # (&C&"-,Bold"), and each & is written twice: 244 plain characters fit, 245 do not.
    assert HEADER_LIMIT == 255
    assert checked_marking("X" * 244) == "X" * 244
    with pytest.raises(ValueError, match="245 characters"):
        checked_marking("X" * 245)
    with pytest.raises(ValueError, match="each & counts"):
        checked_marking("&" * 123)  # 246 once doubled
    assert checked_marking(None) is None


def test_a_commands_presentation_options_are_built_without_the_engine():
    code = (
        "import argparse\n"
        "from xlalloc.cli.options import present_options\n"
        "p = argparse.ArgumentParser(); present_options(p)\n"
        "a = p.parse_args(['--money-unit', '£m'])\n"
        "assert (a.money_unit, a.marking, a.paper_size) == ('£m', 'OFFICIAL', 'A4')\n"
    )
    assert loaded_after(code, ("xlalloc.engine.", "pandas")) == []
