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
as the longer of the two, not their sum. Elsewhere (the Python API, Windows, macOS,
xlwings Lite) it draws in the process itself, the same picture.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType

import numpy as np
import pandas as pd

from ..parallel import second_process
from ..readers.nhse import practice_locations

__all__ = ["Painter", "places_map_png"]


def places_map_png(points: pd.DataFrame, title: str) -> bytes:
    """The map as PNG bytes (150 dpi, A4 landscape's width).

    Args:
        points: ``practice_code, place, latitude, longitude`` (a practice without a
            location has NaN there and is counted in the caption).
        title: The title, e.g. the ICB and the year.
    """
    # The figure and its Agg canvas, not pyplot: pyplot's import (its backends and
    # interactive state) took longer than drawing the map.
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    placed = points.dropna(subset=["latitude", "longitude"])
    places = sorted(points["place"].astype(str).unique())
    cmap = colormaps["tab20" if len(places) > 10 else "tab10"]
    fig = Figure(figsize=(11, 7.5), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for k, place in enumerate(places):
        mine = placed[placed["place"].astype(str) == place]
        n = int((points["place"].astype(str) == place).sum())
        ax.scatter(
            mine["longitude"],
            mine["latitude"],
            s=22,
            color=cmap(k % cmap.N),
            edgecolors="white",
            linewidths=0.4,
            label=f"{place} ({n} practices)",
        )
    if len(placed):
        ax.set_aspect(1 / np.cos(np.radians(float(placed["latitude"].mean()))))
    ax.set_xlabel("Longitude")
    ax.set_ylabel("Latitude")
    ax.set_title(title, fontsize=13)
    missing = len(points) - len(placed)
    if missing:
        ax.text(
            0.0,
            -0.1,
            f"{missing} practice(s) have no location in NHS England's files and are not shown.",
            transform=ax.transAxes,
            fontsize=10,
        )
    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=10, frameon=False)
    ax.grid(True, linewidth=0.3, alpha=0.5)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", bbox_inches="tight", metadata={"Software": None})
    return out.getvalue()


#: The practices' locations the worker read ahead (:func:`_prepare`), by their files: taken
#: once by the map it draws, so no process keeps locations a later command could find
#: stale (the command's own process never fills it).
_READ_AHEAD: dict[tuple[str, ...], pd.DataFrame] = {}


def _map_of(practices: pd.DataFrame, files: list[str], title: str) -> bytes:
    """The map's PNG: each practice located from ``files``, coloured by its place."""
    where = _READ_AHEAD.pop(tuple(files), None)
    if where is None:
        where = practice_locations(files)
    points = practices[["practice_code", "place"]].drop_duplicates("practice_code")
    points = points.merge(where, on="practice_code", how="left")
    return places_map_png(points, title)


def _prepare(files: list[str]) -> None:
    """The worker's first task: matplotlib imported and the practices located.

    Done while the command reads the same files for their figures.
    """
    from matplotlib.backends import backend_agg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401

    if files:
        _READ_AHEAD[tuple(files)] = practice_locations(files)


class Painter:
    """Draws the map of the practices by place, in a second process where that is cheap.

    Used as a context manager around the command's work: entering starts the worker, its
    matplotlib import and its reading of the practices' locations from ``files`` (when
    known then); :meth:`start` hands it the practices once their places are
    known; :meth:`write` waits for the picture and writes it. Leaving on an error stops
    the worker and writes nothing.
    """

    def __init__(self, enabled: bool = True, files: Sequence[str | Path] = ()):
        self._pool: ProcessPoolExecutor | None = None
        self._stack = ExitStack()  # the second process, if any
        self._future: Future[bytes] | None = None
        self._job: tuple[pd.DataFrame, list[str], str] | None = None
        #: Whether a map is to be drawn at all (matplotlib is there).
        self.enabled = enabled
        self._files = [str(f) for f in files]

    @property
    def started(self) -> bool:
        """Whether :meth:`start` was given the practices (a map is being drawn)."""
        return self._job is not None

    def __enter__(self) -> Painter:
        if self.enabled:
            self._pool = self._stack.enter_context(second_process())
            if self._pool is not None:
                self._pool.submit(_prepare, self._files)
        return self

    def start(self, practices: pd.DataFrame, files: Sequence[str | Path], title: str) -> None:
        """Begin the map of ``practices`` (``practice_code, place``) located from ``files``."""
        job = (practices[["practice_code", "place"]].copy(), [str(f) for f in files], title)
        self._job = job
        if self._pool is not None:
            self._future = self._pool.submit(_map_of, *job)

    def write(self, path: str | Path) -> Path:
        """The map, once drawn, written to ``path`` (atomically)."""
        from .files import atomic_write

        assert self._job is not None, "start() the map before writing it"
        png = self._future.result() if self._future is not None else _map_of(*self._job)
        return atomic_write(Path(path), png)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stack.__exit__(kind, error, trace)
