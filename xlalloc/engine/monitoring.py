"""Monthly monitoring: phased budgets against ledger actuals, by place and programme.

What an ICB finance team reports each month to each place and the board: the
year-to-date budget (the annual apportioned budget phased by month, twelfths by
default), the year-to-date actual from the ledger, the variance in £ and %, and
a run-rate forecast outturn (year-to-date actual / months elapsed × 12).

Ledger rows that cannot be placed (unknown place, practice or programme, a month
outside 1 to 12, an amount that is not a number) are never dropped silently: they
are returned as exceptions, and :func:`reconcile` proves that places plus
exceptions plus later months add up to the ledger total.

Months are financial-year months: 1 = April, 12 = March.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .errors import InputError, Problems
from .frames import is_blank, source_rows, text_codes
from .rounding import largest_remainder

__all__ = [
    "DEFAULT_THRESHOLD",
    "Ledger",
    "MONTHS",
    "MONTH_NAMES",
    "PackSettings",
    "budget_vs_actual",
    "check_phasing",
    "pence_sum",
    "phase_budgets",
    "read_ledger",
    "reconcile",
    "twelfths",
]

MONTHS = tuple(range(1, 13))


class PackSettings(BaseModel):
    """How monthly monitoring flags variances."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="|variance| beyond this share of the year-to-date budget is highlighted "
        "(0.05 = 5%)",
    )


#: The default variance threshold, defined once by :class:`PackSettings`.
DEFAULT_THRESHOLD: float = PackSettings().threshold
MONTH_NAMES = ("Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar")


def twelfths() -> pd.Series:
    """The default phasing: one twelfth a month."""
    return pd.Series(1 / 12, index=pd.Index(MONTHS, name="month"))


def check_phasing(phasing: pd.Series | None) -> pd.Series:
    """A phasing profile by month 1-12, summing to 1.

    Raises:
        InputError: Months missing or repeated, negative shares, or a sum other than 1.
    """
    if phasing is None:
        return twelfths()
    p = phasing.astype("float64")
    problems = Problems()
    if sorted(p.index.tolist()) != list(MONTHS):
        problems.add("phasing", f"expected months 1 to 12 once each; got {list(p.index)}")
    if (p < 0).any():
        problems.add("phasing", "shares must not be negative")
    if abs(p.sum() - 1) > 1e-9:
        problems.add("phasing", f"shares sum to {p.sum():.6f}, not 1")
    problems.raise_if_any()
    return p.sort_index()


def phase_budgets(
    annual: pd.DataFrame, phasing: pd.Series | None = None, unit: float = 1.0
) -> pd.DataFrame:
    """Monthly budgets: each annual budget spread by the phasing.

    Rounded by largest remainder so the twelve months sum to the annual budget exactly.

    Args:
        annual: ``place, programme, budget``.
        phasing: Share of the year in each month 1-12 (default twelfths).
        unit: Rounding unit.

    Returns:
        ``place, programme, month, budget``.
    """
    p = check_phasing(phasing)
    rows = []
    for r in annual.itertuples(index=False):
        monthly = largest_remainder(p.to_numpy(), float(r.budget), unit, order=list(MONTHS))
        for m, b in zip(MONTHS, monthly):
            rows.append((r.place, r.programme, m, b))
    return pd.DataFrame(rows, columns=["place", "programme", "month", "budget"])


@dataclass
class Ledger:
    """A ledger extract split into what can be reported and what cannot."""

    rows: pd.DataFrame  # month, place, programme, amount, source_row
    exceptions: pd.DataFrame  # source_row, reason, month, place, practice_code, programme, amount
    total: float  # sum of every numeric amount in the extract


