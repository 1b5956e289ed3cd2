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
from typing import Annotated, Any, ClassVar

import pandas as pd
from pydantic import Field

from .engine.errors import InputError, Problem, Problems, did_you_mean, listed, option
from .engine.monitoring import (
    DEFAULT_THRESHOLD,
    MONTH_NAMES,
    PackSettings,
    Reconciliation,
    budget_vs_actual,
    cost_centre_map,
    phase_budgets,
    read_ledger,
    reconcile,
)
from .model.checks import CheckStatus
from .model.labels import label
from .model.runner import ModelResult, run_model
from .readers.ledger import LedgerExtract
from .request import Request
from .workbook.files import check_output
from .workbook.packs import PackData, fill_pack, template_parts
from .workbook.sheetspec import Look

__all__ = [
    "PackRequest",
    "PackRun",
    "build_packs",
    "left_out_note",
    "make_packs",
    "reconciliation_lines",
    "slug",
]

#: The ICB summary's file name before its period (``ICB summary 2026-27 M06.xlsx``).
SUMMARY = "ICB summary"


@dataclass
class PackRun:
    """What a pack run wrote and found."""

    paths: list[Path]
    bva: pd.DataFrame
    exceptions: pd.DataFrame
    reconciliation: pd.DataFrame
    #: The reconciliation's figures (the table above is drawn from them).
    figures: Reconciliation | None = None


def reconciliation_lines(recon: Reconciliation) -> list[str]:
    """The three figures a pack run ends with: reported + left out = the ledger's total."""
    n, m = recon.rows_left_out, recon.month
    if n:
        left = (
            f"left out: £{recon.left_out:,.2f} in {n} row(s), listed on the ICB summary's "
            "Exceptions sheet"
        )
        if recon.unreadable:
            left += f" ({recon.unreadable} of them with no amount that could be read)"
    else:
        left = "left out: £0.00 (every ledger row was reported)"
    return [
        f"ledger total, months 1 to {m}: £{recon.months_total:,.2f}",
        f"reported in the packs: £{recon.reported:,.2f}",
        left,
    ]


def left_out_note(recon: Reconciliation) -> str:
    """The Cover's sentence on what the ledger had that the packs do not show."""
    m = recon.month
    if not recon.rows_left_out:
        return f"Ledger: every row reported; £{recon.reported:,.2f} in months 1 to {m}."
    return (
        f"Ledger: £{recon.reported:,.2f} reported of £{recon.months_total:,.2f} for months "
        f"1 to {m}; £{recon.left_out:,.2f} in {recon.rows_left_out} row(s) left out, listed "
        "in the ICB summary's Exceptions sheet"
        + (f" ({recon.unreadable} with no amount that could be read)." if recon.unreadable else ".")
    )


def slug(name: str) -> str:
    """A file-name-safe version of a place name."""
    return re.sub(r"[^A-Za-z0-9 _-]+", "", name).strip() or "place"


