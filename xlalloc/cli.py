"""The ``xlalloc`` command line: thin adapters over the engine.

Every command converts its input once at the boundary, calls the engine and
writes tables. Input errors print every problem and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

import pandas as pd

from . import __version__
from .engine.capitation import COMPONENTS
from .engine.errors import InputError
from .inputs import read_table


def _practices(args: argparse.Namespace) -> pd.DataFrame:
    from . import data, demo

    if args.practices == "demo":
        return demo.practices()
    return data.load_practices(args.practices, args.year,
                               blank_wp="zero" if args.blank_as_zero else "error")


def cmd_targets(args: argparse.Namespace) -> int:
    """Need indices, target shares and targets (issue: need indices and targets)."""
    from . import demo
    from .engine import capitation as cap

    practices = _practices(args)
    england = cap.england_ratios(practices) if args.practices != "demo" else demo.ENGLAND
    if args.icb:
        key = args.icb.strip().lower()
        sel = (practices["icb_code"].str.lower() == key) | (
            practices["icb_name"].str.lower() == key)
        if not sel.any():
            raise InputError(f"no ICB with code or name {args.icb!r}", where="--icb")
        practices = practices[sel].reset_index(drop=True)
    place_map = None
    if args.places:
        place_map = cap.define_places(practices, read_table(args.places), where=args.places)
        for w in place_map.warnings:
            print(f"warning: {w}", file=sys.stderr)
    elif args.practices == "demo":
        place_map = cap.define_places(practices, demo.places(practices), where="demo places")
    table = cap.need_indices(practices, place_map, england=england)
    table = cap.add_targets(table, args.budget, args.component, args.unit)
    if args.round == "nhse":
        table = cap.round_nhse(table)
    cols = ["level", "name", "icb_code", "icb_name", "population"]
    for k in COMPONENTS:
        cols += [f"{k}_wp", f"{k}_index"]
    if args.budget is not None:
        table["per_1000_wp"] = cap.cost_per_1000(table["target"], table[f"{args.component}_wp"])
    cols += ["target_share"] + (["target", "per_1000_wp"] if args.budget is not None else [])
    cols += [f"{k}_index_england" for k in COMPONENTS]
    from .workbook.tables import write_tables

    write_tables(args.output, {"Targets": table[cols]})
    print(f"wrote {len(table)} rows to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    p = argparse.ArgumentParser(prog="xlalloc", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"xlalloc {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("targets", help="need indices, target shares and target £ by place")
    t.add_argument("practices", help="NHS England practice file (CSV/XLSX), or 'demo'")
    t.add_argument("--year", help="financial year, e.g. 2024/25 (for multi-year workbooks)")
    t.add_argument("--places", help="CSV/XLSX with practice_code,place[,locality]")
    t.add_argument("--icb", help="keep one ICB, by code or name")
    t.add_argument("--component", default="core", choices=COMPONENTS)
    t.add_argument("--budget", type=float, help="ICB budget to share by target")
    t.add_argument("--unit", type=float, default=1.0, help="rounding unit in £ (1 or 1000)")
    t.add_argument("--round", choices=["nhse"], help="round as NHS England's tool")
    t.add_argument("--blank-as-zero", action="store_true",
                   help="read blank weighted populations as zero (recorded per practice)")
    t.add_argument("-o", "--output", required=True)
    t.set_defaults(func=cmd_targets)
    _register_more(sub)
    return p


_EXTRA: list[Callable[[argparse._SubParsersAction], None]] = []


def _register_more(sub: argparse._SubParsersAction) -> None:
    for register in _EXTRA:
        register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand, printing input problems instead of tracebacks."""
    _load_commands()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InputError as e:
        print(f"xlalloc {args.command}: {e}", file=sys.stderr)
        return 2


def _load_commands() -> None:
    """Import the modules that register further subcommands."""
    if _EXTRA:
        return
    from . import commands

    _EXTRA.extend(commands.REGISTER)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
