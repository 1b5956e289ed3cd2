"""Further subcommands, registered with :mod:`xlalloc.cli`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .engine.errors import InputError, Problems

REGISTER: list[Callable[[argparse._SubParsersAction], None]] = []


def registers(fn: Callable[[argparse._SubParsersAction], None]):
    """Add a subcommand registration function."""
    REGISTER.append(fn)
    return fn


POLICY_ARGS = ("method", "min_growth", "max_growth", "band", "over_target_floor",
               "over_target_from", "over_target_to", "pace", "topslice", "unit",
               "hcdd_growth", "cost_uplift")


def cmd_converge(args: argparse.Namespace) -> int:
    """Converge baselines toward target (issue: convergence)."""
    from .engine.convergence import converge, converge_years, policy_from
    from .inputs import read_table
    from .workbook.convergence_book import write_convergence
    from .workbook.tables import write_tables

    values = {k: getattr(args, k) for k in POLICY_ARGS if getattr(args, k) is not None}
    values["source"] = "xlalloc converge command line"
    policy = policy_from(values, where="command line")
    orgs = read_table(args.input)
    out = Path(args.output)
    if "year" in orgs.columns:
        if not args.totals:
            raise InputError("the input has a 'year' column: give --totals TOTALS.csv "
                             "(columns year,total)", where="--totals")
        totals = _totals(read_table(args.totals), args.totals)
        result = converge_years(orgs, totals, policy, where=args.input)
        if out.suffix.lower() == ".xlsx":
            write_convergence(out, result)
        else:
            tables = {"convergence": pd.concat([r.table for r in result.years.values()])}
            tables["trajectory"] = result.trajectory
            write_tables(out, tables)
        print(f"converged {len(result.trajectory)} organisations over {len(result.years)} "
              f"years; wrote {out}")
        return 0
    if args.total is None:
        raise InputError("give --total (the amount available)", where="--total")
    res = converge(orgs, args.total, policy, where=args.input)
    if out.suffix.lower() == ".xlsx":
        write_convergence(out, res)
    else:
        write_tables(out, {"convergence": res.table})
    counts = res.table["rule"].value_counts().to_dict()
    print(f"converged {len(res.table)} organisations (core growth {res.core_growth:.2%}; "
          f"rules {counts}); wrote {out}")
    return 0


def _totals(df: pd.DataFrame, where: str) -> dict[str, float]:
    problems = Problems()
    for c in ("year", "total"):
        if c not in df.columns:
            problems.add(where, f"missing column '{c}'; columns found: {list(df.columns)}")
    problems.raise_if_any()
    out = {}
    for i, (y, t) in enumerate(zip(df["year"], df["total"])):
        v = pd.to_numeric(pd.Series([t]), errors="coerce").iloc[0]
        if pd.isna(v):
            problems.add(where, f"total {t!r} is not a number", row=i + 2, column="total")
        elif str(y) in out:
            problems.add(where, f"year {y} appears more than once", row=i + 2, column="year")
        else:
            out[str(y)] = float(v)
    problems.raise_if_any()
    return out


@registers
def _converge(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("converge", help="converge baselines toward target under a policy")
    c.add_argument("input", help="CSV/XLSX: org,baseline,target_share|target_weight"
                                 "[,hcdd_baseline][,year]")
    c.add_argument("--total", type=float, help="total available (one year)")
    c.add_argument("--totals", help="CSV year,total for multi-year input")
    c.add_argument("--method", choices=["level", "pace", "topslice"])
    c.add_argument("--min-growth", type=float, dest="min_growth")
    c.add_argument("--max-growth", type=float, dest="max_growth")
    c.add_argument("--band", type=float)
    c.add_argument("--over-target-floor", type=float, dest="over_target_floor")
    c.add_argument("--over-target-from", type=float, dest="over_target_from")
    c.add_argument("--over-target-to", type=float, dest="over_target_to")
    c.add_argument("--pace", type=float)
    c.add_argument("--topslice", type=float)
    c.add_argument("--unit", type=float)
    c.add_argument("--hcdd-growth", type=float, dest="hcdd_growth")
    c.add_argument("--cost-uplift", type=float, dest="cost_uplift")
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    c.set_defaults(func=cmd_converge)


def cmd_table_y1(args: argparse.Namespace) -> int:
    """Converge NHS England's Table Y1 ICBs over five years under the example policy."""
    from . import demo
    from .engine.convergence import converge_years, policy_from
    from .workbook.convergence_book import write_convergence

    orgs, totals = demo.table_y1_orgs()
    res = converge_years(orgs, totals, policy_from(demo.Y1_POLICY))
    write_convergence(args.output, res)
    print(f"wrote {args.output}")
    return 0


