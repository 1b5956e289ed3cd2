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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from .controlled import controlled_round
from .errors import InputError, Problems, did_you_mean, listed, nearest, quoted
from .frames import is_blank, source_rows, text_codes
from .rounding import MAX_AMOUNT, units_of

__all__ = [
    "Actuals",
    "DEFAULT_THRESHOLD",
    "CostCentreMap",
    "Ledger",
    "MONTHS",
    "MONTH_NAMES",
    "PackSettings",
    "Reconciliation",
    "actuals_at",
    "budget_vs_actual",
    "check_phasing",
    "code_text",
    "cost_centre_map",
    "exact_pence",
    "pence_sum",
    "phase_budgets",
    "read_ledger",
    "reconcile",
    "round_pence",
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
        problems.add("phasing", f"expected months 1 to 12 once each; got {listed(p.index)}")
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
    monthly = phased(p.to_numpy(dtype=np.float64), annual["budget"].to_numpy(dtype=float), unit)
    n = len(annual)
    return pd.DataFrame(
        {
            "place": np.repeat(annual["place"].to_numpy(dtype=object), 12),
            "programme": np.repeat(annual["programme"].to_numpy(dtype=object), 12),
            "month": np.tile(np.array(MONTHS, dtype=np.int64), n),
            "budget": monthly.reshape(-1),
        }
    )


def phased(shares: np.ndarray, budgets: np.ndarray, unit: float) -> np.ndarray:
    """Every budget spread over the twelve months at once, as :func:`largest_remainder` would.

    Row by row the same figures as ``largest_remainder(shares, budget, unit,
    order=MONTHS)`` (a property test holds them equal): each month's exact share of the
    budget in whole units, rounded down, and the units left over one each to the months
    with the largest remainders, ties to the earlier month; a negative budget is rounded
    as its magnitude.

    Returns:
        One row of twelve monthly budgets per budget.
    """
    n = np.array([units_of(float(b), unit) for b in budgets], dtype=np.int64)
    sign, n = np.sign(n), np.abs(n)
    exact = (shares / shares.sum())[None, :] * n[:, None]
    counts = np.floor(exact + 1e-9).astype(np.int64)
    need = n - counts.sum(axis=1)
    rem = np.round(exact - counts, 6)
    month = np.broadcast_to(np.arange(12), rem.shape)
    order = np.where(
        (need > 0)[:, None], np.lexsort((month, -rem), axis=-1), np.lexsort((month, rem), axis=-1)
    )
    delta = np.zeros_like(counts)
    np.put_along_axis(delta, order, (month < np.abs(need)[:, None]) * np.sign(need)[:, None], 1)
    return (sign[:, None] * (counts + delta)).astype(np.float64) * unit


@dataclass
class Ledger:
    """A ledger extract split into what can be reported and what cannot."""

    rows: pd.DataFrame  # month, place, programme, amount, source_row
    #: source_row, reason, month, place, practice_code, [cost_centre, subjective,]
    #: programme, amount (a number where one could be read, else the cell as given)
    exceptions: pd.DataFrame
    total: float  # sum of every amount that could be read, in pounds (exact in pence)
    #: Exception rows whose amount could not be read at all.
    unreadable: int = 0
    #: The exceptions' amounts that could be read, in pounds (exact in pence).
    left_out: float = 0.0
    #: Each exception's month (1 to 12) where it could be read, else NaN: a row of a month
    #: after the one reported is left out of that month's reconciliation, whatever else
    #: is wrong with it, and reported in its own month's.
    exception_months: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Each exception's amount where it could be read, else NaN.
    exception_amounts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: :func:`actuals_at`'s result by month, worked out once.
    actuals: dict[int, Actuals] = field(default_factory=dict, repr=False, compare=False)

    def later(self, month: int) -> np.ndarray:
        """Which exceptions belong to a month after ``month`` (not this report's)."""
        m = self.exception_months
        return np.isfinite(m) & (np.nan_to_num(m) > month)

    def exceptions_to(self, month: int) -> pd.DataFrame:
        """The exceptions of months 1 to ``month`` and of no month that could be read."""
        return self.exceptions[~self.later(month)].reset_index(drop=True)


#: A cost centre's programme and place (``None``: the row's place or practice decides).
CostCentreMap = Mapping[str, tuple[str, str | None]]


def code_text(v: object) -> str | None:
    """A code as ledgers and maps write it: trimmed, upper case; ``612345.0`` is ``612345``."""
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip().upper()


def cost_centre_map(
    frame: pd.DataFrame, places: list[str], programmes: list[str], where: str
) -> dict[str, tuple[str, str | None]]:
    """A cost-centre map checked against the model: each cost centre once, known names.

    Args:
        frame: ``cost_centre, programme, place`` (place may be blank) and ``source_row``.
        places: The model's places.
        programmes: The model's care programmes.
        where: The map's name for messages (its file or sheet).

    Raises:
        InputError: A blank cost centre or programme, a cost centre mapped twice (with
            its rows), an unknown programme or place; every problem together.
    """
    problems = Problems()
    rows = source_rows(frame)
    out: dict[str, tuple[str, str | None]] = {}
    first: dict[str, int] = {}
    known_places, known_progs = set(places), set(programmes)
    for i, (cc, prog, place) in enumerate(
        zip(frame["cost_centre"], frame["programme"], frame["place"])
    ):
        row = int(rows[i])
        code = code_text(cc)
        prog_t = None if is_blank(prog) else str(prog).strip()
        place_t = None if is_blank(place) else str(place).strip()
        if code is None:
            problems.add(where, "the cost centre is blank", row=row, column="cost_centre")
            continue
        if code in first:
            problems.add(
                where,
                f"cost centre {code} is mapped twice (rows {first[code]} and {row}); keep one",
                row=row,
                column="cost_centre",
            )
            continue
        first[code] = row
        if prog_t is None:
            problems.add(
                where, f"cost centre {code}: the programme is blank", row=row, column="programme"
            )
        elif prog_t not in known_progs:
            problems.add(
                where,
                f"cost centre {code}: unknown programme '{prog_t}'"
                f"{did_you_mean(prog_t, known_progs)} The model's programmes are "
                f"{listed(sorted(known_progs))}.",
                row=row,
                column="programme",
            )
        if place_t is not None and place_t not in known_places:
            problems.add(
                where,
                f"cost centre {code}: unknown place '{place_t}'"
                f"{did_you_mean(place_t, known_places)} The model's places are "
                f"{listed(sorted(known_places))}.",
                row=row,
                column="place",
            )
        out[code] = (prog_t or "", place_t)
    problems.raise_if_any()
    return out


def _pence(values: pd.Series | np.ndarray) -> int:
    """Money summed exactly in whole pence, as a Python integer: no overflow.

    Pence within int64 are summed as Python integers; a value beyond it (a raw frame's
    1e20) is converted one by one, so it can never wrap round to a wrong total.
    """
    v = np.round(np.asarray(values, dtype=np.float64) * 100)
    if not len(v):
        return 0
    if np.abs(v).max() < 2.0**62:
        return int(sum(v.astype(np.int64).tolist()))
    return sum(int(x) for x in v.tolist())


def read_ledger(
    ledger: pd.DataFrame,
    places: list[str],
    programmes: list[str],
    practice_place: Mapping[str, str] | None = None,
    cost_centres: CostCentreMap | None = None,
) -> Ledger:
    """Validate a ledger extract: whole-column checks, then a reason for each bad row.

    Args:
        ledger: ``month, amount`` and a programme (``programme``, or ``cost_centre`` with
            ``cost_centres``) and a place (``place``, ``practice_code``, or the cost
            centre's). ``month`` and ``amount`` as numbers, with ``month_problem`` and
            ``amount_problem`` saying why a cell could not be read (the reader's,
            :func:`xlalloc.readers.ledger.read_actuals`), or as raw values.
        places: Places known to the model.
        programmes: Care programmes known to the model.
        practice_place: Practice code -> place, for rows coded to a practice.
        cost_centres: Cost centre -> (programme, place or ``None``)
            (:func:`cost_centre_map`).

    Returns:
        A :class:`Ledger`; rows that cannot be reported are exceptions, with a reason.

    Raises:
        InputError: Only when the extract's columns are missing, or its amounts total
            beyond any NHS budget.
    """
    cols = set(ledger.columns)
    by_cc = cost_centres is not None and "cost_centre" in cols
    _check_columns(cols, by_cc)
    rows = np.asarray(source_rows(ledger))
    df = ledger.reset_index(drop=True).copy()
    for col in ("place", "practice_code", "programme", "cost_centre", "month_problem"):
        if col not in df.columns:
            df[col] = None
    if "amount_problem" not in df.columns:
        df["amount_problem"] = None
    c = _checked_rows(
        df,
        set(places),
        set(programmes),
        dict(practice_place or {}),
        cost_centres if by_cc else None,
    )
    total = _pence(c.amount.to_numpy()[c.numeric])  # exact, however many rows or how large
    if abs(total) > MAX_AMOUNT * 100:
        raise InputError(
            f"the ledger's amounts total £{total / 100:,.2f}, beyond any NHS budget (at most "
            "£10 trillion): is the amount column the right one?",
            where="ledger",
        )
    extra = [col for col in ("cost_centre", "subjective") if col in ledger.columns]
    out, exc = _ledger_frames(df, c, rows, extra)
    left_out = _pence(c.amount.to_numpy()[c.bad & c.numeric])
    return Ledger(
        out,
        exc,
        total / 100,
        int((c.bad & ~c.numeric).sum()),
        left_out / 100,
        np.where(c.month_ok, c.month.to_numpy(dtype=np.float64), np.nan)[c.bad],
        np.where(c.numeric, c.amount.to_numpy(dtype=np.float64), np.nan)[c.bad],
    )


def _ledger_frames(
    df: pd.DataFrame, c: _Rows, rows: np.ndarray, extra: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows that can be reported, and the exceptions with their reasons."""
    good = ~c.bad
    out = pd.DataFrame(
        {
            "month": c.month[good].astype(int).to_numpy(),
            "place": c.place[good].to_numpy(),
            "programme": c.prog[good].to_numpy(),
            "amount": c.amount[good].to_numpy(),
            "source_row": rows[good],
        },
        columns=["month", "place", "programme", "amount", "source_row"],
    )
    columns = ["source_row", "reason", "month", "place", "practice_code", *extra]
    exc = pd.DataFrame(
        _exception_rows(df, c, rows, extra), columns=[*columns, "programme", "amount"]
    )
    return out, exc


def _check_columns(cols: set[str], by_cc: bool) -> None:
    """The columns a ledger needs: a month, an amount, a programme and a place."""
    problems = Problems()
    for col in ("month", "amount", *(() if by_cc else ("programme",))):
        if col not in cols:
            problems.add("ledger", f"missing column '{col}'; columns found: {quoted(sorted(cols))}")
    if not by_cc and "place" not in cols and "practice_code" not in cols:
        problems.add("ledger", "needs a 'place' or a 'practice_code' column")
    problems.raise_if_any()


@dataclass
class _Rows:
    """Each ledger row's values and what is wrong with it, whole columns at a time."""

    amount: pd.Series
    month: pd.Series
    place: pd.Series
    prog: pd.Series
    cc: pd.Series
    numeric: np.ndarray
    month_ok: np.ndarray
    cc_unknown: np.ndarray
    practice_unknown: np.ndarray
    no_place: np.ndarray
    place_unknown: np.ndarray
    prog_unknown: np.ndarray
    practice_place: Mapping[str, str]
    known: tuple[set[str], set[str]]

    @property
    def bad(self) -> np.ndarray:
        """The rows that cannot be reported."""
        return (
            ~self.numeric
            | ~self.month_ok
            | self.practice_unknown
            | self.no_place
            | self.place_unknown
            | self.prog_unknown
            | self.cc_unknown
        )


def _text(df: pd.DataFrame, col: str) -> pd.Series:
    """Stripped text, ``None`` for a blank (worked out once per distinct value)."""
    codes, texts = text_codes(df[col])
    shown = np.array([None if t == "" else t for t in texts] + [None], dtype=object)
    return pd.Series(shown[codes], index=df.index, dtype=object)  # code -1: missing


def _amounts(df: pd.DataFrame) -> pd.Series:
    """The amounts; one past any budget is an exception (its reason written in ``df``)."""
    amount = _numbers(df["amount"])
    # A frame that did not come through the reader may hold amounts past any budget: each
    # is an exception (as the reader makes it), never a figure in a pack.
    values = amount.to_numpy()
    huge = np.isfinite(values) & (np.abs(np.nan_to_num(values)) > MAX_AMOUNT)
    for i in np.flatnonzero(huge & df["amount_problem"].isna().to_numpy()).tolist():
        df.loc[i, "amount_problem"] = (
            f"amount {amount.iloc[i]:g} is beyond any NHS budget (at most £10 trillion)"
        )
    return amount.where(~huge)


def _checked_rows(
    df: pd.DataFrame,
    known_places: set[str],
    known_progs: set[str],
    practice_place: dict[str, str],
    cost_centres: CostCentreMap | None,
) -> _Rows:
    """Whole-column checks: each row's place and programme, and what is wrong with it."""
    amount = _amounts(df)
    month = _numbers(df["month"])
    place, code, prog = _text(df, "place"), _text(df, "practice_code"), _text(df, "programme")
    by_cc = cost_centres is not None
    cc = df["cost_centre"].map(code_text) if by_cc else pd.Series(None, index=df.index)
    cc_unknown = np.zeros(len(df), dtype=bool)
    if cost_centres is not None:
        mapped = cc.map(lambda k: cost_centres.get(k) if k is not None else None)
        cc_unknown = cc.notna().to_numpy() & mapped.isna().to_numpy()
        ok = mapped.notna()
        prog = prog.where(~ok, mapped.map(lambda m: m[0] if m else None))
        cc_place = mapped.map(lambda m: m[1] if m else None)
        place = place.where(~(ok & cc_place.notna()), cc_place)
    by_code = code.map(practice_place)
    from_code = place.isna() & code.notna()
    place = place.where(~from_code, by_code)
    return _Rows(
        amount=amount,
        month=month,
        place=place,
        prog=prog,
        cc=cc,
        numeric=np.isfinite(amount.to_numpy()),
        month_ok=month.isin(MONTHS).to_numpy(),
        cc_unknown=cc_unknown,
        practice_unknown=(from_code & by_code.isna()).to_numpy(),
        no_place=(place.isna() & code.isna()).to_numpy() & ~cc_unknown,
        place_unknown=(place.notna() & ~place.isin(known_places)).to_numpy(),
        prog_unknown=(prog.isna() | ~prog.isin(known_progs)).to_numpy() & ~cc_unknown,
        practice_place=practice_place,
        known=(known_places, known_progs),
    )


def _exception_rows(
    df: pd.DataFrame, c: _Rows, rows: np.ndarray, extra: list[str]
) -> list[dict[str, object]]:
    """Each bad row as the file gave it, with every reason it cannot be reported."""
    raw_cols = ["month", "place", "practice_code", "programme", "amount"]
    shown_cols = {k: f"{k}_raw" if f"{k}_raw" in df.columns else k for k in raw_cols}
    raw = {k: df[shown_cols[k]].tolist() for k in raw_cols}  # as the file gave them
    out = []
    for i in np.flatnonzero(c.bad).tolist():
        r = {k: v[i] for k, v in raw.items()}
        out.append(
            {
                "source_row": int(rows[i]),
                "reason": "; ".join(_reasons(i, r, df, c)),
                "month": r["month"],
                "place": r["place"],
                "practice_code": r["practice_code"],
                **{k: df[k].iloc[i] for k in extra},
                "programme": r["programme"],
                "amount": float(c.amount.iloc[i]) if c.numeric[i] else r["amount"],
            }
        )
    return out


def _numbers(values: pd.Series) -> pd.Series:
    """Numbers as floats, anything else NaN (TRUE/FALSE are not numbers)."""
    if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
        return values.astype("float64")  # numbers already: no TRUE/FALSE among them
    v = values.astype(object)
    if pd.api.types.infer_dtype(v, skipna=True) not in NO_BOOLEANS:  # look value by value
        flags = np.fromiter((t in BOOLEANS for t in map(type, v)), dtype=bool, count=len(v))
        v = v.where(~flags, None)
    return pd.to_numeric(v, errors="coerce").astype("float64")


#: What pandas infers of a column that holds no TRUE or FALSE (worked out in C, at once).
NO_BOOLEANS = frozenset(
    {"string", "empty", "floating", "integer", "mixed-integer-float", "decimal", "bytes"}
)
#: The types of TRUE and FALSE as readers give them (neither can be subclassed).
BOOLEANS = frozenset({bool, np.bool_})


def _reasons(i: int, r: dict[str, object], df: pd.DataFrame, c: _Rows) -> list[str]:
    """Why row ``i`` cannot be reported, each reason naming its column and value."""
    reasons = []
    if not c.numeric[i]:
        why = df["amount_problem"].iloc[i]
        reasons.append(why if why else f"amount {r['amount']!r} is not a number")
    if not c.month_ok[i]:
        why = df["month_problem"].iloc[i]
        reasons.append(why if why else f"month {r['month']!r} is not 1 to 12")
    code_i, place_i = (
        None if is_blank(r[k]) else str(r[k]).strip() for k in ("practice_code", "place")
    )
    if c.cc_unknown[i]:
        reasons.append(f"cost centre {c.cc.iloc[i]} is not in the cost-centre map")
    if c.practice_unknown[i]:
        reasons.append(f"practice {code_i} is not in the model")
    if c.no_place[i]:
        reasons.append("no place or practice")
    elif c.place_unknown[i]:
        shown = place_i if place_i is not None else c.practice_place.get(str(code_i))
        reasons.append(f"unknown place '{shown}'" + _near(shown, sorted(c.known[0])))
    prog = c.prog.iloc[i]
    if c.prog_unknown[i] and prog is None:
        reasons.append("no programme")
    elif c.prog_unknown[i]:
        reasons.append(f"unknown programme '{prog}'" + _near(prog, sorted(c.known[1])))
    return reasons


def _near(name: object, choices: Iterable[str]) -> str:
    """``" (did you mean Brookvale?)"`` for a misspelt name, or nothing."""
    near = nearest(str(name), choices) if name is not None else []
    return f" (did you mean {' or '.join(near)}?)" if near else ""


def _whole_pence(values: np.ndarray) -> bool:
    """Whether every amount is a whole number of pence (as a finance system exports)."""
    scaled = values * 100
    return bool(np.all(np.abs(scaled - np.round(scaled)) < 1e-6))


def exact_pence(values: np.ndarray, groups: np.ndarray, n: int) -> list[Decimal]:
    """Each group's amounts summed exactly, in pence (fractions of a penny kept).

    Amounts in whole pence (the usual ledger) are summed as integers (Python's beyond
    int64, so a sum never wraps round); amounts with fractions of a penny are summed as
    the decimals they were written as, so no penny is lost to rounding row by row.
    """
    v = np.asarray(values, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    if _whole_pence(v):
        pence = np.round(v * 100)
        if float(np.abs(pence).sum()) < 2.0**62:  # no sum can wrap round in int64
            sums = np.zeros(n, dtype=np.int64)
            np.add.at(sums, g, pence.astype(np.int64))
            return [Decimal(int(x)) for x in sums.tolist()]
        totals = [0] * n  # beyond int64 (a raw frame's 1e20): Python integers
        for k, x in zip(g.tolist(), pence.tolist(), strict=True):
            totals[k] += int(x)
        return [Decimal(t) for t in totals]
    out = [Decimal(0)] * n
    for k, x in zip(g.tolist(), v.tolist(), strict=True):
        out[k] += Decimal(repr(x)) * 100
    return out


def round_pence(exact: Sequence[Decimal]) -> list[int]:
    """Exact sums in pence to whole pence, adding up to their total rounded once.

    The total is rounded half up; each part takes its floor and the pennies left go to
    the largest remainders (ties to the first), so every part is within a penny of its
    exact sum and the parts add up to the rounded total exactly.
    """
    total = int(sum(exact, Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    floors = [int(x.to_integral_value(rounding=ROUND_FLOOR)) for x in exact]
    rest = total - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


@dataclass(frozen=True)
class Actuals:
    """A ledger's amounts at a month, in whole pence that add up to the ledger's total.

    ``lines`` (actual to date by place and programme), ``later`` (months after the one
    reported: good rows and exceptions alike) and ``left_out`` (this report's exceptions
    with an amount) are rounded together (:func:`round_pence`), so the packs' lines add
    up to what the reconciliation reports, and that with what it left out and the later
    months to the ledger's total, to the penny.
    """

    lines: pd.Series  # pence by (place, programme)
    later: int
    left_out: int
    total: int
    rows_left_out: int
    unreadable: int


def actuals_at(ledger: Ledger, month: int) -> Actuals:
    """The ledger's amounts at ``month``, summed exactly, then rounded once together."""
    rows = ledger.rows
    to_date = (rows["month"] <= month).to_numpy()
    if month in ledger.actuals:  # worked out once a month: packs and reconciliation share it
        return ledger.actuals[month]
    # Each line (place, programme) numbered in order of first appearance, from the two
    # columns' own numbers (a MultiIndex of tuples is slow to build).
    pc, pu = pd.factorize(rows.loc[to_date, "place"], sort=False)
    qc, qu = pd.factorize(rows.loc[to_date, "programme"], sort=False)
    codes, combined = pd.factorize(pc.astype(np.int64) * max(len(qu), 1) + qc, sort=False)
    uniques = [(pu[k // max(len(qu), 1)], qu[k % max(len(qu), 1)]) for k in combined.tolist()]
    n = len(uniques)
    later_bad = ledger.later(month)
    has = np.isfinite(ledger.exception_amounts)
    # Groups: each line to date (0 to n - 1), the later months (n), this report's
    # exceptions with an amount (n + 1).
    row_groups = np.full(len(rows), n, dtype=np.int64)
    row_groups[to_date] = codes
    values = np.concatenate(
        [rows["amount"].to_numpy(dtype=np.float64), ledger.exception_amounts[has]]
    )
    groups = np.concatenate([row_groups, np.where(later_bad[has], n, n + 1)])
    pence = round_pence(exact_pence(values, groups, n + 2))
    index = pd.MultiIndex.from_tuples(uniques, names=["place", "programme"])
    lines = pd.Series(pence[:n], index=index, dtype=np.int64)
    ledger.actuals[month] = Actuals(
        lines,
        pence[n],
        pence[n + 1],
        sum(pence),
        int((~later_bad).sum()),
        int((~later_bad & ~has).sum()),
    )
    return ledger.actuals[month]


def pence_sum(values: pd.Series | np.ndarray) -> float:
    """Sum money exactly: in whole pence, then back to pounds."""
    return _pence(values) / 100


def budget_vs_actual(
    monthly: pd.DataFrame,
    ledger: Ledger,
    month: int,
    threshold: float = DEFAULT_THRESHOLD,
    phasing: pd.Series | None = None,
    unit: float = 1.0,
) -> pd.DataFrame:
    """Year-to-date budget and actual, variance and run-rate forecast by place and programme.

    Args:
        monthly: Output of :func:`phase_budgets`.
        ledger: Output of :func:`read_ledger`.
        month: The month reported (1 = April ... 12 = March).
        threshold: |variance %| above which a line is flagged.
        phasing: The share of the year in each month (default twelfths): the budget to
            date is each line's annual budget times the year's share to ``month``,
            rounded together (:func:`~xlalloc.engine.controlled.controlled_round`) so
            that every programme's, place's and the ICB's budget to date is its own
            annual budget times that share, to the unit.
        unit: The rounding unit. The run-rate forecast (actual to date / month x 12) is
            rounded to it in the same way: every total's forecast is its own, to the unit.

    Returns:
        ``place, programme, annual_budget, ytd_budget, ytd_actual, variance,
        variance_pct, forecast_outturn, forecast_variance, flagged``. Variances follow
        the NHS convention: budget less actual, so an underspend is favourable
        (positive) and an overspend adverse (negative, shown in brackets).
    """
    if month not in MONTHS:
        raise InputError(f"month must be 1 to 12; got {month}", where="month")
    # Each line (place, programme) numbered in order of first appearance; its months
    # summed in row order (as a groupby would, in one pass over plain arrays).
    pc, pu = pd.factorize(monthly["place"], sort=False)
    qc, qu = pd.factorize(monthly["programme"], sort=False)
    n_q = max(len(qu), 1)
    codes, lines = pd.factorize(pc.astype(np.int64) * n_q + qc, sort=False)
    budget = monthly["budget"].to_numpy(dtype=np.float64)
    annual = np.bincount(codes, weights=budget, minlength=len(lines))
    place_code, programme_code = lines // n_q, lines % n_q
    place, programme = pu[place_code], qu[programme_code]
    where = (place_code, programme_code, (len(pu), n_q), unit)
    ytd = _round_lines(annual * year_share(month, phasing), *where)
    act = actuals_at(ledger, month).lines  # exact, then rounded once with the ledger
    pence = dict(zip(act.index.tolist(), act.to_numpy().tolist()))
    actual = np.array([pence.get(k, 0) for k in zip(place, programme)], dtype=np.float64) / 100
    variance = ytd - actual
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(ytd != 0, variance / np.where(ytd != 0, ytd, 1), np.nan)
    forecast = _round_lines(actual / month * 12, *where)
    return pd.DataFrame(
        {
            "place": place,
            "programme": programme,
            "annual_budget": annual,
            "ytd_budget": ytd,
            "ytd_actual": actual,
            "variance": variance,
            "variance_pct": pct,
            "forecast_outturn": forecast,
            "forecast_variance": annual - forecast,
            "flagged": np.abs(np.nan_to_num(pct)) > threshold,
        }
    )


def year_share(month: int, phasing: pd.Series | None = None) -> float:
    """The share of the year's budget in months 1 to ``month`` (twelfths by default)."""
    if phasing is None:
        return month / 12  # as exact as a float holds it (7 / 12, not a sum of twelfths)
    p = check_phasing(phasing).to_numpy(dtype=np.float64)
    return float(p[:month].sum() / p.sum())


def _round_lines(
    exact: np.ndarray, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], unit: float
) -> np.ndarray:
    """Each line's figure rounded as a table of places by programmes (controlled)."""
    table = np.zeros(shape)
    table[rows, cols] = exact
    return controlled_round(table, unit)[rows, cols]


@dataclass(frozen=True)
class Reconciliation:
    """What the packs reported and what they left out, exact in pence.

    ``months_total`` (the ledger's total for months 1 to ``month``: every amount that
    could be read, less the months after) = ``reported`` + ``left_out`` (the exceptions
    that have an amount); ``unreadable`` rows had no amount at all.
    """

    month: int
    total: float
    later: float
    months_total: float
    reported: float
    left_out: float
    rows_left_out: int
    unreadable: int

    @property
    def check(self) -> float:
        """Reported + left out less the total for the months reported: always 0."""
        return (round(self.reported * 100) + round(self.left_out * 100)) / 100 - self.months_total

    def rows(self) -> list[tuple[str, float, bool]]:
        """``(item, amount, is_a_count)``: the figures in the order the ICB summary shows."""
        m = self.month
        return [
            ("Ledger total (every amount that could be read)", self.total, False),
            (f"Months after {m} (reported in later packs)", self.later, False),
            (f"Ledger total, months 1 to {m}", self.months_total, False),
            (f"Reported in the packs, months 1 to {m}", self.reported, False),
            (
                f"Left out: {self.rows_left_out} row(s) on the Exceptions sheet",
                self.left_out,
                False,
            ),
            ("Check: reported + left out - ledger total (0)", self.check, False),
            ("Rows left out with no amount that could be read", self.unreadable, True),
        ]

    def table(self) -> pd.DataFrame:
        """The figures as ``item, amount`` rows."""
        return pd.DataFrame([r[:2] for r in self.rows()], columns=["item", "amount"])


def reconcile(ledger: Ledger, month: int) -> Reconciliation:
    """What the packs reported and what they left out, adding up to the ledger's total.

    Rows of months after ``month`` are taken out first, whatever else is wrong with them
    (they belong to a later report); the amounts are summed exactly and rounded once
    together (:func:`actuals_at`), so every figure is within a penny of its exact sum and
    the figures add up to the penny.
    """
    a = actuals_at(ledger, month)
    reported = int(a.lines.sum())
    return Reconciliation(
        month,
        a.total / 100,
        a.later / 100,
        (reported + a.left_out) / 100,
        reported / 100,
        a.left_out / 100,
        a.rows_left_out,
        a.unreadable,
    )