def read_ledger(
    ledger: pd.DataFrame,
    places: list[str],
    programmes: list[str],
    practice_place: Mapping[str, str] | None = None,
) -> Ledger:
    """Validate a ledger extract: whole-column checks, then a reason for each bad row.

    Args:
        ledger: ``month, programme, amount`` and ``place`` or ``practice_code`` (or both).
        places: Places known to the model.
        programmes: Care programmes known to the model.
        practice_place: Practice code -> place, for rows coded to a practice.

    Returns:
        A :class:`Ledger`; rows that cannot be reported are exceptions, with a reason.

    Raises:
        InputError: Only when the extract's columns are missing.
    """
    cols = set(ledger.columns)
    problems = Problems()
    for c in ("month", "programme", "amount"):
        if c not in cols:
            problems.add("ledger", f"missing column '{c}'; columns found: {sorted(cols)}")
    if "place" not in cols and "practice_code" not in cols:
        problems.add("ledger", "needs a 'place' or a 'practice_code' column")
    problems.raise_if_any()
    rows = np.asarray(source_rows(ledger))
    df = ledger.reset_index(drop=True).copy()
    for c in ("place", "practice_code"):
        if c not in df.columns:
            df[c] = None
    known_places, known_progs = set(places), set(programmes)
    practice_place = dict(practice_place or {})

    def text(col: str) -> pd.Series:
        """Stripped text, ``None`` for a blank (worked out once per distinct value)."""
        codes, texts = text_codes(df[col])
        shown = np.array([None if t == "" else t for t in texts] + [None], dtype=object)
        return pd.Series(shown[codes], index=df.index, dtype=object)  # code -1: missing

    # Whole-column checks first; reasons are then written for the bad rows only.
    amount = pd.to_numeric(df["amount"].astype(object), errors="coerce").astype("float64")
    month = pd.to_numeric(df["month"].astype(object), errors="coerce").astype("float64")
    place, code, prog = text("place"), text("practice_code"), text("programme")
    numeric = np.isfinite(amount.to_numpy())
    month_ok = month.isin(MONTHS).to_numpy()
    by_code = code.map(practice_place)
    from_code = place.isna() & code.notna()
    place = place.where(~from_code, by_code)
    practice_unknown = (from_code & by_code.isna()).to_numpy()
    no_place = (place.isna() & code.isna()).to_numpy()
    place_unknown = (place.notna() & ~place.isin(known_places)).to_numpy()
    prog_unknown = (prog.isna() | ~prog.isin(known_progs)).to_numpy()
    bad = ~numeric | ~month_ok | practice_unknown | no_place | place_unknown | prog_unknown
    total = float(np.round(amount.to_numpy()[numeric] * 100).sum())
    exceptions = []
    raw = {
        c: df[c].tolist() for c in ("month", "place", "practice_code", "programme", "amount")
    }  # Python values, as the file gave them
    for i in np.flatnonzero(bad).tolist():
        r = {c: v[i] for c, v in raw.items()}
        reasons = []
        if not numeric[i]:
            reasons.append(f"amount {r['amount']!r} is not a number")
        if not month_ok[i]:
            reasons.append(f"month {r['month']!r} is not 1 to 12")
        code_i, place_i, prog_i = (
            None if is_blank(r[k]) else str(r[k]).strip()
            for k in ("practice_code", "place", "programme")
        )
        if practice_unknown[i]:
            reasons.append(f"practice {code_i} is not in the model")
        if no_place[i]:
            reasons.append("no place or practice")
        elif place_unknown[i]:
            shown = place_i if place_i is not None else practice_place.get(str(code_i))
            reasons.append(f"unknown place {shown!r}")
        if prog_unknown[i]:
            reasons.append(f"unknown programme {prog_i!r}")
        exceptions.append(
            {
                "source_row": int(rows[i]),
                "reason": "; ".join(reasons),
                "month": r["month"],
                "place": r["place"],
                "practice_code": r["practice_code"],
                "programme": r["programme"],
                "amount": float(amount.iloc[i]) if not np.isnan(amount.iloc[i]) else r["amount"],
            }
        )
    good = ~bad
    out = pd.DataFrame(
        {
            "month": month[good].astype(int).to_numpy(),
            "place": place[good].to_numpy(),
            "programme": prog[good].to_numpy(),
            "amount": amount[good].to_numpy(),
            "source_row": rows[good],
        },
        columns=["month", "place", "programme", "amount", "source_row"],
    )
    exc = pd.DataFrame(
        exceptions,
        columns=["source_row", "reason", "month", "place", "practice_code", "programme", "amount"],
    )
    return Ledger(out, exc, total / 100)


