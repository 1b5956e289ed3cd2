"""``xlalloc new``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any


def run(args: argparse.Namespace) -> int:
    """Write a new model workbook."""
    if args.practices and not args.demo:
        _draw_beside()
    from ..api import new

    path = new(
        args.model,
        demo=args.demo,
        overwrite=args.force,
        practices=args.practices or (),
        icb=args.icb,
        places=args.places,
        places_by=args.places_by,
        localities_by=args.localities_by,
        allow_unmapped=args.allow_unmapped,
        blank_as_zero=args.blank_as_zero,
        on_note=lambda n: print(f"note: {n}"),
    )
    kind = "the demo " if args.demo else f"{_built_icb(path)} " if args.icb else "an empty "
    print(f"wrote {kind}model workbook {path}")
    if args.icb:  # practices, no money yet
        from ..model.runner import NEXT_STEPS

        for _attr, sheet, what in NEXT_STEPS:
            print(f"next: {sheet}: {what}")
    return 0


def _draw_beside() -> None:
    """Fork the process that draws the map of practices by place, before pandas is imported.

    It imports matplotlib and loads its fonts on the other core while this process
    imports pandas and reads NHS England's files (:mod:`xlalloc.workbook.map_png`).
    """
    import importlib.util

    if importlib.util.find_spec("matplotlib") is None:  # no map: `new` says so
        return
    from ..parallel import start_second_process
    from ..workbook.map_png import prepare

    start_second_process(prepare)


def _built_icb(path: Any) -> str:
    """The ICB a model was built for, as its Cover names it (code and name).

    Read with the project's workbook reader (python-calamine where installed, openpyxl
    otherwise): ``new`` runs with the core alone.
    """
    from ..readers.sheets import open_values

    title = str(open_values(path).read("Cover")[0][0])
    return title.split(": ", 1)[1] if ": " in title else "the ICB's"


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument("model", help="MODEL.xlsx to create")
    c.add_argument("--demo", action="store_true", help="fill it with the demo ICB's inputs")
    c.add_argument(
        "--practices",
        action="append",
        metavar="FILE",
        help="NHS England's GP-practice weighted populations, one file per year "
        "(repeat for several years, e.g. the 2026/27, 2027/28 and 2028/29 "
        "files)",
    )
    c.add_argument(
        "--icb", help="the ICB by code, name or a unique part of it, e.g. QWO or 'west yorkshire'"
    )
    where = c.add_mutually_exclusive_group()
    where.add_argument(
        "--places",
        metavar="PLACES.csv",
        help="CSV/XLSX with columns practice_code,place[,locality], for every year",
    )
    where.add_argument(
        "--places-by",
        choices=["lad", "pcn", "sub_icb", "former_icb"],
        dest="places_by",
        help="one place per local authority district (lad, the default), "
        "primary care network (pcn) or sub-ICB location (sub_icb), named "
        "as the files name them; or former_icb: each practice's ICB in the earliest file "
        "given (a merged ICB's predecessors as its places)",
    )
    c.add_argument(
        "--localities-by",
        choices=["pcn", "sub_icb"],
        dest="localities_by",
        help="localities within places, from the files' PCN or sub-ICB column",
    )
    c.add_argument(
        "--allow-unmapped",
        action="store_true",
        dest="allow_unmapped",
        help="put practices in no place in an 'Unmapped' place (the Checks sheet "
        "reports them) instead of stopping",
    )
    c.add_argument(
        "--blank-as-zero",
        action="store_true",
        dest="blank_as_zero",
        help="read blank weighted populations as zero need (each named in the "
        "Practices sheet's zero_filled column)",
    )
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    c.set_defaults(func=run)
