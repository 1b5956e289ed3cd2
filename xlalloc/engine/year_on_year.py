"""Year-on-year reconciliation of an ICB's practice list.

A place's weighted population moves from one year's file to the next for two
reasons: its practices' populations and need change, and practices join or leave
it (new practices, closures and mergers, practices moving between ICBs when
footprints change, as 42 ICBs became 36 in 2026/27). NHS England's place-based
allocation tool builds each year's indices from that year's practice file; this
module lists the practices that appear, disappear or change ICB between
consecutive years, with the population and core weighted population they carry,
so an analyst can see why a place's figures moved.

Source: NHS England, ICB allocations 2026/27 to 2028/29 technical guide (practice
files are annual snapshots of registered lists; footprint changes apply from
2026/27).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError, listed, quoted

__all__ = ["CHANGES", "CHANGE_COLUMNS", "practice_changes"]

#: What happened to a practice between two consecutive years, in the order listed.
CHANGES = (
    "came with its former ICB (a merger or boundary change)",
    "joined from another ICB",
    "new in the year's file",
    "left for another ICB",
    "not in the year's file (closed or merged)",
)

#: Columns of :func:`practice_changes`' table.
CHANGE_COLUMNS = [
    "from_year",
    "to_year",
    "change",
    "practice_code",
    "practice_name",
    "other_icb",
    "population",
    "core_wp",
]

_NATIONAL = ("year", "practice_code", "practice_name", "icb_code", "icb_name", "population", "core")


def _changes_between(
    nat: pd.DataFrame, members: pd.DataFrame, y1: str, y2: str
) -> list[pd.DataFrame]:
    """The ICB's practices that came with a merger, joined or left between two years."""
    parts = []
    a = set(members.loc[members["year"] == y1, "practice_code"])
    b = set(members.loc[members["year"] == y2, "practice_code"])
    n1 = nat[nat["year"] == y1].set_index("practice_code")
    n2 = nat[nat["year"] == y2].set_index("practice_code")
    left = sorted(a - b)
    joined = sorted(b - a)
    lf = n1.loc[left]
    moved_out = lf.index.isin(n2.index)
    jf = n2.loc[joined]
    moved_in = jf.index.isin(n1.index)
    both = sorted(a & b)
    merged = n1.loc[both, "icb_code"].to_numpy() != n2.loc[both, "icb_code"].to_numpy()
    mf = n1.loc[[c for c, m in zip(both, merged) if m]]  # its former ICB's figures
    for frame, moved, other, names in (
        (mf, np.ones(len(mf), dtype=bool), n1, (CHANGES[0], CHANGES[0])),
        (jf, moved_in, n1, (CHANGES[1], CHANGES[2])),
        (lf, moved_out, n2, (CHANGES[3], CHANGES[4])),
    ):
        other_icb = pd.Series(frame.index, index=frame.index).map(
            other["icb_name"].fillna(other["icb_code"])
        )
        parts.append(
            pd.DataFrame(
                {
                    "from_year": y1,
                    "to_year": y2,
                    "change": np.where(moved, names[0], names[1]),
                    "practice_code": frame.index.to_numpy(dtype=object),
                    "practice_name": frame["practice_name"].to_numpy(dtype=object),
                    "other_icb": np.where(moved, other_icb.to_numpy(dtype=object), None),
                    "population": frame["population"].to_numpy(dtype="float64"),
                    "core_wp": frame["core"].to_numpy(dtype="float64"),
                }
            )
        )
    return parts


def practice_changes(national: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Practices that appear in, or disappear from, an ICB between consecutive years.

    Args:
        national: Every practice of every year's file (the normalised frame of
            :mod:`xlalloc.readers.nhse`): ``year, practice_code, practice_name,
            icb_code, icb_name, population, core``.
        members: The ICB's practices each year: ``year, practice_code``.

    Returns:
        One row per practice that changed, with :data:`CHANGE_COLUMNS`. A
        practice that joins or is new carries its ``to_year`` population and core
        weighted population; one that leaves carries its ``from_year`` figures, as does
        one that is the ICB's in both years but under another ICB's code in the first
        (it came with its former ICB in a merger: the bridge, practice by practice).
        ``other_icb`` names the ICB it came from or went to. Empty when only one
        year is given or nothing changed.

    Raises:
        InputError: If a column is missing or a member is not in its year's file.
    """
    missing = [c for c in _NATIONAL if c not in national.columns]
    missing += [c for c in ("year", "practice_code") if c not in members.columns]
    if missing:
        raise InputError(f"missing column(s) {quoted(missing)}", where="practice changes")
    nat = national[list(_NATIONAL)].drop_duplicates(["year", "practice_code"])
    known = members.merge(nat[["year", "practice_code"]], how="left", indicator=True)
    stray = known[known["_merge"] == "left_only"]
    if len(stray):
        raise InputError(
            f"practice(s) {listed(sorted(stray['practice_code']), 10)} are not in their "
            "year's file",
            where="practice changes",
        )
    years = sorted(set(members["year"]))
    parts = [
        part for y1, y2 in zip(years, years[1:]) for part in _changes_between(nat, members, y1, y2)
    ]
    if not parts:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="float64" if c in ("population", "core_wp") else object)
                for c in CHANGE_COLUMNS
            }
        )
    out = pd.concat(parts, ignore_index=True)
    order = {c: i for i, c in enumerate(CHANGES)}
    out = (
        out.assign(_o=out["change"].map(order))
        .sort_values(["from_year", "_o", "practice_code"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    out["other_icb"] = out["other_icb"].astype(object).where(out["other_icb"].notna(), None)
    return out[CHANGE_COLUMNS]
