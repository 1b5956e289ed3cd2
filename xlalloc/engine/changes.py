"""What changed between two runs, split exactly into amounts and shares.

For a table of money built from lines (budget lines apportioned to care programme and
place; an ICB budget shared by target between places), each line *l* has an amount
``a_l`` and shares ``s_lp = c_lp / a_l`` of its cells ``c_lp``. Between an old and a
new run, the change in a cell of the table is split as a shift-share (the standard
two-factor decomposition, old shares weighting the amount effect):

* **from amounts**: ``Σ_l (a_l' − a_l) · s_lp``, the change in each line's amount spread
  by its old shares (a line added or removed counts wholly here: an added line's new
  cells, a removed line's old cells with the sign turned);
* **from shares**: ``Σ_l a_l' · (s_lp' − s_lp)``, the new amount times the change in
  share: new data, methods or need.

The two add up to the change exactly. Cells are whole pennies; "from amounts" is
rounded to the penny by largest remainder so that each group of lines (a care
programme, a year) keeps its exact total change in amounts, and "from shares" is the
rest of the change, so ``old + from_amounts + from_shares = new`` to the penny. (The
rounding of the runs' own cells to £1 therefore shows in "from shares", never more
than the rounding unit per line.)

Convergence changes are reported per organisation with the rule that set each
allocation in both runs (:func:`convergence_changes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["CHANGE_COLUMNS", "convergence_changes", "explain_change", "round_to_total"]

#: Columns :func:`explain_change` adds to its keys.
CHANGE_COLUMNS = ["old", "new", "change", "from_amounts", "from_shares"]


def _cents(values: pd.Series, where: str) -> pd.Series:
    """Amounts in whole pennies (int64); an amount with a fraction of a penny is refused."""
    x = values.to_numpy(dtype=np.float64) * 100
    r = np.round(x)
    bad = ~np.isfinite(x) | (np.abs(x - r) > 1e-6 * np.maximum(1, np.abs(x)))
    if bad.any():
        shown = ", ".join(f"{v!r}" for v in values[bad].head(5))
        raise InputError(f"amounts must be whole pennies; found {shown}", where=where)
    return pd.Series(r.astype(np.int64), index=values.index)


def round_to_total(exact: np.ndarray, groups: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Round signed amounts (in pennies) to whole pennies keeping each group's total.

    Each amount is rounded down and the pennies left over go one each to the amounts
    with the largest remainders (ties to the earlier), so every amount moves by less
    than a penny and each group sums to its total.

    Args:
        exact: Amounts in pennies, any sign.
        groups: Each amount's group code (0 to k − 1).
        totals: Each group's total in whole pennies; within one penny per amount of the
            group's exact sum.

    Returns:
        Whole pennies (int64).
    """
    x = np.where(np.abs(exact - np.round(exact)) < 1e-6, np.round(exact), exact)
    floor = np.floor(x).astype(np.int64)
    rem = x - floor
    need = np.asarray(totals, dtype=np.int64) - np.bincount(
        groups, weights=floor, minlength=len(totals)
    ).round().astype(np.int64)
    order = np.lexsort((np.arange(len(x)), -rem, groups))
    rank = np.empty(len(x), dtype=np.int64)
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank[order] = np.arange(len(x)) - starts
    if (need < 0).any() or (need > np.bincount(groups, minlength=len(totals))).any():
        raise InputError(
            "the totals cannot be reached by rounding each amount by less than a penny",
            where="totals",
        )
    return floor + (rank < need[groups]).astype(np.int64)


