"""The map of practices by place, drawn: matplotlib and numpy only, never pandas.

The process that draws the map (:class:`~xlalloc.workbook.places_map.Painter`) is forked
by ``xlalloc new`` before the command imports pandas
(:func:`xlalloc.parallel.start_second_process`), so that it imports matplotlib while the
command imports pandas and reads NHS England's files, on the machine's other core. It is
handed plain lists (each practice's place, latitude and longitude), so it never needs
pandas itself.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

__all__ = ["draw_places", "prepare"]

_PREPARED: list[bool] = []


def prepare() -> None:
    """Import matplotlib and draw a little text once: fonts found, loaded and cached.

    Done by the drawing process while the command reads its files, so the map itself
    draws at the speed of a second drawing. Idempotent.
    """
    if _PREPARED:
        return
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    colormaps["tab20"]
    fig = Figure(figsize=(1, 1), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title("Places", fontsize=13)
    ax.set_xlabel("Longitude")
    ax.scatter([0.0], [0.0], label="a place", edgecolors="white")
    ax.legend(fontsize=10)
    fig.canvas.draw()
    _PREPARED.append(True)


def draw_places(
    places: Sequence[str], latitude: Sequence[float], longitude: Sequence[float], title: str
) -> bytes:
    """The map as PNG bytes (150 dpi, A4 landscape's width).

    Args:
        places: Each practice's place.
        latitude: Each practice's latitude (NaN where NHS England's files give none).
        longitude: Each practice's longitude (NaN likewise).
        title: The title, e.g. the ICB and the year.
    """
    # The figure and its Agg canvas, not pyplot: pyplot's import (its backends and
    # interactive state) took longer than drawing the map.
    import numpy as np  # in the drawing process: see the module's docstring
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    place = np.asarray([str(p) for p in places], dtype=object)
    lat = np.asarray(latitude, dtype=np.float64)
    lon = np.asarray(longitude, dtype=np.float64)
    located = ~(np.isnan(lat) | np.isnan(lon))
    names = sorted(set(place.tolist()))
    cmap = colormaps["tab20" if len(names) > 10 else "tab10"]
    fig = Figure(figsize=(11, 7.5), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for k, name in enumerate(names):
        theirs = place == name
        mine = theirs & located
        ax.scatter(
            lon[mine],
            lat[mine],
            s=22,
            color=cmap(k % cmap.N),
            edgecolors="white",
            linewidths=0.4,
            label=f"{name} ({int(theirs.sum())} practices)",
        )
    if located.any():
        ax.set_aspect(1 / math.cos(math.radians(float(lat[located].mean()))))
    ax.set_xlabel("Longitude")
    ax.set_ylabel("Latitude")
    ax.set_title(title, fontsize=13)
    missing = int((~located).sum())
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
    # zlib's fastest level: the same pixels, a file about a tenth larger, written in a
    # third of the time (the drawing's last step, which the command waits for).
    fig.savefig(
        out,
        format="png",
        bbox_inches="tight",
        metadata={"Software": None},
        pil_kwargs={"compress_level": 1},
    )
    return out.getvalue()
