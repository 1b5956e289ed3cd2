"""Build a model's inputs for one ICB from NHS England's published practice files.

One file per financial year (``xlalloc new MODEL.xlsx --practices FILE ... --icb
CODE_OR_NAME``). The model's Practices table gets one row per practice and year,
with every component's weighted population; places (and localities) are defined
once per practice code, from a table or from a grouping column of the files, and
apply to every year. Also returned: the source files with their SHA-256 (the
model's provenance) and the year-on-year reconciliation of the ICB's practice list.

Every problem (unreadable files, two files for one year, an unknown ICB, a
grouping the files do not hold, practices in no place) is reported together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from ..engine.capitation import COMPONENTS
from ..engine.errors import InputError, Problems, listed, option, rows_text
from ..engine.year_on_year import practice_changes
from ..readers import nhse
from ..readers.tables import file_sha256, read_table
from .policy import ModelPolicy
from .runner import UNMAPPED

__all__ = ["GROUPINGS", "UNMAPPED", "BuiltModel", "build_from_files"]

Grouping = Literal["lad", "pcn", "sub_icb", "former_icb"]

#: Grouping columns of NHS England's files: option value -> (column key, what it is).
#: ``former_icb`` is each practice's ICB in the earliest file given: a merged ICB's
#: predecessors as its places.
GROUPINGS: dict[str, tuple[str, str]] = {
    "lad": ("lad_name", "local authority district"),
    "pcn": ("pcn_name", "primary care network (PCN)"),
    "sub_icb": ("sub_icb_name", "sub-ICB location"),
    "former_icb": ("icb_name", "ICB in the earliest file (its former ICB)"),
}


_ORG = (
    "practice_name",
    "pcn_code",
    "pcn_name",
    "lad_code",
    "lad_name",
    "sub_icb_code",
    "sub_icb_name",
)


@dataclass
class BuiltModel:
    """A model's inputs built from NHS England's files.

    Attributes:
        practices: The Practices table (``tblPractices``): one row per year and practice.
        sources: One row per source file: ``file, years, sha256, practices, icb_practices``.
        changes: Year-on-year reconciliation (see
            :func:`xlalloc.engine.year_on_year.practice_changes`), with each practice's place.
        policy: Policy values: the earliest year as the financial year, the ICB's name.
        icb_code: The ICB's code in the latest year.
        icb_name: Its name.
        notes: What was chosen or assumed, for the console and the Cover sheet.
    """

    practices: pd.DataFrame
    sources: pd.DataFrame
    changes: pd.DataFrame
    policy: ModelPolicy
    icb_code: str
    icb_name: str
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Input tables by table name, for the model writer."""
        return {
            "tblPractices": self.practices,
            "tblSources": self.sources,
            "tblReconciliation": self.changes,
        }

    @property
    def zero_filled(self) -> pd.DataFrame:
        """Practices whose blank weighted populations were read as zero."""
        z = self.practices[self.practices["zero_filled"].notna()]
        return z[["year", "practice_code", "practice_name", "zero_filled"]].reset_index(drop=True)


def _read_files(
    files: Sequence[str | Path], blank_wp: nhse.BlankWP | str, problems: Problems
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Path]]:
    """Every file read, its source record, and the file each year came from."""
    frames, sources = [], []
    by_year: dict[str, list[Path]] = {}
    for f in files:
        path = Path(f)
        try:
            df = nhse.read_file(path, blank_wp)
        except InputError as e:
            problems.extend(e)
            continue
        frames.append(df)
        years = sorted(df["year"].unique())
        sources.append(
            {
                "file": path.name,
                "years": ", ".join(years),
                "sha256": file_sha256(path),
                "practices": len(df),
            }
        )
        for y in years:
            by_year.setdefault(y, []).append(path)
    if not frames:
        problems.raise_if_any()
        raise InputError("no practice files given", where=option("practices"))
    national = pd.concat(frames, ignore_index=True)
    for y, paths in sorted(by_year.items()):
        if len(paths) > 1:
            problems.add(
                option("practices"),
                f"{len(paths)} files give {y}: "
                f"{', '.join(p.name for p in paths)}; give one file per "
                "financial year",
            )
    return national, pd.DataFrame(sources), {y: p[0] for y, p in by_year.items()}


