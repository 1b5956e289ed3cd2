"""The Python API, mirroring the command line: for notebooks and pipelines.

Every function is a use case of :mod:`xlalloc.usecases`: it builds the use case's typed
request (validated once; a bad value is named by its keyword) and calls its ``run``.
:func:`new`, :func:`run`, :func:`validate`, :func:`packs` and :func:`compare` on model
workbooks are written here (callbacks for notes and progress); every other use case's
function (:func:`targets`, :func:`converge`, :func:`equity` ...) is derived from its
request (:class:`UseCaseFunction`), so a use case added as a module is one here too.
None of them needs xlwings or :mod:`xlalloc.excel`.

Example:
    >>> import xlalloc
    >>> xlalloc.new("model.xlsx", demo=True)            # doctest: +SKIP
    >>> result = xlalloc.run("model.xlsx")             # doctest: +SKIP
    >>> result.tables()["table1"]                      # doctest: +SKIP
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .engine.monitoring import DEFAULT_THRESHOLD

if TYPE_CHECKING:  # each imported where it is used: a command loads what it needs only
    from .model.build import Grouping
    from .model.compare import Comparison
    from .model.runner import ModelResult
    from .self_test import SelfTest
    from .usecases import UseCase
    from .usecases.pack import PackRun


def new(
    path: str | Path,
    demo: bool = False,
    overwrite: bool = False,
    practices: Sequence[str | Path] = (),
    icb: str | None = None,
    places: str | Path | None = None,
    places_by: str | None = None,
    localities_by: str | None = None,
    allow_unmapped: bool = False,
    blank_as_zero: bool = False,
    on_note: Callable[[str], None] | None = None,
) -> Path:
    """Write a new model workbook: empty, the demo, or one ICB's from NHS England's files.

    Args:
        path: The workbook to create.
        demo: Fill it with the demo ICB's inputs.
        overwrite: Replace ``path`` if it exists.
        practices: NHS England's practice files, one per financial year.
        icb: The ICB, by code, full name or a unique part of its name.
        places: CSV or XLSX of ``practice_code, place[, locality]`` for every year.
        places_by: Or places from the files' ``lad``, ``pcn`` or ``sub_icb`` column
            (``lad`` when neither is given).
        localities_by: Localities from the files' ``pcn`` or ``sub_icb`` column.
        allow_unmapped: Put practices in no place in an ``Unmapped`` place.
        blank_as_zero: Read blank weighted populations as zero (named per practice).
        on_note: Called with each note on what was chosen or assumed.

    Raises:
        InputError: Every problem, together; nothing is written.
    """
    from .usecases import new as use_case

    request = use_case.NewRequest.of(
        path=path,
        demo=demo,
        overwrite=overwrite,
        practices=tuple(practices),
        icb=icb,
        places=places,
        places_by=places_by,
        localities_by=localities_by,
        allow_unmapped=allow_unmapped,
        blank_as_zero=blank_as_zero,
    )
    return use_case.run(request, on_note)


def checked_grouping(value: str | None) -> Grouping | None:
    """A grouping option's value, checked (``lad``, ``pcn`` or ``sub_icb``)."""
    from .usecases.new import checked_grouping as checked

    return checked(value)


def default_output(path: Path) -> Path:
    """Where ``run`` writes when neither ``output`` nor ``in_place`` is given."""
    from .usecases.run import default_output as beside

    return beside(path)


def run(
    path: str | Path,
    output: str | Path | None = None,
    in_place: bool = False,
    progress: Callable[[str], None] | None = None,
    run_at: datetime | None = None,
    scenario: Mapping[str, str] | None = None,
    activity: Sequence[str | Path] = (),
    activity_columns: Mapping[str, str] | None = None,
) -> ModelResult:
    """Read, validate and run a model workbook, and write its output sheets.

    Args:
        path: The model workbook.
        output: Where to write (default: ``MODEL-results.xlsx`` beside it).
        in_place: Write back into ``path`` (atomically; input sheets unchanged).
        progress: Called with each step's name.
        run_at: The run's time stamp in its provenance (default: now, or
            ``SOURCE_DATE_EPOCH`` when set).
        scenario: Policy parameter -> value: run a variant without editing the model;
            the output's Policy sheet holds the variant's values (needs ``output``).
        activity: Activity extracts (CSV or Parquet, any number of rows) added to the
            Activity sheet's rows, checked and totalled by DuckDB; the Audit sheet lists
            each file (rows, SHA-256) and the coverage it gave each line.
        activity_columns: The extracts' headers for ``line``, ``practice_code`` and
            ``amount``, e.g. ``{"line": "Contract"}`` (default: those names).

    Returns:
        The :class:`~xlalloc.model.runner.ModelResult`.

    Raises:
        InputError: Every input problem; nothing is written.
    """
    from .usecases import run as use_case

    request = use_case.RunRequest.of(
        path=path,
        output=output,
        in_place=in_place,
        run_at=run_at,
        scenario=None if scenario is None else dict(scenario),
        activity=tuple(activity or ()),
        activity_columns=None if activity_columns is None else dict(activity_columns),
    )
    return use_case.run(request, progress)


def validate(path: str | Path) -> list[str]:
    """Every input problem in a model workbook, as readable lines (empty when valid)."""
    from .usecases import validate as use_case

    return use_case.run(use_case.ValidateRequest.of(path=path))


