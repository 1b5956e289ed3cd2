"""``xlalloc rebase``: last year's ICB baselines rebased onto this year's ICBs.

Mergers and splits followed practice by practice (:mod:`xlalloc.engine.rebase`), with
the bridge from each old ICB to the new ones and the practices left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pandas as pd
from pydantic import Field

from ..engine.capitation import Component
from ..engine.errors import InputError, Problems, checked, option, renamed
from ..engine.frames import SOURCE_ROW, is_blank
from ..engine.rebase import RebaseSettings
from ..engine.rebase import rebase as rebase_baselines
from ..readers import nhse
from ..readers.tables import read_table
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

__all__ = ["RebaseRequest", "read_icb_baselines", "run"]


class RebaseRequest(Written):
    """Baselines rebased from one year's ICBs onto the next year's (``xlalloc rebase``)."""

    old: Path = Field(description="NHS England's practice file of the old footprint (2025/26)")
    new: Path = Field(description="the practice file of the new footprint (2026/27)")
    output: Path = Field(
        description="NEW_BASELINES.csv (the bridge in NEW_BASELINES-bridge.csv) or .xlsx (a "
        "Bridge sheet with its chart, and Checks)"
    )
    baselines: Path = Field(
        description="CSV/XLSX with columns icb,baseline: every old ICB (code or name) and its £",
        json_schema_extra={"metavar": "BASELINES.csv"},
    )
    component: Component = Field(
        "core", description="the old year's weighted population that shares each baseline"
    )
    unit: float = Field(1.0, description="rounding unit of the parts in £")
    old_year: str | None = Field(None, description="the year in OLD, e.g. 2025/26")
    new_year: str | None = Field(None, description="the year in NEW, e.g. 2026/27")
    blank_as_zero: bool = Field(
        False, description="read blank weighted populations as zero (recorded per practice)"
    )

    arguments: ClassVar[tuple[str, ...]] = ("old", "new", "output", "baselines")


def read_icb_baselines(path: Path, old: pd.DataFrame) -> pd.DataFrame:
    """``icb, baseline`` rows as ``icb_code, icb_name, baseline`` of the old file's ICBs.

    Each ``icb`` is found by code, name or a unique part of its name, as the ``icb`` option is.

    Raises:
        InputError: Every problem: a missing column, an ICB not found or named twice, a
            baseline that is blank or not a number (each naming its row). Its values'
            problems (negative, not whole units) are the engine's, with the rows given by
            ``source_row``.
    """
    frame = read_table(path, numbers=["baseline"], required=["icb", "baseline"])
    problems, rows = Problems(), []
    seen: dict[str, int] = {}
    for _, r in frame.iterrows():
        row = int(r[SOURCE_ROW])
        if is_blank(r["baseline"]):
            problems.add(path.name, "the baseline is blank", row=row, column="baseline")

        try:
            code, name = nhse.find_icb(old, str(r["icb"] or ""), where=path.name)
        except InputError as e:
            for p in e.problems:
                problems.add(path.name, p.message, row=row, column="icb")
            continue
        if code in seen:
            problems.add(
                path.name,
                f"{code} {name} is given twice (rows {seen[code]} and {row}); give each "
                "old ICB once",
                row=row,
                column="icb",
            )
            continue
        seen[code] = row
        rows.append((code, name, r["baseline"], row))
    problems.raise_if_any()
    return pd.DataFrame(rows, columns=["icb_code", "icb_name", "baseline", SOURCE_ROW])


def run(request: RebaseRequest) -> Analysis:
    """Each old ICB's baseline split among the new ICBs its practices moved to.

    Raises:
        InputError: Every input problem.
    """
    from ..workbook.rebase_book import write_rebase

    r = request
    out = r.checked_output(r.old, r.new, r.baselines, sidecars=("bridge", "left_out"))
    settings = checked(
        RebaseSettings,
        {"component": r.component, "unit": r.unit},
        where={"component": option("component"), "unit": option("unit")},
        rates=(),
    )
    blank = nhse.BlankWP.ZERO if r.blank_as_zero else nhse.BlankWP.ERROR
    old = nhse.load_practices(r.old, r.old_year, blank_wp=blank)
    new = nhse.load_practices(r.new, r.new_year, blank_wp=blank)
    same = sorted(set(old["year"]) & set(new["year"]))
    if same:
        raise InputError(
            f"{r.old.name} and {r.new.name} are both {', '.join(same)}: a rebase moves last "
            "year's baselines onto this year's ICBs; give last year's file first, then "
            "this year's",
            where=r.new.name,
        )
    given = read_icb_baselines(r.baselines, old)
    try:
        result = rebase_baselines(
            old,
            new,
            given.set_index("icb_code")["baseline"],
            settings,
            rows=dict(zip(given["icb_code"], given[SOURCE_ROW])),
        )
        given = given.drop(columns=SOURCE_ROW)  # the rows were for the messages
    except InputError as e:
        raise renamed(e, {"baselines": r.baselines.name}) from None
    tables = {"Baselines": result.baselines, "Bridge": result.bridge, "Left out": result.left_out}
    if out.suffix.lower() == ".csv":
        path = _write(out, tables, r)
    else:
        path = write_rebase(out, given, result, r.look(), settings.unit)
    splits = result.bridge.groupby("old_code")["new_code"].nunique()
    summary = (
        f"{len(given)} old ICBs' baselines (£{given['baseline'].sum():,.0f}) on "
        f"{len(result.baselines)} new ICBs (£{result.baselines['baseline'].sum():,.0f}); "
        f"{int((splits > 1).sum())} old ICB(s) split; wrote {out}"
    )
    notes = []
    if len(result.left_out):
        counts = result.left_out["in_file"].value_counts()
        notes.append(
            f"{int(counts.get('old', 0))} practice(s) only in the old file and "
            f"{int(counts.get('new', 0))} only in the new take no part (listed: Left out)"
        )
    return Analysis(path, tables, summary, notes=notes)
