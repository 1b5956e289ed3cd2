"""``xlalloc targets``: need indices, target shares and target £ by place.

NHS England's practice file (any year's layout, or the demo's) grouped into places,
with target shares by the chosen weighted population and, with a budget, targets in
pounds rounded to the unit; intervals with ``uncertainty``; provenance beside them.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import pandas as pd
from pydantic import Field, field_validator

from .. import demo
from ..engine import capitation as cap
from ..engine.capitation import COMPONENTS, Component
from ..engine.errors import InputError, checked, option
from ..engine.uncertainty import UncertaintySettings, target_intervals
from ..model.build import GROUPINGS
from ..model.checks import CheckStatus
from ..model.provenance import Provenance
from ..model.runner import run_time
from ..readers import nhse
from ..readers.tables import file_sha256, read_baselines, read_table
from ..request import Written
from .analysis import Analysis
from .analysis import write as _write

if TYPE_CHECKING:
    from ..workbook.places_map import Painter

__all__ = ["TargetsRequest", "run"]


class TargetsRequest(Written):
    """Need indices, target shares and targets by place (``xlalloc targets``)."""

    practices: str = Field(
        description="NHS England practice file (CSV/XLSX, any year's layout), or 'demo'"
    )
    output: Path = Field(description="OUT.csv or OUT.xlsx")
    year: str | None = Field(
        None, description="financial year to use from a workbook of several years, e.g. 2024/25"
    )
    places: Path | None = Field(
        None, description="CSV/XLSX with columns practice_code,place[,locality]"
    )
    places_by: Literal["lad", "pcn", "sub_icb", "former_icb"] | None = Field(
        None,
        description="or one place per local authority district (lad), primary care network "
        "(pcn) or sub-ICB location (sub_icb), named as the file names them (as xlalloc new); "
        "or former_icb: each practice's ICB in the `former` file",
    )
    former: Path | None = Field(
        None,
        description="an earlier year's practice file, whose ICBs are the places of "
        "`places_by` former_icb (e.g. 2025/26's, for a 2026/27 ICB formed by merger)",
        json_schema_extra={"metavar": "FILE"},
    )
    icb: str | None = Field(
        None,
        description="keep one ICB, by code, name or a unique part of it, e.g. QWO or "
        "'west yorkshire'",
    )
    component: Component = Field("core", description="weighted population the target shares follow")
    budget: float | None = Field(
        None, ge=0, description="ICB budget in £ to share by target, e.g. 2500000000"
    )
    unit: float = Field(1.0, gt=0, description="rounding unit in £: 1, or 1000 for £000")
    round: Literal["nhse"] | None = Field(
        None, description="round as NHS England's tool (populations to 1, indices to 0.001)"
    )
    blank_as_zero: bool = Field(
        False, description="read blank weighted populations as zero (recorded per practice)"
    )
    uncertainty: float | None = Field(
        None,
        description="add 5th and 95th percentiles of each target by seeded Monte Carlo: U is "
        "the relative uncertainty of a 250,000 population's weighted population (0.0255 = "
        "0.05/1.96 is ±5% at 95%)",
        json_schema_extra={"metavar": "U"},
    )
    draws: int | None = Field(
        None, description="Monte Carlo draws (default 2000; needs `uncertainty`)"
    )
    seed: int | None = Field(
        None,
        description="random seed (default 1; needs `uncertainty`): the same seed gives the same "
        "figures",
    )
    baselines: Path | None = Field(
        None,
        description="CSV/XLSX with columns place,baseline: adds each place's distance from "
        "target with its interval (needs `uncertainty`)",
        json_schema_extra={"metavar": "BASELINES.csv"},
    )

    rates: ClassVar[tuple[str, ...]] = ("uncertainty",)
    arguments: ClassVar[tuple[str, ...]] = ("practices", "output")

    @field_validator("practices", mode="before")
    @classmethod
    def _path_as_text(cls, v: object) -> object:
        """A file given as a path is its name (``demo`` names the demo's practices)."""
        return str(v) if isinstance(v, PurePath) else v


def run(request: TargetsRequest) -> Analysis:
    """Need indices, target shares and (with a budget) targets, with their provenance.

    Raises:
        InputError: Every input problem; nothing is written.
    """
    from ..workbook.places_map import Painter

    r = request
    out = r.checked_output(r.practices, r.places, r.former, sidecars=("provenance",))
    picture = None
    if r.places_by and r.practices != "demo" and importlib.util.find_spec("matplotlib"):
        from ..workbook.files import check_output

        picture = check_output(out.with_name(f"{out.stem}-places.png"), [], r.overwrite, (".png",))
    with Painter(enabled=picture is not None) as painter:  # the map drawn alongside
        analysis = _targets(r, out, painter)
        if picture is not None and painter.started:
            painter.write(picture)
            analysis.notes.append(f"drew the practices by place in {picture}: each place a colour")
    return analysis


def _targets(r: TargetsRequest, out: Path, painter: Painter) -> Analysis:
    """The targets table and its provenance, written to ``out``; the map begun by ``painter``."""
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
