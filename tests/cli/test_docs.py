"""docs/commands.md is every command's help, written from the parsers (the requests)."""

from pathlib import Path

from xlalloc.cli.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "commands.md"


def test_the_commands_page_is_up_to_date():
    # If this fails: python -m xlalloc.cli.docs
    assert DOC.read_text(encoding="utf-8") == render()


def test_the_page_has_every_command_and_a_use_cases_options_as_its_request_declares():
    from xlalloc.usecases.levelling_up import LevellingUpRequest

    text = render()
    assert "## `xlalloc levelling-up`" in text and "## `xlalloc targets`" in text
    pot = LevellingUpRequest.model_fields["pot"].description
    assert f"--pot POT             {pot}" in text
