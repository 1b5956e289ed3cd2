"""``xlalloc pack-template``: xlalloc's pack template written out to restyle."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ..request import Written
from .analysis import Analysis

__all__ = ["PackTemplateRequest", "run"]


class PackTemplateRequest(Written):
    """xlalloc's pack template, to restyle (``xlalloc pack-template``)."""

    output: Path = Field(Path("PACK.xlsx"), description="OUT.xlsx")

    arguments: ClassVar[tuple[str, ...]] = ("output",)
    suffixes: ClassVar[tuple[str, ...]] = (".xlsx",)


def run(request: PackTemplateRequest) -> Analysis:
    """The default pack template written to ``output``."""
    from ..workbook.packs import build_template
    from ..workbook.xlsx import save_atomic

    out = request.checked_output()
    save_atomic(build_template(), out)
    return Analysis(out, {}, f"wrote {out}")
