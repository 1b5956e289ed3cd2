"""Run every registered part of a model (:mod:`.parts`).

Targets, convergence, apportionment, equity, and any part added with
:func:`~xlalloc.model.parts.register`.

Pure: validated frames in (:class:`~xlalloc.readers.model.ModelInputs`), result
tables out. Workbooks are written elsewhere (:mod:`xlalloc.workbook.model_book` for the
inputs, :mod:`xlalloc.workbook.outputs` for the output sheets).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from ..engine.apportionment import Apportionment
from ..engine.bridge import Bridge
from ..engine.convergence import MultiYearResult
from ..engine.drivers import DriversResult
from ..engine.equity import EquityResult
from ..readers.model import ModelInputs
from .checks import CheckStatus
from .parts import ENGLAND, INTERVAL_COLUMNS, UNMAPPED, RunState, parts
from .provenance import Provenance

__all__ = ["ENGLAND", "INTERVAL_COLUMNS", "UNMAPPED", "ModelResult", "run_model"]


@dataclass
class ModelResult:
    """Every result of a model run: each part's, by part name, and the run's messages.

    ``warnings`` are what may be wrong (practices in no place, columns ignored,
    convergence paused); ``notes`` what the run chose or documented (defaults used, the
    spend equity covers). Both are on the Summary; the command line prints them as
    ``warning:`` and ``note:``.
    """

    inputs: ModelInputs
    results: dict[str, Any]
    warnings: list[str]
    run_at: datetime = field(default_factory=lambda: run_time())
    notes: list[str] = field(default_factory=list)

    @property
    def next_steps(self) -> list[str]:
        """What to fill in next: the input sheets a part needs and the model leaves empty.

        A model built from NHS England's files has practices but no money: its targets
        are shares, and convergence and apportionment have nothing to run on.
        """
        return next_steps(self.inputs)

    @property
    def indices(self) -> pd.DataFrame:
        """Need indices for every year, place and locality (the targets part)."""
        return self.results["targets"].indices

    @property
    def targets(self) -> pd.DataFrame:
        """Targets by place for every year (the targets part)."""
        return self.results["targets"].targets

    @property
    def budget_total(self) -> float:
        """The budget shared by target (the Policy's icb_budget, or the Budget sheet's)."""
        return float(self.results["targets"].budget_total)

    @property
    def convergence(self) -> MultiYearResult | None:
        """Convergence of the baselines, when the Baselines sheet has rows."""
        return self.results.get("convergence")

    @property
    def apportionment(self) -> Apportionment | None:
        """The budget apportioned, when the Budget sheet has lines."""
        return self.results.get("apportionment")

    @property
    def bridges(self) -> dict[str, Bridge]:
        """Each year's place bridge, when baselines were converged (the bridge part)."""
        return self.results.get("bridge") or {}

    @property
    def drivers(self) -> DriversResult | None:
        """The drivers of spend against need, when the model has activity records."""
        return self.results.get("drivers")

    @property
    def equity(self) -> dict[str, EquityResult]:
        """Equity by place and by practice, when the budget was apportioned."""
        return self.results.get("equity") or {}

    @property
    def year(self) -> str:
        """The model's financial year: its apportionment and base targets."""
        return self.inputs.policy.financial_year

    @property
    def summary(self) -> str:
        """Places and years, e.g. ``6 places, targets for 3 years (2026/27 to 2028/29)``."""
        years = self.inputs.years
        text = f"{self.targets['place'].nunique()} places"
        if len(years) > 1:
            text += f", targets for {len(years)} years ({years[0]} to {years[-1]})"
        return text

    @property
    def practices(self) -> pd.DataFrame:
        """The model year's practices (those the apportionment used)."""
        p = self.inputs.practices
        return p[p["year"] == self.year]

    @property
    def unmapped(self) -> pd.DataFrame:
        """Practice rows in the ``Unmapped`` place (the Checks sheet counts them)."""
        p = self.inputs.practices
        return p[p["place"] == UNMAPPED]

    @property
    def check_status(self) -> CheckStatus:
        """The overall check status (``str`` of it: ``all checks 0``, or how many are not 0).

        A successful run reconciles exactly, so the only check that can read other than 0
        is the count of practices in the ``Unmapped`` place (the run's warnings say which).
        """
        unmapped = self.unmapped["practice_code"].nunique()
        return CheckStatus(
            (f"{unmapped} practice(s) in the '{UNMAPPED}' place",) if unmapped else ()
        )

    def provenance(self) -> pd.DataFrame:
        """Where the figures came from: source files, version, run time, check status.

        Columns ``item, value, years, sha256``: one ``source file`` row per file the
        Practices sheet was built from, one ``activity extract`` row per extract read
        beside the model (``xlalloc run --activity``), then ``xlalloc version``, ``run at``, ``check
        status`` and one ``zero-filled`` row per practice and year whose blank weighted
        populations were read as zero.
        """
        prov = Provenance()
        for f, y, h in zip(
            self.inputs.sources.get("file", []),
            self.inputs.sources.get("years", []),
            self.inputs.sources.get("sha256", []),
        ):
            prov.source(f, y, h)
        ext = self.inputs.extracts
        if ext is not None:
            for f, n, h in zip(ext.files["file"], ext.files["rows"], ext.files["sha256"]):
                prov.extract(f, n, h)
        prov.stamp(self.run_at, str(self.check_status))
        prov.zero_filled(self.inputs.practices, "zero_filled")
        return prov.frame()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result tables by name, for notebooks and pipelines.

        Every part's tables, then the provenance.
        """
        out: dict[str, pd.DataFrame] = {}
        for part in parts():
            out.update(part.tables(self))
        out["provenance"] = self.provenance()
        return out


def run_model(
    inputs: ModelInputs,
    progress: Callable[[str], None] | None = None,
    run_at: datetime | None = None,
) -> ModelResult:
    """Run every registered part, in order (:func:`~xlalloc.model.parts.parts`).

    Parts that find input problems report them and the rest still run, so every problem
    is reported together; a part that needs the others' results whole
    (``after_problems``) runs only once they found none.

    Raises:
        InputError: Every problem found by the engine, together.
    """
    run_at = run_at or run_time()
    state = RunState(inputs, progress or (lambda _s: None), run_at=run_at)
    try:
        for part in parts():
            if part.after_problems and state.problems:
                state.join()  # its problems too, all reported together
                state.problems.raise_if_any()
            part.run(state)
        state.join()
    finally:
        state.close()
    state.problems.raise_if_any()
    unmapped = inputs.practices[inputs.practices["place"] == UNMAPPED]
    if len(unmapped):
        state.warnings.append(
            f"{unmapped['practice_code'].nunique()} practice(s) are in the "
            f"'{UNMAPPED}' place: give them a place on the Practices sheet"
        )
    return ModelResult(
        inputs,
        state.results,
        [*inputs.warnings, *state.warnings, *state.messages],
        run_at,
        [*inputs.notes, *state.notes],
    )


#: Each input sheet a part needs, and what it gives the model once filled in.
NEXT_STEPS = (
    (
        "budget",
        "Budget",
        "add the ICB's budget lines (line, programme, amount): targets in £ and the "
        "apportionment by care programme and place",
    ),
    (
        "baselines",
        "Baselines",
        "add each place's current allocation (place, baseline): its distance from target "
        "and convergence toward it",
    ),
    (
        "totals",
        "Totals",
        "add the amount for convergence in each financial year (year, total)",
    ),
)


def next_steps(inputs: ModelInputs) -> list[str]:
    """``"Budget: add ..."`` for each empty input sheet a part needs, in that order."""
    return [
        f"{sheet}: {what}" for attr, sheet, what in NEXT_STEPS if not len(getattr(inputs, attr))
    ]


def run_time() -> datetime:
    """Now, to the second; or ``SOURCE_DATE_EPOCH`` (UTC) when set, for reproducible files.

    See https://reproducible-builds.org/specs/source-date-epoch/.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).replace(tzinfo=None)
    return datetime.now().replace(microsecond=0)
