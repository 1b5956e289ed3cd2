"""The map's drawing from plain lists: the picture the frame gives, prepared once."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from xlalloc.workbook import map_png
from xlalloc.workbook.places_map import places_map_png

pytest.importorskip("matplotlib")


def test_plain_lists_draw_the_picture_the_frame_draws():
    """The drawing process is handed lists (it has no pandas): the same PNG, byte for
    byte, as the frame of practices gives, a practice without a location included."""
    points = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3", "P4"],
            "place": ["North", "North", "South", "South"],
            "latitude": [53.8, 53.81, 53.2, None],
            "longitude": [-1.5, -1.51, -1.4, None],
        }
    )
    png = map_png.draw_places(
        ["North", "North", "South", "South"],
        [53.8, 53.81, 53.2, math.nan],
        [-1.5, -1.51, -1.4, math.nan],
        "Practices by place",
    )
    assert png == places_map_png(points, "Practices by place")
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.height > 1000  # 150 dpi, cropped to its content


def test_prepared_once(monkeypatch):
    """The drawing process prepares (matplotlib imported, its fonts loaded) once, however
    often it is asked (the command asks again when the map begins)."""
    monkeypatch.setattr(map_png, "_PREPARED", [])
    map_png.prepare()
    assert map_png._PREPARED == [True]
    map_png.prepare()
    assert map_png._PREPARED == [True]
