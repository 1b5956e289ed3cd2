"""A use case's command derived from its request: arguments, options, help, the run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import ClassVar, Literal

import pytest
from conftest import write
from pydantic import Field

import xlalloc.api as api
from xlalloc.cli import main
from xlalloc.cli.requests import flag, register
from xlalloc.request import Written


class ToyRequest(Written):
    """A request with one field of each kind the rule covers."""

    source: Path = Field(description="the input file")
    output: Path = Field(description="OUT.csv or OUT.xlsx")
    pot: float = Field(description="the sum in £, 5%% of it kept")
    places: tuple[Path, ...] = Field(
        (), description="place files", json_schema_extra={"metavar": "P"}
    )
    draws: int = Field(2000, description="draws")
    style: Literal["simple", "isfe"] = Field("simple", description="the layout")
    blank_as_zero: bool = Field(False, description="blanks as zero")

    arguments: ClassVar[tuple[str, ...]] = ("source", "output", "pot")


class ToyUseCase:
    """What :func:`register` reads of a use case: its request and its pipeline."""

    request = ToyRequest

    def __init__(self) -> None:
        self.ran: list[ToyRequest] = []

    def pipeline(self, request: ToyRequest) -> object:
        self.ran.append(request)
        return argparse.Namespace(warnings=[], notes=["a note"], summary="done")


def parser_for(use_case: object) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="toy")
    register(p, use_case)
    return p


def test_arguments_before_output_are_positional_and_every_other_field_an_option():
    actions = {a.dest: a for a in parser_for(ToyUseCase())._actions}
    assert actions["source"].option_strings == []  # before output: an argument
    assert actions["output"].option_strings == ["-o", "--output"] and actions["output"].required
    assert actions["pot"].option_strings == ["--pot"] and actions["pot"].required  # after output
    assert actions["places"].nargs == "+" and actions["places"].metavar == "P"
    assert actions["style"].choices == ["simple", "isfe"]
    assert actions["draws"].type is int and actions["draws"].default is argparse.SUPPRESS
    assert actions["overwrite"].option_strings == ["--force"]
    assert actions["blank_as_zero"].option_strings == ["--blank-as-zero"]
    assert isinstance(actions["blank_as_zero"], argparse._StoreTrueAction)
    # The help is the field's meaning, with its default; a percent sign survives argparse.
    assert actions["draws"].help == "draws (default 2000)"
    assert "5%%" in parser_for(ToyUseCase()).format_help().replace("5%", "5%%")


def test_an_option_not_given_takes_the_requests_default_and_the_run_reports(capsys):
    use_case = ToyUseCase()
    args = parser_for(use_case).parse_args(["in.csv", "-o", "out.csv", "--pot", "1,000"])
    assert args.func(args) == 0
    (request,) = use_case.ran
    assert request.source == Path("in.csv") and request.pot == 1000.0
    assert (request.draws, request.style, request.places, request.overwrite) == (
        2000,
        "simple",
        (),
        False,
    )
    assert capsys.readouterr().out == "note: a note\ndone\n"


def test_flags_follow_one_rule():
    assert flag("places_by") == ("--places-by",)
    assert flag("output") == ("-o", "--output")
    assert flag("overwrite") == ("--force",)


def test_a_derived_command_writes_what_the_api_writes(tmp_path):
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,100,1\nB,100,3\n")
    out = tmp_path / "cli.csv"
    assert main(["levelling-up", str(funding), "--pot", "40", "-o", str(out)]) == 0
    api.levelling_up(funding, tmp_path / "api.csv", pot=40)
    assert out.read_bytes() == (tmp_path / "api.csv").read_bytes()


def test_a_bad_value_of_a_derived_command_is_named_by_its_flag(tmp_path, capsys):
    funding = write(tmp_path / "f.csv", "org,funding,need\nA,100,1\nB,100,3\n")
    out = tmp_path / "out.csv"
    assert main(["levelling-up", str(funding), "--pot", "-5", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "  - --pot: Input should be greater than or equal to 0 (got -5.0)" in err
    assert not out.exists()


def test_a_csv_only_command_offers_no_presentation_options():
    with pytest.raises(SystemExit):
        main(["demo-ledger", "m.xlsx", "--money-unit", "£m"])
