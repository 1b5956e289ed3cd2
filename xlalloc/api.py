"""The Python API, mirroring the command line: for notebooks and pipelines.

Use cases: :func:`new`, :func:`run`, :func:`validate`, :func:`packs` and :func:`compare` on
model workbooks; :func:`targets`, :func:`converge`, :func:`equity`, :func:`levelling_up`
and :func:`footprint` on files. Each builds a typed request (validated once; a bad value
is named by its keyword) and calls its use case. None of them needs xlwings or
:mod:`xlalloc.excel`.

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
from typing import TYPE_CHECKING, Any, cast

from .engine.errors import InputError, Problems, listed, option
from .engine.monitoring import DEFAULT_THRESHOLD

if TYPE_CHECKING:  # each imported where it is used: a command loads what it needs only
    from .model.build import Grouping
    from .model.compare import Comparison
    from .model.runner import ModelResult
    from .readers.nhse import BlankWP
    from .reporting import PackRun
    from .self_test import SelfTest
    from .usecases import UseCase
    from .workbook.places_map import Painter


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
    from . import demo as demo_data
    from .readers.nhse import BlankWP
    from .workbook.model_book import build_model, save_model

    path = Path(path)
    from_files = bool(practices) or icb is not None
    picture = places_picture(path)
    _new_problems(
        path,
        picture,
        demo,
        overwrite,
        practices,
        icb,
        places,
        bool(places or places_by or localities_by or allow_unmapped),
    ).raise_if_any()
    if from_files:
        assert icb is not None
        return _new_from_files(
            path,
            picture,
            practices,
            icb,
            places,
            checked_grouping(places_by),
            checked_grouping(localities_by),
            allow_unmapped,
            BlankWP.ZERO if blank_as_zero else BlankWP.ERROR,
            on_note or (lambda _n: None),
        )
    tables = demo_data.model_tables() if demo else None
    policy = demo_data.DEMO_POLICY if demo else None
    return save_model(build_model(tables, policy), path)


def _new_from_files(
    path: Path,
    picture: Path,
    practices: Sequence[str | Path],
    icb: str,
    places: str | Path | None,
    places_by: Grouping | None,
    localities_by: Grouping | None,
    allow_unmapped: bool,
    blank_wp: BlankWP,
    note: Callable[[str], None],
) -> Path:
    """One ICB's model from NHS England's files (:func:`new`), and its map of practices."""
    from .model.build import build_from_files
    from .model.runner import run_time
    from .workbook.model_book import Provenance, build_model, save_model
    from .workbook.places_map import Painter

    with Painter(_can_draw(note), practices) as painter:  # the map drawn alongside
        built = build_from_files(
            practices, icb, places, places_by, localities_by, allow_unmapped, blank_wp
        )
        for text in built.notes:
            note(text)
        _start_places(painter, built, practices)
        book = build_model(
            built.tables,
            built.policy,
            Provenance(
                f"{built.icb_code} {built.icb_name}",
                built.sources,
                run_time().isoformat(sep=" "),
                tuple(built.notes),
            ),
        )
        written = save_model(book, path)
        if painter.started:
            painter.write(picture)
            note(f"drew the practices by place in {picture}: each place a colour, to check by eye")
    return written


def _new_problems(
    path: Path,
    picture: Path,
    demo: bool,
    overwrite: bool,
    practices: Sequence[str | Path],
    icb: str | None,
    places: str | Path | None,
    grouped: bool,
) -> Problems:
    """Every problem with what :func:`new` was asked, before anything is read or written."""
    problems = Problems()
    if path.exists() and not overwrite:
        problems.add(
            str(path),
            f"{path} exists; choose another name, or pass {option('overwrite')} to replace "
            "it (xlalloc never overwrites a workbook unless told to)",
        )
    from_files = bool(practices) or icb is not None
    if from_files and demo:
        problems.add(
            option("demo"),
            f"give either {option('demo')} or {option('practices')} with {option('icb')}, not both",
        )
    if from_files and not practices:
        problems.add(
            option("practices"),
            f"{option('icb')} needs NHS England's practice files ({option('practices')} FILE)",
        )
    if from_files and not icb:
        problems.add(
            option("icb"),
            f"which ICB? give {option('icb')} CODE_OR_NAME, e.g. {option('icb')} 'west yorkshire'",
        )
    if not from_files and grouped:
        problems.add(
            option("places"),
            "places and localities need NHS England's practice files: "
            f"add {option('practices')} FILE {option('icb')} CODE_OR_NAME",
        )
    if any(Path(p).resolve() == path.resolve() for p in (*practices, places) if p):
        problems.add(str(path), f"{path} is an input of this command; choose another name")
    if from_files and picture.exists() and not overwrite:
        problems.add(
            str(picture),
            f"{picture} exists (the map of the practices by place that {option('practices')} "
            f"draws beside the model); pass {option('overwrite')} to replace it",
        )
    return problems


def places_picture(path: Path) -> Path:
    """Where ``new`` draws the map of the practices by place: ``MODEL-places.png``."""
    return path.with_name(f"{path.stem}-places.png")


def _can_draw(note: Callable[[str], None]) -> bool:
    """Whether the map of the practices by place can be drawn (matplotlib), noting if not."""
    import importlib.util

    from .extras import install_hint

    if importlib.util.find_spec("matplotlib") is None:
        note(f"no map of the practices by place: it needs matplotlib ({install_hint('excel')})")
        return False
    return True


def _start_places(painter: Painter, built: Any, files: Sequence[str | Path]) -> None:
    """Begin the map of the latest year's practices by place (drawn beside the model)."""
    if not painter.enabled:
        return
    latest = built.practices[built.practices["year"] == built.practices["year"].max()]
    year = str(latest["year"].iloc[0]) if len(latest) else ""
    painter.start(latest, files, f"{built.icb_code} {built.icb_name}: practices by place, {year}")


