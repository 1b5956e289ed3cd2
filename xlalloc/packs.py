"""Monthly reporting packs, regenerated headless from the model workbook and a ledger.

One pack per place and an ICB summary, each filled into the pack template
(:mod:`xlalloc.workbook.packs`): budget against actual by care programme with a
run-rate forecast, need-based target and distance from target, the convergence
trajectory, charts, notes, and (ICB summary) every ledger row that could not be
reported, with a reconciliation to the ledger total.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .engine.errors import InputError
from .engine.monitoring import (
    MONTH_NAMES,
    budget_vs_actual,
    phase_budgets,
    read_ledger,
    reconcile,
)
from .model.runner import ModelResult
from .workbook.packs import PackData, build_template, fill_pack

SUMMARY_FILE = "ICB summary.xlsx"


@dataclass
class PackRun:
    """What a pack run wrote and found."""

    paths: list[Path]
    bva: pd.DataFrame
    exceptions: pd.DataFrame
    reconciliation: pd.DataFrame


def slug(name: str) -> str:
    """A file-name-safe version of a place name."""
    return re.sub(r"[^A-Za-z0-9 _-]+", "", name).strip() or "place"


def read_actuals(path: str | Path) -> pd.DataFrame:
    """Read a ledger extract (CSV or the first sheet of a workbook) as text and numbers."""
    from .inputs import read_table

    return read_table(path)


def read_phasing(path: str | Path | None) -> pd.Series | None:
    """A phasing profile file with columns ``month, share``."""
    if path is None:
        return None
    df = read_actuals(path)
    if not {"month", "share"} <= set(df.columns):
        raise InputError("phasing needs columns 'month' and 'share'", where=str(path))
    return pd.Series(pd.to_numeric(df["share"]).to_numpy(),
                     index=pd.to_numeric(df["month"]).astype(int))


def make_packs(result: ModelResult, ledger_frame: pd.DataFrame, month: int, out_dir: str | Path,
               template: str | Path | None = None, places: Sequence[str] | None = None,
               phasing: pd.Series | None = None, threshold: float = 0.05,
               progress: Callable[[str], None] | None = None) -> PackRun:
    """Write one pack per place and an ICB summary for ``month``.

    Raises:
        InputError: The model has no apportioned budget, a requested place is unknown,
            or the ledger lacks columns. Bad ledger rows are exceptions, not errors.
    """
    if result.apportionment is None:
        raise InputError("packs need an apportioned budget: add budget lines to the model",
                         where="Budget")
    step = progress or (lambda _s: None)
    a = result.apportionment
    all_places = [c for c in a.table1.columns if c != "Total"]
    programmes = [p for p in a.table1.index if p != "Total"]
    wanted = list(places) if places else all_places
    unknown = [p for p in wanted if p not in all_places]
    if unknown:
        raise InputError(f"unknown place(s) {unknown}; places are {all_places}",
                         where="--place")
    practices = result.inputs.practices
    ledger = read_ledger(ledger_frame, all_places, programmes,
                         dict(zip(practices["practice_code"], practices["place"])))
    annual = (a.cells.groupby(["place", "programme"], sort=False)["amount"].sum()
              .rename("budget").reset_index())
    unit = float(result.inputs.params.get("rounding_unit") or 1)  # type: ignore[arg-type]
    monthly = phase_budgets(annual, phasing, unit)
    bva = budget_vs_actual(monthly, ledger, month, threshold)
    recon = reconcile(ledger, month)
    year = str(result.inputs.params.get("financial_year") or "")
    period = f"Month {month} ({MONTH_NAMES[month - 1]}) {year}".strip()
    icb = str(result.inputs.params.get("icb_name") or "ICB")
    targets = result.targets.set_index("place")
    first = (next(iter(result.convergence.years.values())).table.set_index("org")
             if result.convergence is not None else None)
    traj = (result.convergence.trajectory.set_index("org").T
            if result.convergence is not None else None)
    comp = str(result.inputs.params.get("target_component") or "core")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = [
        f"Budgets: the ICB's budget apportioned by care programme and place "
        f"(£{a.table1.loc['Total', 'Total']:,.0f} in all), phased "
        + ("by twelfths." if phasing is None else "by the phasing profile given."),
        f"Actuals: ledger to month {month}; forecast outturn = actual to date / {month} × 12.",
        f"Variance = actual less budget (positive: overspend); lines beyond ±{threshold:.0%} "
        "are highlighted.",
        f"Target: need-based share of the ICB budget by {comp} weighted population.",
        f"Ledger rows not reported: {len(ledger.exceptions)} (listed in the ICB summary).",
    ]

    def prog_table(rows: pd.DataFrame) -> pd.DataFrame:
        g = rows.groupby("programme", sort=False)[["annual_budget", "ytd_budget",
                                                    "ytd_actual"]].sum()
        return g.reindex(programmes).fillna(0.0).reset_index()

    paths = []
    for place in wanted:
        step(place)
        rows = bva[bva["place"] == place]
        tgt = targets.loc[place]
        measures = [("Target share", None, tgt["target_share"]),
                    ("Need-based target", tgt["target"], None),
                    ("Apportioned budget", a.table1.loc["Total", place], None),
                    (f"Need index ({comp})", None, tgt[f"{comp}_index"])]
        dft = None
        if first is not None:
            dft = float(first.loc[place, "dft_before"])
            measures += [("Baseline", first.loc[place, "baseline"], None),
                         ("Baseline distance from target", None, dft)]
        tdf = pd.DataFrame(measures, columns=["measure", "value", "index"])
        trajectory = (pd.DataFrame({"year": traj.index, place: traj[place].to_numpy()})
                      if traj is not None else pd.DataFrame({"year": [], place: []}))
        data = PackData(title=place, period=period, icb=icb, month=month, threshold=threshold,
                        programmes=prog_table(rows), targets=tdf, trajectory=trajectory,
                        notes=notes, target=float(tgt["target"]), dft=dft)
        paths.append(fill_pack(_template(template), data, out_dir / f"{slug(place)}.xlsx"))
    step("ICB summary")
    by_place = bva.groupby("place", sort=False)[["annual_budget", "ytd_budget",
                                                 "ytd_actual"]].sum().reindex(all_places)
    by_place["variance"] = by_place["ytd_actual"] - by_place["ytd_budget"]
    tdf = pd.DataFrame([("ICB budget", result.budget_total, None),
                        ("Apportioned budget", a.table1.loc["Total", "Total"], None)],
                       columns=["measure", "value", "index"])
    trajectory = (traj.rename_axis("year").reset_index() if traj is not None
                  else pd.DataFrame({"year": []}))
    data = PackData(title="ICB summary", period=period, icb=icb, month=month,
                    threshold=threshold, programmes=prog_table(bva), targets=tdf,
                    trajectory=trajectory, notes=notes, target=result.budget_total,
                    places=by_place.rename_axis("place").reset_index(),
                    exceptions=ledger.exceptions, reconciliation=recon)
    paths.append(fill_pack(_template(template), data, out_dir / SUMMARY_FILE))
    return PackRun(paths, bva, ledger.exceptions, recon)


def _template(template: str | Path | None) -> Any:
    return build_template() if template is None else Path(template)


def build_packs(model: str | Path, actuals: str | Path, month: int, out_dir: str | Path,
                template: str | Path | None = None, places: Sequence[str] | None = None,
                phasing: str | Path | None = None, threshold: float = 0.05,
                progress: Callable[[str], None] | None = None) -> PackRun:
    """Run the model workbook and write its packs (the ``xlalloc pack`` command)."""
    from .model.reader import read_model
    from .model.runner import run_model

    result = run_model(read_model(model))
    return make_packs(result, read_actuals(actuals), month, out_dir, template, places,
                      read_phasing(phasing), threshold, progress)


def build_packs_for_book(book: Any) -> list[Path]:
    """The ribbon's ``packs`` action: parameters from the Policy sheet."""
    from .excel.macros import read_inputs
    from .model.runner import run_model

    result = run_model(read_inputs(book))
    p = result.inputs.params
    missing = [k for k in ("pack_actuals", "pack_month", "pack_dir") if p.get(k) in (None, "")]
    if missing:
        raise InputError(f"set {missing} on the Policy sheet to build packs", where="Policy")
    run = make_packs(result, read_actuals(str(p["pack_actuals"])), int(p["pack_month"]),  # type: ignore[call-overload]
                     str(p["pack_dir"]), threshold=float(p.get("pack_threshold") or 0.05))  # type: ignore[arg-type]
    book.alert(f"Wrote {len(run.paths)} packs to {p['pack_dir']}; "
               f"{len(run.exceptions)} ledger row(s) listed as exceptions.")
    return run.paths
