"""Why a place spends above or below its need: activity volume and unit cost, in pounds.

NHS England's variations tool for specialised services (the PSS allocations workbook,
``nhsengland/PSS_Allocations``) splits spend per head of population into patients per head
times spend per patient, each against a comparator, so that a variation reads as "more
activity" or "dearer activity". The same identity serves a place and a care programme
with the ICB as the comparator, and the need-weighted population as the head count.

For a place and programme with spend ``S``, activity ``N`` (records: spells,
attendances, items; the rows of the activity data) and need ``W`` (the weighted
population of the component the programme's lines are shared by), and the ICB's ``S*``,
``N*`` and ``W*`` over all places:

* spend index ``(S/W) / (S*/W*)`` = activity index ``(N/W) / (N*/W*)`` × cost index
  ``(S/N) / (S*/N*)``, exactly;
* spend above need ``S − W·S*/W*`` = **volume** ``(N − W·N*/W*) · S*/N*`` + **price**
  ``S − N·S*/N*`` (``N·(S/N − S*/N*)``), exactly: the volume is the cost, at the ICB's
  cost per unit, of the activity above what the place's need would have at the ICB's
  rate; the price is what the place's own activity cost above the ICB's cost per unit.

The pounds are rounded to the penny by controlled rounding (:mod:`.controlled`) of each
programme's table of places by volume and price: each figure is within a penny of its
exact value and volume + price is the spend above need, to the penny, on every row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .apportionment.core import default_chain
from .controlled import controlled_round
from .errors import InputError, Problems, quoted
from .rounding import round_half_up

__all__ = [
    "DRIVER_COLUMNS",
    "MIN_ACTIVITY_SOURCE",
    "DriversResult",
    "DriversSettings",
    "driver_sentence",
    "drivers",
    "drivers_of",
    "drivers_units",
]

#: Why too few records cannot be read: a count's own chance variation.
MIN_ACTIVITY_SOURCE = (
    "a count of n events varies by chance with a relative standard error of about 1/√n "
    "(Poisson): 100 records keep it within 10%, as public health statistics suppress or "
    "flag rates on small counts (ONS and OHID practice)"
)

#: The table's columns (machine names of the column registry).
DRIVER_COLUMNS = (
    "programme",
    "place",
    "spend",
    "activity",
    "need",
    "spend_index",
    "activity_index",
    "cost_index",
    "above_need",
    "volume",
    "price",
    "too_small",
)


class DriversSettings(BaseModel):
    """Parameters of the drivers of spend."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_activity: int = Field(
        100,
        ge=0,
        description="a place and programme with fewer activity records than this is "
        "marked too small to read: its indices swing with a few records",
        json_schema_extra={"source": MIN_ACTIVITY_SOURCE},
    )
    unit: float = Field(
        0.01, gt=0, description="the pounds are rounded to this unit (0.01: a penny)"
    )


@dataclass
class DriversResult:
    """The drivers of each place's spend against its need, programme by programme.

    Attributes:
        table: One row per programme and place, then the programme's ICB row (``place``
            ``ICB``): :data:`DRIVER_COLUMNS`. Indices are blank where a denominator is 0.
        sentences: One sentence per programme and place naming the larger driver.
        settings: The settings used.
        notes: Programmes left out, and why.
    """

    table: pd.DataFrame
    sentences: pd.DataFrame
    settings: DriversSettings
    notes: list[str] = field(default_factory=list)


ICB = "ICB"


def drivers(
    units: pd.DataFrame, settings: DriversSettings | None = None, where: str = "drivers"
) -> DriversResult:
    """Spend against need split into activity volume and unit cost, by programme and place.

    Args:
        units: ``programme, place, spend, activity, need``: one row per programme and
            place (a place with no activity for a programme has spend and activity 0).
        settings: :class:`DriversSettings` (default: 100 records, pennies).
        where: The input's name, for messages.

    Returns:
        A :class:`DriversResult`.

    Raises:
        InputError: A missing column, a negative figure, a place with no need, or a
            programme and place given twice (every problem at once).
    """
    s = settings or DriversSettings()
    frame = _checked(units, where)
    tables, notes = [], []
    for programme, g in frame.groupby("programme", sort=False):
        if g["activity"].sum() <= 0 or g["spend"].sum() <= 0:
            notes.append(
                f"programme {programme!r} has no activity with spend: its drivers cannot be read"
            )
            continue
        tables.append(_programme(g.reset_index(drop=True), s))
    table = (
        pd.concat(tables, ignore_index=True)
        if tables
        else pd.DataFrame(columns=list(DRIVER_COLUMNS))
    )
    rows = table[table["place"] != ICB]
    sentences = pd.DataFrame(
        {
            "programme": rows["programme"].to_numpy(),
            "place": rows["place"].to_numpy(),
            "sentence": [driver_sentence(r, s.min_activity) for _, r in rows.iterrows()],
        }
    )
    return DriversResult(table, sentences, s, notes)


