"""``xlalloc pack``: monthly reporting packs: one per place and an ICB summary.

Regenerated headless from the model workbook and a ledger as the finance system
exports it. One pack per place and an ICB summary, each filled into the pack template
(:mod:`xlalloc.workbook.packs`): budget against actual by care programme with a
run-rate forecast, need-based target and distance from target, the convergence
trajectory, charts, notes, and (ICB summary) every ledger row that could not be
reported, with a reconciliation to the ledger total.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import Field

from ..engine.bridge import Bridge
from ..engine.errors import InputError, Problem, Problems, did_you_mean, listed, option
from ..engine.monitoring import (
    DEFAULT_THRESHOLD,
    MONTH_NAMES,
    CostCentreMap,
    Ledger,
    PackSettings,
    Reconciliation,
    budget_vs_actual,
    check_phasing,
    cost_centre_map,
    phase_budgets,
    read_ledger,
    reconcile,
)
from ..key_messages import key_messages, months_table
from ..model.checks import CheckStatus
from ..model.labels import label
from ..model.runner import ModelResult, run_model
from ..readers.ledger import LedgerExtract, read_actuals, read_cost_centres, read_phasing
from ..readers.model import read_model
from ..request import Request
from ..workbook.files import check_output
from ..workbook.packs import PackBridge, PackData, fill_pack, read_commentary, template_parts
from ..workbook.pdf import to_pdfs
from ..workbook.sheetspec import Look

__all__ = [
    "run",
    "PackRequest",
    "PackRun",
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
    #: Each pack's PDF, where asked for and a program could print them.
    pdfs: list[Path] = field(default_factory=list)
    #: What the user should know: e.g. why no PDF was written.
    notes: list[str] = field(default_factory=list)


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
    """The notes' sentence on what the ledger had that the packs do not show."""
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


@dataclass(frozen=True)
class PackOptions:
    """How a month's packs are written (beyond the model, the ledger and the month).

    Attributes:
        template: A pack template (default: xlalloc's own).
        places: The places to write (default: every place).
        phasing: Share of the year in each month (default: twelfths).
        threshold: |variance %| beyond which a line is highlighted.
        allow_empty_month: Write packs although the ledger has no rows for the month.
        sources: The files the figures came from, for each pack's notes.
        cost_centres: ``cost_centre, programme, place``: maps a ledger coded by cost
            centre to programmes and places.
        cost_centres_from: Where that map came from, for the notes.
        force: Replace packs of the same period.
        inputs: The files the run read: never written over.
        pdf: Also print each pack to PDF beside it.
        printer: What prints the packs to PDF (default: LibreOffice headless; the ribbon
            passes Excel's own export).
    """

    template: str | Path | None = None
    places: Sequence[str] | None = None
    phasing: pd.Series | None = None
    threshold: float = DEFAULT_THRESHOLD
    allow_empty_month: bool = False
    sources: Sequence[str] = ()
    cost_centres: pd.DataFrame | None = None
    cost_centres_from: str = "cost-centre map"
    force: bool = False
    inputs: Sequence[str | Path] = ()
    pdf: bool = False
    printer: Callable[[list[Path]], list[Path]] | None = None


