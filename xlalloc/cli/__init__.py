"""The ``xlalloc`` command line: thin adapters over the readers, the engine and the writers.

Every command converts its input once at the boundary, calls the engine and
writes tables. Input errors print every problem and exit with status 2. Imports
happen inside the commands, so ``xlalloc --help`` starts quickly.

Money is in pounds; growth rates, shares and thresholds are decimals (``0.01`` is 1%).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._version import __version__

__all__ = ["build_parser", "main"]


def number(text: str) -> float:
    """An option's number, by the readers' rules (``1,5``, ``nan`` and ``inf`` refused)."""
    from ..readers.cells import parse_number

    try:
        return parse_number(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def month(text: str) -> int:
    """A financial-year month, 1 (April) to 12 (March)."""
    if not text.strip().isdigit() or not 1 <= int(text) <= 12:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month 1 (April) to 12 (March)")
    return int(text)


def _output(
    args: argparse.Namespace, *inputs: object, suffixes: tuple[str, ...] = (".csv", ".xlsx")
) -> Path:
    """The command's output file, checked by the one rule (see ``check_output``)."""
    from ..workbook.files import check_output

    return check_output(args.output, [str(i) for i in inputs if i], args.force, suffixes)


def _sidecar(args: argparse.Namespace, out: Path, name: str, *inputs: object) -> None:
    """Check the table a CSV output writes beside itself (``OUT-NAME.csv``) by the same rule."""
    from ..workbook.files import check_output

    if out.suffix.lower() == ".csv":
        check_output(
            out.with_name(f"{out.stem}-{name}.csv"),
            [str(i) for i in inputs if i],
            args.force,
            (".csv",),
            where="-o",
        )


def _force(c: Any) -> None:
    c.add_argument("--force", action="store_true", help="replace the output if it exists")


def _present(c: Any) -> None:
    """Options for how a workbook output shows money and prints (CSV keeps full £).

    Choices and defaults are the Policy's (``money_unit``, ``protective_marking``).
    """
    from typing import get_args

    from ..model.policy import ModelPolicy

    fields = ModelPolicy.model_fields
    unit, marking = fields["money_unit"].default, fields["protective_marking"].default
    choices = [a for a in get_args(fields["money_unit"].annotation) if a is not type(None)]
    units = [u for arg in choices for u in get_args(arg)]
    c.add_argument(
        "--money-unit",
        dest="money_unit",
        choices=units,
        default=unit,
        help=f"show money in {unit} (default), {' or '.join(units[1:])} in a workbook; the "
        "values stay in pounds",
    )
    c.add_argument(
        "--marking",
        default=marking,
        help=f"protective marking printed on every page (default {marking}; '' for none)",
    )


def _look(args: argparse.Namespace) -> Any:
    """The workbook look the options ask for, stamped with the run time and version."""
    from ..model.runner import run_time
    from ..workbook.sheetspec import Look

    return Look.of(run_time(), args.money_unit, args.marking)


def _components() -> tuple[str, ...]:
    from ..engine.capitation import COMPONENTS

    return COMPONENTS


# --------------------------------------------------------------------------- targets


def _blank_wp(args: argparse.Namespace) -> Any:
    """``--blank-as-zero`` as the readers' choice for blank weighted populations."""
    from ..readers.nhse import BlankWP

    return BlankWP.ZERO if args.blank_as_zero else BlankWP.ERROR


def cmd_targets(args: argparse.Namespace) -> int:
    """Need indices, target shares and targets by place."""
    from .. import demo
    from ..engine import capitation as cap
    from ..engine.errors import InputError, checked
    from ..readers import nhse
    from ..readers.tables import read_table
    from ..workbook.tables import write_tables

    out = _output(args, args.practices, args.places)
    _sidecar(args, out, "provenance", args.practices, args.places)
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
    write_tables(out, {"Targets": table[cols], "Provenance": prov}, look=_look(args))
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


def _targets(c: Any) -> None:
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
        choices=_components(),
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
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_targets)


# --------------------------------------------------------------------------- converge


def _policy_fields() -> dict[str, Any]:
    """The engine's convergence policy fields that the command line offers."""
    from ..engine.convergence import ConvergencePolicy

    return {k: f for k, f in ConvergencePolicy.model_fields.items() if k != "source"}