def pence_sum(values: pd.Series | np.ndarray) -> float:
    """Sum money exactly: in whole pence, then back to pounds."""
    v = np.asarray(values, dtype=np.float64)
    return float(np.round(v * 100).astype(np.int64).sum()) / 100


def budget_vs_actual(
    monthly: pd.DataFrame, ledger: Ledger, month: int, threshold: float = DEFAULT_THRESHOLD
) -> pd.DataFrame:
    """Year-to-date budget and actual, variance and run-rate forecast by place and programme.

    Args:
        monthly: Output of :func:`phase_budgets`.
        ledger: Output of :func:`read_ledger`.
        month: The month reported (1 = April ... 12 = March).
        threshold: |variance %| above which a line is flagged.

    Returns:
        ``place, programme, annual_budget, ytd_budget, ytd_actual, variance,
        variance_pct, forecast_outturn, forecast_variance, flagged``. Variances follow
        the NHS convention: budget less actual, so an underspend is favourable
        (positive) and an overspend adverse (negative, shown in brackets).
    """
    if month not in MONTHS:
        raise InputError(f"month must be 1 to 12; got {month}", where="month")
    keys = ["place", "programme"]
    annual = monthly.groupby(keys, sort=False)["budget"].sum().rename("annual_budget")
    ytd = monthly[monthly["month"] <= month].groupby(keys, sort=False)["budget"].sum()
    to_date = ledger.rows[ledger.rows["month"] <= month]
    pence = np.round(to_date["amount"].to_numpy(dtype=np.float64) * 100).astype(np.int64)
    act = to_date.assign(pence=pence).groupby(keys)["pence"].sum() / 100  # exact, as pence_sum
    out = pd.concat([annual, ytd.rename("ytd_budget")], axis=1)
    out["ytd_actual"] = act.reindex(out.index).fillna(0.0)
    out["variance"] = out["ytd_budget"] - out["ytd_actual"]
    out["variance_pct"] = np.where(
        out["ytd_budget"] != 0,
        out["variance"] / out["ytd_budget"].where(out["ytd_budget"] != 0, 1),
        np.nan,
    )
    out["forecast_outturn"] = out["ytd_actual"] / month * 12
    out["forecast_variance"] = out["annual_budget"] - out["forecast_outturn"]
    out["flagged"] = out["variance_pct"].abs() > threshold
    return out.reset_index()


def reconcile(ledger: Ledger, month: int) -> pd.DataFrame:
    """Ledger total = reported year to date + later months + exceptions (numeric amounts)."""
    ytd = pence_sum(ledger.rows.loc[ledger.rows["month"] <= month, "amount"])
    later = pence_sum(ledger.rows.loc[ledger.rows["month"] > month, "amount"])
    exc = pd.to_numeric(ledger.exceptions["amount"], errors="coerce")
    exc_total = pence_sum(exc.dropna())
    n_text = int(exc.isna().sum())
    return pd.DataFrame(
        [
            ("Ledger total (numeric amounts)", ledger.total),
            (f"Reported in place packs, months 1 to {month}", ytd),
            (f"Months after {month} (not yet reported)", later),
            ("Exceptions (see Exceptions)", exc_total),
            ("Difference", round(ledger.total - ytd - later - exc_total, 2)),
            ("Exception rows whose amount is not a number", n_text),
        ],
        columns=["item", "amount"],
    )
