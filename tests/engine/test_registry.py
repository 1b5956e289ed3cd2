"""Registries filled by modules: every module of a package imported; a registry's choices."""

from __future__ import annotations

import sys

import pytest

from xlalloc.engine.registry import Choices, import_modules


def test_every_module_of_a_package_is_imported_in_name_order_but_those_skipped(tmp_path):
    pkg = tmp_path / "plugins_for_a_test"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("FOUND = []\n")
    for name in ("b_second", "a_first", "base", "_private"):
        (pkg / f"{name}.py").write_text(
            f"from plugins_for_a_test import FOUND\nFOUND.append({name!r})\n"
        )
    (pkg / "sub").mkdir()
    (pkg / "sub" / "__init__.py").write_text("raise RuntimeError('a package is not a module')\n")
    sys.path.insert(0, str(tmp_path))
    try:
        assert import_modules("plugins_for_a_test", skip=("base",)) == ["a_first", "b_second"]
        assert sys.modules["plugins_for_a_test"].FOUND == ["a_first", "b_second"]
    finally:
        sys.path.remove(str(tmp_path))
        for m in [m for m in sys.modules if m.startswith("plugins_for_a_test")]:
            del sys.modules[m]


def test_choices_are_the_registrys_names_when_asked():
    names: list[str] = ["level"]
    choices = Choices(lambda: names)
    names.append("added")  # a method registered after the field was declared
    assert choices() == ("level", "added")
    assert choices.check("added") == "added"
    with pytest.raises(ValueError, match="'nope' is not one of level, added"):
        choices.check("nope")


def test_the_convergence_policy_takes_any_registered_method_and_names_the_others():
    from xlalloc.engine.convergence import METHODS, ConvergencePolicy
    from xlalloc.engine.convergence.policy import METHOD_NAMES

    assert METHOD_NAMES == list(METHODS) == ["level", "pace", "topslice"]
    assert ConvergencePolicy(method="topslice", topslice=0.0025).method == "topslice"
    with pytest.raises(ValueError, match="'nope' is not one of level, pace, topslice"):
        ConvergencePolicy(method="nope")