def make_packs(
    result: ModelResult,
    ledger_frame: pd.DataFrame | LedgerExtract,
    month: int,
    out_dir: str | Path,
    template: str | Path | None = None,
    places: Sequence[str] | None = None,
    phasing: pd.Series | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Callable[[str], None] | None = None,
    allow_empty_month: bool = False,
    sources: Sequence[str] = (),
    cost_centres: pd.DataFrame | None = None,
    cost_centres_from: str = "cost-centre map",
    force: bool = False,
    inputs: Sequence[str | Path] = (),
) -> PackRun:
    """Write one pack per place and an ICB summary for ``month``.

    Each file's name carries the place and the period (``Brookvale 2026-27 M06.xlsx``);
    an existing file is replaced only with ``force``, and none of ``inputs`` (the files
    the run read) is ever written over: every pack is checked before any is written.

    ``sources`` names the files the figures came from, for each pack's Cover.
    ``cost_centres`` (``cost_centre, programme, place``, from ``cost_centres_from``)
    maps a ledger coded by cost centre to programmes and places.

    Raises:
        InputError: The model has no apportioned budget, a requested place is unknown,
            or the ledger lacks columns. Bad ledger rows are exceptions, not errors.
    """
    if result.apportionment is None:
        raise InputError(
            "packs need an apportioned budget: add budget lines to the model", where="Budget"
        )
    step = progress or (lambda _s: None)
    a = result.apportionment
    all_places = [c for c in a.table1.columns if c != "Total"]
    programmes = [p for p in a.table1.index if p != "Total"]
    wanted = list(places) if places else all_places
    unknown = [p for p in wanted if p not in all_places]
    if unknown:
        raise InputError(
            [
                Problem(
                    option("place"),
                    f"unknown place '{p}'{did_you_mean(p, all_places)} The model's places are "
                    f"{listed(all_places)}.",
                )
                for p in unknown
            ]
        )
    practices = result.practices
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(
            f"{out_dir} is a file; {option('out')} names the folder the packs go in",
            where=option("out"),
        )
    extract = (
        ledger_frame
        if isinstance(ledger_frame, LedgerExtract)
        else LedgerExtract(ledger_frame, "ledger")
    )
    cc_map = None
    if cost_centres is not None:
        cc_map = cost_centre_map(cost_centres, all_places, programmes, cost_centres_from)
        if "cost_centre" not in extract.frame.columns:
            raise InputError(
                f"{cost_centres_from} maps cost centres, but {extract.file} has no cost centre "
                f"column: name it with {option('columns')} cost_centre=HEADER",
                where=option("columns"),
            )
    elif "cost_centre" in extract.frame.columns and "programme" not in extract.frame.columns:
        raise InputError(
            f"{extract.file} is coded by cost centre: give the map of cost centres to "
            f"programmes and places ({option('map')} MAP.csv, columns cost_centre, "
            "programme, place), or add a CostCentres sheet to the model",
            where=option("map"),
        )
    ledger = read_ledger(
        extract.frame,
        all_places,
        programmes,
        dict(zip(practices["practice_code"], practices["place"])),
        cc_map,
    )
    if not allow_empty_month and not (ledger.rows["month"] == month).any():
        raise InputError(
            f"the ledger has no rows for month {month} ({MONTH_NAMES[month - 1]}):"
            " is it the right extract? Packs would show every budget underspent; "
            f"pass {option('allow_empty_month')} if the month really has no spend",
            where=option("actuals"),
        )
    annual = (
        a.cells.groupby(["place", "programme"], sort=False)["amount"]
        .sum()
        .rename("budget")
        .reset_index()
    )
    policy = result.inputs.policy
    monthly = phase_budgets(annual, phasing, policy.unit)
    bva = budget_vs_actual(monthly, ledger, month, threshold)
    recon = reconcile(ledger, month)
    year = policy.financial_year
    period = f"Month {month} ({MONTH_NAMES[month - 1]}) {year}".strip()
    icb = policy.icb_name or "ICB"
    targets = result.targets[result.targets["year"] == year].set_index("place")
    first = (
        next(iter(result.convergence.years.values())).table.set_index("org")
        if result.convergence is not None
        else None
    )
    traj = (
        result.convergence.trajectory.set_index("org").T if result.convergence is not None else None
    )
    comp = policy.target_component
    tag = period_tag(year, month)
    names = _file_names(wanted, tag)
    check_pack_outputs(out_dir, [*names.values(), summary_name(tag)], inputs, force)
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = [
        f"Budgets: the ICB's budget apportioned by care programme and place "
        f"(£{a.table1.loc['Total', 'Total']:,.0f} in all), phased "
        + ("by twelfths." if phasing is None else "by the phasing profile given."),
        f"Actuals: ledger to month {month}; forecast outturn = actual to date / {month} × 12.",
        "Variance = budget less actual: favourable (underspend) positive, adverse (overspend) "
        f"in brackets; lines beyond {threshold:.0%} either way are highlighted (adverse red, "
        "favourable green).",
        f"Target: need-based share of the ICB budget by {comp} weighted population.",
        left_out_note(recon),
        *extract.notes,
        *(
            [f"Cost centres mapped to programmes and places by {cost_centres_from}."]
            if cc_map is not None
            else []
        ),
    ]
    bad = [] if result.check_status.ok else [f"model: {result.check_status}"]
    if recon.check != 0:
        bad.append(f"ledger reconciliation differs by £{recon.check:,.2f}")
    if recon.rows_left_out:
        bad.append(
            f"ledger: £{recon.reported:,.2f} reported of £{recon.months_total:,.2f} for "
            f"months 1 to {month}; £{recon.left_out:,.2f} in {recon.rows_left_out} row(s) "
            "left out (Exceptions)"
        )
    status = CheckStatus(tuple(bad)).listed()
    prov = result.provenance()
    files = [
        *sources,
        *(
            f"{f} ({y})"
            for f, y in zip(
                prov.loc[prov["item"] == "source file", "value"],
                prov.loc[prov["item"] == "source file", "years"],
            )
        ),
    ]
    common: dict[str, Any] = {
        "period": period,
        "icb": icb,
        "month": month,
        "threshold": threshold,
        "notes": notes,
        "run_at": result.run_at.strftime("%d %b %Y %H:%M"),
        "check_status": status,
        "sources": files,
        "look": Look.of(
            result.run_at, policy.money_unit, policy.protective_marking, policy.paper_size
        ),
    }

    def prog_table(rows: pd.DataFrame) -> pd.DataFrame:
        g = rows.groupby("programme", sort=False)[
            ["annual_budget", "ytd_budget", "ytd_actual"]
        ].sum()
        return g.reindex(programmes).fillna(0.0).reset_index()

    tpl = template_parts(template)
    paths = []
    for place in wanted:
        step(place)
        rows = bva[bva["place"] == place]
        tgt = targets.loc[place]
        measures = [
            ("Target share", tgt["target_share"], "share"),
            (label("target"), tgt["target"], "money"),
            ("Apportioned budget (£)", a.table1.loc["Total", place], "money"),
            (f"Need index ({comp})", tgt[f"{comp}_index"], "index"),
        ]
        dft = None
        if first is not None:
            dft = float(first.loc[place, "dft_before"])
            measures += [
                ("Baseline (£)", first.loc[place, "baseline"], "money"),
                (label("dft_baseline"), dft, "percent"),
            ]
        tdf = pd.DataFrame(measures, columns=["measure", "value", "kind"])
        trajectory = (
            pd.DataFrame({"year": traj.index, place: traj[place].to_numpy()})
            if traj is not None
            else pd.DataFrame({"year": [], place: []})
        )
        data = PackData(
            title=place,
            programmes=prog_table(rows),
            targets=tdf,
            trajectory=trajectory,
            target=float(tgt["target"]),
            dft=dft,
            **common,
        )
        paths.append(fill_pack(tpl, data, out_dir / names[place]))
    step("ICB summary")
    by_place = (
        bva.groupby("place", sort=False)[["annual_budget", "ytd_budget", "ytd_actual"]]
        .sum()
        .reindex(all_places)
    )
    by_place["variance"] = by_place["ytd_budget"] - by_place["ytd_actual"]  # favourable +
    tdf = pd.DataFrame(
        [
            ("ICB budget (£)", result.budget_total, "money"),
            ("Apportioned budget (£)", a.table1.loc["Total", "Total"], "money"),
        ],
        columns=["measure", "value", "kind"],
    )
    trajectory = (
        traj.rename_axis("year").reset_index() if traj is not None else pd.DataFrame({"year": []})
    )
    data = PackData(
        title="ICB summary",
        programmes=prog_table(bva),
        targets=tdf,
        trajectory=trajectory,
        target=result.budget_total,
        places=by_place.rename_axis("place").reset_index(),
        exceptions=ledger.exceptions_to(month),
        recon=recon,
        ledger_file=extract.file,
        **common,
    )
    paths.append(fill_pack(tpl, data, out_dir / summary_name(tag)))
    return PackRun(paths, bva, ledger.exceptions_to(month), recon.table(), recon)


