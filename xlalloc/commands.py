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
    from .cli import _read_table
    from .engine.convergence import converge, converge_years, policy_from
    from .workbook.convergence_book import write_convergence
    from .workbook.tables import write_tables

    values = {k: getattr(args, k) for k in POLICY_ARGS if getattr(args, k) is not None}
    values["source"] = "xlalloc converge command line"
    policy = policy_from(values, where="command line")
    orgs = _read_table(args.input)
    out = Path(args.output)
    if "year" in orgs.columns:
        if not args.totals:
            raise InputError("the input has a 'year' column: give --totals TOTALS.csv "
                             "(columns year,total)", where="--totals")
        totals = _totals(_read_table(args.totals), args.totals)
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
