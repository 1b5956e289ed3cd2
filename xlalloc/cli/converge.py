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

    # Only the options given: the others take the model's Policy defaults (the API's).
    policy = {k: getattr(args, k) for k in _policy_fields() if hasattr(args, k)}
    return report(
        converge(
            args.input,
            total=args.total,
            totals=args.totals,
            policy=policy,
            normalise_shares=args.normalise_shares,
            **written(args),
        )
    )


#: Words an option takes to turn a parameter off (no floor, no cap).
OFF = ("none", "off")


def number_or_off(text: str) -> float | None:
    """A policy option's number, or ``none`` for the parameter off."""
    return None if text.strip().lower() in OFF else number(text)


def _help_of(name: str, field: Any) -> str:
    """Help text for a policy option: the engine's meaning, an example and the default.

    The default is the model's Policy sheet's (:class:`~xlalloc.model.policy.ModelPolicy`):
    ``converge`` and a model workbook run the same policy unless told otherwise.
    """
    from ..usecases.converge import convergence_defaults

    text = field.description or name
    if field.examples:
        ex = field.examples[0]
        text += f"; e.g. --{name.replace('_', '-')} {ex:g}"
        text += "" if name == "unit" else f" for {ex * 100:g}%"
    default = convergence_defaults().get(name)
    percent = name not in ("unit", "method")
    if default is None:
        text += "; default: none"
    elif isinstance(default, float) and percent:
        text += f"; default: {default:g} ({default:.0%}), as a model's Policy sheet"
    else:
        text += f"; default: {default:g}" if isinstance(default, float) else f"; default: {default}"
    if default is not None and percent and not isinstance(default, str):
        text += "; none: no limit"
    return text.replace("%", "%%")  # argparse formats help with %


def register(c: Any) -> None:
    """The command's arguments and options."""
    from ..engine.registry import Choices

    c.add_argument(
        "input", help="CSV/XLSX: org,baseline,target_share|target_weight[,hcdd_baseline][,year]"
    )
    c.add_argument("--total", type=number, help="total available in £ (one year)")
    c.add_argument("--totals", help="CSV year,total for input with a year column")
    for name, field in _policy_fields().items():
        flag = "--" + name.replace("_", "-")
        # A registry's names (every convergence method registered, one added included).
        choices = next((m() for m in field.metadata if isinstance(m, Choices)), ())
        # Not given: absent (argparse.SUPPRESS), so the API's defaults apply.
        kind: dict[str, Any] = {"choices": choices} if choices else {"type": number_or_off}
        c.add_argument(
            flag, dest=name, help=_help_of(name, field), default=argparse.SUPPRESS, **kind
        )
    c.add_argument(
        "--normalise-shares",
        action="store_true",
        help="rescale target shares that do not sum to 1 (without it they are refused)",
    )
    c.add_argument("-o", "--output", required=True, help="OUT.csv or OUT.xlsx")
    present_options(c)
    force_option(c)
    c.set_defaults(func=run)