def period_tag(financial_year: str, month: int) -> str:
    """The period a pack's file name carries: ``2026-27 M06`` (``M06`` with no year)."""
    year = financial_year.replace("/", "-").strip()
    return f"{year} M{month:02d}".strip()


def _file_names(places: Sequence[str], tag: str = "") -> dict[str, str]:
    """A distinct file name for each place's pack, with its period.

    ``Name 2026-27 M06.xlsx``, ``Name (2) 2026-27 M06.xlsx`` ..., never the summary's
    (:func:`summary_name`): month 5's packs and month 6's live side by side in one folder.
    """
    end = f" {tag}.xlsx" if tag else ".xlsx"
    out: dict[str, str] = {}
    taken = {summary_name(tag).lower()}
    for place in places:
        base, k = slug(place), 1
        name = f"{base}{end}"
        while name.lower() in taken:
            k += 1
            name = f"{base} ({k}){end}"
        taken.add(name.lower())
        out[place] = name
    return out


def summary_name(tag: str = "") -> str:
    """The ICB summary's file name for a period (``ICB summary 2026-27 M06.xlsx``)."""
    return f"{SUMMARY} {tag}.xlsx" if tag else f"{SUMMARY}.xlsx"


def check_pack_outputs(
    out_dir: Path, names: Sequence[str], inputs: Sequence[str | Path], force: bool
) -> None:
    """Every pack's file by the one output rule, all problems at once, before any is written.

    An existing file is replaced only with ``force``; an input of the run (the model, the
    ledger, the map, the phasing, the template) is never written over, forced or not.

    Raises:
        InputError: Each pack file that exists (without ``force``) or is an input.
    """
    problems = Problems()
    for name in names:
        try:
            check_output(out_dir / name, inputs, force, (".xlsx",), where=option("out"))
        except InputError as e:
            problems.extend(e)
    problems.raise_if_any()