@registers
def _table_y1(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("table-y1", help="demonstration: converge Table Y1's 42 ICBs over "
                                        "five years")
    c.add_argument("-o", "--output", required=True)
    c.set_defaults(func=cmd_table_y1)


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new model workbook."""
    from .api import new

    path = new(args.model, demo=args.demo, overwrite=args.force)
    print(f"wrote {'demo ' if args.demo else ''}model workbook {path}")
    return 0


@registers
def _new(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("new", help="write a new model workbook (empty, or --demo)")
    c.add_argument("model", help="MODEL.xlsx to create")
    c.add_argument("--demo", action="store_true", help="fill it with the demo ICB's inputs")
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    c.set_defaults(func=cmd_new)


def _summary(result, target: Path) -> str:
    parts = [f"{len(result.targets)} places"]
    if result.convergence is not None:
        parts.append(f"convergence over {len(result.convergence.years)} years")
    if result.apportionment is not None:
        a = result.apportionment
        parts.append(f"{len(a.audit)} budget lines apportioned "
                     f"(£{a.table1.loc['Total', 'Total']:,.0f})")
    return f"ran {', '.join(parts)}; wrote {target}"


def cmd_run(args: argparse.Namespace) -> int:
    """Run a model workbook headless."""
    from .api import default_output, progress_printer, run

    path = Path(args.model)
    result = run(path, args.output, in_place=args.in_place, progress=progress_printer())
    target = path if args.in_place else Path(args.output) if args.output else default_output(path)
    for w in result.warnings:
        print(f"warning: {w}")
    print(_summary(result, target))
    return 0


@registers
def _run(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("run", help="run a model workbook headless and write its outputs")
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("-o", "--output", help="write here (default: MODEL-results.xlsx)")
    c.add_argument("--in-place", action="store_true", dest="in_place",
                   help="write the outputs back into MODEL.xlsx (input sheets unchanged)")
    c.set_defaults(func=cmd_run)


def cmd_validate(args: argparse.Namespace) -> int:
    """Report every input problem of a model workbook."""
    from .api import validate

    problems = validate(args.model)
    if problems:
        print(f"{args.model}: {len(problems)} problem(s)")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"{args.model}: no problems found")
    return 0


@registers
def _validate(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("validate", help="report every input problem of a model workbook")
    c.add_argument("model")
    c.set_defaults(func=cmd_validate)


def cmd_demo(args: argparse.Namespace) -> int:
    """Write the demo model workbook and run it, in one step."""
    from .api import new, progress_printer, run

    path = Path(args.output)
    new(path, demo=True, overwrite=args.force)
    result = run(path, in_place=True, progress=progress_printer())
    print(_summary(result, path))
    return 0


@registers
def _demo(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("demo", help="write the demo ICB's model workbook and run it")
    c.add_argument("output", nargs="?", default="xlalloc-demo.xlsx")
    c.add_argument("--force", action="store_true", help="overwrite an existing file")
    c.set_defaults(func=cmd_demo)


def cmd_addin(args: argparse.Namespace) -> int:
    """Build and verify the xlalloc Excel add-in."""
    from .excel.addin import build, verify

    if args.action == "build":
        path = build(args.output)
        report = verify(path)
        print(f"wrote {path}: ribbon tab 'xlalloc', button -> {report.callbacks[0]} "
              f"(RunPython xlalloc.main()), UDF Modules = {report.udf_modules}")
        return 0
    report = verify(args.output)
    for p in report.problems:
        print(f"problem: {p}")
    print(f"{args.output}: {'ok' if report.ok else 'FAILED'}")
    return 0 if report.ok else 1


@registers
def _addin(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("addin", help="build (and verify) the xlalloc.xlam Excel add-in")
    c.add_argument("action", choices=["build", "verify"])
    c.add_argument("-o", "--output", default="xlalloc.xlam",
                   help="add-in file (keep the name xlalloc.xlam: the ribbon imports the "
                        "module named after the file)")
    c.set_defaults(func=cmd_addin)


def cmd_pack(args: argparse.Namespace) -> int:
    """Write the monthly reporting packs."""
    from .api import progress_printer
    from .packs import build_packs

    run = build_packs(args.model, args.actuals, args.month, args.out, template=args.template,
                      places=args.place, phasing=args.phasing, threshold=args.threshold,
                      progress=progress_printer(total=len(args.place or []) + 1
                                                if args.place else 4))
    for p in run.paths:
        print(f"wrote {p}")
    if len(run.exceptions):
        print(f"{len(run.exceptions)} ledger row(s) not reported (listed in the ICB summary's "
              "Exceptions sheet):")
        for r in run.exceptions.itertuples(index=False):
            print(f"  - row {r.source_row}: {r.reason}")
    diff = run.reconciliation.set_index("item").loc["Difference", "amount"]
    print(f"reconciled to the ledger: difference £{diff:,.2f}")
    return 0


@registers
def _pack(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("pack", help="monthly reporting packs: one per place and an ICB summary")
    c.add_argument("model", help="MODEL.xlsx")
    c.add_argument("--actuals", required=True, help="ledger extract (CSV or XLSX): month, "
                   "programme, amount, and place or practice_code")
    c.add_argument("--month", type=int, required=True, help="month reported (1 = April)")
    c.add_argument("--template", help="pack template (default: xlalloc's own)")
    c.add_argument("--out", required=True, help="folder for the packs")
    c.add_argument("--place", action="append", help="only this place (repeatable)")
    c.add_argument("--phasing", help="CSV month,share (default: twelfths)")
    c.add_argument("--threshold", type=float, default=0.05,
                   help="highlight variance beyond this share of budget (default 0.05)")
    c.set_defaults(func=cmd_pack)


def cmd_pack_template(args: argparse.Namespace) -> int:
    """Write the default pack template."""
    from .workbook.packs import build_template
    from .workbook.tables import save_atomic

    save_atomic(build_template(), args.output)
    print(f"wrote {args.output}")
    return 0


@registers
def _pack_template(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("pack-template", help="write the default pack template to restyle")
    c.add_argument("output", nargs="?", default="PACK.xlsx")
    c.set_defaults(func=cmd_pack_template)


def cmd_demo_ledger(args: argparse.Namespace) -> int:
    """Write a demo ledger extract for a model workbook."""
    from . import demo
    from .model.reader import read_model
    from .model.runner import run_model

    result = run_model(read_model(args.model))
    if result.apportionment is None:
        raise InputError("the model has no budget lines", where=args.model)
    demo.ledger(result.apportionment.cells, result.inputs.practices, args.month).to_csv(
        args.output, index=False)
    print(f"wrote {args.output}")
    return 0


@registers
def _demo_ledger(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("demo-ledger", help="write a demo ledger extract for a model")
    c.add_argument("model")
    c.add_argument("--month", type=int, default=6)
    c.add_argument("-o", "--output", default="ledger.csv")
    c.set_defaults(func=cmd_demo_ledger)


def cmd_footprint(args: argparse.Namespace) -> int:
    """Re-map one year's practices to a later year's organisations."""
    from . import data
    from .engine.capitation import derive_footprint, footprint_change
    from .workbook.tables import write_tables

    blank = "zero" if args.blank_as_zero else "error"
    old = data.load_practices(args.old, args.old_year, blank_wp=blank)
    new = data.load_practices(args.new, args.new_year, blank_wp=blank)
    table, unmapped = footprint_change(old, derive_footprint(old, new), args.component)
    write_tables(args.output, {"Footprint": table})
    print(f"{len(table)} new organisations from {old['icb_code'].nunique()}; "
          f"{len(unmapped)} practice(s) of the old file are not in the new one; wrote "
          f"{args.output}")
    return 0


@registers
def _footprint(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("footprint", help="re-map practices to new organisations (e.g. 42 ICBs "
                                         "to 36) and compare with their predecessors")
    c.add_argument("old", help="practice file of the year to re-map")
    c.add_argument("new", help="practice file whose organisations to map to")
    c.add_argument("--old-year", dest="old_year")
    c.add_argument("--new-year", dest="new_year")
    c.add_argument("--component", default="core")
    c.add_argument("--blank-as-zero", action="store_true")
    c.add_argument("-o", "--output", required=True)
    c.set_defaults(func=cmd_footprint)
