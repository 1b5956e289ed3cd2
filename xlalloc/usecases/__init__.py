"""Use cases, one module each: a typed request, one pipeline ``run(request)``, its writers.

A use case's module holds everything it is (as linearmodels keeps data, model and
results apart): its :class:`~xlalloc.request.Request` with every field's default, bounds
and meaning, the pipeline that computes its figures once (calling the engine and the
model's parts, never a second copy of them) and what it writes. The Python API
(:mod:`xlalloc.api`) and the command line (``cli/``, the only place that knows flag
spellings) are derived from the requests.

A module here is a use case, and ``xlalloc`` one of its commands, when its docstring
opens with ``xlalloc NAME`` in double back-quotes and a colon, as this package's modules
do; :func:`use_cases` finds them without importing them (the command line's help
stays quick). Adding a use case is adding its module: nothing else is edited.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from ..request import Request

__all__ = ["UseCase", "use_cases"]

_OPENING = "``xlalloc "


@dataclass(frozen=True)
class UseCase:
    """A use case found in this package: its command, its summary, its module.

    Attributes:
        command: The command's name (``levelling-up``).
        module: The module's name in this package (``levelling_up``).
        summary: What it does, in a line (its docstring's first line after the colon).
    """

    command: str
    module: str
    summary: str

    def load(self) -> ModuleType:
        """The use case's module, imported."""
        return importlib.import_module(f"{__name__}.{self.module}")

    @property
    def request(self) -> type[Request]:
        """The request its ``run`` takes: the class its first parameter names."""
        module = self.load()
        first = next(iter(inspect.signature(module.run).parameters.values()))
        named = first.annotation  # a string: the modules use postponed annotations
        return cast("type[Request]", getattr(module, named) if isinstance(named, str) else named)

    @property
    def pipeline(self) -> Any:
        """Its ``run(request)``."""
        return self.load().run


def _opening(name: str) -> tuple[str, str] | None:
    """The command and summary a module's docstring opens with, or ``None`` if not a use case.

    Read from the module's file, not imported; a package not unpacked into files (a zip)
    has its modules imported instead.
    """
    path = Path(__path__[0]) / f"{name}.py"
    if path.is_file():
        with path.open(encoding="utf-8") as f:
            # The first line that is not blank or a comment (a licence header, say).
            first = next((s for s in map(str.strip, f) if s and not s.startswith("#")), "")
        first = first.removeprefix('"""')
    else:
        doc = importlib.import_module(f"{__name__}.{name}").__doc__ or ""
        first = doc.strip().partition("\n")[0]
    if not first.startswith(_OPENING):
        return None
    command, _, rest = first[len(_OPENING) :].partition("``")
    summary = rest.removeprefix(":").strip().removesuffix('"""').strip().rstrip(".")
    return command, summary


def use_cases() -> dict[str, UseCase]:
    """Every use case in this package, by command, in the modules' alphabetical order."""
    found: dict[str, UseCase] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.ispkg or info.name.startswith("_"):
            continue
        opening = _opening(info.name)
        if opening is not None:
            command, summary = opening
            found[command] = UseCase(command, info.name, summary)
    return found
