"""A map of the practices coloured by place: a mapping error shows at a glance.

NHS England's practice files give each practice's latitude and longitude. The picture
(matplotlib, of the ``excel`` extra) plots them, one colour per place, with each place's
practice count in the legend, so a practice put in the wrong place stands out as a dot
of another colour among its neighbours. Longitude is scaled by the cosine of the mean
latitude, so distances look as they are on the ground.

Drawing takes longer than everything else ``xlalloc new`` does (matplotlib's import
alone is about half a second), so :class:`Painter` draws in a second process where one
is cheap (a command run from the command line on Linux: :mod:`xlalloc.parallel`), while
the command reads the files and writes the model: the command then takes about as long
as the longer of the two, not their sum. ``xlalloc new`` forks that process as it
starts, before importing pandas, so it imports matplotlib and loads its fonts
(:func:`~.map_png.prepare`) on the other core meanwhile; it is handed plain lists to draw
(:func:`~.map_png.draw_places`). Elsewhere (the Python API, Windows, macOS, xlwings
Lite) it draws in the process itself, the same picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import pandas as pd

from ..parallel import second_process
from ..readers.nhse import practice_locations
from .map_png import draw_places, prepare

__all__ = ["Painter", "places_map_png"]


def places_map_png(points: pd.DataFrame, title: str) -> bytes:
    """The map as PNG bytes (150 dpi, A4 landscape's width).

    Args:
        points: ``practice_code, place, latitude, longitude`` (a practice without a
            location has NaN there and is counted in the caption).
        title: The title, e.g. the ICB and the year.
    """
    return draw_places(*_lists(points), title)


def _lists(points: pd.DataFrame) -> tuple[list[str], list[float], list[float]]:
    """Each practice's place, latitude and longitude, as plain lists (NaN where unknown)."""
    return (
        [str(p) for p in points["place"]],
        pd.to_numeric(points["latitude"], errors="coerce").astype(float).tolist(),
        pd.to_numeric(points["longitude"], errors="coerce").astype(float).tolist(),
    )


def _points(practices: pd.DataFrame, files: Sequence[str | Path]) -> pd.DataFrame:
    """Each practice (once) with its place and its location from ``files``."""
    where = practice_locations(files)
    points = practices[["practice_code", "place"]].drop_duplicates("practice_code")
    return points.merge(where, on="practice_code", how="left")


class Painter:
    """Draws the map of the practices by place, in a second process where that is cheap.

    Used as a context manager around the command's work: entering takes the worker (the
    one the command forked as it began, or one forked now) and has it import matplotlib
    (:func:`~.map_png.prepare`); :meth:`start` reads the practices' locations here, once
    their places are known, and hands the worker plain lists to draw; :meth:`write` waits
    for the picture and writes it. Leaving on an error stops the worker and writes
    nothing.
    """

    def __init__(self, enabled: bool = True):
        self._pool: ProcessPoolExecutor | None = None
        self._stack = ExitStack()  # the second process, if any
        self._future: Future[bytes] | None = None
        self._job: tuple[list[str], list[float], list[float], str] | None = None
        #: Whether a map is to be drawn at all (matplotlib is there).
        self.enabled = enabled

    @property
    def started(self) -> bool:
        """Whether :meth:`start` was given the practices (a map is being drawn)."""
        return self._job is not None

    def __enter__(self) -> Painter:
        if self.enabled:
            self._pool = self._stack.enter_context(second_process())
            if self._pool is not None:
                self._pool.submit(prepare)  # done already where the process began with it
        return self

    def start(self, practices: pd.DataFrame, files: Sequence[str | Path], title: str) -> None:
        """Begin the map of ``practices`` (``practice_code, place``) located from ``files``.

        The locations are read here; the drawing process is handed plain lists.
        """
        job = (*_lists(_points(practices, files)), title)
        self._job = job
        if self._pool is not None:
            self._future = self._pool.submit(draw_places, *job)

    def write(self, path: str | Path) -> Path:
        """The map, once drawn, written to ``path`` (atomically)."""
        from .files import atomic_write

        assert self._job is not None, "start() the map before writing it"
        png = self._future.result() if self._future is not None else draw_places(*self._job)
        return atomic_write(Path(path), png)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.__exit__(kind, error, trace)