def cmd_converge(args: argparse.Namespace) -> int:
    """Converge baselines toward target."""
    import pandas as pd

    from ..engine.convergence import converge, converge_years, policy_from
    from ..engine.errors import InputError
    from ..readers.tables import read_table, read_totals
    from ..workbook.convergence_book import write_convergence
    from ..workbook.tables import write_tables

    out = _output(args, args.input, args.totals)
    values: dict[str, object] = {
        k: getattr(args, k) for k in _policy_fields() if getattr(args, k) is not None
    }
    values["source"] = "xlalloc converge command line"
    policy = policy_from(values, where="command line")
    orgs = read_table(
        args.input,
        numbers=("baseline", "target_share", "target_weight", "hcdd_baseline"),
        required=("org", "baseline"),
    )
    if "year" in orgs.columns:
        if not args.totals:
            raise InputError(
                "the input has a 'year' column: give --totals TOTALS.csv (columns year,total)",
                where="--totals",
            )
        result = converge_years(orgs, read_totals(args.totals), policy, where=args.input)
        if out.suffix.lower() == ".xlsx":
            write_convergence(out, result, _look(args))
        else:
            tables = {"convergence": pd.concat([r.table for r in result.years.values()])}
            tables["trajectory"] = result.trajectory
            write_tables(out, tables, look=_look(args))
        for m in result.messages:
            print(f"note: {m}")
        print(
            f"converged {len(result.trajectory)} organisations over {len(result.years)} "
            f"years; wrote {out}"
        )
        return 0
    if args.total is None:
        raise InputError("give --total (the amount available)", where="--total")
    res = converge(orgs, args.total, policy, where=args.input)
    if out.suffix.lower() == ".xlsx":
        write_convergence(out, res, _look(args))
    else:
        write_tables(out, {"convergence": res.table}, look=_look(args))
    for m in res.messages:
        print(f"note: {m}")
    counts = res.table["rule"].value_counts().to_dict()
    print(
        f"converged {len(res.table)} organisations (core growth {res.core_growth:.2%}; "
        f"rules {counts}); wrote {out}"
    )
    return 0


def _help_of(name: str, field: Any) -> str:
    """Help text for a policy option, from the engine's field: meaning and an example."""
    text = field.description or name
    if field.examples:
        ex = field.examples[0]
        text += f"; e.g. --{name.replace('_', '-')} {ex:g}"
        text += "" if name == "unit" else f" for {ex * 100:g}%"
    return text.replace("%", "%%")  # argparse formats help with %


def _converge(c: Any) -> None:
    from typing import get_args

    c.add_argument(
        "input", help="CSV/XLSX: org,baseline,target_share|target_weight[,hcdd_baseline][,year]"
    )
    c.add_argument("--total", type=number, help="total available in £ (one year)")
    c.add_argument("--totals", help="CSV year,total for input with a year column")
    for name, field in _policy_fields().items():
        flag = "--" + name.replace("_", "-")
        choices = get_args(field.annotation)
        if all(isinstance(v, str) for v in choices) and choices:
            c.add_argument(flag, dest=name, choices=choices, help=_help_of(name, field))
        else:
            c.add_argument(flag, dest=name, type=number, help=_help_of(name, field))
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_converge)


def cmd_table_y1(args: argparse.Namespace) -> int:
    """Converge NHS England's Table Y1 ICBs over five years under the example policy."""
    from .. import demo
    from ..engine.convergence import converge_years
    from ..workbook.convergence_book import write_convergence

    out = _output(args)
    orgs, totals = demo.table_y1_orgs()
    result = converge_years(orgs, totals, demo.Y1_POLICY)
    if out.suffix.lower() == ".xlsx":
        write_convergence(out, result, _look(args))
    else:
        import pandas as pd

        from ..workbook.tables import write_tables

        write_tables(
            out,
            {
                "convergence": pd.concat([r.table for r in result.years.values()]),
                "trajectory": result.trajectory,
            },
            look=_look(args),
        )
    print(f"wrote {out}")
    return 0


def _table_y1(c: Any) -> None:
    c.add_argument("-o", "--output", required=True, help="OUT.xlsx or OUT.csv")
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_table_y1)


