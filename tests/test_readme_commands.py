"""The README's command table against the command line: every command, only real flags."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from xlalloc.cli import COMMANDS, build_parser
from xlalloc.usecases import use_cases

README = Path(__file__).resolve().parents[1] / "README.md"


def rows() -> dict[str, str]:
    """Each command's row of the README's table: the command's usage as the README gives it."""
    table = README.read_text(encoding="utf-8").split("## Commands", 1)[1].split("\n## ", 1)[0]
    out: dict[str, str] = {}
    for line in table.splitlines():
        m = re.match(r"\| `xlalloc ([a-z0-9-]+)(.*?)` \|", line)
        if m:
            out[m[1]] = out.get(m[1], "") + m[2]
    return out


def option_strings(parser: argparse.ArgumentParser) -> set[str]:
    """Every flag of a parser, its subcommands' included."""
    found: set[str] = set()
    for action in parser._actions:
        found.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= option_strings(sub)
    return found


def test_every_command_has_a_row_and_every_row_is_a_command():
    assert set(rows()) == set(COMMANDS) | set(use_cases())


def test_every_flag_the_table_shows_is_one_its_command_takes():
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command, usage in rows().items():
        flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*|-o)\b", usage))
        unknown = flags - option_strings(commands.choices[command])
        assert not unknown, (command, sorted(unknown))
