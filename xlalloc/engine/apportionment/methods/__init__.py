"""The apportionment methods, one module each, registered in the guidance's order.

Birmingham and Solihull's Appendix 1 lists practice-level data, place reference
information and needs-weighted capitation; ``scale`` and ``follow`` are its GMS and
continuing-healthcare variants. A new method is a new module here (or anywhere) that
calls :func:`~.base.register`: every module here is imported
(:func:`~xlalloc.engine.registry.import_modules`), so a method added as a module of its
own is registered with no other file changed.
"""

# The order of registration is the guidance's order.
# isort: off
from . import practice_data, place_split, capitation, scale, follow  # noqa: F401

# isort: on
from ...registry import import_modules
from .base import REGISTRY, ApportionmentMethod, Context, Shares, coverage, register

import_modules(__name__, skip=("base",))  # any method added as a module here

__all__ = ["REGISTRY", "ApportionmentMethod", "Context", "Shares", "coverage", "register"]
