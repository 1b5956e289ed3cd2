"""A map of the practices coloured by place: a mapping error shows at a glance.

NHS England's practice files give each practice's latitude and longitude. The picture
(matplotlib, of the ``excel`` extra) plots them, one colour per place, with each place's
practice count in the legend, so a practice put in the wrong place stands out as a dot
of another colour among its neighbours. Longitude is scaled by the cosine of the mean
latitude, so distances look as they are on the ground.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["places_map_png", "write_places_map"]


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


def write_places_map(
    path: str | Path, practices: pd.DataFrame, files: list[str | Path], title: str
) -> Path:
    """Write the map of ``practices`` (``practice_code, place``) located from ``files``."""
    from ..readers.nhse import practice_locations
    from .files import atomic_write

    where = practice_locations(files)
    points = practices[["practice_code", "place"]].drop_duplicates("practice_code")
    points = points.merge(where, on="practice_code", how="left")
    return atomic_write(Path(path), places_map_png(points, title))