def make_packs(
    result: ModelResult,
    ledger_frame: pd.DataFrame | LedgerExtract,
    month: int,
    out_dir: str | Path,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> PackRun:
    """Write one pack per place and an ICB summary for ``month``.

    Each file's name carries the place and the period (``Brookvale 2026-27 M06.xlsx``);
    an existing file is replaced only with ``force``, and none of ``inputs`` (the files
    the run read) is ever written over: every pack is checked before any is written.
    ``options`` are :class:`PackOptions`' fields.

    Raises:
        InputError: The model has no apportioned budget, a requested place is unknown,
            or the ledger lacks columns. Bad ledger rows are exceptions, not errors.
    """
    o = PackOptions(**options)
    if result.apportionment is None:
        raise InputError(
            "packs need an apportioned budget: add budget lines to the model", where="Budget"
        )
    step = progress or (lambda _s: None)
    a = result.apportionment
    all_places = [c for c in a.table1.columns if c != "Total"]
    programmes = [p for p in a.table1.index if p != "Total"]
    wanted = _wanted_places(o.places, all_places)
    out = _checked_folder(out_dir)
    extract = as_extract(ledger_frame)
    cc_map = _cost_centre_map(o, extract, all_places, programmes)
    practices = result.practices
    ledger = read_ledger(
        extract.frame,
        all_places,
        programmes,
        dict(zip(practices["practice_code"], practices["place"])),
        cc_map,
    )
    _check_month_has_rows(ledger, month, o.allow_empty_month)
    policy = result.inputs.policy
    monthly = phase_budgets(_annual(a), o.phasing, policy.unit)
    bva = budget_vs_actual(monthly, ledger, month, o.threshold, o.phasing, policy.unit)
    recon = reconcile(ledger, month)
    year = policy.financial_year
    tag = period_tag(year, month)
    names = _file_names(wanted, tag)
    said, unread = _check_files(out, [*names.values(), summary_name(tag)], o)
    notes = _notes(result, o, month, recon, extract, cc_map is not None)
    common = _common(result, o, month, notes, _status(result, recon, month))
    tpl = template_parts(o.template)
    traj = _trajectory(result)
    targets = _year_targets(result, year)
    first = _first_year(result)
    by_place = dict(tuple(bva.groupby("place", sort=False)))
    bridge = result.bridges.get(year)
    by_month = _by_month(monthly, ledger, month, all_places, o.phasing)
    paths = []
    for place in wanted:
        step(place)
        rows = by_place.get(place, bva.iloc[:0])
        data = _place_data(result, rows, place, programmes, (targets, first, traj), common)
        data.bridge = _bridge_of(bridge, place)
        paths.append(_write_pack(tpl, data, by_month, [place], out / names[place], said))
    step("ICB summary")
    exceptions = ledger.exceptions_to(month)
    common |= {"exceptions": exceptions, "recon": recon}
    data = _summary_data(
        result, bva, all_places, programmes, traj, common | {"ledger_file": extract.file}
    )
    data.bridge = _bridge_of(bridge, "Total")
    data.bridge_places = bridge.table if bridge is not None else None
    paths.append(_write_pack(tpl, data, by_month, all_places, out / summary_name(tag), said))
    run = PackRun(paths, bva, exceptions, recon.table(), recon, notes=unread)
    if o.pdf:
        step("PDFs")
        _print(run, o.printer or to_pdfs)
    return run


def as_extract(ledger: pd.DataFrame | LedgerExtract) -> LedgerExtract:
    """A ledger as read from its file, or a frame given directly (named "ledger")."""
    return ledger if isinstance(ledger, LedgerExtract) else LedgerExtract(ledger, "ledger")


def _check_files(
    out: Path, books: list[str], o: PackOptions
) -> tuple[dict[str, dict[tuple[str, str], str]], list[str]]:
    """The packs' files (and PDFs) checked by the one rule, before any is written.

    Returns:
        The commentary already written in each pack being replaced, by file name (read
        now, before any pack is written), and a note for each file of a pack's name that
        could not be read as one: replaced, as ``force`` asks, and said, never silently.
    """
    pdfs = [str(Path(b).with_suffix(".pdf")) for b in books] if o.pdf else []
    check_pack_outputs(out, [*books, *pdfs], o.inputs, o.force)
    said: dict[str, dict[tuple[str, str], str]] = {}
    notes = []
    for book in books:
        if (out / book).exists():
            try:
                said[book] = read_commentary(out / book)
            except InputError:
                notes.append(
                    f"{book} could not be read as a pack: it was replaced, and no "
                    "commentary could be kept from it"
                )
    out.mkdir(parents=True, exist_ok=True)
    return said, notes


def _print(run: PackRun, printer: Callable[[list[Path]], list[Path]]) -> None:
    """Each pack's PDF beside it, or a note saying why none was written."""
    try:
        run.pdfs = printer(run.paths)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        run.notes.append(str(e))  # the workbooks are written all the same


def _first_year(result: ModelResult) -> dict[str, dict[str, float]] | None:
    """Each place's baseline and distance from target before the first year's convergence."""
    if result.convergence is None:
        return None
    t = next(iter(result.convergence.years.values())).table
    return {
        org: {"baseline": b, "dft_before": d}
        for org, b, d in zip(
            t["org"].tolist(), t["baseline"].tolist(), t["dft_before"].tolist(), strict=True
        )
    }


def _year_targets(result: ModelResult, year: str) -> dict[str, dict[str, float]]:
    """The year's target, target share and need index of each place."""
    t = result.targets[result.targets["year"] == year]
    comp = f"{result.inputs.policy.target_component}_index"
    cols = ["target", "target_share", comp]
    return {
        place: dict(zip(cols, values))
        for place, values in zip(t["place"].tolist(), t[cols].to_numpy().tolist())
    }


def _by_month(
    monthly: pd.DataFrame,
    ledger: Ledger,
    month: int,
    places: list[str],
    phasing: pd.Series | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each place's annual budget by month (12) and ledger actual (1 to ``month``).

    The budget is kept as each month's exact share of the annual budget; the pack rounds
    its cumulative figures (:func:`~xlalloc.key_messages.months_table`).
    """
    n = len(places)
    annual = np.bincount(  # each place's annual budget: its months summed
        pd.Categorical(monthly["place"], categories=places).codes.astype(np.int64),
        weights=monthly["budget"].to_numpy(dtype=np.float64),
        minlength=n,
    )
    rows = ledger.rows
    to_date = (rows["month"] <= month).to_numpy()
    actual = np.bincount(
        pd.Categorical(rows["place"].to_numpy()[to_date], categories=places).codes.astype(np.int64)
        * month
        + (rows["month"].to_numpy()[to_date].astype(np.int64) - 1),
        weights=rows["amount"].to_numpy(dtype=np.float64)[to_date],
        minlength=n * month,
    ).reshape(n, month)
    shares = check_phasing(phasing).to_numpy(dtype=np.float64)
    exact = annual[:, None] * (shares / shares.sum())[None, :]
    return {p: (exact[k], actual[k]) for k, p in enumerate(places)}


def _bridge_of(bridge: Bridge | None, place: str) -> PackBridge | None:
    """A place's row of the year's bridge (``Total``: the ICB's), or ``None``."""
    if bridge is None or place not in set(bridge.table["place"]):
        return None
    return PackBridge(bridge.year, bridge.core_growth_rate, bridge.place(place))


def _write_pack(
    tpl: Any,
    data: PackData,
    by_month: dict[str, tuple[np.ndarray, np.ndarray]],
    places: list[str],
    path: Path,
    said: dict[str, dict[tuple[str, str], str]],
) -> Path:
    """One pack: its key messages and months worked out, the commentary already there kept."""
    p = data.programmes
    totals = {k: float(p[k].sum()) for k in ("annual_budget", "ytd_budget", "ytd_actual")}
    totals["forecast"] = float(p["forecast_outturn"].sum())  # as the Total row shows it
    data.months = months_table(
        np.sum([by_month[q][0] for q in places], axis=0),
        np.sum([by_month[q][1] for q in places], axis=0),
        data.month,
        totals["ytd_actual"],
        totals["ytd_budget"],
        totals["forecast"],
    )
    summary = data.places is not None
    data.messages = key_messages(
        data.icb if summary else data.title,
        data.period,
        totals,
        p.set_axis(["line", *p.columns[1:]], axis=1),
        data.threshold,
        data.trajectory if len(data.trajectory.columns) > 2 else None,
        data.look.money,
        "their" if summary else "its",
    )
    data.commentary = said.get(path.name, {})  # the business partner's words, kept
    return fill_pack(tpl, data, path)


def _wanted_places(places: Sequence[str] | None, all_places: list[str]) -> list[str]:
    """The places asked for (all by default); a misspelt one named with the nearest."""
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
    return wanted


def _checked_folder(out_dir: str | Path) -> Path:
    """The packs' folder: never a file."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(
            f"{out} is a file; {option('out')} names the folder the packs go in",
            where=option("out"),
        )
    return out


def _cost_centre_map(
    o: PackOptions, extract: LedgerExtract, places: list[str], programmes: list[str]
) -> CostCentreMap | None:
    """The map of cost centres, checked against the model and the ledger's columns."""
    columns = extract.frame.columns
    if o.cost_centres is not None:
        cc_map = cost_centre_map(o.cost_centres, places, programmes, o.cost_centres_from)
        if "cost_centre" not in columns:
            raise InputError(
                f"{o.cost_centres_from} maps cost centres, but {extract.file} has no cost "
                f"centre column: name it with {option('columns')} cost_centre=HEADER",
                where=option("columns"),
            )
        return cc_map
    if "cost_centre" in columns and "programme" not in columns:
        raise InputError(
            f"{extract.file} is coded by cost centre: give the map of cost centres to "
            f"programmes and places ({option('map')} MAP.csv, columns cost_centre, "
            "programme, place), or add a CostCentres sheet to the model",
            where=option("map"),
        )
    return None


def _check_month_has_rows(ledger: Any, month: int, allow_empty_month: bool) -> None:
    """Refuse a ledger with no rows for the month (packs would show all underspent)."""
    if not allow_empty_month and not (ledger.rows["month"] == month).any():
        raise InputError(
            f"the ledger has no rows for month {month} ({MONTH_NAMES[month - 1]}):"
            " is it the right extract? Packs would show every budget underspent; "
            f"pass {option('allow_empty_month')} if the month really has no spend",
            where=option("actuals"),
        )


def _annual(a: Any) -> pd.DataFrame:
    """The apportioned budget by place and programme: ``place, programme, budget``."""
    return (
        a.cells.groupby(["place", "programme"], sort=False)["amount"]
        .sum()
        .rename("budget")
        .reset_index()
    )


def _notes(
    result: ModelResult,
    o: PackOptions,
    month: int,
    recon: Reconciliation,
    extract: LedgerExtract,
    mapped: bool,
) -> list[str]:
    """The notes every pack carries: how budgets, actuals, variances and targets are made."""
    a = result.apportionment
    assert a is not None
    comp = result.inputs.policy.target_component
    return [
        f"Budgets: the ICB's budget apportioned by care programme and place "
        f"(£{a.table1.loc['Total', 'Total']:,.0f} in all), phased "
        + ("by twelfths." if o.phasing is None else "by the phasing profile given."),
        f"Actuals: ledger to month {month}; forecast outturn = actual to date / {month} × 12, "
        "each line rounded so that every total is its own forecast to the unit.",
        "Variance = budget less actual: favourable (underspend) positive, adverse (overspend) "
        f"in brackets; lines beyond {o.threshold:.0%} either way are highlighted (adverse red, "
        "favourable green).",
        f"Target: need-based share of the ICB budget by {comp} weighted population.",
        left_out_note(recon),
        *extract.notes,
        *(
            [f"Cost centres mapped to programmes and places by {o.cost_centres_from}."]
            if mapped
            else []
        ),
    ]


def _status(result: ModelResult, recon: Reconciliation, month: int) -> str:
    """The check status page 1 of a pack shows: the model's and the ledger's."""
    bad = [] if result.check_status.ok else [f"model: {result.check_status}"]
    if recon.check != 0:
        bad.append(f"ledger reconciliation differs by £{recon.check:,.2f}")
    if recon.rows_left_out:
        bad.append(
            f"ledger: £{recon.reported:,.2f} reported of £{recon.months_total:,.2f} for "
            f"months 1 to {month}; £{recon.left_out:,.2f} in {recon.rows_left_out} row(s) "
            "left out (Exceptions)"
        )
    return CheckStatus(tuple(bad)).listed()


def _common(
    result: ModelResult, o: PackOptions, month: int, notes: list[str], status: str
) -> dict[str, Any]:
    """What every pack of the month shares: period, ICB, notes, status, sources, look."""
    policy = result.inputs.policy
    sources = result.inputs.sources  # the files the Practices sheet was built from
    files = [
        *o.sources,
        *(f"{f} ({y})" for f, y in zip(sources.get("file", []), sources.get("years", []))),
    ]
    return {
        "period": f"Month {month} ({MONTH_NAMES[month - 1]}) {policy.financial_year}".strip(),
        "icb": policy.icb_name or "ICB",
        "month": month,
        "threshold": o.threshold,
        "notes": notes,
        "run_at": result.run_at.strftime("%d %b %Y %H:%M"),
        "check_status": status,
        "sources": files,
        "look": Look.of(
            result.run_at, policy.money_unit, policy.protective_marking, policy.paper_size
        ),
    }


def _trajectory(result: ModelResult) -> pd.DataFrame | None:
    """Each place's distance from target by year (a row a place), or ``None``."""
    if result.convergence is None:
        return None
    traj = result.convergence.trajectory.rename(columns={"org": "place"})
    return traj.set_index(traj["place"].rename(None))  # each place's row found at once


def _programme_table(rows: pd.DataFrame, programmes: list[str]) -> pd.DataFrame:
    """Budget and actual by programme, every programme of the model in its order."""
    cols = ["annual_budget", "ytd_budget", "ytd_actual", "forecast_outturn"]
    at = {p: k for k, p in enumerate(programmes)}
    sums = np.zeros((len(programmes), len(cols)))
    figures = np.column_stack([rows[c].to_numpy(dtype=float) for c in cols])
    np.add.at(sums, [at[p] for p in rows["programme"].tolist()], figures)
    return pd.DataFrame({"programme": programmes} | {c: sums[:, j] for j, c in enumerate(cols)})


def _place_data(
    result: ModelResult,
    rows: pd.DataFrame,
    place: str,
    programmes: list[str],
    tables: tuple[dict[str, dict], dict[str, dict] | None, pd.DataFrame | None],
    common: dict[str, Any],
) -> PackData:
    """One place's pack: its programmes, its target and distance from target, its path.

    ``tables``: the year's targets by place, the first year's convergence by place and
    the trajectory (each worked out once for every pack).
    """
    a = result.apportionment
    assert a is not None
    comp = result.inputs.policy.target_component
    targets, first, traj = tables
    tgt = targets[place]
    measures = [
        ("Target share", tgt["target_share"], "share"),
        (label("target"), tgt["target"], "money"),
        ("Apportioned budget (£)", a.table1.loc["Total", place], "money"),
        (f"Need index ({comp})", tgt[f"{comp}_index"], "index"),
    ]
    dft = None
    if first is not None:
        dft = float(first[place]["dft_before"])
        measures += [
            ("Baseline (£)", first[place]["baseline"], "money"),
            (label("dft_before"), dft, "percent"),
        ]
    trajectory = (
        traj.iloc[[traj.index.get_loc(place)]].reset_index(drop=True)
        if traj is not None
        else pd.DataFrame({"place": [place]})
    )
    return PackData(
        title=place,
        programmes=_programme_table(rows, programmes),
        targets=measures,
        trajectory=trajectory,
        target=float(tgt["target"]),
        dft=dft,
        **common,
    )


def _summary_data(
    result: ModelResult,
    bva: pd.DataFrame,
    all_places: list[str],
    programmes: list[str],
    traj: pd.DataFrame | None,
    common: dict[str, Any],
) -> PackData:
    """The ICB summary: every programme and place, the ICB's budget and its path."""
    a = result.apportionment
    assert a is not None
    by_place = (
        bva.groupby("place", sort=False)[
            ["annual_budget", "ytd_budget", "ytd_actual", "forecast_outturn"]
        ]
        .sum()
        .reindex(all_places)
    )
    tdf = [
        ("ICB budget (£)", result.budget_total, "money"),
        ("Apportioned budget (£)", a.table1.loc["Total", "Total"], "money"),
    ]
    trajectory = traj if traj is not None else pd.DataFrame({"place": all_places})
    return PackData(
        title="ICB summary",
        programmes=_programme_table(bva, programmes),
        targets=tdf,
        trajectory=trajectory,
        target=result.budget_total,
        places=by_place.rename_axis("place").reset_index(),
        **common,
    )


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
            check_output(out_dir / name, inputs, force, (".xlsx", ".pdf"), where=option("out"))
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
    pdf: bool = Field(False, description="also print each pack to PDF beside it (LibreOffice)")

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


def run(request: PackRequest, progress: Callable[[str], None] | None = None) -> PackRun:
    """Run the model workbook and write its packs (the ``xlalloc pack`` command).

    Args:
        request: What the packs are made of and where they go.
        progress: Called with each step's name (the command line shows them).
    """
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
        progress,
        template=request.template,
        places=request.places,
        phasing=read_phasing(request.phasing),
        threshold=request.threshold,
        allow_empty_month=request.allow_empty_month,
        sources=[
            f"model: {request.model.name}",
            f"ledger: {request.actuals.name}",
            *([f"cost centres: {request.map.name}"] if request.map is not None else []),
        ],
        cost_centres=cost_centres,
        cost_centres_from=cc_from,
        force=request.overwrite,
        pdf=request.pdf,
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