# --------------------------------------------------------------------------- model workbook


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new model workbook."""
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
    kind = "demo " if args.demo else f"{args.icb!r} " if args.icb else ""
    print(f"wrote {kind}model workbook {path}")
    return 0


def _new(c: Any) -> None:
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
        choices=["lad", "pcn", "sub_icb"],
        dest="places_by",
        help="one place per local authority district (lad, the default), "
        "primary care network (pcn) or sub-ICB location (sub_icb), named "
        "as the files name them",
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
    c.set_defaults(func=cmd_new)


def _summary(result: Any, target: Path) -> str:
    parts = [result.summary]
    if result.convergence is not None:
        parts.append(f"convergence over {len(result.convergence.years)} years")
    if result.apportionment is not None:
        a = result.apportionment
        parts.append(
            f"{len(a.audit)} budget lines apportioned (£{a.table1.loc['Total', 'Total']:,.0f})"
        )
    return f"ran {', '.join(parts)}; wrote {target}"


def cmd_run(args: argparse.Namespace) -> int:
    """Run a model workbook headless."""
    from ..api import default_output, run
    from ..engine.errors import InputError
    from ..workbook.files import check_output
    from .progress import progress_printer

    path = Path(args.model)
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
    result = run(
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
    print(_summary(result, target))
    return 0


def _run(c: Any) -> None:
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
    _columns(c)
    c.add_argument("--force", action="store_true", help="replace OUT.xlsx if it exists")
    c.set_defaults(func=cmd_run)


def columns(text: str) -> dict[str, str]:
    """``line=Contract,practice_code=GP,amount=Cost``: an extract's headers."""
    from ..engine.errors import InputError
    from ..readers.activity import parse_columns

    try:
        return parse_columns(text)
    except InputError as e:
        raise argparse.ArgumentTypeError("; ".join(p.message for p in e.problems)) from None


def _columns(c: Any) -> None:
    c.add_argument(
        "--columns",
        type=columns,
        metavar="line=H,practice_code=H,amount=H",
        help="the extracts' headers, where they are not line, practice_code and "
        "amount, e.g. --columns line=Contract,practice_code=GP,amount=Cost",
    )


def cmd_activity(args: argparse.Namespace) -> int:
    """Check activity extracts against a model and total them by line and practice."""
    from ..model.extracts import read_extracts
    from ..readers.model import read_model
    from ..workbook.tables import write_tables

    out = _output(args, args.model, *args.extracts)
    for name in ("sources", "coverage", "line_totals"):
        _sidecar(args, out, name, args.model, *args.extracts)
    extract = read_extracts(read_model(args.model), args.extracts, args.columns)
    write_tables(
        out,
        {
            "Activity": extract.values,
            "Sources": extract.files,
            "Coverage": extract.coverage,
            "Line totals": extract.line_totals,
        },
        look=_look(args),
    )
    rows = int(extract.files["rows"].sum())
    print(
        f"read {len(extract.files)} file(s), {rows:,} rows; {len(extract.values):,} line and "
        f"practice totals, £{extract.line_totals['amount'].sum():,.2f} in all; wrote {out}"
    )
    return 0


def _activity(c: Any) -> None:
    c.add_argument(
        "extracts",
        nargs="+",
        metavar="EXTRACT",
        help="activity extracts: .csv, .csv.gz or .parquet, one row per contract "
        "line, any number of rows",
    )
    c.add_argument(
        "--model",
        required=True,
        help="the model workbook whose budget lines and practices the extracts must use",
    )
    _columns(c)
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="VALUES.csv (Activity sheet rows; sources, coverage and line totals "
        "beside it) or VALUES.xlsx (a sheet each)",
    )
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_activity)


def assignment(text: str) -> tuple[str, str]:
    """``name=value`` (a Policy parameter and its value)."""
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE, e.g. min_growth=0.02")
    return name.strip(), value.strip()


def cmd_compare(args: argparse.Namespace) -> int:
    """Explain what changed between two runs of a model."""
    from ..api import compare
    from ..workbook.changes_book import write_changes
    from ..workbook.tables import write_tables

    out = _output(args, args.old, args.new)
    for name in ("places", "targets", "convergence"):
        _sidecar(args, out, name, args.old, args.new)
    comparison = compare(args.old, args.new)
    if out.suffix.lower() == ".csv":
        write_tables(out, comparison.tables())
    else:
        write_changes(out, comparison, _look(args), (Path(args.old).name, Path(args.new).name))
    icb = comparison.places.iloc[0]
    print(
        f"ICB total £{icb['old']:,.0f} to £{icb['new']:,.0f}: £{icb['from_amounts']:+,.0f} "
        f"from budget line amounts, £{icb['from_shares']:+,.0f} from shares; wrote {out}"
    )
    for n in comparison.notes:
        print(f"note: {n}")
    return 0


