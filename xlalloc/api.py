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

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from .engine.errors import InputError, Problems, listed, option
from .engine.monitoring import DEFAULT_THRESHOLD

if TYPE_CHECKING:  # each imported where it is used: a command loads what it needs only
    from .analyses import Analysis
    from .model.build import Grouping
    from .model.compare import Comparison
    from .model.runner import ModelResult
    from .readers.nhse import BlankWP
    from .reporting import PackRun
    from .self_test import SelfTest
    from .workbook.places_map import Painter

__all__ = [
    "activity",
    "checked_grouping",
    "compare",
    "converge",
    "default_output",
    "demo_ledger",
    "drivers",
    "equity",
    "footprint",
    "levelling_up",
    "new",
    "pack_template",
    "packs",
    "rebase",
    "run",
    "selftest",
    "table_y1",
    "targets",
    "validate",
]


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


def _run_or_problem(path: str | Path) -> ModelResult | InputError:
    """A model workbook read and run, or the problems that stopped it."""
    from .model.runner import run_model
    from .readers.model import read_model

    try:
        return run_model(read_model(path))
    except InputError as e:
        return e


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
    from .model.compare import compare_results
    from .parallel import side_by_side

    request = None
    if output is not None:
        from .analyses import CompareRequest

        request = CompareRequest.of(old=old, new=new, output=output, **options)
        request.checked_output(request.old, request.new)
    problems = Problems()
    results = []
    # The two runs side by side (a forked second process where that is cheap).
    for path, run_or_problem in zip((old, new), side_by_side(_run_or_problem, old, new)):
        if isinstance(run_or_problem, InputError):
            name = Path(path).name
            for p in run_or_problem.problems:  # named by its file once ("a.xlsx: Budget")
                named = p.where.startswith(name) or Path(p.where).name == name
                where = p.where if named else f"{name}: {p.where}"
                problems.add(where, p.message, row=p.row, column=p.column)
        else:
            results.append(run_or_problem)
    problems.raise_if_any()
    comparison = compare_results(*results)
    if request is not None:
        from .analyses import compare as write_comparison

        comparison.written = write_comparison(request, comparison).path
    return comparison


def targets(practices: str | Path, output: str | Path, **options: Any) -> Analysis:
    """Need indices, target shares and targets by place, written to ``output``.

    Args:
        practices: NHS England's practice file, or ``"demo"``.
        output: ``.csv`` or ``.xlsx``.
        **options: The fields of :class:`~xlalloc.analyses.TargetsRequest` (``places``,
            ``icb``, ``budget``, ``component``, ``uncertainty`` ...).

    Raises:
        InputError: Every bad option, by its name, or input problem.
    """
    from .analyses import TargetsRequest
    from .analyses import targets as run_targets

    return run_targets(TargetsRequest.of(practices=str(practices), output=output, **options))


def converge(input: str | Path, output: str | Path, **options: Any) -> Analysis:
    """Converge baselines toward target, written to ``output``.

    Args:
        input: ``org, baseline, target_share|target_weight[, hcdd_baseline][, year]``.
        output: ``.csv`` or ``.xlsx``.
        **options: ``total`` (one year) or ``totals`` (a file, several years) and
            ``policy`` (the :class:`~xlalloc.engine.convergence.ConvergencePolicy`
            fields by name).

    Raises:
        InputError: Every bad option or input problem, or an infeasible policy.
    """
    from .analyses import ConvergeRequest
    from .analyses import converge as run_converge

    return run_converge(ConvergeRequest.of(input=input, output=output, **options))


def equity(units: str | Path, output: str | Path, **options: Any) -> Analysis:
    """Equity of spend against need by unit, written to ``output``.

    Args:
        units: ``unit, population, need, spend[, deprivation]``.
        output: ``.csv`` (the summary beside it) or ``.xlsx``.
        **options: ``tolerance`` and the presentation options.
    """
    from .analyses import EquityRequest
    from .analyses import equity as run_equity

    return run_equity(EquityRequest.of(units=units, output=output, **options))


def levelling_up(funding: str | Path, output: str | Path, pot: float, **options: Any) -> Analysis:
    """A no-loser levelling-up payment of ``pot``, written to ``output``.

    Args:
        funding: ``org, funding, need[, cap]``.
        output: ``.csv`` or ``.xlsx``.
        pot: The sum to pay out in £.
        **options: ``unit`` and the presentation options.
    """
    from .analyses import LevellingUpRequest
    from .analyses import levelling_up as run_levelling_up

    return run_levelling_up(
        LevellingUpRequest.of(funding=funding, output=output, pot=pot, **options)
    )


