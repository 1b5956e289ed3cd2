"""``xlalloc new``: a new model workbook: empty, the demo, or one ICB's from NHS England's files.

From the files: every year's practices with every component, places (by practice code,
or the files' districts, PCNs or sub-ICB locations), the sources and their SHA-256, and
the year-on-year practice changes; a map of the practices by place drawn beside it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from pydantic import Field

from .. import demo as demo_data
from ..engine.errors import InputError, Problems, listed, option
from ..extras import install_hint
from ..model.build import GROUPINGS, build_from_files
from ..model.runner import run_time
from ..readers.nhse import BlankWP
from ..request import Request

if TYPE_CHECKING:
    import pandas as pd

    from ..model.build import Grouping
    from ..readers.nhse import BlankWP
    from ..workbook.places_map import Painter

__all__ = ["NewRequest", "checked_grouping", "places_picture", "run"]


class NewRequest(Request):
    """A new model workbook (``xlalloc new``, ``xlalloc.new``)."""

    path: Path = Field(description="the workbook to create")
    demo: bool = Field(False, description="fill it with the demo ICB's inputs")
    overwrite: bool = Field(False, description="replace the workbook if it exists")
    practices: tuple[Path, ...] = Field(
        (), description="NHS England's practice files, one per financial year"
    )
    icb: str | None = Field(
        None, description="the ICB, by code, full name or a unique part of its name"
    )
    places: Path | None = Field(
        None, description="CSV or XLSX of practice_code, place[, locality] for every year"
    )
    places_by: str | None = Field(
        None,
        description="or places from the files' lad, pcn or sub_icb column (lad when neither "
        "is given)",
    )
    localities_by: str | None = Field(
        None, description="localities from the files' pcn or sub_icb column"
    )
    allow_unmapped: bool = Field(
        False, description="put practices in no place in an Unmapped place"
    )
    blank_as_zero: bool = Field(
        False, description="read blank weighted populations as zero (named per practice)"
    )

    arguments: ClassVar[tuple[str, ...]] = ("path",)


def run(request: NewRequest, on_note: Callable[[str], None] | None = None) -> Path:
    """Write a new model workbook: empty, the demo, or one ICB's from NHS England's files.

    Args:
        request: What to write (:class:`NewRequest`).
        on_note: Called with each note on what was chosen or assumed.

    Raises:
        InputError: Every problem, together; nothing is written.
    """
    r = request
    path, practices = r.path, list(r.practices)
    from_files = bool(practices) or r.icb is not None
    picture = places_picture(path)
    _new_problems(
        path,
        picture,
        r.demo,
        r.overwrite,
        practices,
        r.icb,
        r.places,
        bool(r.places or r.places_by or r.localities_by or r.allow_unmapped),
    ).raise_if_any()
    if from_files:
        assert r.icb is not None
        return _new_from_files(
            path,
            picture,
            practices,
            r.icb,
            r.places,
            checked_grouping(r.places_by),
            checked_grouping(r.localities_by),
            r.allow_unmapped,
            BlankWP.ZERO if r.blank_as_zero else BlankWP.ERROR,
            on_note or (lambda _n: None),
        )
    from ..workbook.model_book import build_model, save_model

    tables = demo_data.model_tables() if r.demo else None
    policy = demo_data.DEMO_POLICY if r.demo else None
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
    """One ICB's model from NHS England's files (:func:`run`), and its map of practices."""
    from ..workbook.places_map import Painter

    with Painter(_can_draw(note)) as painter:  # the map drawn alongside
        # The workbook writer (openpyxl) imported once the map's process is there (forked
        # as the command began, or on entering the Painter), not before it is forked.
        from ..workbook.model_book import Provenance, build_model, save_model

        built = build_from_files(
            practices,
            icb,
            places,
            places_by,
            localities_by,
            allow_unmapped,
            blank_wp,
            on_placed=lambda placed, code, name: _start_places(
                painter, placed, practices, f"{code} {name}"
            ),
        )
        for text in built.notes:
            note(text)
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
    """Every problem with what :func:`run` was asked, before anything is read or written."""
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
    if importlib.util.find_spec("matplotlib") is None:
        note(f"no map of the practices by place: it needs matplotlib ({install_hint('excel')})")
        return False
    return True


def _start_places(
    painter: Painter, placed: pd.DataFrame, files: Sequence[str | Path], icb: str
) -> None:
    """Begin the map of the latest year's practices by place (drawn beside the model)."""
    if not painter.enabled:
        return
    latest = placed[placed["year"] == placed["year"].max()]
    year = str(latest["year"].iloc[0]) if len(latest) else ""
    painter.start(latest, files, f"{icb}: practices by place, {year}")


def checked_grouping(value: str | None) -> Grouping | None:
    """A grouping option's value, checked (``lad``, ``pcn`` or ``sub_icb``)."""
    if value is None:
        return None
    key = value.strip().lower().replace("-", "_")
    if key not in GROUPINGS:
        raise InputError(
            f"unknown grouping {value!r}; expected one of {listed(sorted(GROUPINGS))}",
            where=option("places_by"),
        )
    return cast("Grouping", key)