def _compare(c: Any) -> None:
    c.add_argument("old", help="the earlier model workbook (e.g. last month's)")
    c.add_argument("new", help="the later model workbook (or another policy option)")
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="CHANGES.xlsx (with waterfall charts) or CHANGES.csv (places, "
        "targets and convergence written beside it)",
    )
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_compare)


def cmd_validate(args: argparse.Namespace) -> int:
    """Report every input problem of a model workbook."""
    from ..api import validate

    problems = validate(args.model)
    if problems:
        print(f"{args.model}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"{args.model}: no problems found")
    return 0


def _validate(c: Any) -> None:
    c.add_argument("model", help="MODEL.xlsx")
    c.set_defaults(func=cmd_validate)


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the demo model workbook and run it, in one step."""
    from ..api import new, run
    from ..demo import RUN_AT
    from .progress import progress_printer

    path = Path(args.output)
    new(path, demo=True, overwrite=args.force)
    result = run(path, in_place=True, progress=progress_printer(), run_at=RUN_AT)
    print(_summary(result, path))
    return 0


def _demo(c: Any) -> None:
    c.add_argument("output", nargs="?", default="xlalloc-demo.xlsx", help="OUT.xlsx")
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    c.set_defaults(func=cmd_demo)


# --------------------------------------------------------------------------- Excel add-in


def _needs(extra: str, *modules: str) -> None:
    """Raise a one-line input problem naming the extra to install, if a module is missing."""
    import importlib.util

    from ..engine.errors import InputError

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            f'this command needs {", ".join(missing)}: pip install "xlalloc[{extra}]"',
            where="install",
        )


def cmd_addin(args: argparse.Namespace) -> int:
    """Build and verify the xlalloc Excel add-in."""
    _needs("excel", "xlwings", "oletools")
    from ..excel.addin import build, verify

    if args.action == "build":
        path = build(args.output)
        report = verify(path)
        print(
            f"wrote {path}: ribbon tab 'xlalloc', button -> {report.callbacks[0]} "
            f"(RunPython xlalloc.main()), UDF Modules = {report.udf_modules}"
        )
        return 0
    report = verify(args.output)
    for p in report.problems:
        print(f"problem: {p}")
    print(f"{args.output}: {'ok' if report.ok else 'FAILED'}")
    return 0 if report.ok else 1


def _addin(c: Any) -> None:
    c.add_argument("action", choices=["build", "verify"])
    c.add_argument(
        "-o",
        "--output",
        default="xlalloc.xlam",
        help="add-in file (default xlalloc.xlam; any name works)",
    )
    c.set_defaults(func=cmd_addin)


def cmd_lite(args: argparse.Namespace) -> int:
    """Write main.py and requirements.txt for xlwings Lite."""
    _needs("excel", "xlwings")
    from ..engine.errors import InputError
    from ..excel.lite import write_lite
    from ..workbook.files import check_output

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(
            f"{folder} is a file; name the folder to write main.py and requirements.txt in",
            where="FOLDER",
        )
    for name in ("main.py", "requirements.txt"):
        check_output(folder / name, [], args.force, (Path(name).suffix,), where="FOLDER")
    paths = write_lite(folder, args.wheel)
    print(
        f"wrote {', '.join(str(p) for p in paths)}: paste them into xlwings Lite's editor "
        "(main.py and requirements.txt tabs)"
    )
    return 0


def _lite(c: Any) -> None:
    c.add_argument("folder", help="where to write main.py and requirements.txt")
    c.add_argument(
        "--wheel",
        metavar="URL",
        help="the URL of xlalloc's wheel where your ICB hosts it (default: xlalloc from PyPI)",
    )
    _force(c)
    c.set_defaults(func=cmd_lite)


# --------------------------------------------------------------------------- packs


def cmd_pack(args: argparse.Namespace) -> int:
    """Write the monthly reporting packs."""
    from ..api import packs
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
        progress=progress_printer(total=len(args.place or []) + 1 if args.place else 4),
    )
    for p in run.paths:
        print(f"wrote {p}")
    if len(run.exceptions):
        print(
            f"{len(run.exceptions)} ledger row(s) not reported (listed in the ICB summary's "
            "Exceptions sheet):"
        )
        for r in run.exceptions.itertuples(index=False):
            print(f"  - row {r.source_row}: {r.reason}")
    diff = run.reconciliation.set_index("item").loc["Difference", "amount"]
    print(f"reconciled to the ledger: difference £{diff:,.2f}")
    return 0


def _pack(c: Any) -> None:
    from ..model.policy import PARAMETERS_BY_NAME

    threshold = PARAMETERS_BY_NAME["pack_threshold"]
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument(
        "--actuals",
        required=True,
        help="ledger extract (CSV or XLSX): month, programme, amount, and place or practice_code",
    )
    c.add_argument(
        "--month",
        type=month,
        required=True,
        help="financial-year month reported, 1 = April ... 12 = March; e.g. 6",
    )
    c.add_argument("--template", help="pack template (default: xlalloc's own)")
    c.add_argument("--out", required=True, help="folder for the packs")
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
    c.set_defaults(func=cmd_pack)


def cmd_pack_template(args: argparse.Namespace) -> int:
    """Write the default pack template."""
    from ..workbook.packs import build_template
    from ..workbook.xlsx import save_atomic

    out = _output(args, suffixes=(".xlsx",))
    save_atomic(build_template(), out)
    print(f"wrote {out}")
    return 0


def _pack_template(c: Any) -> None:
    c.add_argument("output", nargs="?", default="PACK.xlsx", help="OUT.xlsx")
    _force(c)
    c.set_defaults(func=cmd_pack_template)


def cmd_demo_ledger(args: argparse.Namespace) -> int:
    """Write a demo ledger extract for a model workbook."""
    from .. import demo
    from ..engine.errors import InputError
    from ..model.runner import run_model
    from ..readers.model import read_model
    from ..workbook.files import atomic_write
    from ..workbook.tables import csv_bytes

    out = _output(args, args.model, suffixes=(".csv",))
    result = run_model(read_model(args.model))
    if result.apportionment is None:
        raise InputError("the model has no budget lines", where=args.model)
    atomic_write(
        out, csv_bytes(demo.ledger(result.apportionment.cells, result.practices, args.month))
    )
    print(f"wrote {out}")
    return 0


def _demo_ledger(c: Any) -> None:
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("--month", type=month, default=6, help="months of actuals, 1 = April; default 6")
    c.add_argument("-o", "--output", default="ledger.csv", help="OUT.csv")
    _force(c)
    c.set_defaults(func=cmd_demo_ledger)


# --------------------------------------------------------------------------- footprint


def cmd_footprint(args: argparse.Namespace) -> int:
    """Re-map one year's practices to a later year's organisations."""
    from ..engine.capitation import derive_footprint, footprint_change
    from ..readers import nhse
    from ..workbook.tables import write_tables

    out = _output(args, args.old, args.new)
    old = nhse.load_practices(args.old, args.old_year, blank_wp=_blank_wp(args))
    new = nhse.load_practices(args.new, args.new_year, blank_wp=_blank_wp(args))
    table, unmapped = footprint_change(old, derive_footprint(old, new), args.component)
    write_tables(out, {"Footprint": table}, look=_look(args))
    print(
        f"{len(table)} new organisations from {old['icb_code'].nunique()}; "
        f"{len(unmapped)} practice(s) of the old file are not in the new one; wrote "
        f"{args.output}"
    )
    return 0


def _footprint(c: Any) -> None:
    c.add_argument("old", help="practice file of the year to re-map")
    c.add_argument("new", help="practice file whose organisations to map to")
    c.add_argument("--old-year", dest="old_year", help="year in OLD, e.g. 2025/26")
    c.add_argument("--new-year", dest="new_year", help="year in NEW, e.g. 2026/27")
    c.add_argument(
        "--component",
        default="core",
        choices=_components(),
        help="weighted population compared (default core)",
    )
    c.add_argument(
        "--blank-as-zero",
        action="store_true",
        help="read blank weighted populations as zero (recorded per practice)",
    )
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_footprint)


# --------------------------------------------------------------------------- entry point

#: Subcommand -> (one-line help, registration). Only the chosen subcommand's options are
#: built, so ``xlalloc --help`` imports nothing heavy.
# --------------------------------------------------------------------------- fairness


def cmd_equity(args: argparse.Namespace) -> int:
    """Equity of spend against need."""
    from ..engine.equity import EquitySettings, equity
    from ..readers.tables import read_table
    from ..workbook.sheetspec import ChartSpec
    from ..workbook.tables import write_tables

    out = _output(args, args.units)
    _sidecar(args, out, "summary", args.units)
    numbers = ["population", "need", "spend", "deprivation"]
    units = read_table(
        args.units, numbers=numbers, required=["unit", "population", "need", "spend"]
    )
    result = equity(units, EquitySettings(tolerance=args.tolerance))
    n = len(result.units)
    chart = ChartSpec(
        title="Spend against need: need-standardised ratio by need",
        y_title="Ratio of spend to expected spend",
        x_title="Need",
        y_format="0.00",
        min_col=3,
        max_col=6,
        header_row=1,
        first_row=2,
        last_row=n + 1,
        anchor=f"A{n + 4}",
        kind="scatter",
        first_series_col=6,
    )
    write_tables(
        out,
        {"Units": result.units, "Summary": result.summary},
        charts={"Units": [chart]},
        look=_look(args),
    )
    for note in result.notes:
        print(f"note: {note}")
    m = dict(zip(result.summary["measure"], result.summary["value"]))
    print(
        f"{n} units; {m['proportion_underserved']:.1%} of the population in underserved "
        f"units; wrote {out}"
    )
    return 0


def _equity(c: Any) -> None:
    c.add_argument(
        "units",
        help="CSV/XLSX with columns unit,population,need,spend"
        "[,deprivation] (deprivation: higher is more deprived)",
    )
    c.add_argument(
        "--tolerance",
        type=number,
        default=0.0,
        help="underserved when spend / expected spend is below 1 - tolerance (decimal; default 0)",
    )
    c.add_argument(
        "-o",
        "--output",
        required=True,
        help="OUT.csv (per unit; the summary in OUT-summary.csv) or OUT.xlsx",
    )
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_equity)


def cmd_levelling_up(args: argparse.Namespace) -> int:
    """A no-loser levelling-up payment."""
    from ..engine.levelling_up import LevellingUpSettings, levelling_up
    from ..readers.tables import read_table
    from ..workbook.tables import write_tables

    out = _output(args, args.funding)
    orgs = read_table(
        args.funding, numbers=["funding", "need", "cap"], required=["org", "funding", "need"]
    )
    result = levelling_up(orgs, LevellingUpSettings(pot=args.pot, unit=args.unit))
    write_tables(out, {"Levelling up": result.table}, look=_look(args))
    paid = int((result.table["payment"] > 0).sum())
    print(
        f"level £{result.level:,.2f} per unit of need; {paid} of {len(result.table)} "
        f"organisations receive a payment; wrote {out}"
    )
    return 0


def _levelling_up(c: Any) -> None:
    c.add_argument("funding", help="CSV/XLSX with columns org,funding,need[,cap]")
    c.add_argument(
        "--pot", type=number, required=True, help="the sum to pay out in £, e.g. 2000000"
    )
    c.add_argument(
        "--unit",
        type=number,
        default=1.0,
        help="rounding unit of the payments in £: 1 (default) or 1000 for £000",
    )
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    _present(c)
    _force(c)
    c.set_defaults(func=cmd_levelling_up)


COMMANDS: dict[str, tuple[str, Any]] = {
    "targets": ("need indices, target shares and target £ by place", _targets),
    "converge": ("converge baselines toward target under a policy", _converge),
    "table-y1": ("demonstration: converge Table Y1's 42 ICBs over five years", _table_y1),
    "new": ("write a new model workbook (empty, or --demo)", _new),
    "run": ("run a model workbook headless and write its outputs", _run),
    "validate": ("report every input problem of a model workbook", _validate),
    "activity": (
        "check activity extracts (CSV or Parquet, any size) against a model and "
        "total them by line and practice",
        _activity,
    ),
    "compare": (
        "what changed between two runs of a model, split into budget amounts and shares",
        _compare,
    ),
    "demo": ("write the demo ICB's model workbook and run it", _demo),
    "pack": ("monthly reporting packs: one per place and an ICB summary", _pack),
    "pack-template": ("write the default pack template to restyle", _pack_template),
    "demo-ledger": ("write a demo ledger extract for a model", _demo_ledger),
    "footprint": (
        "re-map practices to new organisations (e.g. 42 ICBs to 36) and compare "
        "with their predecessors",
        _footprint,
    ),
    "equity": (
        "equity of spend against need: underserved units, horizontal and vertical inequity",
        _equity,
    ),
    "levelling-up": (
        "a no-loser payment lifting the lowest-funded toward one level of funding per need",
        _levelling_up,
    ),
    "addin": ("build (and verify) the xlalloc.xlam Excel add-in", _addin),
    "lite": (
        "write main.py and requirements.txt for xlwings Lite (Excel on the web, Windows "
        "and Mac, no local Python)",
        _lite,
    ),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand named, the chosen one (or all) in full.

    Args:
        argv: The arguments to be parsed; ``None`` builds every subcommand in full.
    """
    p = argparse.ArgumentParser(prog="xlalloc", description=__doc__.splitlines()[0])
    p.add_argument("--version", action="version", version=f"xlalloc {__version__}")
    p.add_argument(
        "--debug",
        action="store_true",
        help="show Python's traceback when something fails (for reporting bugs)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    chosen = None if argv is None else next((a for a in argv if not a.startswith("-")), "")
    for name, (help_text, register) in COMMANDS.items():
        parser = sub.add_parser(name, help=help_text, description=help_text)
        if chosen is None or chosen == name:
            register(parser)
    return p


#: Options whose flag is not ``--`` and the option's name with hyphens.
FLAGS = {"output": "-o"}
_OPTION = re.compile(r"`([a-z][a-z0-9_]*)`")


def flags(text: str) -> str:
    """Text with each option a message names written as its flag.

    Messages name options as :func:`~xlalloc.engine.errors.option` marks them
    (```places_by```); the command line shows ``--places-by``. Only ``cli/`` knows flags;
    the Python API and Excel name the options.
    """
    return _OPTION.sub(lambda m: FLAGS.get(m[1], "--" + m[1].replace("_", "-")), text)


class _Flagged(io.TextIOBase):
    """A text stream that writes options as flags (see :func:`flags`)."""

    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, text: str) -> int:
        """Write ``text`` with its options as flags."""
        return int(self.stream.write(flags(text)))

    def flush(self) -> None:
        """Flush the stream underneath."""
        self.stream.flush()

    def isatty(self) -> bool:
        """Whether the stream underneath is a terminal (progress is shown only there)."""
        return bool(self.stream.isatty())

    def fileno(self) -> int:
        """The stream underneath's file descriptor."""
        return int(self.stream.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run a subcommand, printing input problems instead of tracebacks."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Flagged(out), _Flagged(err)
    try:
        return _dispatch(args)
    finally:
        sys.stdout, sys.stderr = out, err


def _dispatch(args: argparse.Namespace) -> int:
    """Run the chosen command; every failure is one line and an exit status."""
    from ..engine.errors import InputError

    try:
        return int(args.func(args) or 0)
    except InputError as e:
        print(f"xlalloc {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:  # Ctrl-C, SIGTERM or SIGHUP: no traceback
        reason = str(e) or "interrupted"
        print(f"xlalloc {args.command}: {reason}; no file was left half-written", file=sys.stderr)
        return 130
    except (OSError, UnicodeError, zipfile.BadZipFile, MemoryError) as e:
        # The file system, an archive or an encoding failed: a reason, not a traceback.
        if args.debug:
            raise
        what = getattr(e, "strerror", None) or str(e) or type(e).__name__
        name = getattr(e, "filename", None)
        print(f"xlalloc {args.command}: {what}" + (f": {name}" if name else ""), file=sys.stderr)
        return 2
    except Exception as e:  # a bug: say so in one line, and how to see the traceback
        if args.debug:
            raise
        print(
            f"xlalloc {args.command}: unexpected error ({type(e).__name__}: {e}); nothing "
            "was written; run again with --debug for the traceback and please report it",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
