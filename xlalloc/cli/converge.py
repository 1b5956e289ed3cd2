"""``xlalloc converge``: its options, and the call to the API that does it."""

from __future__ import annotations

import argparse
from typing import Any

from .options import force_option, number, present_options, report, written


def _policy_fields() -> dict[str, Any]:
    """The engine's convergence policy fields that the command line offers."""
    from ..engine.convergence import ConvergencePolicy

    return {k: f for k, f in ConvergencePolicy.model_fields.items() if k != "source"}


def run(args: argparse.Namespace) -> int:
    """Converge baselines toward target."""
    from ..api import converge

    policy = {k: getattr(args, k) for k in _policy_fields()}
    return report(
        converge(args.input, total=args.total, totals=args.totals, policy=policy, **written(args))
    )


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