def footprint(old: str | Path, new: str | Path, output: str | Path, **options: Any) -> Analysis:
    """One year's practices re-mapped to a later year's organisations.

    Args:
        old: The practice file of the year to re-map.
        new: The practice file whose organisations to map to.
        output: ``.csv`` or ``.xlsx``.
        **options: ``old_year``, ``new_year``, ``component``, ``blank_as_zero``.
    """
    from .analyses import FootprintRequest
    from .analyses import footprint as run_footprint

    return run_footprint(FootprintRequest.of(old=old, new=new, output=output, **options))


def rebase(
    old: str | Path, new: str | Path, output: str | Path, baselines: str | Path, **options: Any
) -> Analysis:
    """Old ICBs' baselines rebased onto the new ICBs their practices moved to.

    Args:
        old: NHS England's practice file of the old footprint (e.g. 2025/26's 42 ICBs).
        new: The new footprint's (e.g. 2026/27's 36).
        output: ``.csv`` (the bridge and the practices left out beside it) or ``.xlsx``.
        baselines: CSV/XLSX ``icb, baseline`` for every old ICB (code or name).
        **options: ``component`` (default ``core``), ``unit``, ``old_year``,
            ``new_year``, ``blank_as_zero`` and the presentation options.
    """
    from .analyses import RebaseRequest
    from .analyses import rebase as run_rebase

    request = RebaseRequest.of(old=old, new=new, output=output, baselines=baselines, **options)
    return run_rebase(request)


def selftest(cases: str | Path | None = None) -> SelfTest:
    """The engine run against the reference cases shipped with xlalloc (or ``cases``).

    Each case's figures come from outside the code: NHS England's published figures or a
    case worked by hand from the guidance, its source named (:mod:`xlalloc.self_test`).
    """
    from .self_test import run_selftest

    return run_selftest(cases)


def table_y1(output: str | Path, **options: Any) -> Analysis:
    """NHS England's Table Y1 ICBs converged over five years, written to ``output``."""
    from .analyses import TableY1Request
    from .analyses import table_y1 as run_table_y1

    return run_table_y1(TableY1Request.of(output=output, **options))


def activity(
    extracts: Sequence[str | Path], model: str | Path, output: str | Path, **options: Any
) -> Analysis:
    """Activity extracts checked against ``model`` and totalled by line and practice.

    Args:
        extracts: CSV or Parquet files (needs ``xlalloc[activity]``).
        model: The model workbook.
        output: ``.csv`` (sources, coverage and line totals beside it) or ``.xlsx``.
        **options: ``columns`` (the extracts' headers) and the presentation options.
    """
    from .usecases.activity import ActivityRequest
    from .usecases.activity import run as run_activity

    request = ActivityRequest.of(
        extracts=tuple(Path(e) for e in extracts), model=model, output=output, **options
    )
    return run_activity(request)


def drivers(model: str | Path, output: str | Path, **options: Any) -> Analysis:
    """Why each place spends above or below its need, written to ``output``.

    Args:
        model: The model workbook (its Practices, Budget and Activity sheets).
        output: ``.csv`` (the sentences beside it, ``OUT-why.csv``) or ``.xlsx``.
        **options: ``activity`` (extracts added to the Activity sheet's rows),
            ``columns`` (their headers), ``min_activity`` and the presentation options.
    """
    from .usecases.drivers import DriversRequest
    from .usecases.drivers import run as run_drivers

    extracts = tuple(Path(e) for e in options.pop("activity", ()))
    return run_drivers(DriversRequest.of(model=model, output=output, activity=extracts, **options))


def demo_ledger(model: str | Path, output: str | Path, **options: Any) -> Analysis:
    """A demo ledger for ``model`` (``month``, ``style``: ``simple`` or ``isfe``)."""
    from .analyses import DemoLedgerRequest
    from .analyses import demo_ledger as run_demo_ledger

    return run_demo_ledger(DemoLedgerRequest.of(model=model, output=output, **options))


def pack_template(output: str | Path, **options: Any) -> Analysis:
    """Xlalloc's pack template written to ``output`` (``.xlsx``), to restyle."""
    from .analyses import PackTemplateRequest
    from .analyses import pack_template as run_pack_template

    return run_pack_template(PackTemplateRequest.of(output=output, **options))
