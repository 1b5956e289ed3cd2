"""Ribbon macros: the model's actions on the calling Excel book.

The ribbon's one button calls :func:`main`, which runs the action named by the
``action`` parameter on the model's Policy sheet. The actions themselves live in
:mod:`xlalloc.actions` and run headless too; this module only binds them to
xlwings and pins the names Excel calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..actions import (
    ACTIONS,
    DISPATCH,
    action_of,
    dispatch,
    packs_action,
    refresh_action,
    run_action,
    validate_action,
)

__all__ = [
    "ACTIONS",
    "DISPATCH",
    "MACROS",
    "action_of",
    "build_packs",
    "dispatch",
    "main",
    "refresh_outputs",
    "run_model_macro",
    "validate_model",
]

run_model_macro = run_action
validate_model = validate_action
refresh_outputs = refresh_action
build_packs = packs_action

#: Names Excel's ribbon and macros use; pinned by a test.
MACROS: dict[str, Callable[..., Any]] = {
    "run_model": run_model_macro,
    "validate_model": validate_model,
    "refresh_outputs": refresh_outputs,
    "build_packs": build_packs,
}


def main() -> object:
    """Entry point of the ribbon button: run the calling workbook's action."""
    import xlwings as xw

    from .books import XlwingsBook

    return dispatch(XlwingsBook(xw.Book.caller()))
