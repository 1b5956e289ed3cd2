"""The map of practices by place: a picture with a colour per place."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from xlalloc.workbook.places_map import places_map_png

pytest.importorskip("matplotlib")


def test_each_place_is_drawn_in_its_own_colour():
    from matplotlib import colormaps
    from PIL import Image

    points = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3", "P4"],
            "place": ["North", "North", "South", "South"],
            "latitude": [53.8, 53.81, 53.2, None],
            "longitude": [-1.5, -1.51, -1.4, None],
        }
    )
    png = places_map_png(points, "Practices by place")
    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours = {
        image.getpixel((x, y)) for x in range(0, image.width, 2) for y in range(0, image.height, 2)
    }
    tab10 = colormaps["tab10"]
    for k in (0, 1):  # North, South (sorted): the first two colours of the palette
        rgb = tuple(round(255 * c) for c in tab10(k)[:3])
        assert any(sum(abs(a - b) for a, b in zip(rgb, c)) < 6 for c in colours), (k, rgb)
    assert places_map_png(points, "Practices by place") == png  # reproducible
