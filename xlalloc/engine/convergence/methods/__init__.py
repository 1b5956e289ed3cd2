"""The convergence methods, one module each, registered in this order.

``level`` and ``pace`` share the solver of :mod:`.clamped`; ``topslice`` is West
Yorkshire's. A new method is a new module here that calls :func:`~.base.register`:
every module here is imported (:func:`~xlalloc.engine.registry.import_modules`), and a
policy's ``method`` may name any method registered
(:data:`~xlalloc.engine.convergence.Method`), so the Policy sheet and the command line
offer it with no other file changed.
"""

# The order of registration is the order the docs list.
# isort: off
from . import level, pace, topslice  # noqa: F401

# isort: on
from ...registry import import_modules
from .base import METHODS, Allocation, ConvergenceMethod, Year, register

import_modules(__name__, skip=("base", "clamped"))  # any method added here

__all__ = ["METHODS", "Allocation", "ConvergenceMethod", "Year", "register"]
