"""Registries filled by modules: a package's every module imported, so each registers itself.

An apportionment method, a convergence method or a model part is one module that calls
its registry's ``register`` when imported. :func:`import_modules` imports every module of
a package that is not imported yet (in name order, after the package's own, which it
imports first in the order the guidance gives), so adding a method is adding its module:
no list elsewhere names it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["Choices", "import_modules"]


@dataclass(frozen=True)
class Choices:
    """A field's allowed values: a registry's names, read when asked.

    Given as ``Annotated`` metadata (``Annotated[str, Choices(names)]``), it lets the
    Policy sheet's list, the command line's choices and the docs offer every name
    registered, a method added as a module included, where a ``Literal`` would fix them.
    """

    names: Callable[[], Iterable[str]]

    def __call__(self) -> tuple[str, ...]:
        """The names, in registration order."""
        return tuple(self.names())

    def check(self, value: str) -> str:
        """``value`` if it is one of the names.

        Raises:
            ValueError: It is not, naming the choices.
        """
        names = self()
        if value not in names:
            raise ValueError(f"{value!r} is not one of {', '.join(names)}")
        return value


def import_modules(package: str, skip: Iterable[str] = ()) -> list[str]:
    """Import every module of ``package`` except those named in ``skip``.

    Args:
        package: The package's name (``__name__`` in its own ``__init__``, which may call
            this while it is being imported).
        skip: Modules that register nothing (a shared base).

    Returns:
        The modules imported, by name, in the order imported.
    """
    skipped = set(skip)
    path = importlib.import_module(package).__path__
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(path)
        if not m.ispkg and not m.name.startswith("_") and m.name not in skipped
    )
    for name in names:
        importlib.import_module(f"{package}.{name}")
    return names