class PackRequest(Request):
    """What a run of the monthly packs asks for (``xlalloc pack``, ``xlalloc.packs``).

    Validated once, at the front door; a bad value is reported by its field's name.
    """

    model: Path = Field(description="the model workbook")
    actuals: Path = Field(description="the ledger extract (CSV or a workbook)")
    month: int = Field(ge=1, le=12, description="financial-year month reported, 1 = April")
    out_dir: Path = Field(description="the folder the packs are written in")
    template: Path | None = Field(None, description="a pack template (default: xlalloc's)")
    places: tuple[str, ...] | None = Field(None, description="the places (default: all)")
    phasing: Path | None = Field(None, description="CSV month,share (default: twelfths)")
    # The bounds and meaning of PackSettings' threshold, defined there once.
    threshold: Annotated[float, PackSettings.model_fields["threshold"]] = DEFAULT_THRESHOLD
    allow_empty_month: bool = Field(
        False, description="write packs although the ledger has no rows for the month"
    )
    map: Path | None = Field(
        None,
        description="cost_centre, programme[, place]: the ledger's cost centres "
        "(default: the model's CostCentres sheet, if any)",
    )
    columns: dict[str, str] | None = Field(
        None, description="the ledger's headers by field, e.g. {'month': 'Period'}"
    )
    overwrite: bool = Field(False, description="replace packs of the same period if they exist")

    rates: ClassVar[tuple[str, ...]] = ("threshold",)


#: Where the map comes from when no map file is given.
MODEL_MAP = "the model's CostCentres sheet"


def model_cost_centres(result: ModelResult, ledger: LedgerExtract) -> pd.DataFrame | None:
    """The model's CostCentres sheet, where it is filled in and the ledger has cost centres.

    A model may map cost centres for some ledgers and be run with a ledger already coded
    by programme: then the sheet is not used (a map file given explicitly is, and a
    ledger without cost centres is refused with it).
    """
    cc = result.inputs.cost_centres
    if cc is None or not len(cc) or "cost_centre" not in ledger.frame.columns:
        return None
    return cc


def build_packs(request: PackRequest, progress: Callable[[str], None] | None = None) -> PackRun:
    """Run the model workbook and write its packs (the ``xlalloc pack`` command)."""
    from .readers.ledger import read_actuals, read_cost_centres, read_phasing
    from .readers.model import read_model

    inputs = read_model(request.model)
    result = run_model(inputs)
    ledger = read_actuals(request.actuals, request.columns, inputs.policy.financial_year)
    cost_centres, cc_from = None, "cost-centre map"
    if request.map is not None:
        cost_centres, cc_from = read_cost_centres(request.map), request.map.name
    else:
        cost_centres, cc_from = model_cost_centres(result, ledger), MODEL_MAP
    return make_packs(
        result,
        ledger,
        request.month,
        request.out_dir,
        request.template,
        request.places,
        read_phasing(request.phasing),
        request.threshold,
        progress,
        request.allow_empty_month,
        sources=[
            f"model: {request.model.name}",
            f"ledger: {request.actuals.name}",
            *([f"cost centres: {request.map.name}"] if request.map is not None else []),
        ],
        cost_centres=cost_centres,
        cost_centres_from=cc_from,
        force=request.overwrite,
        inputs=[
            p
            for p in (
                request.model,
                request.actuals,
                request.map,
                request.phasing,
                request.template,
            )
            if p is not None
        ],
    )
