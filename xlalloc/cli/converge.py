"""``xlalloc converge``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, look, number, output_file, present_options


def _policy_fields() -> dict[str, Any]:
    """The engine's convergence policy fields that the command line offers."""
    from ..engine.convergence import ConvergencePolicy

    return {k: f for k, f in ConvergencePolicy.model_fields.items() if k != "source"}


def run(args: argparse.Namespace) -> int:
    """Converge baselines toward target."""
    import pandas as pd

    from ..engine.convergence import converge, converge_years, policy_from
    from ..engine.errors import InputError
    from ..readers.tables import read_table, read_totals
    from ..workbook.convergence_book import write_convergence
    from ..workbook.tables import write_tables

    out = output_file(args, args.input, args.totals)
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
            write_convergence(out, result, look(args))
        else:
            tables = {"convergence": pd.concat([r.table for r in result.years.values()])}
            tables["trajectory"] = result.trajectory
            write_tables(out, tables, look=look(args))
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
        write_convergence(out, res, look(args))
    else:
        write_tables(out, {"convergence": res.table}, look=look(args))
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


def register(c: Any) -> None:
    """The command's arguments and options."""
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
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
