"""The Drivers sheet (the drivers part): why each place spends above or below its need."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import pandas as pd

from ...engine.drivers import DRIVER_COLUMNS, DriversResult
from ...model.labels import label, money_label, number_format
from ...model.runner import ModelResult
from ..sheetspec import ChartSpec, Drawing, Look, SheetSpec, col
from ..tables import MONEY, spanned_block
from .common import HEADER_ROW, Ranges, output_sheet, zero_checks

#: The sheet's columns: the place, then the figures (the programme is each block's title).
COLUMNS = DRIVER_COLUMNS[1:]
_AT = {name: k + 1 for k, name in enumerate(COLUMNS)}
L = {name: col(k) for name, k in _AT.items()}
#: What the sheet says of the method, above the blocks.
METHOD = (
    "Spend per weighted head = activity per weighted head × cost per record, each "
    "against the ICB (= 1). "
    "Spend above need = spend − need × the ICB's spend per weighted head, split into activity "
    "volume ((records − need × the ICB's records per need) × the ICB's cost per record) "
    "and cost per record (spend − records × the ICB's cost per record), which add to it "
    "(after NHS England's PSS variations tool). Pounds to the penny by controlled rounding."
)


#: Rows a chart covers (6.5 cm at the default row height, with room to spare).
CHART_ROWS = 15


def _drivers_sheets(
    result: ModelResult, rng: Ranges, checks: list[tuple[str, str]], look: Look
) -> list[SheetSpec]:
    return [drivers_sheet(result.drivers, look, checks)]


def drivers_sheet(
    res: DriversResult | None, look: Look, checks: list[tuple[str, str]] | None = None
) -> SheetSpec:
    """The Drivers sheet: a block per programme (the model's, and ``xlalloc drivers``')."""
    checks = [] if checks is None else checks
    d = output_sheet("Drivers", "Why each place spends above or below its need", look)
    d.header_width = 9  # headers wrap: eleven columns across one landscape page
    # Each programme's table is kept on a page of its own: no header repeated above the
    # sentences or the chart of another block.
    d.repeat_header = False
    if res is None or not len(res.table):
        d.note(
            HEADER_ROW,
            1,
            "No activity records: add them on the Activity sheet (or run with extracts: "
            "'xlalloc run MODEL.xlsx --activity EXTRACT.csv') and each place's spend is "
            "split into activity volume and cost here.",
        )
        return d.spec()
    d.put(HEADER_ROW, 1, METHOD, span=len(COLUMNS), wrap=True)
    row = HEADER_ROW + 2
    for k, (programme, block) in enumerate(res.table.groupby("programme", sort=False)):
        # The first programme's page opens with the method above it.
        keep_from = HEADER_ROW if k == 0 else row
        row = programme_block(d, str(programme), block, res, row, checks, look.money, keep_from)
        row += 3
    return d.spec()


def programme_block(
    d: Drawing,
    programme: str,
    block: pd.DataFrame,
    res: DriversResult,
    row: int,
    checks: list[tuple[str, str]],
    money: str = "£",
    keep_from: int | None = None,
) -> int:
    """One programme's places and ICB, its chart and its sentences; its last row.

    A few places: the chart and the sentences side by side below the table, all on one
    page. More than :data:`MANY_PLACES`: the sentences across the page below the table,
    and the chart, larger, on a page of its own (never split across two).
    """
    d.note(row, 1, f"{programme}: spend against need by place", bold=True, size=12)
    d.header(row + 1, 1, [money_label(label(c), money) for c in COLUMNS])
    first = row + 2
    icb = first + len(block) - 1
    for i, r in enumerate(block.itertuples(index=False)):
        _figures(d, first + i, r, first, icb)
    checks += [
        (
            f"Drivers {programme}: {label(name).split(' (')[0].lower()} across the places",
            f"=ROUND(Drivers!{L[name]}{icb},2)",
        )
        for name in ("volume", "price")
    ]
    chart = ChartSpec(
        title=f"{programme}: activity and cost per record against the ICB (= 1)",
        y_title="Cost per record (ICB = 1)",
        x_title="Activity per weighted head (ICB = 1)",
        y_format="0.00",
        min_col=_AT["activity_index"],
        max_col=_AT["cost_index"],
        header_row=first - 1,
        first_row=first,
        last_row=icb - 1,
        anchor=f"A{icb + 3}",
        width=14,
        height=6.5,
        kind="scatter",
        first_series_col=_AT["cost_index"],
        name_col=1,
        cross=1.0,
        legend_position="r",
    )
    why = res.sentences[res.sentences["programme"] == programme][["place", "sentence"]]
    if len(block) - 1 <= MANY_PLACES:
        d.charts.append(chart)
        end = _sentences(d, programme, why, icb + 3)
        d.keep_together(row if keep_from is None else keep_from, end)
        return end
    d.keep_together(row if keep_from is None else keep_from, icb)  # the table on a page
    d.breaks.append(icb + 3)  # the sentences on a page of their own, then the chart
    end = spanned_block(d, icb + 3, f"Why, {programme}", why, [1, len(COLUMNS) - 1])
    at = end + 3
    d.chart_below(replace(chart, anchor=f"A{at}", width=22, height=13))
    d.breaks.append(at + BIG_CHART_ROWS)  # what follows starts a page of its own
    return at + BIG_CHART_ROWS - 3


#: More places than this: the chart on a page of its own, the sentences across the page.
MANY_PLACES = 6
#: Rows the chart of many places covers (13 cm at the default row height, with room).
BIG_CHART_ROWS = 28
#: The first column of the sentences beside the chart (G: the chart covers A to F).
WORDS_COL = 7


def _sentences(d: Drawing, programme: str, why: pd.DataFrame, row: int) -> int:
    """Each place's sentence beside the chart, the larger driver first; the block's end."""
    span = len(COLUMNS) - WORDS_COL + 1
    d.note(row, WORDS_COL, f"Why, {programme}", bold=True)
    for k, sentence in enumerate(why["sentence"]):
        d.put(row + 1 + k, WORDS_COL, sentence, span=span, wrap=True)
    return max(row + CHART_ROWS, row + len(why))


def _figures(d: Drawing, at: int, r: Any, first: int, icb: int) -> None:
    """A place's (or the ICB's) row: its figures, and the indices as formulas."""
    last = icb - 1
    is_icb = at == icb
    for name in ("place", "spend", "activity", "need"):
        value = getattr(r, name)
        if is_icb and name != "place":
            text = f"=SUM({L[name]}{first}:{L[name]}{last})"
            d.formula(at, _AT[name], text, number_format(name), bold=True, value=value)
        else:
            d.put(at, _AT[name], value, number_format(name), bold=is_icb)
    B, C, D = (f"{L[n]}{at}" for n in ("spend", "activity", "need"))
    Bi, Ci, Di = (f"${L[n]}${icb}" for n in ("spend", "activity", "need"))
    formulas = {
        "spend_index": f"=({B}/{D})/({Bi}/{Di})",
        "activity_index": f"=({C}/{D})/({Ci}/{Di})",
        "cost_index": f'=IF({C}=0,"",({B}/{C})/({Bi}/{Ci}))',
    }
    for name, text in formulas.items():
        value = getattr(r, name)
        shown = None if isinstance(value, float) and math.isnan(value) else value
        d.formula(at, _AT[name], text, number_format(name), bold=is_icb, value=shown)
    for name in ("volume", "price"):
        value = getattr(r, name)
        if is_icb:
            text = f"=SUM({L[name]}{first}:{L[name]}{last})"
            d.formula(at, _AT[name], text, MONEY, bold=True, value=value)
        else:
            d.put(at, _AT[name], value, MONEY)
    text = f"={L['volume']}{at}+{L['price']}{at}"
    d.formula(at, _AT["above_need"], text, MONEY, bold=is_icb, value=r.above_need)
    d.put(at, _AT["too_small"], "yes" if r.too_small else "", bold=is_icb)


#: The drivers part's drawing function (named in :mod:`xlalloc.model.parts`).
draw = zero_checks(_drivers_sheets)