def explain_change(
    old: pd.DataFrame,
    new: pd.DataFrame,
    by: list[str],
    line: list[str],
    within: list[str] | None = None,
    amount: str = "amount",
) -> pd.DataFrame:
    """Each cell's change between two runs, split into amounts and shares.

    Args:
        old: The old run's cells: the ``line`` and ``by`` columns and ``amount`` (£).
        new: The new run's cells, in the same columns.
        by: The table's keys, e.g. ``["programme", "place"]``.
        line: The columns naming a line, e.g. ``["line", "programme"]``: a line whose
            programme changed is a line removed and a line added.
        within: Keys (of ``by`` and ``line``) whose groups keep their exact change in
            amounts after rounding, e.g. ``["programme"]`` (default: the whole table).
        amount: The money column.

    Returns:
        One row per key of either run, sorted by key: the ``by`` columns, then ``old,
        new, change, from_amounts, from_shares`` in £ (whole pennies), with
        ``old + from_amounts + from_shares == new`` exactly.
    """
    within = within or []
    keys = list(dict.fromkeys([*line, *by]))
    o = old.assign(_c=_cents(old[amount], "old")).groupby(keys, dropna=False)["_c"].sum()
    n = new.assign(_c=_cents(new[amount], "new")).groupby(keys, dropna=False)["_c"].sum()
    cells = pd.concat({"c_old": o, "c_new": n}, axis=1).fillna(0).astype(np.int64).reset_index()
    a_old = cells.groupby(line, dropna=False)["c_old"].transform("sum")
    a_new = cells.groupby(line, dropna=False)["c_new"].transform("sum")
    in_old = cells.set_index(line).index.isin(o.reset_index().set_index(line).index)
    in_new = cells.set_index(line).index.isin(n.reset_index().set_index(line).index)
    both = in_old & in_new & (a_old.to_numpy() != 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = (
            (a_new - a_old).to_numpy(dtype=np.float64)
            * cells["c_old"].to_numpy()
            / (a_old.to_numpy(dtype=np.float64))
        )
    # Added (or from nothing): the new cells; removed: the old cells, negative.
    exact = np.where(
        both,
        spread,
        np.where(
            in_new, cells["c_new"] - np.where(in_old, cells["c_old"], 0), -cells["c_old"]
        ).astype(np.float64),
    )
    cells["exact"] = exact
    table = (
        cells.groupby(by, dropna=False)
        .agg(old=("c_old", "sum"), new=("c_new", "sum"), exact=("exact", "sum"))
        .reset_index()
    )
    # Each group's exact change in amounts: Σ (a' − a) over its lines, in whole pennies.
    if within:
        g_cells = cells.groupby(within, dropna=False)
        group_total = g_cells["c_new"].sum() - g_cells["c_old"].sum()
        codes = table.set_index(within).index
        group_index = pd.Index(group_total.index)
        groups = group_index.get_indexer(codes)
        if (groups < 0).any():
            raise InputError("a row's group has no lines", where="within")
        totals = group_total.to_numpy(dtype=np.int64)
    else:
        groups = np.zeros(len(table), dtype=np.int64)
        totals = np.array([int(cells["c_new"].sum() - cells["c_old"].sum())])
    from_amounts = round_to_total(table["exact"].to_numpy(), groups, totals)
    change = (table["new"] - table["old"]).to_numpy(dtype=np.int64)
    out = table[by].copy()
    out["old"] = table["old"].to_numpy() / 100
    out["new"] = table["new"].to_numpy() / 100
    out["change"] = change / 100
    out["from_amounts"] = from_amounts / 100
    out["from_shares"] = (change - from_amounts) / 100
    return out.sort_values(by, kind="stable").reset_index(drop=True)


def convergence_changes(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Each organisation's change in allocation between two convergence runs.

    Args:
        old: The old run's convergence table (``year, org, target_share, baseline,
            allocation, rule``).
        new: The new run's, in the same columns.

    Returns:
        One row per year and organisation of either run: ``year, org, old, new, change,
        target_share_old, target_share_new, rule_old, rule_new, rule_changed`` where
        ``rule_changed`` says how the rule that set the allocation changed (blank when
        it did not).
    """
    cols = ["year", "org", "target_share", "allocation", "rule"]
    m = old[cols].merge(new[cols], on=["year", "org"], how="outer", suffixes=("_old", "_new"))
    out = pd.DataFrame(
        {
            "year": m["year"],
            "org": m["org"],
            "old": m["allocation_old"].fillna(0.0),
            "new": m["allocation_new"].fillna(0.0),
        }
    )
    out["change"] = out["new"] - out["old"]
    out["target_share_old"] = m["target_share_old"]
    out["target_share_new"] = m["target_share_new"]
    out["rule_old"] = m["rule_old"].fillna("(not in the old run)")
    out["rule_new"] = m["rule_new"].fillna("(not in the new run)")
    changed = out["rule_old"] != out["rule_new"]
    out["rule_changed"] = np.where(changed, out["rule_old"] + " → " + out["rule_new"], "")
    return out.sort_values(["year", "org"], kind="stable").reset_index(drop=True)
