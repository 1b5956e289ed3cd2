"""``xlalloc validate``: every input problem of a model workbook, reported at once.

The model is read and run as ``run`` would (every part's checks), and nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..engine.errors import InputError
from ..model.runner import run_model
from ..readers.model import model_path, read_model
from ..request import Request

__all__ = ["ValidateRequest", "run"]


class ValidateRequest(Request):
    """A model workbook's check (``xlalloc validate``, ``xlalloc.validate``)."""

    path: Path = Field(description="the model workbook")

    arguments: ClassVar[tuple[str, ...]] = ("path",)


def run(request: ValidateRequest) -> list[str]:
    """Every input problem, as readable lines (empty when valid)."""
    try:
        run_model(read_model(model_path(request.path)))  # the reader runs, and its checks
    except InputError as e:
        return [str(p) for p in e.problems]
    return []
