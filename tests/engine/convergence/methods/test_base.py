"""The registry: every method and rule once, a second of a name refused."""

import pytest

from xlalloc.engine.convergence import RULES, register


def test_every_method_and_rule_is_registered_once():
    from typing import get_args

    from xlalloc.engine.convergence import EXPLAIN, METHODS, Method
    from xlalloc.engine.registry import Choices

    # The policy's choices are the registry's (read from it, so a method added is one).
    (choices,) = [m for m in get_args(Method) if isinstance(m, Choices)]
    assert set(METHODS) == set(choices())
    assert all(m.name == name for name, m in METHODS.items())
    assert set(EXPLAIN) == set(RULES)  # every rule explains itself


def test_a_second_method_of_a_name_is_refused():
    from xlalloc.engine.convergence import METHODS

    with pytest.raises(ValueError, match="'pace' exists already"):
        register(METHODS["pace"])