def _members(national: pd.DataFrame, code: str, notes: list[str]) -> pd.DataFrame:
    """The ICB's practices each year (by practice code where a year predates the ICB)."""
    years = sorted(national["year"].unique())
    has = [y for y in years if (national.loc[national["year"] == y, "icb_code"] == code).any()]
    ref_year = has[-1]
    ref = set(
        national.loc[
            (national["year"] == ref_year) & (national["icb_code"] == code), "practice_code"
        ]
    )
    parts = []
    for y in years:
        year = national[national["year"] == y]
        if y in has:
            parts.append(year[year["icb_code"] == code])
        else:
            parts.append(year[year["practice_code"].isin(ref)])
            notes.append(
                f"ICB {code} is not in {y}'s file (footprints change): its {y} "
                f"practices are those of its {ref_year} practices that are in "
                f"{y}'s file ({parts[-1].shape[0]} of {len(ref)})"
            )
    return pd.concat(parts, ignore_index=True)


def _grouping(
    members: pd.DataFrame,
    by: Grouping,
    files: dict[str, Path],
    problems: Problems,
    notes: list[str],
    option: str,
) -> pd.Series:
    """Each practice code's group: its latest non-blank value in the files.

    ``former_icb``: its ICB in the earliest file instead (a practice not in that file has
    none, and is reported as in no place).
    """
    key, what = GROUPINGS[by]
    if by == "former_icb":
        first = min(members["year"])
        earliest = members[members["year"] == first].drop_duplicates("practice_code")
        if earliest["icb_code"].isna().any():  # named by their rows in the file
            problems.items.extend(
                nhse.blank_icb_problems(
                    nhse.read_file(files[first]),
                    files[first],
                    earliest.loc[earliest["icb_code"].isna(), "practice_code"],
                ).items
            )
            earliest = earliest.dropna(subset=["icb_code"])
        notes.append(
            f"places are the ICBs the practices were in in {first} ({files[first].name}): "
            + ", ".join(
                f"{n} ({c})" for c, n in sorted(set(zip(earliest["icb_code"], earliest[key])))
            )
        )
        return earliest.set_index("practice_code")[key].astype("string")
    present = members.dropna(subset=[key])
    years = sorted(members["year"].unique())
    lacking = [y for y in years if y not in set(present["year"])]
    for y in lacking:
        headers = nhse.read_headers(files[y])
        has_column = nhse.match_columns_optional(headers).get(key)
        msg = (
            f"{files[y].name} ({y}) leaves its {what} column {has_column!r} blank in every row"
            if has_column
            else f"{files[y].name} ({y}) has no {what} column"
        )
        msg += ". Columns it has: " + ", ".join(headers)
        if len(lacking) == len(years):
            problems.add(option, msg)
        else:
            notes.append(msg + f"; its practices take their {what} from the other years' files")
    if len(lacking) == len(years):
        return pd.Series(dtype="string")
    latest = present.sort_values("year").drop_duplicates("practice_code", keep="last")
    group = latest.set_index("practice_code")[key].astype("string")
    varied = present.groupby("practice_code")[key].nunique()
    n_varied = int((varied > 1).sum())
    if n_varied:
        notes.append(
            f"{n_varied} practice(s) changed {what} between the files; each takes its latest"
        )
    return group


