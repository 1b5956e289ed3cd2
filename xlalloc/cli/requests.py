"""A use case's command, derived from its request: the one place its flags are spelt.

Each field of a :class:`~xlalloc.request.Request` is an argument or an option by one
rule: the request's ``arguments`` before ``output`` are the command's arguments, in
order; every other field is an option, ``--`` and its name with hyphens (``output`` is
``-o``, ``overwrite`` is ``--force``), required where the field is. Its help is the
field's meaning; its choices, type and default are the field's. A command whose flags
cannot follow the rule keeps a module of its own in ``cli/`` (``register``, ``run``).
"""

from __future__ import annotations

import argparse
import re
import types
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from .options import number, report

if TYPE_CHECKING:
    from pydantic.fields import FieldInfo

    from ..request import Request
    from ..usecases import UseCase

__all__ = ["flag", "flags", "register"]

#: Options whose flag is not ``--`` and the option's name with hyphens.
FLAGS = {"output": ("-o", "--output"), "overwrite": ("--force",)}
#: How a workbook shows money and prints: offered where the request writes workbooks.
PRESENTATION = ("money_unit", "marking", "paper_size")


def flag(name: str) -> tuple[str, ...]:
    """The flags of an option: ``places_by`` is ``--places-by``; ``output`` is ``-o``."""
    return FLAGS.get(name, ("--" + name.replace("_", "-"),))


_OPTION = re.compile(r"`([a-z][a-z0-9_]*)`")


def flags(text: str) -> str:
    """Text with each option it names written as its flag.

    Messages and a request's meanings name options as
    :func:`~xlalloc.engine.errors.option` marks them (```places_by```); the command line
    shows ``--places-by``. Only ``cli/`` knows flags; the Python API and Excel name the
    options.
    """
    return _OPTION.sub(lambda m: flag(m[1])[0], text)


def register(c: Any, use_case: UseCase) -> None:
    """The command's arguments and options, one per field of the use case's request."""
    request = use_case.request
    for name in request.fields_in_order():
        if name in PRESENTATION and ".xlsx" not in getattr(request, "suffixes", ()):
            continue  # a CSV is written in full pounds and does not print
        _add(c, request, name)
    c.set_defaults(func=lambda args: _run(args, use_case))


def _positional(request: type[Request]) -> tuple[str, ...]:
    """The request's fields taken by position on the command line."""
    names = request.arguments
    return names[: names.index("output")] if "output" in names else names


def _add(c: Any, request: type[Request], name: str) -> None:
    """One field as an argument or an option."""
    field = request.model_fields[name]
    kind, many = _kind(field.annotation)
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    spec: dict[str, Any] = {"help": _help(field)}
    if extra.get("metavar"):
        spec["metavar"] = extra["metavar"]
    from ..engine.registry import Choices  # a request's module has imported the engine

    registered = next((m for m in field.metadata if isinstance(m, Choices)), None)
    if kind is bool:
        spec["action"] = "store_true"
    elif registered is not None:  # a registry's names: one added as a module included
        spec["choices"] = list(registered())
    elif get_origin(kind) is Literal:
        choices = get_args(kind)
        spec["choices"] = [str(x) for x in choices]
        spec["type"] = str
    else:
        spec["type"] = int if kind is int else number if kind is float else str
    if many:
        spec["nargs"] = "+"
    if name in _positional(request):
        c.add_argument(name, **spec)
        return
    spec["dest"] = name
    spec["default"] = argparse.SUPPRESS  # not given: the request's default
    if field.is_required():
        spec["required"] = True
    c.add_argument(*flag(name), **spec)


def _kind(annotation: Any) -> tuple[Any, bool]:
    """A field's type without ``None``, and whether it holds several values."""
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next(a for a in get_args(annotation) if a is not type(None))
    if get_origin(annotation) in (tuple, list):
        return get_args(annotation)[0], True
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return str, False
    return annotation, False


def _help(field: FieldInfo) -> str:
    """The field's meaning, with its default where it has one worth stating."""
    text = flags(field.description or "").replace("%", "%%")
    default = None if field.is_required() else field.get_default(call_default_factory=True)
    if default not in (None, False, (), "", {}) and "default" not in text:
        shown = f"{default:g}" if isinstance(default, float) else str(default)
        text += f" (default {shown})"
    return text


def _run(args: argparse.Namespace, use_case: UseCase) -> int:
    """Build the request from the options given, run the use case, report what it did."""
    request = use_case.request
    values = {n: getattr(args, n) for n in request.model_fields if hasattr(args, n)}
    return report(use_case.pipeline(request.of(**values)))
