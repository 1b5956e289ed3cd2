"""``xlalloc pack``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import ledger_columns, month, number


def run(args: argparse.Namespace) -> int:
    """Write the monthly reporting packs."""
    from ..api import packs
    from ..usecases.pack import reconciliation_lines
    from .progress import progress_printer

    run = packs(
        args.model,
        args.actuals,
        args.month,
        args.out,
        template=args.template,
        places=args.place,
        phasing=args.phasing,
        threshold=args.threshold,
        allow_empty_month=args.allow_empty_month,
        map=args.map,
        columns=args.columns,
        overwrite=args.force,
        pdf=args.pdf,
        progress=progress_printer(
            total=(len(args.place) + 1 if args.place else 4) + (1 if args.pdf else 0)
        ),
    )
    for p in [*run.paths, *run.pdfs]:
        print(f"wrote {p}")
    for note in run.notes:
        print(note)
    if len(run.exceptions):
        print(
            f"{len(run.exceptions)} ledger row(s) not reported (listed in the ICB summary's "
            "Exceptions sheet):"
        )
        for r in run.exceptions.itertuples(index=False):
            print(f"  - row {r.source_row}: {r.reason}")
    assert run.figures is not None
    for line in reconciliation_lines(run.figures):
        print(line)
    return 0


def register(c: Any) -> None:
    """The command's arguments and options."""
    from ..model.policy import PARAMETERS_BY_NAME

    threshold = PARAMETERS_BY_NAME["pack_threshold"]
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument(
        "--actuals",
        required=True,
        help="ledger extract (CSV or XLSX) as the finance system exports it: a period "
        "(M06, Sep-26, 2026-09 ...), an amount (£1,234.50, (100.00) ...), and a cost centre "
        "(with --map) or a programme with a place or practice code",
    )
    c.add_argument(
        "--map",
        metavar="MAP.csv",
        help="CSV/XLSX cost_centre,programme[,place]: the ledger's cost centres (default: "
        "the model's CostCentres sheet, if filled in)",
    )
    c.add_argument(
        "--columns",
        type=ledger_columns,
        metavar="month=H,cost_centre=H,amount=H,...",
        help="the ledger's headers where they are not the fields' names, e.g. "
        "--columns month=Period,cost_centre='Cost Centre',amount=Actual (Period and Actual "
        "are read as month and amount without being named)",
    )
    c.add_argument(
        "--month",
        type=month,
        required=True,
        help="financial-year month reported, 1 = April ... 12 = March; e.g. 6",
    )
    c.add_argument("--template", help="pack template (default: xlalloc's own)")
    c.add_argument(
        "--out",
        required=True,
        help="folder for the packs, each named by place and period (Brookvale 2026-27 M06.xlsx)",
    )
    c.add_argument("--place", action="append", help="only this place (repeatable)")
    c.add_argument("--phasing", help="CSV month,share (default: twelfths)")
    c.add_argument(
        "--allow-empty-month",
        action="store_true",
        dest="allow_empty_month",
        help="build packs even if the ledger has no rows for the month",
    )
    c.add_argument(
        "--threshold",
        type=number,
        default=threshold.default,
        help=f"{threshold.description}; default {threshold.default:g}".replace("%", "%%"),
    )
    c.add_argument(
        "--force",
        action="store_true",
        help="replace packs of the same period if they exist (commentary written in them is kept)",
    )
    c.add_argument(
        "--pdf",
        action="store_true",
        help="also print each pack to PDF beside its workbook, ready to circulate "
        "(needs LibreOffice)",
    )
    c.set_defaults(func=run)