def _places_table(
    path: str | Path, members: pd.DataFrame, problems: Problems
) -> tuple[pd.Series, pd.Series]:
    """A places file's place and locality by practice code, every problem reported."""
    where = Path(path).name
    t = read_table(path, required=("practice_code", "place"))
    known = set(members["practice_code"])
    for col in ("practice_code", "place"):
        for r in t.loc[t[col].isna(), "source_row"]:
            problems.add(where, f"blank {col.replace('_', ' ')}", row=int(r), column=col)
    stray = t["practice_code"].notna() & ~t["practice_code"].isin(known)
    for code, r in zip(t.loc[stray, "practice_code"], t.loc[stray, "source_row"]):
        problems.add(
            where,
            f"practice {code} is not one of the ICB's practices in any file given",
            row=int(r),
            column="practice_code",
        )
    twice = t.groupby("practice_code")["place"].nunique()
    for code in twice[twice > 1].index:
        mine = t[t["practice_code"] == code]
        rows = [int(r) for r in mine["source_row"]]
        problems.add(
            where,
            f"practice {code} is in more than one place: "
            + listed(f"{p} (row {r})" for p, r in zip(mine["place"], rows))
            + "; give each practice one place",
            row=rows_text(rows),
            column="place",
        )
    t = t.dropna(subset=["practice_code"]).drop_duplicates("practice_code")
    t = t.set_index("practice_code")
    locality = (
        t["locality"]
        if "locality" in t.columns
        else pd.Series(pd.NA, index=t.index, dtype="string")
    )
    return t["place"].astype("string"), locality.astype("string")


def _placed(
    members: pd.DataFrame,
    places: str | Path | None,
    places_by: Grouping | None,
    localities_by: Grouping | None,
    files_by_year: dict[str, Path],
    notes: list[str],
) -> pd.DataFrame:
    """The ICB's practices each with its place and locality (blank where none).

    Raises:
        InputError: Every problem of the places file or the groupings, together.
    """
    problems = Problems()
    place: pd.Series
    locality: pd.Series = pd.Series(dtype="string")
    if places is not None:
        place, locality = _places_table(places, members, problems)
    else:
        assert places_by is not None
        place = _grouping(members, places_by, files_by_year, problems, notes, option("places_by"))
    if localities_by is not None:
        locality = _grouping(
            members, localities_by, files_by_year, problems, notes, option("localities_by")
        )
    problems.raise_if_any()
    out = members.copy()
    out["place"] = out["practice_code"].map(place).astype("string")
    out["locality"] = out["practice_code"].map(locality).astype("string")
    return out


def _unmapped_places(
    out: pd.DataFrame, name: str, allow: bool, by_file: str | None, notes: list[str]
) -> pd.Series:
    """The practices' places, those in none refused or (``allow``) put in Unmapped.

    Raises:
        InputError: Practices in no place, each named with its years, unless ``allow``.
    """
    unmapped = out[out["place"].isna()].drop_duplicates("practice_code")
    if len(unmapped):
        in_years = out.groupby("practice_code")["year"].agg(lambda y: ", ".join(sorted(y)))
        named = "; ".join(
            f"{c} {n} ({in_years[c]})"
            for c, n in zip(unmapped["practice_code"], unmapped["practice_name"])
        )
        if not allow:
            raise InputError(
                f"{len(unmapped)} practice(s) of {name} are in no place: {named}. "
                f"Add them to the places, or pass {option('allow_unmapped')} to put them in "
                f"an '{UNMAPPED}' place that the Checks sheet reports",
                where=by_file or option("places_by"),
            )
        notes.append(
            f"{len(unmapped)} practice(s) are in the '{UNMAPPED}' place (the Checks "
            f"sheet reports them): {named}"
        )
        return out["place"].fillna(UNMAPPED)
    return out["place"]


def _practices_table(out: pd.DataFrame) -> pd.DataFrame:
    """The Practices sheet's rows: by year, place and practice."""
    practices = pd.DataFrame(
        {
            "year": out["year"],
            "practice_code": out["practice_code"],
            **{k: out[k] for k in _ORG},
            "locality": out["locality"],
            "place": out["place"],
            "population": out["population"],
            **{f"{c}_wp": out[c] for c in COMPONENTS},
            "zero_filled": out["filled"],
        }
    )
    return practices.sort_values(["year", "place", "practice_code"], kind="stable").reset_index(
        drop=True
    )


