"""``xlalloc run``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .options import assignment, columns_option, run_summary


def run(args: argparse.Namespace) -> int:
    """Run a model workbook headless."""
    from ..api import default_output
    from ..api import run as run_workbook
    from ..engine.errors import InputError
    from ..readers.model import model_path
    from ..workbook.files import check_output
    from .progress import progress_printer

    path = model_path(args.model)  # before the output's checks: the model decides them
    names = [name for name, _ in args.scenario or []]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(
            f"--scenario gives {', '.join(twice)} more than once; give each parameter once",
            where="--scenario",
        )
    scenario = dict(args.scenario or [])
    if scenario and not args.output:
        raise InputError(
            "a scenario is a variant of the model: name its workbook with -o "
            "(e.g. -o MODEL-floor2.xlsx); the model itself is never edited",
            where="--scenario",
        )
    if args.output and not args.in_place:
        check_output(args.output, [path], args.force, (path.suffix.lower(),))
    elif not args.in_place and not args.output:
        check_output(
            default_output(path), [path], args.force, (path.suffix.lower(),), where="output"
        )
    result = run_workbook(
        path,
        args.output,
        in_place=args.in_place,
        progress=progress_printer(),
        scenario=scenario,
        activity=args.activity or (),
        activity_columns=args.columns,
    )
    target = path if args.in_place else Path(args.output) if args.output else default_output(path)
    for w in result.warnings:
        print(f"warning: {w}")
    for n in result.notes:  # documented choices: information, not a problem
        print(f"note: {n}")
    for step in result.next_steps:  # sheets still empty (a model built from NHS files)
        print(f"next: {step}")
    print(run_summary(result, target))
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("-o", "--output", help="write here (default: MODEL-results.xlsx)")
    c.add_argument(
        "--in-place",
        action="store_true",
        dest="in_place",
        help="write the outputs back into MODEL.xlsx (input sheets unchanged)",
    )
    c.add_argument(
        "--scenario",
        action="append",
        type=assignment,
        metavar="NAME=VALUE",
        help="run a variant with a Policy parameter changed, e.g. --scenario "
        "min_growth=0.02 (repeatable; needs -o; the model is not edited)",
    )
    c.add_argument(
        "--activity",
        nargs="+",
        action="extend",
        metavar="EXTRACT",
        help="activity extracts (.csv, .csv.gz or .parquet, any number of rows) "
        "added to the Activity sheet's rows; the Audit sheet lists each file "
        "and the coverage it gave each line (needs DuckDB)",
    )
    columns_option(c)
    c.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    c.set_defaults(func=run)
