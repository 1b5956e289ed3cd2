"""A run's output sheets: the Summary, each registered part's, then Checks.

One module per sheet (or per part's sheets); :func:`render_outputs` draws them all.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from ...model.parts import output_sheets, parts
from ...model.runner import ModelResult
from ..sheetspec import Look, SheetSpec
from .checks import checks_sheet, error_specs
from .common import Check, Ranges
from .summary import summary_sheet

__all__ = ["error_specs", "render_outputs"]


def render_outputs(result: ModelResult, messages: list[str] | None = None) -> list[SheetSpec]:
    """Draw every output sheet of a run as :class:`SheetSpec` s (nothing written).

    The Summary, then each registered part's sheets and checks (:mod:`xlalloc.model.parts`),
    then the Checks sheet with every part's checks.
    """
    rng = Ranges(result.inputs.layout)
    pol = result.inputs.policy
    look = Look.of(result.run_at, pol.money_unit, pol.protective_marking, pol.paper_size)
    checks: list[Check] = []
    specs: list[SheetSpec] = []
    for part in parts():
        drawn = _drawer(part.draw)(result, rng, checks, look)
        assert [s.name for s in drawn] == [s.name for s in part.sheets], part.name
        specs += drawn
    messages = messages or [*result.warnings, *result.notes]
    specs = [
        summary_sheet(result, look, checks, messages),
        *specs,
        checks_sheet(checks, messages, look),
    ]
    assert [s.name for s in specs] == list(output_sheets())
    return specs


def _drawer(draw: str | Callable[..., list[SheetSpec]]) -> Callable[..., list[SheetSpec]]:
    """A part's drawing function, from ``"module:function"`` or the function itself."""
    if callable(draw):
        return draw
    module, _, name = draw.partition(":")
    return cast("Callable[..., list[SheetSpec]]", getattr(importlib.import_module(module), name))
