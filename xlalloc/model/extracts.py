"""A model's inputs with activity extracts read beside it (``xlalloc run --activity``).

The extracts are read by :mod:`xlalloc.readers.activity` (DuckDB) against the model's own
budget lines and practices; this module joins them to the Activity sheet's rows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..engine.apportionment import reads_data
from ..engine.errors import Problems, rows_text
from ..engine.frames import SOURCE_ROW
from ..readers.activity import ActivityExtract, Known, read_activity

if TYPE_CHECKING:  # imported by the thread that reads the model (below)
    from ..readers.model import ModelInputs

__all__ = ["read_extracts", "read_model_and_extracts", "unread_lines", "with_extracts"]


def _known(inputs: ModelInputs) -> Known:
    """What extracts are checked against: the budget lines, the year's practices, the year."""
    year = inputs.policy.financial_year
    practices = inputs.practices[inputs.practices["year"] == year]["practice_code"]
    lines = [str(x) for x in inputs.budget["line"].dropna()]
    return lines, [str(c) for c in practices], year


def read_extracts(
    inputs: ModelInputs, paths: list[str | Path], columns: dict[str, str] | None = None
) -> ActivityExtract:
    """Activity extracts checked and totalled against a model (``xlalloc run --activity``).

    Lines must be the model's budget lines, practices those of its financial year.

    Raises:
        InputError: Every problem in every extract.
    """
    lines, practices, year = _known(inputs)
    return read_activity(paths, lines, practices, columns, year)


def read_model_and_extracts(
    model: str | Path,
    paths: list[str | Path],
    columns: dict[str, str] | None = None,
    tables: tuple[str, ...] = (),
) -> tuple[ModelInputs, ActivityExtract]:
    """A model's practices and budget lines, and extracts checked against them.

    For ``xlalloc activity`` and ``xlalloc drivers``: the model's Practices, Budget and
    Policy sheets are read (and ``tables`` besides: nothing else) while DuckDB totals the
    extracts, then the totals are checked against them.

    Raises:
        InputError: Every problem in the model's sheets read and in every extract.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        reading = pool.submit(_read_model, model, tables)
        extract = read_activity(paths, columns=columns, known=lambda: _known(reading.result()))
        return reading.result(), extract


def _read_model(model: str | Path, tables: tuple[str, ...]) -> ModelInputs:
    """The model's key sheets and ``tables``, read in the worker thread.

    The model's reader (with the Policy, the engine's settings and the parts it checks
    against) is imported here, in the thread, while DuckDB totals the extracts: about a
    quarter of a second of the command's start-up, paid alongside the query, not before.
    """
    from ..readers.model import KEY_TABLES, read_model  # in the thread: see above

    return read_model(model, (*KEY_TABLES, *tables))


def with_extracts(
    inputs: ModelInputs, paths: list[str | Path], columns: dict[str, str] | None = None
) -> ModelInputs:
    """A model's inputs with activity extracts added to its Activity sheet's rows.

    The extracts are checked against the model's budget lines and its financial year's
    practices, totalled by line and practice, and given to the apportionment exactly as
    Activity sheet rows would be. A line is taken from one place only: a line both on
    the Activity sheet and in an extract is an error, never added twice.

    Raises:
        InputError: Every problem in every extract, or lines given in both places.
    """
    return with_extract(inputs, read_extracts(inputs, paths, columns))


def with_extract(inputs: ModelInputs, extract: ActivityExtract) -> ModelInputs:
    """A model's inputs with extracts already read (:func:`with_extracts`) added.

    Raises:
        InputError: Lines given both on the Activity sheet and in the extracts.
    """
    sheet = inputs.activity
    if len(sheet):
        on_sheet = sheet["line"].astype(object)
        both = [x for x in pd.unique(on_sheet.dropna()) if x in set(extract.values["line"])]
        problems = Problems()
        for line in both:
            rows = sheet.loc[on_sheet == line, SOURCE_ROW].astype(int).tolist()
            problems.add(
                "Activity",
                f"line {line!r} is on the Activity sheet (rows "
                f"{rows_text(rows)}) and in the extracts: give each "
                "line's activity in one place",
                column="line",
            )
        problems.raise_if_any()
    added = extract.values.assign(**{SOURCE_ROW: 0})
    if extract.records is not None:  # each row totals this many records (the drivers)
        added = added.assign(rows=extract.records.to_numpy(dtype=float))
    activity = pd.concat([sheet, added], ignore_index=True) if len(sheet) else added
    return replace(inputs, activity=activity, extracts=extract)


def unread_lines(inputs: ModelInputs, extract: ActivityExtract) -> list[str]:
    """A warning for each line the extracts hold money for that its methods do not read.

    A run shares such a line by its other methods; the extracts' money for it is unused.
    """
    totals = extract.line_totals.set_index("line")["amount"]
    out = []
    for _, line in inputs.budget.iterrows():
        name = line["line"]
        if name in totals.index and not reads_data(line):
            out.append(
                f"line {name!r}: the extracts hold £{totals[name]:,.2f} for it, but its "
                "methods do not read activity (they share it by weighted population or "
                "splits), so a run will not use this money: add practice_data to its "
                "methods on the Budget sheet, or leave the line out of the extracts"
            )
    return out
