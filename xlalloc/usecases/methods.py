"""``xlalloc methods``: every apportionment and convergence method registered, and what it does.

A budget line's ``methods`` (the Budget sheet) name apportionment methods; the Policy's
``convergence_method`` (and ``converge``'s ``method``) names a convergence method. This
lists every name they may use: xlalloc's own, in the guidance's order, then any added as
a module of :mod:`xlalloc.engine.apportionment.methods` or
:mod:`xlalloc.engine.convergence.methods`.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd
from pydantic import Field

from ..model.docs import registered_methods
from ..request import Written
from .analysis import Analysis, write

__all__ = ["MethodsRequest", "run"]


class MethodsRequest(Written):
    """Every method registered (``xlalloc methods``)."""

    output: Path = Field(description="OUT.csv or OUT.xlsx")

    arguments: ClassVar[tuple[str, ...]] = ("output",)


def methods_table() -> pd.DataFrame:
    """One row per registered method: its name, its kind and what it does.

    The rows are the model docs' Methods table's, their reStructuredText marks dropped.
    """
    rows = [(n, kind, does.replace("``", "")) for n, kind, does in registered_methods()]
    return pd.DataFrame(rows, columns=["method", "kind", "what_it_does"])


def run(request: MethodsRequest) -> Analysis:
    """The registered methods, written to the output.

    Raises:
        InputError: The output breaks the one output rule.
    """
    out = request.checked_output()
    table = methods_table()
    path = write(out, {"Methods": table}, request)
    counts = table["kind"].value_counts()
    summary = "; ".join(
        f"{kind}: {', '.join(table.loc[table['kind'] == kind, 'method'])}"
        for kind in ("apportionment", "convergence")
        if counts.get(kind)
    )
    return Analysis(path, {"Methods": table}, f"{summary}; wrote {out}")