def _checked(units: pd.DataFrame, where: str) -> pd.DataFrame:
    """The input with its numbers as floats, or every problem with it at once."""
    problems = Problems()
    need = ["programme", "place", "spend", "activity", "need"]
    missing = [c for c in need if c not in units.columns]
    if missing:
        raise InputError(
            f"missing column(s) {quoted(missing)}; expected {quoted(need)}", where=where
        )
    frame = units[need].copy()
    for c in ("spend", "activity", "need"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
        for k in np.flatnonzero(~np.isfinite(frame[c].to_numpy()) | (frame[c].to_numpy() < 0)):
            problems.add(
                where,
                f"{c} {_given(units[c].iloc[k])} for {frame['place'].iloc[k]} "
                f"({frame['programme'].iloc[k]}) is not a number of 0 or more",
                row=int(k) + 1,
                column=c,
            )
    for k in np.flatnonzero(frame["need"].to_numpy() == 0):
        problems.add(
            where,
            f"{frame['place'].iloc[k]} has no need for {frame['programme'].iloc[k]}; "
            "expected its weighted population",
            row=int(k) + 1,
            column="need",
        )
    twice = frame.duplicated(["programme", "place"], keep="first")
    for k in np.flatnonzero(twice.to_numpy()):
        problems.add(
            where,
            f"{frame['place'].iloc[k]} ({frame['programme'].iloc[k]}) is given twice",
            row=int(k) + 1,
        )
    problems.raise_if_any()
    return frame


def _given(value: object) -> str:
    """A value as the user gave it: a number as written, text in quotes."""
    if isinstance(value, int | float | np.integer | np.floating):
        return f"{float(value):,g}"
    return f"'{value}'"


def _programme(g: pd.DataFrame, s: DriversSettings) -> pd.DataFrame:
    """One programme's places and its ICB row."""
    S, N, W = (g[c].to_numpy(dtype=float) for c in ("spend", "activity", "need"))
    St, Nt, Wt = S.sum(), N.sum(), W.sum()
    spend_rate, activity_rate, cost = St / Wt, Nt / Wt, St / Nt
    with np.errstate(divide="ignore", invalid="ignore"):
        spend_index = (S / W) / spend_rate
        activity_index = (N / W) / activity_rate
        cost_index = np.where(N > 0, (S / np.where(N > 0, N, 1)) / cost, np.nan)
    volume = (N - W * activity_rate) * cost
    price = S - N * cost
    rounded = controlled_round(np.column_stack([volume, price]), s.unit)
    out = pd.DataFrame(
        {
            "programme": g["programme"].to_numpy(),
            "place": g["place"].astype(str).to_numpy(),
            "spend": S,
            # Records are whole numbers (shown as counts); a count column may not be.
            "activity": N.astype("int64") if np.all(N == np.round(N)) else N,
            "need": W,
            "spend_index": spend_index,
            "activity_index": activity_index,
            "cost_index": cost_index,
            # Volume + price, in whole units (two pennies added in floats carry noise).
            "above_need": np.round(rounded.sum(axis=1) / s.unit) * s.unit,
            "volume": rounded[:, 0],
            "price": rounded[:, 1],
            "too_small": N < s.min_activity,
        }
    )
    icb = {
        "programme": g["programme"].iloc[0],
        "place": ICB,
        "spend": St,
        "activity": int(Nt) if Nt == round(Nt) else Nt,
        "need": Wt,
        "spend_index": 1.0,
        "activity_index": 1.0,
        "cost_index": 1.0,
        # Each total in whole units (a sum of pennies in floats carries noise).
        **{
            c: float(np.round(out[c].sum() / s.unit) * s.unit)
            for c in ("above_need", "volume", "price")
        },
        "too_small": bool(Nt < s.min_activity),
    }
    return pd.concat([out, pd.DataFrame([icb])], ignore_index=True)


def _money(x: float) -> str:
    """An amount in whole pounds as a sheet shows it (halves away from zero), unsigned."""
    return f"£{float(round_half_up(abs(float(x)), 0)):,.0f}"


def driver_sentence(row: pd.Series, min_activity: int) -> str:
    """One place and programme's variation in words, the larger driver named first.

    "Basildon's Acute spend is £4,100,000 above its need: £3,200,000 from more activity
    per weighted head and £900,000 from a higher cost per record."
    """
    who = f"{row['place']}'s {row['programme']} spend"
    if row["too_small"]:
        return (
            f"{who}: {row['activity']:,.0f} activity records, fewer than the "
            f"{min_activity:,} needed to read its drivers (too small to read)."
        )
    total = float(row["volume"]) + float(row["price"])
    if round(total) == 0:
        head = f"{who} is at its need"
    else:
        head = f"{who} is {_money(total)} {'above' if total > 0 else 'below'} its need"
    parts = [
        (
            abs(float(row["volume"])),
            f"{_money(row['volume'])} from "
            f"{'more' if row['volume'] > 0 else 'less'} activity per weighted head",
        ),
        (
            abs(float(row["price"])),
            f"{_money(row['price'])} from a "
            f"{'higher' if row['price'] > 0 else 'lower'} cost per record",
        ),
    ]
    parts.sort(key=lambda p: -p[0])
    (_, first), (smaller, second) = parts
    if _money(smaller) == "£0":  # one driver only: the other shows as nothing
        return f"{head}, all of it from {first.split(' from ', 1)[1]}."
    same = (float(row["volume"]) >= 0) == (float(row["price"]) >= 0)
    return f"{head}: {first}{' and ' if same else ', offset by '}{second}."


def drivers_units(
    activity: pd.DataFrame,
    practices: pd.DataFrame,
    budget: pd.DataFrame,
    default_component: Callable[[str], str],
) -> tuple[pd.DataFrame, list[str]]:
    """Each programme and place's spend, activity and need, from activity records.

    Args:
        activity: ``line, practice_code, amount`` and, where a row stands for several
            records (an extract's totals), ``rows``: one record a row otherwise.
        practices: The year's practices: ``practice_code, place`` and each component's
            weighted population (``core`` ...).
        budget: The budget lines: ``line, programme, component`` (blank: the
            programme's default, ``default_component``).
        default_component: A programme's default component (the apportionment's).

    Returns:
        ``programme, place, spend, activity, need`` (every place, for every programme
        with activity), and notes: the records with no practice, left out; a programme
        whose lines use several components, read by the one with the most spend.
    """
    notes: list[str] = []
    rows = activity.assign(records=activity["rows"].fillna(1.0) if "rows" in activity else 1.0)
    unknown = rows["practice_code"].isna()
    if unknown.any():
        notes.append(
            f"{float(rows.loc[unknown, 'records'].sum()):,.0f} activity record(s) with no "
            f"practice (£{float(rows.loc[unknown, 'amount'].sum()):,.2f}) are in no place: "
            "left out of the drivers"
        )
    place_of = dict(zip(practices["practice_code"], practices["place"]))
    rows = rows[~unknown].assign(place=lambda f: f["practice_code"].map(place_of))
    # Each line's programme and component, worked out once a line (not once a record).
    lines = budget.drop_duplicates("line").set_index("line")
    component_of = {
        str(ln): (
            default_component(str(r["programme"]))
            if pd.isna(r["component"]) or str(r["component"]).strip() == ""
            else str(r["component"]).strip()
        )
        for ln, r in lines.iterrows()
    }
    rows = rows[rows["line"].isin(lines.index) & rows["place"].notna()]
    rows = rows.assign(
        programme=rows["line"].map(lines["programme"]),
        component=rows["line"].map(component_of),
    )
    places = sorted(practices["place"].unique())
    out = []
    for programme, g in rows.groupby("programme", sort=False):
        by_comp = g.groupby("component")["amount"].sum().sort_values(ascending=False)
        comp = str(by_comp.index[0])
        if len(by_comp) > 1:
            notes.append(
                f"programme {programme!r}: its activity lines use {len(by_comp)} weighted "
                f"populations; its need is read as {comp}, the one with the most spend"
            )
        sums = g.groupby("place")[["amount", "records"]].sum()
        need = practices.groupby("place")[comp].sum()
        out.append(
            pd.DataFrame(
                {
                    "programme": programme,
                    "place": places,
                    "spend": sums["amount"].reindex(places, fill_value=0.0).to_numpy(),
                    "activity": sums["records"]
                    .reindex(places, fill_value=0.0)
                    .round()
                    .astype("int64")
                    .to_numpy(),
                    "need": need.reindex(places, fill_value=0.0).to_numpy(dtype=float),
                }
            )
        )
    cols = ["programme", "place", "spend", "activity", "need"]
    return (pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=cols)), notes


def drivers_of(
    activity: pd.DataFrame,
    practices: pd.DataFrame,
    budget: pd.DataFrame,
    settings: DriversSettings | None = None,
) -> tuple[DriversResult | None, list[str]]:
    """The drivers of spend from a model's activity records (its part's and the command's).

    Each line's need is the weighted population of its component, or its programme's
    default one as the apportionment takes it (:func:`~.apportionment.core.default_chain`).

    Returns:
        The result (``None`` without activity for a budget line) and the notes: what was
        left out, and why.
    """
    units, notes = drivers_units(activity, practices, budget, lambda g: default_chain(g)[1])
    if not len(units):
        return None, notes
    result = drivers(units, settings or DriversSettings(), where="Activity")
    return result, [*notes, *result.notes]