def checked_grouping(value: str | None) -> Grouping | None:
    """A grouping option's value, checked (``lad``, ``pcn`` or ``sub_icb``)."""
    from .model.build import GROUPINGS

    if value is None:
        return None
    key = value.strip().lower().replace("-", "_")
    if key not in GROUPINGS:
        raise InputError(
            f"unknown grouping {value!r}; expected one of {listed(sorted(GROUPINGS))}",
            where=option("places_by"),
        )
    return cast("Grouping", key)


def default_output(path: Path) -> Path:
    """Where ``run`` writes when neither ``output`` nor ``in_place`` is given."""
    return path.with_name(f"{path.stem}-results{path.suffix}")


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
    from .actions import run_book
    from .readers.model import model_path
    from .workbook.book import FileBook
    from .workbook.files import check_not_open

    path = model_path(path)
    if scenario and (in_place or output is None):
        raise InputError(
            f"a scenario is a variant: write it to its own workbook with {option('output')} "
            "(never into the model, nor MODEL-results.xlsx)",
            where=option("scenario"),
        )
    if activity_columns and not activity:
        raise InputError(
            f"{option('columns')} names the activity extracts' headers: give the extracts "
            f"with {option('activity')} EXTRACT",
            where=option("columns"),
        )
    if in_place and output is not None:
        raise InputError(
            f"give either {option('output')} or {option('in_place')}, not both",
            where=option("output"),
        )
    if output is not None and Path(output).resolve() == path.resolve() and not in_place:
        raise InputError(
            f"the output is the input workbook: pass {option('in_place')} to write back into it",
            where=option("output"),
        )
    target = path if in_place else Path(output) if output else default_output(path)
    if any(Path(a).resolve() == target.resolve() for a in activity or ()):
        raise InputError(
            f"{target} is an input of this command (an activity extract); xlalloc never "
            "writes over an input: choose another name",
            where=option("output"),
        )
    if target.suffix.lower() != path.suffix.lower():
        raise InputError(
            f"the output {target.name} must keep the input's extension "
            f"({path.suffix}): a workbook's type follows its contents (macros "
            "only in .xlsm)",
            where="output",
        )
    book = FileBook(path, target, scenario)
    book.sheet_names()  # a missing or unreadable file is an input problem, reported first
    if target.exists():
        check_not_open(target, option("in_place") if in_place else option("output"))
    return run_book(book, progress, run_at, activity, activity_columns)


def validate(path: str | Path) -> list[str]:
    """Every input problem in a model workbook, as readable lines (empty when valid)."""
    from .model.runner import run_model
    from .readers.model import model_path, read_model

    try:
        run_model(read_model(model_path(path)))  # the reader run runs, and its checks
    except InputError as e:
        return [str(p) for p in e.problems]
    return []


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
    from .reporting import PackRequest, build_packs

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


def _use_case_functions() -> dict[str, UseCaseFunction]:
    """An API function for each use case not written here, by its module's name."""
    from .usecases import use_cases

    return {
        u.module: UseCaseFunction(u) for u in use_cases().values() if u.module not in _WRITTEN_HERE
    }


_FUNCTIONS = _use_case_functions()
__all__ = sorted(_WRITTEN_HERE + list(_FUNCTIONS))


def __getattr__(name: str) -> Any:
    if name in _FUNCTIONS:
        return _FUNCTIONS[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
