"""Apportioning every budget line: checks, the method chain, rounding and tables."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..capitation import COMPONENTS
from ..errors import InputError, Problem, Problems, listed, quoted, rows_text
from ..frames import contract, is_blank, row_numbers, source_rows, text_codes
from ..rounding import largest_remainder, units_of
from .methods import REGISTRY, Context
from .settings import ApportionmentSettings

__all__ = [
    "Apportionment",
    "DEFAULT_PROGRAMMES",
    "apportion",
    "default_chain",
    "reads_data",
    "rows_text",
]

#: Default care programmes, with the method chain and capitation component each
#: uses when a line names no methods (after BSOL's Appendix 1).
DEFAULT_PROGRAMMES: dict[str, tuple[tuple[str, ...], str]] = {
    "Acute": (("practice_data", "capitation"), "ga"),
    "Mental health": (("place_split", "practice_data", "capitation"), "mental_health"),
    "Learning disabilities": (("place_split", "practice_data", "capitation"), "core"),
    "Community": (("place_split", "capitation"), "community"),
    "Continuing healthcare / FNC": (("practice_data", "capitation"), "core"),
    "Primary care (outside GMS) incl. prescribing": (
        ("practice_data", "capitation"),
        "prescribing",
    ),
    "Primary care (GMS)": (("scale", "capitation"), "pmc"),
    "Other programme costs": (("capitation",), "core"),
    "Corporate running costs": (("capitation",), "core"),
}


@dataclass
class Apportionment:
    """Result of :func:`apportion`.

    Attributes:
        cells: One row per line × place × locality: ``line, programme,
            recurrent, place, locality, amount``.
        audit: One row per line: methods tried, method used, why others were
            skipped, coverage, and reconciliation.
        table1: £ by programme × place with totals.
        table1_recurrent: The same for recurrent lines only.
        table1_locality: £ by programme × locality.
        shares: Each place's share of each programme, and (Total) of the whole budget;
            0 where a programme's total is 0.
        table2: £ per 1,000 weighted population by programme × place.
        index: Table 2 divided by the ICB's figure for the programme (0 where that is 0).
        practice_spend: The spend attributed to practices, computed once here: one row
            per line whose method reaches practices (``practice_data``, from Practice
            values or Activity alike, and ``capitation``) and practice, ``line, method,
            practice_code, amount``; the line's amount times the share its method
            attributes (its data's coverage), shared by the method's practice weights,
            to the penny.
        warnings: What the apportionment left unused and why (practice-level data of a
            line whose methods do not read it), each a sentence.
        per_1000_wp: The weighted population Table 2 divides by: each place's, and the
            ICB's (``ICB``).
    """

    cells: pd.DataFrame
    audit: pd.DataFrame
    table1: pd.DataFrame
    table1_recurrent: pd.DataFrame
    table1_locality: pd.DataFrame
    shares: pd.DataFrame
    table2: pd.DataFrame
    index: pd.DataFrame
    practice_spend: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["line", "method", "practice_code", "amount"])
    )
    warnings: list[str] = field(default_factory=list)
    per_1000_wp: pd.Series = field(default_factory=lambda: pd.Series(dtype="float64"))


def _methods_of(value: object) -> list[str]:
    """A line's methods: a sequence of method names, one name, or blank for the default."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if not is_blank(v)]
    if is_blank(value):
        return []
    return [str(value).strip()]


#: Columns without which nothing else in a table can be checked.
LINE_COLUMNS = ("line", "programme", "amount")
PRACTICE_COLUMNS = ("practice_code", "place", "population")


def _missing(frame: pd.DataFrame, columns: tuple[str, ...]) -> bool:
    return any(c not in frame.columns for c in columns)


def default_chain(programme: str) -> tuple[tuple[str, ...], str]:
    """A programme's default method chain and capitation component (capitation, core)."""
    return DEFAULT_PROGRAMMES.get(programme, (("capitation",), "core"))


def reads_data(line: pd.Series) -> bool:
    """Whether a budget line's methods read practice-level data (Practice values, Activity).

    Blank methods are the programme's default chain.
    """
    chain = default_chain(str(line["programme"]))[0]
    methods = _methods_of(line.get("methods")) or list(chain)
    return any(getattr(REGISTRY.get(m), "reads_data", False) for m in methods)


# --------------------------------------------------------------------------- methods


def _check_lines(
    lines: pd.DataFrame, settings: ApportionmentSettings, problems: Problems
) -> pd.DataFrame:
    where = "Budget lines"
    for c in LINE_COLUMNS:
        if c not in lines.columns:
            problems.add(where, f"missing column '{c}'; columns found: {quoted(lines.columns)}")
    if problems:
        return lines
    rows = source_rows(lines)
    df = lines.copy().reset_index(drop=True)
    for col, default in (
        ("recurrent", True),
        ("methods", None),
        ("component", None),
        ("follow", None),
        ("negative_ok", False),
    ):
        if col not in df.columns:
            df[col] = default
        elif col in ("recurrent", "negative_ok"):
            df[col] = df[col].astype(object).map(lambda v, d=default: d if is_blank(v) else v)
    # Typed by the reader; asserted here a whole column at a time, not re-read cell by cell.
    contract(df, where, numbers=("amount",), flags=("recurrent", "negative_ok"))
    df["line"] = df["line"].astype("string").str.strip()
    amounts = pd.to_numeric(df["amount"], errors="coerce")
    for i, r in df.iterrows():
        row, name = rows[int(i)], r["line"]
        if is_blank(name):
            problems.add(where, "line name is blank", row=row, column="line")
        if is_blank(r["programme"]):
            problems.add(where, f"line {name}: programme is blank", row=row, column="programme")
        _check_amount(r, amounts.iloc[i], row, settings, problems)
        _check_line_fields(r, row, problems)
    dups = df["line"][df["line"].duplicated(keep=False)].dropna().unique()
    for d in sorted(dups):
        problems.add(where, f"line {d} appears more than once", column="line")
    names = set(df["line"].dropna())
    for i, r in df.iterrows():
        if not is_blank(r["follow"]) and str(r["follow"]).strip() not in names:
            problems.add(
                where,
                f"line {r['line']}: follows unknown line {r['follow']!r}",
                row=rows[int(i)],
                column="follow",
            )
    df["amount"] = amounts
    df["recurrent"] = df["recurrent"].map(lambda v: v is True or v is np.True_)
    return df


def _check_amount(
    r: pd.Series, amount: float, row: int, settings: ApportionmentSettings, problems: Problems
) -> None:
    """A line's amount: a number, a whole number of units, negative only where allowed."""
    where, name = "Budget lines", r["line"]
    if pd.isna(amount) or not np.isfinite(amount):
        problems.add(where, f"line {name}: amount is blank or not finite", row=row, column="amount")
        return
    if amount < 0 and r["negative_ok"] is not True:
        problems.add(
            where,
            f"line {name}: amount {amount:,.2f} is negative "
            "(set negative_ok for income or contra lines)",
            row=row,
            column="amount",
        )
    try:
        units_of(float(amount), settings.unit, name=f"line {name} amount")
    except InputError as e:
        problems.add(where, e.problems[0].message, row=row, column="amount")


def _check_line_fields(r: pd.Series, row: int, problems: Problems) -> None:
    """A line's methods, component and followed line (its flags are typed: the contract)."""
    where, name = "Budget lines", r["line"]
    methods = _methods_of(r["methods"])
    bad = [m for m in methods if m not in REGISTRY]
    if bad:
        problems.add(
            where,
            f"line {name}: unknown method(s) {quoted(bad)}; expected one of {listed(REGISTRY)}",
            row=row,
            column="methods",
        )
    comp = r["component"]
    if not is_blank(comp) and str(comp).strip() not in COMPONENTS:
        problems.add(
            where,
            f"line {name}: unknown component {comp!r}; expected one of {listed(COMPONENTS)}",
            row=row,
            column="component",
        )
    if "follow" in methods and is_blank(r["follow"]):
        problems.add(
            where,
            f"line {name}: method 'follow' needs the line to follow",
            row=row,
            column="follow",
        )


def _follow_order(df: pd.DataFrame, problems: Problems) -> list[str]:
    """Lines in an order where every followed line comes before its followers."""
    follows = {
        r["line"]: str(r["follow"]).strip()
        for _, r in df.iterrows()
        if "follow" in _methods_of(r["methods"]) and not is_blank(r["follow"])
    }
    order: list[str] = []
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(line: str, path: list[str]) -> None:
        if state.get(line) == 2:
            return
        if state.get(line) == 1:
            cycle = path[path.index(line) :] + [line]
            key = frozenset(cycle)
            if key not in reported:
                reported.add(key)
                problems.add("Budget lines", "follow cycle: " + " -> ".join(cycle), column="follow")
            return
        state[line] = 1
        if line in follows:
            visit(follows[line], path + [line])
        state[line] = 2
        order.append(line)

    for line in df["line"]:
        visit(line, [])
    return order


def _check_practices(practices: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    where = "Practices"
    for c in PRACTICE_COLUMNS:
        if c not in practices.columns:
            problems.add(where, f"missing column '{c}'")
    if problems:
        return practices
    p = practices.copy().reset_index(drop=True)
    if "locality" not in p.columns:
        p["locality"] = pd.NA
    p["locality"] = p["locality"].where(p["locality"].notna(), p["place"])
    dup = p["practice_code"].duplicated(keep=False)
    for code in sorted(set(p.loc[dup, "practice_code"])):
        problems.add(where, f"practice {code} appears more than once", column="practice_code")
    return p


def _spaces_blank(code_code: np.ndarray, code_text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A practice code of spaces only is a blank one: data not attributed to a practice."""
    spaces = np.flatnonzero(code_text == "")
    if not len(spaces):
        return code_code, code_text
    keep = np.ones(len(code_text), dtype=bool)
    keep[spaces] = False
    renumber = np.cumsum(keep) - 1
    code_code = np.where(
        (code_code >= 0) & keep[np.maximum(code_code, 0)],
        renumber[np.maximum(code_code, 0)],
        -1,
    )
    return code_code, code_text[keep]


def _totals(
    line_code: np.ndarray,
    line_text: np.ndarray,
    code_code: np.ndarray,
    code_text: np.ndarray,
    weights: np.ndarray,
) -> pd.DataFrame:
    """The total of each (line, practice code) in one pass, blank codes as their own group.

    Numbers only (as pandas sums), so that the methods check sees what it always saw.
    """
    width = len(code_text) + 1
    key = line_code * width + (code_code + 1)
    if len(line_text) * width <= 4 * len(line_code) + 1_000_000:
        sums = np.bincount(key, weights=weights, minlength=len(line_text) * width)
        present = np.flatnonzero(np.bincount(key, minlength=len(line_text) * width))
        sums = sums[present]
    else:  # many distinct (unknown) values: sort rather than count
        present, inverse = np.unique(key, return_inverse=True)
        sums = np.bincount(inverse, weights=weights, minlength=len(present))
    codes_or_blank = np.concatenate([np.array([None], dtype=object), code_text])
    return pd.DataFrame(
        {
            "line": line_text[present // width],
            "practice_code": codes_or_blank[present % width],
            "value": sums,
        }
    )


def _data_table(
    frame: pd.DataFrame | None,
    value_col: str,
    where: str,
    known_lines: set[str],
    known_practices: set[str],
    problems: Problems,
) -> pd.DataFrame:
    """Validate practice-level data and total it by line and practice.

    Whole-column checks on each distinct line and practice code, then a loop over the
    bad rows only, in row order; the messages are those of a row-by-row check (a test
    keeps that loop as the oracle). The result is one row per line and practice code
    (blank for data not attributed to a practice), so a ten-million-row activity
    extract becomes a table of lines × practices.

    Returns:
        ``line, practice_code, value``; empty when there is no data.
    """
    cols = ["line", "practice_code", value_col]
    empty = pd.DataFrame(
        {
            "line": pd.Series(dtype=object),
            "practice_code": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
        }
    )
    if frame is None or len(frame) == 0:
        return empty
    missing = [c for c in cols if c not in frame.columns]
    for c in missing:
        problems.add(where, f"missing column '{c}'; columns found: {quoted(frame.columns)}")
    if missing:
        return empty
    rows = row_numbers(frame)
    line_code, line_text = text_codes(frame["line"])
    code_code, code_text = text_codes(frame["practice_code"])
    code_code, code_text = _spaces_blank(code_code, code_text)
    raw = frame[value_col].reset_index(drop=True)
    vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    line_ok = pd.Series(line_text, dtype=object).isin(known_lines).to_numpy()
    for k in np.flatnonzero(~line_ok):
        at = rows[line_code == k].tolist()
        problems.add(where, f"unknown line {line_text[k]!r} (rows {rows_text(at)})", column="line")
    no_line = line_code < 0
    if no_line.any():
        problems.add(
            where, f"line is blank (rows {rows_text(rows[no_line].tolist())})", column="line"
        )
    code_ok = pd.Series(code_text, dtype=object).isin(known_practices).to_numpy()
    bad_code = (
        (code_code >= 0) & ~code_ok[np.maximum(code_code, 0)]
        if len(code_text)
        else np.zeros(len(frame), dtype=bool)
    )
    nan = np.isnan(vals)
    negative = vals < 0
    for i in np.flatnonzero(bad_code | nan | negative).tolist():
        row = int(rows[i])
        if bad_code[i]:
            problems.add(
                where,
                f"practice {code_text[code_code[i]]} is not in the practice table",
                row=row,
                column="practice_code",
            )
        if nan[i]:
            problems.add(
                where, f"{value_col} {raw.iloc[i]!r} is not a number", row=row, column=value_col
            )
        elif negative[i]:
            problems.add(where, f"{value_col} is negative", row=row, column=value_col)
    named = ~no_line
    return _totals(
        line_code[named], line_text, code_code[named], code_text, np.where(nan, 0.0, vals)[named]
    )


def _check_splits(
    splits: pd.DataFrame | None, known_lines: set[str], practices: pd.DataFrame, problems: Problems
) -> pd.DataFrame:
    where = "Place splits"
    cols = ["line", "place", "locality", "pct"]
    if splits is None or len(splits) == 0:
        return pd.DataFrame(columns=cols)
    missing = [c for c in ("line", "place", "pct") if c not in splits.columns]
    for c in missing:
        problems.add(where, f"missing column '{c}'; columns found: {quoted(splits.columns)}")
    if missing:
        return pd.DataFrame(columns=cols)
    rows = source_rows(splits)
    df = splits.copy().reset_index(drop=True)
    if "locality" not in df.columns:
        df["locality"] = pd.NA
    df["line"] = df["line"].astype("string").str.strip()
    pct = pd.to_numeric(df["pct"], errors="coerce")
    places = set(practices["place"])
    locs = set(zip(practices["place"], practices["locality"]))
    for i in range(len(df)):
        row = rows[i]
        if df["line"].iloc[i] not in known_lines:
            problems.add(where, f"unknown line {df['line'].iloc[i]!r}", row=row, column="line")
        pl = df["place"].iloc[i]
        if pl not in places:
            problems.add(
                where,
                f"unknown place {pl!r}; places are {listed(sorted(places))}",
                row=row,
                column="place",
            )
        lo = df["locality"].iloc[i]
        if not is_blank(lo) and pl in places and (pl, lo) not in locs:
            problems.add(
                where, f"locality {lo!r} is not in place {pl!r}", row=row, column="locality"
            )
        if pd.isna(pct.iloc[i]):
            problems.add(where, f"pct {df['pct'].iloc[i]!r} is not a number", row=row, column="pct")
        elif pct.iloc[i] < 0:
            problems.add(where, "pct is negative", row=row, column="pct")
    df["pct"] = pct
    # Percentages may be given as 0-100 or 0-1; each line must sum to 100%.
    for line, g in df.groupby("line"):
        s = g["pct"].sum()
        if not (abs(s - 100) < 1e-6 or abs(s - 1) < 1e-9):
            problems.add(
                where, f"line {line}: place percentages sum to {s:g}, not 100%", column="pct"
            )
    df["pct"] = df.groupby("line")["pct"].transform(lambda s: s / s.sum() if s.sum() else s)
    return df[cols]


def _checked_inputs(
    lines: pd.DataFrame,
    practices: pd.DataFrame,
    practice_values: pd.DataFrame | None,
    place_splits: pd.DataFrame | None,
    activity: pd.DataFrame | None,
    settings: ApportionmentSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], Context]:
    """Every table checked, every problem together; the lines in the order to apportion.

    Returns:
        The budget lines, the practices, the order of the lines (a line that follows
        another after it) and the methods' context.

    Raises:
        InputError: Every problem in every table.
    """
    problems = Problems()
    if settings.per_1000_component not in COMPONENTS:
        problems.add(
            "settings",
            f"per_1000_component {settings.per_1000_component!r} is not one of "
            f"{listed(COMPONENTS)}",
        )
    L = _check_lines(lines, settings, problems)
    P = _check_practices(practices, problems)
    if _missing(lines, LINE_COLUMNS) or _missing(practices, PRACTICE_COLUMNS):
        problems.raise_if_any()  # nothing below can be checked without them
    for c in COMPONENTS:
        if c not in P.columns:
            problems.add("Practices", f"missing weighted population column '{c}'")
    known_lines = set(L["line"].dropna())
    known_practices = set(P["practice_code"])
    pv = _data_table(
        practice_values, "value", "Practice values", known_lines, known_practices, problems
    )
    act = _data_table(activity, "amount", "Activity", known_lines, known_practices, problems)
    splits = _check_splits(place_splits, known_lines, P, problems)
    order = _follow_order(L, problems)
    data = pd.concat([pv, act], ignore_index=True)
    data_by_line = {str(k): g for k, g in data.groupby("line", sort=False)}
    practice_cell = pd.MultiIndex.from_frame(P[["place", "locality"]])
    shares_by_line: dict[str, pd.Series] = {}
    ctx = Context(data_by_line, splits, P, practice_cell, settings, shares_by_line)
    _check_methods_available(L, ctx, problems)
    problems.raise_if_any()
    return L, P, order, ctx


def apportion(
    lines: pd.DataFrame,
    practices: pd.DataFrame,
    practice_values: pd.DataFrame | None = None,
    place_splits: pd.DataFrame | None = None,
    activity: pd.DataFrame | None = None,
    settings: ApportionmentSettings | None = None,
) -> Apportionment:
    """Apportion every budget line to place and locality, with an audit trail.

    Args:
        lines: ``line, programme, amount`` and optionally ``recurrent``,
            ``methods`` (a list of method names, in order), ``component``, ``follow``,
            ``negative_ok``. Blank methods take the programme's default chain
            (:data:`DEFAULT_PROGRAMMES`), or capitation.
        practices: ``practice_code, place, locality, population`` and the
            weighted populations (:data:`COMPONENTS`).
        practice_values: ``line, practice_code, value``: practice-level data
            (cost, packages of care, GMS payments months 1 to 6). A blank
            practice code is spend not attributed to a practice.
        place_splits: ``line, place, [locality], pct``: explicit percentages.
        activity: ``line, practice_code, amount``: row-level extracts, one row
            per contract line, practice code where known.
        settings: Coverage threshold, rounding unit, Table 2 component.

    Returns:
        An :class:`Apportionment`.

    Raises:
        InputError: Every problem in every table, together.
    """
    settings = settings or ApportionmentSettings()
    L, P, order, ctx = _checked_inputs(
        lines, practices, practice_values, place_splits, activity, settings
    )
    ctx.running = True
    cells_index = pd.MultiIndex.from_frame(
        P[["place", "locality"]].drop_duplicates().sort_values(["place", "locality"])
    )
    audit_rows: list[dict[str, object]] = []
    cell_rows: list[dict[str, object]] = []
    practice_rows: list[pd.DataFrame] = []
    failures = Problems()
    warnings: list[str] = []
    by_name = L.set_index("line")
    for line in order:
        r = by_name.loc[line]
        chosen = _chosen(ctx, line, r, cells_index, warnings)
        if isinstance(chosen, Problem):
            failures.items.append(chosen)
            continue
        used, shares, coverage, note, tried, skipped, comp = chosen
        programme, amt = str(r["programme"]), float(r["amount"])
        spend = _practice_spend(ctx, line, r, comp, used, amt)
        if spend is not None:  # the method reaches practices: the line attributed once
            practice_rows.append(spend)
        rounded = _round_by_place(shares, amt, settings.unit)
        cell_rows += _cells(line, programme, bool(r["recurrent"]), shares.index, rounded)
        audit_rows.append(
            {
                "line": line,
                "programme": programme,
                "amount": amt,
                "recurrent": bool(r["recurrent"]),
                "methods_tried": "; ".join(tried),
                "method_used": used,
                "skipped": "; ".join(skipped),
                "coverage": coverage,
                "component": comp if used == "capitation" else "",
                "note": note,
                "apportioned": float(rounded.sum()),
                "difference": float(rounded.sum()) - amt,
            }
        )
    failures.raise_if_any()
    return _result(L, P, cell_rows, audit_rows, practice_rows, warnings, settings)


def _chosen(
    ctx: Context, line: str, r: pd.Series, cells_index: pd.MultiIndex, warnings: list[str]
) -> Problem | tuple[str, pd.Series, float, str, list[str], list[str], str]:
    """The line's method and its shares by place and locality, summing to 1.

    Returns:
        The method used, its shares, coverage and note, the methods tried and skipped,
        and the weighted population used; or the problem that left it unapportioned.
    """
    chain, default_comp = default_chain(str(r["programme"]))
    methods = _methods_of(r["methods"]) or list(chain)
    comp = default_comp if is_blank(r["component"]) else str(r["component"]).strip()
    used, shares, coverage, note, tried, skipped = _first_method(ctx, line, r, methods, comp)
    if used is None or shares is None:
        why = f"line {line}: no method could be used (" + "; ".join(skipped) + ")"
        return Problem("Budget lines", why, column="methods")
    unused = _unused_data(line, used, methods, ctx.data_by_line)
    if unused:
        note = f"{note}; {unused}" if note else unused
        warnings.append(f"line {line!r}: {unused}")
    shares = shares.reindex(cells_index).fillna(0.0)
    if shares.sum() <= 0:
        return Problem("Budget lines", f"line {line}: method {used} gives no shares to any place")
    shares = shares / shares.sum()
    ctx.shares_by_line[line] = shares
    return used, shares, coverage, note, tried, skipped, comp


def _cells(
    line: str, programme: str, recurrent: bool, index: pd.Index, rounded: np.ndarray
) -> list[dict[str, object]]:
    """A line's amount in each place and locality."""
    return [
        {
            "line": line,
            "programme": programme,
            "recurrent": recurrent,
            "place": pl,
            "locality": lo,
            "amount": a,
        }
        for (pl, lo), a in zip(index, rounded)
    ]


def _result(
    L: pd.DataFrame,
    P: pd.DataFrame,
    cell_rows: list[dict[str, object]],
    audit_rows: list[dict[str, object]],
    practice_rows: list[pd.DataFrame],
    warnings: list[str],
    settings: ApportionmentSettings,
) -> Apportionment:
    """The apportionment's tables, each in the budget lines' order."""
    line_pos = {name: i for i, name in enumerate(L["line"])}
    cells = _in_line_order(pd.DataFrame(cell_rows), line_pos)
    audit = _in_line_order(pd.DataFrame(audit_rows), line_pos)
    programmes = list(dict.fromkeys(L["programme"].astype(str)))
    t1, t1r, t1l, shares_tbl, t2, index, per_1000_wp = _summary_tables(
        cells, programmes, P, settings.per_1000_component
    )
    practice_spend = (
        pd.concat(practice_rows, ignore_index=True)
        if practice_rows
        else pd.DataFrame(columns=["line", "method", "practice_code", "amount"])
    )
    return Apportionment(
        cells, audit, t1, t1r, t1l, shares_tbl, t2, index, practice_spend, warnings, per_1000_wp
    )


def _first_method(
    ctx: Context, line: str, r: pd.Series, methods: list[str], comp: str
) -> tuple[str | None, pd.Series | None, float, str, list[str], list[str]]:
    """The first of a line's methods that can be used, and why each before it could not.

    Returns:
        The method used (``None``: none could be), its shares, coverage and note, the
        methods tried, and each skipped with its reason.
    """
    tried, skipped = [], []
    for m in methods:
        tried.append(m)
        method = REGISTRY[m]
        why = method.unavailable(ctx, line, r)
        if why is not None:
            skipped.append(f"{m}: {why}")
            continue
        shares, coverage, note = method.shares(ctx, line, r, comp)
        return m, shares, coverage, note, tried, skipped
    return None, None, np.nan, "", tried, skipped


def _practice_spend(
    ctx: Context, line: str, r: pd.Series, comp: str, used: str, amt: float
) -> pd.DataFrame | None:
    """The line's spend by practice where its method reaches practices (else ``None``)."""
    weigh = getattr(REGISTRY[used], "practice_weights", None)
    if weigh is None:
        return None
    weights, attributed = weigh(ctx, line, r, comp)
    if not (weights.sum() > 0 and attributed > 0):
        return None
    return pd.DataFrame(
        {
            "line": line,
            "method": used,
            "practice_code": weights.index.astype(str),
            # To the penny: a spend estimate, and the same figure whichever way the
            # sheet's values were read (the last binary digits of a value read through
            # Office.js differ).
            "amount": np.round(amt * attributed * weights.to_numpy() / weights.sum(), 2),
        }
    )


def _in_line_order(frame: pd.DataFrame, line_pos: dict[str, int]) -> pd.DataFrame:
    """Rows in the order of the budget lines (stable within a line)."""
    order = np.argsort([line_pos[x] for x in frame["line"]], kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _summary_tables(
    cells: pd.DataFrame, programmes: list[str], practices: pd.DataFrame, component: str
) -> tuple[pd.DataFrame, ...]:
    """Table 1 (all, recurrent, by locality), shares, Table 2, the index, the populations.

    Computed once here, each as the Apportionment sheet shows it: a share or an index
    over a total of 0 is 0 (the sheet's ``IF(total=0, 0, ...)``), and shares and the
    index have a Total row (each place's share of the whole budget, and its index).
    """
    t1 = _pivot(cells, "place", programmes)
    t1r = (
        _pivot(cells[cells["recurrent"]], "place", programmes)
        if cells["recurrent"].any()
        else t1 * 0
    )
    t1l = _pivot(cells, "locality", programmes)
    wp = practices.groupby("place")[component].sum()
    body = t1.drop(index="Total")
    places = [c for c in t1.columns if c != "Total"]
    shares = t1[places].div(t1["Total"].where(t1["Total"] != 0), axis=0).fillna(0.0)
    t2 = body[places].div(wp[places], axis=1) * 1000.0
    t2["ICB"] = body["Total"] / wp.sum() * 1000.0
    total_row = t1.loc["Total", places] / wp[places] * 1000.0
    t2.loc["Total"] = list(total_row) + [t1.loc["Total", "Total"] / wp.sum() * 1000.0]
    index = t2[places].div(t2["ICB"].where(t2["ICB"] != 0), axis=0).fillna(0.0)
    per_1000_wp = pd.Series([*(float(wp[p]) for p in places), float(wp.sum())], [*places, "ICB"])
    return t1, t1r, t1l, shares, t2, index, per_1000_wp


def _unused_data(
    line: str, used: str, methods: list[str], data_by_line: dict[str, pd.DataFrame]
) -> str:
    """Why a line's practice-level data (Practice values, Activity) was not used, or ''.

    A line with data shared by a method that does not read it (``reads_data``) is shared
    without that data: said, never silent. When a method that reads data was skipped,
    the Audit's skipped column says why already.
    """
    data = data_by_line.get(line)
    if data is None or not len(data) or getattr(REGISTRY[used], "reads_data", False):
        return ""
    readers = [m for m in methods if getattr(REGISTRY.get(m), "reads_data", False)]
    later = [m for m in readers if methods.index(m) > methods.index(used)]
    if later:
        why = f"method {used} comes before {', '.join(later)} in its methods"
    elif readers:
        return ""
    else:
        why = f"its methods ({', '.join(methods)}) do not read practice-level data"
    return (
        f"its practice-level data (£{float(data['value'].sum()):,.2f} from Practice values "
        f"or Activity) is not used: {why}"
    )


def _round_by_place(shares: pd.Series, amount: float, unit: float) -> np.ndarray:
    """A line's amount rounded across places first, then each place's across its localities.

    So a place's total is its exact share rounded once (42% of £190m is £79,800,000, not
    £79,799,999 from rounding its localities separately), and localities sum to it.

    Args:
        shares: Shares indexed by (place, locality), summing to 1.
        amount: The line's amount, a whole number of ``unit``.
        unit: The rounding unit.
    """
    by_place = shares.groupby(level=0, sort=False).sum()
    place_amounts = largest_remainder(
        by_place.to_numpy(), amount, unit, order=[str(p) for p in by_place.index]
    )
    out = np.zeros(len(shares))
    # Each place's rows, found once (in the order groupby met the places, as by_place).
    codes, _ = pd.factorize(shares.index.get_level_values(0), sort=False)
    rows = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[rows], np.arange(len(by_place) + 1))
    values = shares.to_numpy()
    localities = shares.index.get_level_values(1)
    for k, (place, place_amount) in enumerate(zip(by_place.index, place_amounts)):
        at = rows[bounds[k] : bounds[k + 1]]
        w = values[at]
        if place_amount == 0 or w.sum() <= 0:
            continue
        keys = [f"{place}|{loc}" for loc in localities[at]]
        out[at] = largest_remainder(w, place_amount, unit, order=keys)
    return out


def _check_methods_available(L: pd.DataFrame, ctx: Context, problems: Problems) -> None:
    """Report every line none of whose methods has the data it needs."""
    rows = source_rows(L)
    for i, r in L.iterrows():
        methods = _methods_of(r["methods"]) or list(default_chain(str(r["programme"]))[0])
        reasons: list[str] = []
        for m in (m for m in methods if m in REGISTRY):  # unknown ones are reported already
            why = REGISTRY[m].unavailable(ctx, r["line"], r)
            if why is None:
                reasons = []
                break
            reasons.append(f"{m}: {why}")
        if reasons:
            problems.add(
                "Budget lines",
                f"line {r['line']}: missing method data, no method "
                "could be used (" + "; ".join(reasons) + "); add data or end the "
                "methods with capitation",
                row=rows[int(i)],
                column="methods",
            )


def _pivot(cells: pd.DataFrame, by: str, programmes: list[str]) -> pd.DataFrame:
    t = cells.pivot_table(
        index="programme", columns=by, values="amount", aggfunc="sum", fill_value=0.0, sort=True
    )
    t = t.reindex([p for p in programmes if p in t.index])
    t["Total"] = t.sum(axis=1)
    t.loc["Total"] = t.sum(axis=0)
    t.columns.name = None
    return t