def packs(
    model: str | Path,
    actuals: str | Path,
    month: int,
    out_dir: str | Path,
    template: str | Path | None = None,
    places: Sequence[str] | None = None,
    phasing: str | Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[str], None] | None = None,
    allow_empty_month: bool = False,
    map: str | Path | None = None,
    columns: Mapping[str, str] | None = None,
    overwrite: bool = False,
    pdf: bool = False,
) -> PackRun:
    """Run the model and write its monthly reporting packs (``xlalloc pack``).

    ``map`` is a file of ``cost_centre, programme[, place]`` for a ledger coded by cost
    centre (default: the model's CostCentres sheet); ``columns`` names the ledger's
    headers by field (``{"month": "Period", "amount": "Actual"}``). Each pack's file
    name carries its place and period; ``overwrite`` replaces packs of the same period
    (never the model, the ledger or another input), keeping what the user wrote in their
    commentary columns; ``pdf`` also prints each pack to PDF beside it (LibreOffice).

    Raises:
        InputError: Every bad argument, by its name, or input problem, together.
    """
    from .usecases.pack import PackRequest
    from .usecases.pack import run as build_packs

    request = PackRequest.of(
        model=model,
        actuals=actuals,
        month=month,
        out_dir=out_dir,
        template=template,
        places=None if places is None else tuple(places),
        phasing=phasing,
        threshold=threshold,
        allow_empty_month=allow_empty_month,
        map=map,
        columns=None if columns is None else dict(columns),
        overwrite=overwrite,
        pdf=pdf,
    )
    return build_packs(request, progress)


def compare(
    old: str | Path, new: str | Path, output: str | Path | None = None, **options: Any
) -> Comparison:
    """Run two model workbooks and explain every change from ``old`` to ``new``.

    Each workbook is read and run from its inputs (the same figures its output sheets
    hold); neither is written. With ``output`` the changes are written there too (CSV,
    with the places', targets' and convergence's beside it, or a workbook with waterfall
    charts; ``overwrite`` and the presentation options as every writing request).

    Raises:
        InputError: Every input problem of either workbook, each named by its file.
    """
    from .usecases import compare as use_case

    if output is None:
        return use_case.compared(old, new)
    request = use_case.CompareRequest.of(old=old, new=new, output=output, **options)
    comparison: Comparison = use_case.run(request).found
    return comparison


def selftest(cases: str | Path | None = None) -> SelfTest:
    """The engine run against the reference cases shipped with xlalloc (or ``cases``).

    Each case's figures come from outside the code: NHS England's published figures or a
    case worked by hand from the guidance, its source named (:mod:`xlalloc.self_test`).
    """
    from .self_test import run_selftest

    return run_selftest(cases)


class UseCaseFunction:
    """A use case's API function, derived from its request (:mod:`xlalloc.usecases`).

    Its positional parameters are the request's ``arguments``, in order; every other
    field is a keyword. It builds the request (validated once: a bad value is named by
    its keyword) and returns what the use case's ``run`` returns. Its signature and
    docstring are the request's, read when asked for (``help(xlalloc.equity)``), so
    importing the API imports no use case.
    """

    def __init__(self, use_case: UseCase):
        self.use_case = use_case
        self.__name__ = self.__qualname__ = use_case.module
        self.__module__ = __name__

    def __call__(self, *args: Any, **options: Any) -> Any:
        """Run the use case on a request built from the arguments."""
        request = self.use_case.request
        names = request.arguments
        if len(args) > len(names):
            raise TypeError(
                f"{self.__name__}() takes {len(names)} positional arguments "
                f"({', '.join(names) or 'none'}) but {len(args)} were given"
            )
        given = dict(zip(names, args))
        twice = sorted(set(given) & set(options))
        if twice:
            raise TypeError(f"{self.__name__}() got {', '.join(twice)} by position and by name")
        return self.use_case.pipeline(request.of(**given, **options))

    @property
    def __signature__(self) -> inspect.Signature:
        """The request's fields: its ``arguments`` by position, the rest by keyword."""
        request = self.use_case.request
        fields = request.model_fields
        kind = inspect.Parameter
        params = [
            kind(n, kind.POSITIONAL_OR_KEYWORD, annotation=fields[n].annotation)
            for n in request.arguments
        ]
        params += [
            kind(
                n,
                kind.KEYWORD_ONLY,
                default=kind.empty if f.is_required() else f.get_default(call_default_factory=True),
                annotation=f.annotation,
            )
            for n in request.fields_in_order()
            if n not in request.arguments
            for f in (fields[n],)
        ]
        return inspect.Signature(params)

    @property
    def __doc__(self) -> str:
        """The use case's summary and each field's meaning (Google style)."""
        request = self.use_case.request
        lines = [f"{self.use_case.summary[:1].upper()}{self.use_case.summary[1:]}.", "", "Args:"]
        for name in request.fields_in_order():
            lines.append(f"    {name}: {request.model_fields[name].description or ''}")
        lines += ["", "Raises:", "    InputError: Every bad value, by its name, or input problem."]
        return "\n".join(lines)

    @__doc__.setter
    def __doc__(self, text: str | None) -> None:
        raise AttributeError("a use case's API function takes its docstring from its request")


#: The functions on model workbooks, written here; every other comes from a use case.
_WRITTEN_HERE = ["checked_grouping", "compare", "default_output", "new", "packs", "run"]
_WRITTEN_HERE += ["selftest", "validate"]


#: Use cases whose API function is written here under another name.
_NAMED_HERE = {"pack": "packs"}


def _use_case_functions() -> dict[str, UseCaseFunction]:
    """An API function for each use case not written here, by its module's name."""
    from .usecases import use_cases

    here = {*_WRITTEN_HERE, *_NAMED_HERE}
    return {u.module: UseCaseFunction(u) for u in use_cases().values() if u.module not in here}


_FUNCTIONS = _use_case_functions()
__all__ = sorted(_WRITTEN_HERE + list(_FUNCTIONS))


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
