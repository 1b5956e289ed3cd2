"""``xlalloc targets``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import components, force_option, number, present_options, report, written


def run(args: argparse.Namespace) -> int:
    """Need indices, target shares and targets by place."""
    from ..api import targets

    options = {k: getattr(args, k) for k in TARGET_OPTIONS}
    return report(targets(args.practices, **written(args), **options))


#: The request's fields the command's options fill (each by the flag of its name).
TARGET_OPTIONS = (
    "year",
    "places",
    "places_by",
    "former",
    "icb",
    "component",
    "budget",
    "unit",
    "round",
    "blank_as_zero",
    "uncertainty",
    "draws",
    "seed",
    "baselines",
)


def register(c: Any) -> None:
    """The command's arguments and options."""
    c.add_argument(
        "practices", help="NHS England practice file (CSV/XLSX, any year's layout), or 'demo'"
    )
    c.add_argument(
        "--year", help="financial year to use from a workbook of several years, e.g. 2024/25"
    )
    c.add_argument("--places", help="CSV/XLSX with columns practice_code,place[,locality]")
    c.add_argument(
        "--places-by",
        choices=["lad", "pcn", "sub_icb", "former_icb"],
        dest="places_by",
        help="or one place per local authority district (lad), primary care network (pcn) "
        "or sub-ICB location (sub_icb), named as the file names them (as xlalloc new); or "
        "former_icb: each practice's ICB in --former FILE",
    )
    c.add_argument(
        "--former",
        metavar="FILE",
        help="an earlier year's practice file, whose ICBs are the places of --places-by "
        "former_icb (e.g. 2025/26's, for a 2026/27 ICB formed by merger)",
    )
    c.add_argument(
        "--icb",
        help="keep one ICB, by code, name or a unique part of it, e.g. QWO or 'west yorkshire'",
    )
    c.add_argument(
        "--component",
        default="core",
        choices=components(),
        help="weighted population the target shares follow (default core)",
    )
    c.add_argument(
        "--budget", type=number, help="ICB budget in £ to share by target, e.g. 2500000000"
    )
    c.add_argument(
        "--unit", type=number, default=1.0, help="rounding unit in £: 1 (default) or 1000 for £000"
    )
    c.add_argument(
        "--round",
        choices=["nhse"],
        help="round as NHS England's tool (populations to 1, indices to 0.001)",
    )
    c.add_argument(
        "--blank-as-zero",
        action="store_true",
        help="read blank weighted populations as zero (recorded per practice)",
    )
    c.add_argument(
        "--uncertainty",
        type=number,
        metavar="U",
        help="add 5th and 95th percentiles of each target by seeded Monte Carlo: "
        "U is the relative uncertainty of a 250,000 population's weighted "
        "population (0.0255 = 0.05/1.96 is ±5%% at 95%%)",
    )
    c.add_argument(
        "--draws", type=int, help="Monte Carlo draws (default 2000; needs --uncertainty)"
    )
    c.add_argument(
        "--seed",
        type=int,
        help="random seed (default 1; needs --uncertainty): the same seed gives the same figures",
    )
    c.add_argument(
        "--baselines",
        metavar="BASELINES.csv",
        help="CSV/XLSX with columns place,baseline: adds each place's distance "
        "from target with its interval (needs --uncertainty)",
    )
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
