"""What the commands share: option types and the presentation options' defaults."""

import argparse

import pytest

from xlalloc.cli.options import month, number, present_options


def test_numbers_and_months_by_the_readers_rules():
    assert number("£1,234.50") == 1234.5
    assert number("5%") == 0.05
    for bad in ("1,5", "inf", "nan"):
        with pytest.raises(argparse.ArgumentTypeError):
            number(bad)
    assert month("6") == 6
    with pytest.raises(argparse.ArgumentTypeError, match="'13' is not a month"):
        month("13")


def test_money_unit_and_marking_come_from_the_policy():
    from xlalloc.model.policy import ModelPolicy

    parser = argparse.ArgumentParser()
    present_options(parser)
    args = parser.parse_args([])
    policy = ModelPolicy()
    assert (args.money_unit, args.marking) == (policy.money_unit, policy.protective_marking)
    assert parser.parse_args(["--money-unit", "£m"]).money_unit == "£m"
    with pytest.raises(SystemExit):
        parser.parse_args(["--money-unit", "$"])