def _changes(
    national: pd.DataFrame, members: pd.DataFrame, practices: pd.DataFrame
) -> pd.DataFrame:
    """The year-on-year practice changes, each with its practice's (latest) place."""
    changes = practice_changes(national, members[["year", "practice_code"]])
    latest = practices.drop_duplicates("practice_code", keep="last").set_index("practice_code")
    changes.insert(5, "place", changes["practice_code"].map(latest["place"]))
    return changes


def build_from_files(
    files: Sequence[str | Path],
    icb: str,
    places: str | Path | None = None,
    places_by: Grouping | None = None,
    localities_by: Grouping | None = None,
    allow_unmapped: bool = False,
    blank_wp: nhse.BlankWP | str = nhse.BlankWP.ERROR,
    on_placed: Callable[[pd.DataFrame, str, str], None] | None = None,
) -> BuiltModel:
    """Build one ICB's model inputs from NHS England's files, one per financial year.

    Args:
        files: NHS England's practice files (CSV, or a workbook of several years).
        icb: The ICB's code, full name or a unique part of its name (case-insensitive).
        places: A CSV or XLSX of ``practice_code, place[, locality]``, applied to every year.
        places_by: Or name each place after a grouping column of the files (``lad``
            by default when neither is given).
        localities_by: Localities within places from a grouping column.
        allow_unmapped: Put practices in no place in an ``Unmapped`` place (the Checks
            sheet counts them) instead of reporting them as an error.
        blank_wp: ``"zero"`` to read blank weighted populations as zero need, each
            named in the Practices table's ``zero_filled`` column.
        on_placed: Called with the Practices table, the ICB's code and its name as soon
            as every practice has its place, before the year-on-year changes are worked
            out (``xlalloc new`` begins its map of the practices by place with them).

    Returns:
        The :class:`BuiltModel`.

    Raises:
        InputError: Every problem found, together.
    """
    problems = Problems()
    notes: list[str] = []
    if places is not None and places_by is not None:
        raise InputError(
            f"give either {option('places')} or {option('places_by')}, not both",
            where=option("places"),
        )
    if places is None and places_by is None:
        places_by = "lad"
        notes.append(
            "places are local authority districts (the default; choose with "
            f"{option('places')} FILE or {option('places_by')} lad|pcn|sub_icb)"
        )
    national, sources, files_by_year = _read_files(files, blank_wp, problems)
    problems.raise_if_any()
    national = nhse.one_name_per_icb(national)
    latest = national[national["year"] == national["year"].max()]
    code, name = (
        nhse.find_icb(national, icb)
        if icb.strip().upper() in set(latest["icb_code"])
        else nhse.find_icb_over_years(national, icb)
    )
    members = _members(national, code, notes)
    out = _placed(members, places, places_by, localities_by, files_by_year, notes)
    out["place"] = _unmapped_places(
        out, name, allow_unmapped, option("places") if places is not None else None, notes
    )
    practices = _practices_table(out)
    if on_placed is not None:
        on_placed(practices, code, name)
    counts = practices.groupby("year").size()
    sources["icb_practices"] = [
        int(sum(counts.get(y.strip(), 0) for y in ys.split(","))) for ys in sources["years"]
    ]
    changes = _changes(national, members, practices)
    policy = ModelPolicy(financial_year=min(practices["year"]), icb_name=name)
    filled = practices["zero_filled"].notna().sum()
    if filled:
        notes.append(
            f"{filled} practice-year(s) have blank weighted populations read as zero; "
            "the Practices sheet's zero_filled column names them"
        )
    return BuiltModel(practices, sources, changes, policy, code, name, notes)
