"""Stand-alone analyses on files: targets, convergence, equity, levelling up, footprints.

Each is a use case of the front door (:mod:`xlalloc.api`): a typed request
(:class:`~xlalloc.request.Request`), validated once, in; an :class:`Analysis` (the file
written, its tables, notes and the line a command prints) out. Only ``cli/`` knows the
flags that fill a request.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from .engine.capitation import COMPONENTS, Component
from .engine.equity import EquitySettings
from .engine.errors import InputError, Problems, checked, option, renamed
from .model.provenance import Provenance
from .request import Written
from .usecases.activity import ActivityRequest
from .usecases.activity import run as activity
from .usecases.analysis import Analysis
from .usecases.analysis import write as _write

if TYPE_CHECKING:
    from .workbook.places_map import Painter

__all__ = [
    "ActivityRequest",
    "Analysis",
    "CompareRequest",
    "ConvergeRequest",
    "DemoLedgerRequest",
    "EquityRequest",
    "FootprintRequest",
    "LevellingUpRequest",
    "PackTemplateRequest",
    "RebaseRequest",
    "TableY1Request",
    "TargetsRequest",
    "activity",
    "compare",
    "converge",
    "demo_ledger",
    "equity",
    "footprint",
    "levelling_up",
    "pack_template",
    "read_icb_baselines",
    "rebase",
    "table_y1",
    "targets",
]


# --------------------------------------------------------------------------- targets


class TargetsRequest(Written):
    """Need indices, target shares and targets by place (``xlalloc targets``)."""

    practices: str = Field(
        description="NHS England's practice file (CSV/XLSX, any year's layout), or 'demo'"
    )
    year: str | None = Field(None, description="the financial year of a workbook of several")
    places: Path | None = Field(None, description="CSV/XLSX practice_code,place[,locality]")
    places_by: Literal["lad", "pcn", "sub_icb", "former_icb"] | None = Field(
        None,
        description="or places from the file's lad, pcn or sub_icb column, as new has, or "
        "each practice's ICB in the ``former`` file",
    )
    former: Path | None = Field(
        None, description="an earlier year's practice file: its ICBs are former_icb's places"
    )
    icb: str | None = Field(None, description="keep one ICB, by code, name or part of it")
    component: Component = Field("core", description="weighted population the shares follow")
    budget: float | None = Field(None, ge=0, description="the ICB budget in £ to share")
    unit: float = Field(1.0, gt=0, description="rounding unit in £ (1, or 1000 for £000)")
    round: Literal["nhse"] | None = Field(None, description="round as NHS England's tool")
    blank_as_zero: bool = Field(False, description="read blank weighted populations as zero")
    uncertainty: float | None = Field(
        None, description="relative uncertainty of a 250,000 population's weighted population"
    )
    draws: int | None = Field(None, description="Monte Carlo draws (default 2000)")
    seed: int | None = Field(
        None, description="random seed: the same seed gives the same figures (default 1)"
    )
    baselines: Path | None = Field(None, description="CSV/XLSX place,baseline")

    rates: ClassVar[tuple[str, ...]] = ("uncertainty",)


def targets(request: TargetsRequest) -> Analysis:
    """Need indices, target shares and (with a budget) targets, with their provenance.

    Raises:
        InputError: Every input problem; nothing is written.
    """
    from .workbook.places_map import Painter

    r = request
    out = r.checked_output(r.practices, r.places, r.former, sidecars=("provenance",))
    picture = None
    if r.places_by and r.practices != "demo" and importlib.util.find_spec("matplotlib"):
        from .workbook.files import check_output

        picture = check_output(out.with_name(f"{out.stem}-places.png"), [], r.overwrite, (".png",))
    with Painter(enabled=picture is not None) as painter:  # the map drawn alongside
        analysis = _targets(r, out, painter)
        if picture is not None and painter.started:
            painter.write(picture)
            analysis.notes.append(f"drew the practices by place in {picture}: each place a colour")
    return analysis


def _targets(r: TargetsRequest, out: Path, painter: Painter) -> Analysis:
    """The targets table and its provenance, written to ``out``; the map begun by ``painter``."""
    from . import demo
    from .engine import capitation as cap
    from .readers import nhse

    demo_data = r.practices == "demo"
    if demo_data:
        practices = demo.practices()
        england = demo.ENGLAND
    else:
        practices = nhse.load_practices(
            r.practices,
            r.year,
            blank_wp=nhse.BlankWP.ZERO if r.blank_as_zero else nhse.BlankWP.ERROR,
        )
        england = cap.england_ratios(practices)
    if r.icb:
        code, _name = nhse.find_icb(practices, r.icb)
        practices = practices[practices["icb_code"] == code].reset_index(drop=True)
    place_map = _place_map(r, practices)
    if painter.enabled and place_map is not None:
        files: list[str | Path] = [r.practices, *([r.former] if r.former else [])]
        what = f"{practices['icb_code'].iloc[0]} " if r.icb else ""
        painter.start(place_map.frame, files, f"{what}practices by place")
    warnings = list(place_map.warnings) if place_map is not None and not demo_data else []
    _check_interval_options(r, place_map is not None)
    where = "the demo practices" if demo_data else Path(r.practices).name
    table = cap.need_indices(practices, place_map, england=england, where=where)
    table = cap.add_targets(table, r.budget, r.component, r.unit)
    spread: list[str] = []
    if r.uncertainty is not None:
        table = _intervals(r, table, practices, place_map)
        spread = ["target_share_p05", "target_share_p95"]
    if r.round == "nhse":
        table = cap.round_nhse(table)
    if r.budget is not None:
        table["per_1000_wp"] = cap.cost_per_1000(table["target"], table[f"{r.component}_wp"])
    prov = _targets_provenance(r, practices, table)
    tables = {"Targets": table[_targets_columns(table, r.budget is not None, spread)]}
    tables["Provenance"] = prov.frame()
    if out.suffix.lower() == ".xlsx":  # sheets that each print on one page across
        sheets = _targets_sheets(tables["Targets"], r.component)
        path = _write(out, {**sheets, "Provenance": tables["Provenance"]}, r)
    else:
        path = _write(out, tables, r)
    filled = len(prov.of("zero-filled"))
    summary = f"wrote {len(table)} rows to {out}" + (
        f"; {filled} practice(s) with blank weighted populations read as zero are listed "
        "in its provenance"
        if filled
        else ""
    )
    return Analysis(path, tables, summary, warnings=warnings)


def _check_interval_options(r: TargetsRequest, has_places: bool) -> None:
    """Baselines, draws and a seed need target intervals; baselines need places."""
    if r.baselines and r.uncertainty is None:
        raise InputError(
            f"{option('baselines')} gives each place's distance from target an interval: "
            f"add {option('uncertainty')} U (e.g. 0.0255)",
            where=option("baselines"),
        )
    given = [k for k in ("draws", "seed") if getattr(r, k) is not None]
    if given and r.uncertainty is None:
        raise InputError(
            f"{' and '.join(option(k) for k in given)} set the Monte Carlo of the target "
            f"intervals: add {option('uncertainty')} U (e.g. 0.0255)",
            where=option(given[0]),
        )
    if r.baselines and not has_places:
        raise InputError(
            f"{option('baselines')} needs places ({option('places')} FILE)",
            where=option("baselines"),
        )


def _intervals(
    r: TargetsRequest, table: pd.DataFrame, practices: pd.DataFrame, place_map: Any
) -> pd.DataFrame:
    """The targets with their 5th and 95th percentiles (the Monte Carlo the request sets)."""
    from .engine.uncertainty import UncertaintySettings, target_intervals
    from .readers.tables import read_baselines

    values = {"relative": r.uncertainty, "draws": r.draws, "seed": r.seed}
    settings = checked(
        UncertaintySettings,
        {k: v for k, v in values.items() if v is not None},
        where={
            "relative": option("uncertainty"),
            "draws": option("draws"),
            "seed": option("seed"),
        },
        rates=("relative",),
    )
    places = None if place_map is None else place_map.frame
    base = None
    if r.baselines:
        assert place_map is not None
        base = read_baselines(r.baselines, place_map.frame["place"].unique())
    return target_intervals(table, practices, places, r.component, settings, r.budget, r.unit, base)


def _targets_columns(table: pd.DataFrame, budget: bool, spread: list[str]) -> list[str]:
    """The Targets table's columns in order.

    Who, weighted populations and indices, shares, targets, distances from target, and
    England's indices.
    """
    cols = ["level", "name", "icb_code", "icb_name", "population"]
    for k in COMPONENTS:
        cols += [f"{k}_wp", f"{k}_index"]
    cols += ["target_share", *spread]
    if budget:
        cols += ["target", *(["target_p05", "target_p95"] if spread else []), "per_1000_wp"]
    cols += [
        c
        for c in ("baseline", "dft_baseline", "dft_p05", "dft_p95", "against_target")
        if c in table.columns
    ]
    return cols + [f"{k}_index_england" for k in COMPONENTS]


def _places_by(practices: pd.DataFrame, by: str, source: str) -> pd.DataFrame:
    """``practice_code, place``: each practice's place from its own grouping column.

    The same groupings as ``xlalloc new --places-by`` (:data:`~xlalloc.model.build.
    GROUPINGS`), named as the file names them.

    Raises:
        InputError: The file has no such column, or practices with it blank (listed).
    """
    from .model.build import GROUPINGS

    key, what = GROUPINGS[by]
    name = Path(source).name if source != "demo" else "the demo practices"
    if key not in practices.columns or practices[key].isna().all():
        raise InputError(
            f"{name} has no {what} for its practices: give places with {option('places')} "
            "FILE instead",
            where=option("places_by"),
        )
    blank = practices[practices[key].isna()]
    if len(blank):
        codes = ", ".join(blank["practice_code"].astype(str).head(20))
        raise InputError(
            f"{len(blank)} practice(s) have no {what} in {name}: {codes}"
            + (" ..." if len(blank) > 20 else "")
            + f"; give their places with {option('places')} FILE",
            where=option("places_by"),
        )
    return pd.DataFrame(
        {"practice_code": practices["practice_code"], "place": practices[key].astype(str)}
    )


def _place_map(r: TargetsRequest, practices: pd.DataFrame) -> Any:
    """The places ``targets`` was asked for (a file, a grouping, former ICBs, the demo's).

    Raises:
        InputError: Options that exclude each other, or a places problem.
    """
    from . import demo
    from .engine import capitation as cap
    from .readers.tables import read_table

    if r.former and r.places_by != "former_icb":
        raise InputError(
            f"{option('former')} names the file whose ICBs are the places of "
            f"{option('places_by')} former_icb: add {option('places_by')} former_icb",
            where=option("former"),
        )
    if r.places and r.places_by:
        raise InputError(
            f"give either {option('places')} FILE or {option('places_by')}, not both",
            where=option("places_by"),
        )
    if r.places:
        return cap.define_places(practices, read_table(r.places), where=r.places.name)
    if r.places_by == "former_icb":
        places = _former_places(practices, r.former, r.blank_as_zero)
        return cap.define_places(practices, places, where=option("former"))
    if r.places_by:
        places = _places_by(practices, r.places_by, r.practices)
        return cap.define_places(practices, places, where=option("places_by"))
    if r.practices == "demo":
        return cap.define_places(practices, demo.places(practices), where="demo places")
    return None


def _former_places(
    practices: pd.DataFrame, former: Path | None, blank_as_zero: bool
) -> pd.DataFrame:
    """Each practice's place: its ICB in the earlier year's file (``former_icb``).

    Raises:
        InputError: No ``former`` file, or practices it does not list (named).
    """
    from .readers import nhse

    if former is None:
        raise InputError(
            f"{option('places_by')} former_icb takes each practice's ICB from an earlier "
            f"year's file: give it with {option('former')} FILE",
            where=option("places_by"),
        )
    blank = nhse.BlankWP.ZERO if blank_as_zero else nhse.BlankWP.ERROR
    whole = nhse.load_practices(former, blank_wp=blank)
    nhse.blank_icb_problems(whole, former, practices["practice_code"]).raise_if_any()
    earlier = whole.drop_duplicates("practice_code")
    icb = earlier.set_index("practice_code")["icb_name"].astype(str)
    absent = practices[~practices["practice_code"].isin(icb.index)]
    if len(absent):
        codes = ", ".join(absent["practice_code"].astype(str).head(20))
        raise InputError(
            f"{len(absent)} practice(s) are not in {former.name}, so have no former ICB: "
            f"{codes}"
            + (" ..." if len(absent) > 20 else "")
            + f"; give their places with {option('places')} FILE",
            where=option("former"),
        )
    return pd.DataFrame(
        {
            "practice_code": practices["practice_code"],
            "place": practices["practice_code"].map(icb).astype(str),
        }
    )


def _targets_sheets(table: pd.DataFrame, component: str) -> dict[str, pd.DataFrame]:
    """The Targets table as a workbook's sheets, each narrow enough to print legibly.

    The targets (the component they follow, shares, £, distances from target) on the
    first sheet; every component's weighted population, ICB-standardised index and
    England-standardised index on a sheet each. The CSV keeps the one table.
    """
    who = [c for c in ("level", "name", "icb_code") if c in table.columns]
    others = {f"{k}_{kind}" for k in COMPONENTS if k != component for kind in ("wp", "index")}
    england = [f"{k}_index_england" for k in COMPONENTS]
    core = [c for c in table.columns if c not in others and c not in england and c != "icb_name"]
    return {
        "Targets": table[core],
        "Weighted populations": table[[*who, "population", *(f"{k}_wp" for k in COMPONENTS)]],
        "Need indices": table[[*who, *(f"{k}_index" for k in COMPONENTS)]],
        "Need indices (England)": table[[*who, *england]],
    }


def _targets_provenance(
    r: TargetsRequest, practices: pd.DataFrame, table: pd.DataFrame
) -> Provenance:
    """Source file, version, run time, checks and zero-filled practices of ``targets``."""
    from .model.checks import CheckStatus
    from .model.runner import run_time
    from .readers.tables import file_sha256

    prov = Provenance()
    prov.source(
        Path(r.practices).name,
        ", ".join(sorted(practices["year"].unique())),
        None if r.practices == "demo" else file_sha256(r.practices),
    )
    bad = []
    for icb, group in table.groupby("icb_code"):
        places = group[group["level"] == "place"]
        if len(places) and abs(places["target_share"].sum() - 1) > 1e-9:
            bad.append(f"{icb}: place shares sum to {places['target_share'].sum():.12f}")
        if r.budget is not None and len(places) and places["target"].sum() != r.budget:
            bad.append(f"{icb}: place targets sum to {places['target'].sum():,.2f}")
    prov.stamp(run_time(), CheckStatus(tuple(bad)).detail())
    prov.zero_filled(practices, "filled")
    return prov


# --------------------------------------------------------------------------- converge


class ConvergeRequest(Written):
    """Baselines converged toward target under a policy (``xlalloc converge``).

    The policy's fields are the engine's :class:`~xlalloc.engine.convergence.
    ConvergencePolicy` (``policy``: name -> value). A field not given takes the model's
    Policy default (:class:`~xlalloc.model.policy.ModelPolicy`, the one policy model: a
    1% floor, as a model workbook runs); one given as ``None`` is off (no floor).
    """

    input: Path = Field(
        description="CSV/XLSX org,baseline,target_share|target_weight[,hcdd_baseline][,year]"
    )
    total: float | None = Field(None, description="the total available in £ (one year)")
    totals: Path | None = Field(None, description="CSV year,total for input with a year column")
    policy: dict[str, Any] = Field(default_factory=dict, description="convergence policy")
    normalise_shares: bool = Field(
        False, description="rescale target shares that do not sum to 1 (else refused)"
    )


def dft_trajectory(trajectory: pd.DataFrame) -> pd.DataFrame:
    """The trajectory, its first column named for what it holds.

    It is the distance from target at baseline, a share like the years beside it: a
    CSV writes it in full, never rounded to pence as money.
    """
    return trajectory.rename(columns={"baseline": "dft_baseline"})


def convergence_defaults() -> dict[str, object]:
    """The convergence policy a model workbook runs with no Policy values of its own."""
    from .model.policy import ModelPolicy

    return ModelPolicy().convergence().model_dump(exclude={"source"})


#: How far target shares may sum from 1 before they are refused (or rescaled).
SHARE_TOLERANCE = 1e-9


def _checked_years(orgs: pd.DataFrame, where: str) -> None:
    """A multi-year input's years filled in, and baselines on the first year's rows only.

    A blank year crashed the sort ("'<' not supported"); a baseline on a later year's
    row was ignored without a word (convergence starts from the first year's baselines).

    Raises:
        InputError: Every blank year and every later-year baseline, by row.
    """
    problems = Problems()
    rows = orgs["source_row"] if "source_row" in orgs.columns else orgs.index + 2
    year = orgs["year"].astype("string").str.strip()
    for r in rows[year.isna() | (year == "")]:
        problems.add(where, "the financial year is blank", row=int(r), column="year")
    problems.raise_if_any()
    first = sorted(year.unique())[0]
    later = (year != first) & pd.to_numeric(orgs["baseline"], errors="coerce").notna()
    for r, y in zip(rows[later], year[later], strict=True):
        problems.add(
            where,
            f"a baseline on a {y} row is not used: convergence starts from the {first} "
            f"baselines and carries each year's allocation on; leave it blank",
            row=int(r),
            column="baseline",
        )
    problems.raise_if_any()


def _checked_shares(orgs: pd.DataFrame, normalise: bool, where: str) -> list[str]:
    """Target shares summing to 1 in each year, or refused; notes when rescaled.

    ``target_weight`` is rescaled by definition; ``target_share`` is a share, and one
    summing to 1.1 is a mistake to show, not to rescale silently.
    """
    if "target_share" not in orgs.columns:
        return []
    shares = pd.to_numeric(orgs["target_share"], errors="coerce")
    groups = orgs.groupby(orgs["year"].astype(str)) if "year" in orgs.columns else [("", orgs)]
    problems, notes = Problems(), []
    for year, rows in groups:
        total = float(shares.loc[rows.index].sum())
        if abs(total - 1) <= SHARE_TOLERANCE or not np.isfinite(total):
            continue
        when = f" in {year}" if year else ""
        if normalise:
            notes.append(
                f"target shares{when} summed to {total:.10g} and were rescaled to 1 "
                f"({option('normalise_shares')})"
            )
        else:
            problems.add(
                where,
                f"target shares{when} sum to {total:.10g}, not 1; correct them, give "
                f"{option('normalise_shares')} to rescale them, or name the column "
                "target_weight (weights are rescaled)",
                column="target_share",
            )
    problems.raise_if_any()
    return notes


def converge(request: ConvergeRequest) -> Analysis:
    """Converge one year's baselines (``total``) or several years' (``totals``).

    Raises:
        InputError: Every input problem, or an infeasible policy with its amounts.
    """
    from .engine.convergence import converge as converge_year
    from .engine.convergence import converge_years, policy_from
    from .readers.tables import read_table, read_totals
    from .workbook.convergence_book import write_convergence

    r = request
    out = r.checked_output(r.input, r.totals)
    given = {**convergence_defaults(), **r.policy}  # a value given as None: off
    values: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    values["source"] = "xlalloc converge command line"
    policy = policy_from(values, where="command line")
    orgs = read_table(
        r.input,
        numbers=("baseline", "target_share", "target_weight", "hcdd_baseline"),
        required=("org", "baseline"),
    )
    if "year" in orgs.columns:
        _checked_years(orgs, str(r.input))
    share_notes = _checked_shares(orgs, r.normalise_shares, str(r.input))
    xlsx = out.suffix.lower() == ".xlsx"
    if "year" in orgs.columns:
        if not r.totals:
            raise InputError(
                f"the input has a 'year' column: give {option('totals')} TOTALS.csv "
                "(columns year,total)",
                where=option("totals"),
            )
        result = converge_years(orgs, read_totals(r.totals), policy, where=str(r.input))
        tables = {"convergence": pd.concat([y.table for y in result.years.values()])}
        tables["trajectory"] = dft_trajectory(result.trajectory)
        if xlsx:
            write_convergence(out, result, r.look())
        else:
            _write(out, tables, r)
        summary = (
            f"converged {len(result.trajectory)} organisations over {len(result.years)} "
            f"years; wrote {out}"
        )
        return Analysis(out, tables, summary, notes=[*share_notes, *result.messages])
    if r.total is None:
        raise InputError(f"give {option('total')} (the amount available)", where=option("total"))
    res = converge_year(orgs, r.total, policy, where=str(r.input))
    tables = {"convergence": res.table}
    if xlsx:
        write_convergence(out, res, r.look())
    else:
        _write(out, tables, r)
    counts = res.table["rule"].value_counts()
    rules = ", ".join(f"{rule} {n}" for rule, n in counts.items())
    summary = (
        f"converged {len(res.table)} organisations (core growth {res.core_growth:.2%}; "
        f"rules: {rules}); wrote {out}"
    )
    return Analysis(out, tables, summary, notes=[*share_notes, *res.messages])


# --------------------------------------------------------------------------- equity


class EquityRequest(Written):
    """Equity of spend against need by unit (``xlalloc equity``)."""

    units: Path = Field(
        description="CSV/XLSX unit,population,need,spend[,deprivation] (higher: more deprived)"
    )
    # The bounds, default (5%) and source of EquitySettings' tolerance, defined there once.
    tolerance: Annotated[float, EquitySettings.model_fields["tolerance"]] = (
        EquitySettings.model_fields["tolerance"].default
    )

    rates: ClassVar[tuple[str, ...]] = ("tolerance",)


def equity(request: EquityRequest) -> Analysis:
    """Need-standardised spend by unit and the summary measures, with a chart.

    Raises:
        InputError: Every input problem.
    """
    from .engine.equity import equity as equity_of
    from .readers.tables import read_table
    from .workbook.sheetspec import ChartSpec

    r = request
    out = r.checked_output(r.units, sidecars=("summary",))
    numbers = ["population", "need", "spend", "deprivation"]
    units = read_table(r.units, numbers=numbers, required=["unit", "population", "need", "spend"])
    settings = checked(
        EquitySettings, {"tolerance": r.tolerance}, where={"tolerance": option("tolerance")}
    )
    try:
        result = equity_of(units, settings)
    except InputError as e:
        raise renamed(e, {"equity": r.units.name}) from None
    n = len(result.units)
    chart = ChartSpec(
        title="Spend against need: need-standardised ratio by need",
        y_title="Ratio of spend to expected spend",
        x_title="Need",
        y_format="0.00",
        min_col=3,
        max_col=6,
        header_row=1,
        first_row=2,
        last_row=n + 1,
        anchor=f"A{n + 4}",
        kind="scatter",
        first_series_col=6,
    )
    tables = {"Units": result.units, "Summary": result.summary}
    path = _write(out, tables, r, charts={"Units": [chart]})
    m = dict(zip(result.summary["measure"], result.summary["value"]))
    summary = (
        f"{n} units; {m['proportion_underserved']:.1%} of the population in underserved "
        f"units; wrote {out}"
    )
    return Analysis(path, tables, summary, notes=list(result.notes))


# --------------------------------------------------------------------------- levelling up


class LevellingUpRequest(Written):
    """A no-loser levelling-up payment (``xlalloc levelling-up``)."""

    funding: Path = Field(description="CSV/XLSX org,funding,need[,cap]")
    pot: float = Field(description="the sum to pay out in £")
    unit: float = Field(1.0, description="rounding unit of the payments in £ (1 or 1000)")


def levelling_up(request: LevellingUpRequest) -> Analysis:
    """Each organisation's payment toward one level of funding per unit of need.

    Raises:
        InputError: Every input problem.
    """
    from .engine.levelling_up import LevellingUpSettings
    from .engine.levelling_up import levelling_up as level_up
    from .readers.tables import read_table

    r = request
    out = r.checked_output(r.funding)
    orgs = read_table(
        r.funding, numbers=["funding", "need", "cap"], required=["org", "funding", "need"]
    )
    settings = checked(
        LevellingUpSettings,
        {"pot": r.pot, "unit": r.unit},
        where={"pot": option("pot"), "unit": option("unit")},
        rates=(),
    )
    try:
        result = level_up(orgs, settings)
    except InputError as e:
        raise renamed(e, {"levelling-up": r.funding.name}) from None
    tables = {"Levelling up": result.table}
    path = _write(out, tables, r)
    paid = int((result.table["payment"] > 0).sum())
    summary = (
        f"level £{result.level:,.2f} per unit of need; {paid} of {len(result.table)} "
        f"organisations receive a payment; wrote {out}"
    )
    return Analysis(path, tables, summary)


# --------------------------------------------------------------------------- footprint


class FootprintRequest(Written):
    """One year's practices re-mapped to a later year's organisations (``footprint``)."""

    old: Path = Field(description="the practice file of the year to re-map")
    new: Path = Field(description="the practice file whose organisations to map to")
    old_year: str | None = Field(None, description="the year in ``old``, e.g. 2025/26")
    new_year: str | None = Field(None, description="the year in ``new``, e.g. 2026/27")
    component: Component = Field("core", description="the weighted population compared")
    blank_as_zero: bool = Field(False, description="read blank weighted populations as zero")


def footprint(request: FootprintRequest) -> Analysis:
    """The old year's weighted populations on the new year's organisations.

    Raises:
        InputError: Every input problem.
    """
    from .engine.capitation import derive_footprint, footprint_change
    from .readers import nhse

    r = request
    out = r.checked_output(r.old, r.new)
    blank = nhse.BlankWP.ZERO if r.blank_as_zero else nhse.BlankWP.ERROR
    old = nhse.load_practices(r.old, r.old_year, blank_wp=blank)
    new = nhse.load_practices(r.new, r.new_year, blank_wp=blank)
    table, unmapped = footprint_change(old, derive_footprint(old, new), r.component)
    tables = {"Footprint": table}
    path = _write(out, tables, r)
    summary = (
        f"{len(table)} new organisations from {old['icb_code'].nunique()}; "
        f"{len(unmapped)} practice(s) of the old file are not in the new one; wrote "
        f"{r.output}"
    )
    return Analysis(path, tables, summary)


# --------------------------------------------------------------------------- rebase


class RebaseRequest(Written):
    """Baselines rebased from one year's ICBs onto the next year's (``xlalloc rebase``)."""

    old: Path = Field(description="the practice file of the old footprint (e.g. 2025/26)")
    new: Path = Field(description="the practice file of the new footprint (e.g. 2026/27)")
    baselines: Path = Field(description="CSV/XLSX icb,baseline for every old ICB (code or name)")
    component: Component = Field("core", description="the weighted population sharing each")
    unit: float = Field(1.0, description="rounding unit of the parts in £")
    old_year: str | None = Field(None, description="the year in ``old``, e.g. 2025/26")
    new_year: str | None = Field(None, description="the year in ``new``, e.g. 2026/27")
    blank_as_zero: bool = Field(False, description="read blank weighted populations as zero")


def read_icb_baselines(path: Path, old: pd.DataFrame) -> pd.DataFrame:
    """``icb, baseline`` rows as ``icb_code, icb_name, baseline`` of the old file's ICBs.

    Each ``icb`` is found by code, name or a unique part of its name, as the ``icb`` option is.

    Raises:
        InputError: Every problem: a missing column, an ICB not found or named twice, a
            baseline that is blank or not a number (each naming its row). Its values'
            problems (negative, not whole units) are the engine's, with the rows given by
            ``source_row``.
    """
    from .engine.frames import SOURCE_ROW, is_blank
    from .readers import nhse
    from .readers.tables import read_table

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


def rebase(request: RebaseRequest) -> Analysis:
    """Each old ICB's baseline split among the new ICBs its practices moved to.

    Raises:
        InputError: Every input problem.
    """
    from .engine.frames import SOURCE_ROW
    from .engine.rebase import RebaseSettings
    from .engine.rebase import rebase as rebase_baselines
    from .readers import nhse
    from .workbook.rebase_book import write_rebase

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


# --------------------------------------------------------------------------- table Y1


class TableY1Request(Written):
    """NHS England's Table Y1 converged over five years (``xlalloc table-y1``)."""


def table_y1(request: TableY1Request) -> Analysis:
    """Table Y1's ICBs converged under the annex's example policy."""
    from . import demo
    from .engine.convergence import converge_years
    from .workbook.convergence_book import write_convergence

    r = request
    out = r.checked_output(sidecars=("trajectory",))
    orgs, totals = demo.table_y1_orgs()
    result = converge_years(orgs, totals, demo.Y1_POLICY)
    tables = {
        "convergence": pd.concat([y.table for y in result.years.values()]),
        "trajectory": dft_trajectory(result.trajectory),
    }
    if out.suffix.lower() == ".xlsx":
        write_convergence(out, result, r.look())
    else:
        _write(out, tables, r)
    return Analysis(out, tables, f"wrote {out}")


# --------------------------------------------------------------------------- activity


# --------------------------------------------------------------------------- demo ledger


class DemoLedgerRequest(Written):
    """A demo ledger for a model (``xlalloc demo-ledger``)."""

    model: Path = Field(description="the model workbook")
    month: int = Field(6, ge=1, le=12, description="months of actuals, 1 = April")
    style: Literal["simple", "isfe"] = Field(
        "simple", description="simple columns, or as an ICB's finance system exports it"
    )


def demo_ledger(request: DemoLedgerRequest) -> Analysis:
    """The demo ledger (and, for ``isfe``, its cost-centre map beside it, ``OUT-map.csv``).

    Raises:
        InputError: The model has no budget lines, or an input problem.
    """
    from . import demo
    from .model.runner import run_model
    from .readers.model import read_model
    from .workbook.files import atomic_write
    from .workbook.tables import csv_bytes

    r = request
    isfe = r.style == "isfe"
    out = r.checked_output(r.model, sidecars=("map",) if isfe else (), suffixes=(".csv",))
    result = run_model(read_model(r.model))
    if result.apportionment is None:
        raise InputError("the model has no budget lines", where=str(r.model))
    cells, practices = result.apportionment.cells, result.practices
    if isfe:
        year = result.inputs.policy.financial_year
        extract, mapping = demo.isfe_ledger(cells, practices, r.month, year)
        cc_map = out.with_name(f"{out.stem}-map.csv")
        atomic_write(out, csv_bytes(extract))
        atomic_write(cc_map, csv_bytes(mapping))
        tables = {"ledger": extract, "map": mapping}
        return Analysis(out, tables, f"wrote {out} and its cost-centre map {cc_map}")
    ledger = demo.ledger(cells, practices, r.month)
    atomic_write(out, csv_bytes(ledger))
    return Analysis(out, {"ledger": ledger}, f"wrote {out}")


# --------------------------------------------------------------------------- pack template


class PackTemplateRequest(Written):
    """xlalloc's pack template, to restyle (``xlalloc pack-template``)."""


def pack_template(request: PackTemplateRequest) -> Analysis:
    """The default pack template written to ``output``."""
    from .workbook.packs import build_template
    from .workbook.xlsx import save_atomic

    out = request.checked_output(suffixes=(".xlsx",))
    save_atomic(build_template(), out)
    return Analysis(out, {}, f"wrote {out}")


# --------------------------------------------------------------------------- compare


class CompareRequest(Written):
    """What changed between two runs of a model, written to a file (``xlalloc compare``)."""

    old: Path = Field(description="the earlier model workbook (e.g. last month's)")
    new: Path = Field(description="the later model workbook (or another policy option)")


def compare(request: CompareRequest, comparison: Any) -> Analysis:
    """Write a comparison (:func:`xlalloc.api.compare`'s) as CSVs or a workbook.

    Raises:
        InputError: The output breaks the one output rule.
    """
    from .workbook.changes_book import write_changes

    r = request
    out = r.checked_output(r.old, r.new, sidecars=("places", "targets", "convergence", "policy"))
    tables = comparison.tables()
    if out.suffix.lower() == ".csv":
        _write(out, tables, r)
    else:
        write_changes(out, comparison, r.look(), (r.old.name, r.new.name))
    return Analysis(out, tables, f"{comparison.summary()}\nwrote {out}", notes=comparison.notes)
