"""``xlalloc targets``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .._version import __version__
from .options import (
    components,
    force_option,
    look,
    number,
    output_file,
    present_options,
    sidecar,
)


def run(args: argparse.Namespace) -> int:
    """Need indices, target shares and targets by place."""
    from .. import demo
    from ..engine import capitation as cap
    from ..engine.errors import InputError, checked
    from ..readers import nhse
    from ..readers.tables import read_table
    from ..workbook.tables import write_tables

    out = output_file(args, args.practices, args.places)
    sidecar(args, out, "provenance", args.practices, args.places)
    if args.practices == "demo":
        practices = demo.practices()
        england = demo.ENGLAND
    else:
        practices = nhse.load_practices(
            args.practices,
            args.year,
            blank_wp=nhse.BlankWP.ZERO if args.blank_as_zero else nhse.BlankWP.ERROR,
        )
        england = cap.england_ratios(practices)
    if args.icb:
        code, _name = nhse.find_icb(practices, args.icb)
        practices = practices[practices["icb_code"] == code].reset_index(drop=True)
    place_map = None
    if args.places:
        place_map = cap.define_places(practices, read_table(args.places), where=args.places)
        for w in place_map.warnings:
            print(f"warning: {w}", file=sys.stderr)
    elif args.practices == "demo":
        place_map = cap.define_places(practices, demo.places(practices), where="demo places")
    if args.baselines and args.uncertainty is None:
        raise InputError(
            "--baselines gives each place's distance from target an interval: "
            "add --uncertainty U (e.g. 0.0255)",
            where="--baselines",
        )
    if args.baselines and place_map is None:
        raise InputError("--baselines needs places (--places FILE)", where="--baselines")
    table = cap.need_indices(practices, place_map, england=england)
    table = cap.add_targets(table, args.budget, args.component, args.unit)
    spread: list[str] = []
    if args.uncertainty is not None:
        from ..engine.uncertainty import UncertaintySettings, target_intervals
        from ..readers.tables import read_baselines

        settings = checked(
            UncertaintySettings,
            {"relative": args.uncertainty, "draws": args.draws, "seed": args.seed},
            where="--uncertainty",
        )
        places = None if place_map is None else place_map.frame
        base = None
        if args.baselines:
            assert place_map is not None
            base = read_baselines(args.baselines, place_map.frame["place"].unique())
        table = target_intervals(
            table, practices, places, args.component, settings, args.budget, args.unit, base
        )
        spread = ["target_share_p05", "target_share_p95"]
    if args.round == "nhse":
        table = cap.round_nhse(table)
    cols = ["level", "name", "icb_code", "icb_name", "population"]
    for k in cap.COMPONENTS:
        cols += [f"{k}_wp", f"{k}_index"]
    if args.budget is not None:
        table["per_1000_wp"] = cap.cost_per_1000(table["target"], table[f"{args.component}_wp"])
    cols += ["target_share", *spread]
    if args.budget is not None:
        cols += ["target", *(["target_p05", "target_p95"] if spread else []), "per_1000_wp"]
    cols += [
        c
        for c in ("baseline", "dft_baseline", "dft_p05", "dft_p95", "against_target")
        if c in table.columns
    ]
    cols += [f"{k}_index_england" for k in cap.COMPONENTS]
    prov = _targets_provenance(args, practices, table)
    write_tables(out, {"Targets": table[cols], "Provenance": prov}, look=look(args))
    filled = (prov["item"] == "zero-filled").sum()
    print(
        f"wrote {len(table)} rows to {out}"
        + (
            f"; {filled} practice(s) with blank weighted "
            "populations read as zero are listed in its "
            "provenance"
            if filled
            else ""
        )
    )
    return 0


def _targets_provenance(args: argparse.Namespace, practices: Any, table: Any) -> Any:
    """Source file, version, run time, checks and zero-filled practices of ``targets``."""
    import pandas as pd

    from ..model.checks import CheckStatus
    from ..model.runner import run_time
    from ..readers.tables import file_sha256

    rows = [
        {
            "item": "source file",
            "value": Path(args.practices).name,
            "years": ", ".join(sorted(practices["year"].unique())),
            "sha256": None if args.practices == "demo" else file_sha256(args.practices),
        },
        {"item": "xlalloc version", "value": __version__},
        {"item": "run at", "value": run_time().isoformat(sep=" ")},
    ]
    bad = []
    for icb, group in table.groupby("icb_code"):
        places = group[group["level"] == "place"]
        if len(places) and abs(places["target_share"].sum() - 1) > 1e-9:
            bad.append(f"{icb}: place shares sum to {places['target_share'].sum():.12f}")
        if args.budget is not None and len(places) and places["target"].sum() != args.budget:
            bad.append(f"{icb}: place targets sum to {places['target'].sum():,.2f}")
    rows.append(
        {
            "item": "check status",
            "value": CheckStatus(tuple(bad)).detail(),
        }
    )
    z = practices[practices["filled"].notna()]
    rows += [
        {"item": "zero-filled", "value": f"{c} {n}: {f} read as 0", "years": y}
        for c, n, f, y in zip(z["practice_code"], z["practice_name"], z["filled"], z["year"])
    ]
    return pd.DataFrame(rows, columns=["item", "value", "years", "sha256"])


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
    c.add_argument("--draws", type=int, default=2000, help="Monte Carlo draws (default 2000)")
    c.add_argument(
        "--seed",
        type=int,
        default=1,
        help="random seed (default 1): the same seed gives the same figures",
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
