"""The convergence methods, one module each, registered in this order.

``level`` and ``pace`` share the solver of :mod:`.clamped`; ``topslice`` is West
Yorkshire's. A new method is a new module that calls :func:`~.base.register` (and a
new choice in :data:`~xlalloc.engine.convergence.Method`, which the Policy sheet and
the command line offer).
"""

# The order of registration is the order the docs list.
# isort: off
from . import level, pace, topslice  # noqa: F401

# isort: on
from .base import METHODS, Allocation, ConvergenceMethod, Year, register

__all__ = ["METHODS", "Allocation", "ConvergenceMethod", "Year", "register"]
