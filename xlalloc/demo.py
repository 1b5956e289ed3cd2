"""A demo ICB, generated deterministically by xlalloc itself.

"NHS Demoshire ICB" has three places, eight localities, about 30 PCNs and 150
GP practices with realistic list sizes (median about 8,500 patients) and
weighted populations for all nine published components. Need varies with a
deprivation score and an age profile per practice, so places differ the way
real places do (an urban, deprived place with young lists; a rural, older
place; a mixed one).

Weighted populations are scaled as NHS England scales them nationally (one
weighted head per registered patient on average across England), so the
demo's England-standardised index of each component is its weighted
population per head: :data:`ENGLAND` holds those national ratios (all 1.0).

Nothing here is real data; it exists so the project can be run, tested and
shown without NHS England's files.
"""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

import numpy as np
import pandas as pd

from .engine.capitation import COMPONENTS
from .engine.convergence import ConvergencePolicy
from .model.policy import ModelPolicy

SEED = 20260401
ICB_CODE = "QDM"
ICB_NAME = "NHS Demoshire ICB"
YEAR = "2026/27"
#: The demo run's time stamp: the demo workbook is the same file every time it is made.
RUN_AT = datetime(2026, 4, 1, 9, 0)

#: National weighted population per head for each component (NHS England scales
#: every component so that England's weighted population equals its population).
ENGLAND: dict[str, float] = {c: 1.0 for c in COMPONENTS}

#: Places: name -> (localities, deprivation mean, age mean).
PLACES: dict[str, tuple[tuple[str, ...], float, float]] = {
    "Ashford City": (("City Centre", "City North", "City South"), 0.9, -0.4),
    "Brookvale": (("Brook East", "Brook West", "Vale Rural"), -0.5, 0.6),
    "Castleton": (("Castle Town", "Harbourside"), 0.1, 0.1),
}

#: Sensitivity of each component's need to (deprivation, age).
_BETA: dict[str, tuple[float, float]] = {
    "ga": (0.05, 0.16),
    "community": (0.06, 0.22),
    "mental_health": (0.20, -0.05),
    "maternity": (0.08, -0.25),
    "prescribing": (0.07, 0.18),
    "core": (0.07, 0.13),
    "pmc": (0.05, 0.08),
    "pmc_need": (0.06, 0.07),
    "health_inequalities": (0.45, 0.02),
}


def practices(seed: int = SEED) -> pd.DataFrame:
    """The demo ICB's practices in xlalloc's normalised practice frame.

    Args:
        seed: Random seed; the default reproduces the published demo exactly.

    Returns:
        One row per practice with the columns of :data:`xlalloc.data.FRAME_COLUMNS`
        plus ``place`` and ``locality``.
    """
    rng = np.random.default_rng(seed)
    rows = []
    n_practice = 0
    n_pcn = 0
    for p_i, (place, (localities, dep_mu, age_mu)) in enumerate(PLACES.items()):
        for loc in localities:
            for _ in range(int(rng.integers(3, 5))):
                n_pcn += 1
                pcn_code = f"U{90000 + n_pcn * 37:05d}"
                pcn_name = f"{loc} PCN {n_pcn}"
                for _ in range(int(rng.integers(4, 7))):
                    n_practice += 1
                    pop = float(np.clip(rng.lognormal(np.log(8500), 0.55), 1500, 45000))
                    pop = round(pop, 6)
                    dep = rng.normal(dep_mu, 0.6)
                    age = rng.normal(age_mu, 0.5)
                    row = {
                        "practice_code": f"Q{p_i + 1}{n_practice:04d}",
                        "practice_name": f"{loc} Medical Practice {n_practice}".upper(),
                        "pcn_code": pcn_code,
                        "pcn_name": pcn_name,
                        "place": place,
                        "locality": loc,
                        "population": pop,
                    }
                    for c in COMPONENTS:
                        b_dep, b_age = _BETA[c]
                        factor = np.exp(b_dep * dep + b_age * age + rng.normal(0, 0.03))
                        row[c] = round(pop * factor, 6)
                    rows.append(row)
    df = pd.DataFrame(rows)
    df["year"] = YEAR
    df["source"] = "xlalloc demo"
    df["sub_icb_code"] = pd.NA
    df["sub_icb_name"] = pd.NA
    df["icb_code"] = ICB_CODE
    df["icb_name"] = ICB_NAME
    df["region_code"] = "Y99"
    df["region_name"] = "Demo Region"
    df["lad_code"] = pd.NA
    df["lad_name"] = df["place"]
    df["filled"] = pd.NA
    return df


def places(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """The demo place definition: ``practice_code, place, locality``."""
    frame = practices() if frame is None else frame
    return frame[["practice_code", "place", "locality"]].copy()


#: Illustrative national specialised baseline for the Table Y1 demonstration (£).
Y1_BASELINE_TOTAL = 24_000_000_000
#: Years and totals (4% growth a year) for the Table Y1 demonstration.
Y1_YEARS = ("2024/25", "2025/26", "2026/27", "2027/28", "2028/29")
Y1_GROWTH = 0.04


def table_y1() -> pd.DataFrame:
    """Table Y1 of NHS England's specialised allocation annex (2023/24 DfT, 42 ICBs)."""
    with files("xlalloc.reference").joinpath("table_y1.csv").open(encoding="utf-8") as f:
        return pd.read_csv(f)


def table_y1_orgs() -> tuple[pd.DataFrame, dict[str, float]]:
    """Organisations and totals for converging Table Y1's 42 ICBs over five years.

    Target shares are illustrative: equal shares tilted (``s_i ∝ exp(-λ d_i)``,
    one λ) so that ``Σ s_i d_i = 0``, which makes every baseline's distance from
    target exactly the published one when ``b_i = s_i (1 + d_i) B``.

    Returns:
        ``org, year, target_share`` rows for each year (``baseline`` on the
        first year's), and the total per year (4% growth a year).
    """
    y1 = table_y1()
    d = y1["dft_2023_24"].to_numpy(dtype=float)
    lo, hi = -50.0, 50.0
    for _ in range(200):
        lam = 0.5 * (lo + hi)
        w = np.exp(-lam * d)
        if (w * d).sum() > 0:
            lo = lam
        else:
            hi = lam
    s = np.exp(-lam * d)
    s = s / s.sum()
    base = np.round(s * (1 + d) * Y1_BASELINE_TOTAL)
    rows = []
    totals = {}
    total = float(base.sum())
    for k, year in enumerate(Y1_YEARS):
        total = float(np.round(total * (1 + Y1_GROWTH)))
        totals[year] = total
        for i, org in enumerate(y1["system"]):
            rows.append(
                {
                    "org": org,
                    "year": year,
                    "target_share": s[i],
                    "baseline": base[i] if k == 0 else np.nan,
                }
            )
    return pd.DataFrame(rows), totals


#: The documented example policy for the Table Y1 demonstration.
Y1_POLICY = ConvergencePolicy(
    method="level",
    min_growth=0.01,
    max_growth=0.09,
    band=0.01,
    over_target_floor=0.0,
    over_target_from=0.05,
    over_target_to=0.15,
    source="xlalloc example policy for NHS England Table Y1 (specialised 2024/25 annex 2): "
    "1% minimum growth, reduced to cash-flat from 5% to 15% above target; 9% "
    "maximum growth; no volatility within ±1% of target",
)


#: Demo budget lines: (line, programme, amount £, recurrent, methods, component, follow).
DEMO_LINES: tuple[tuple[str, str, int, bool, tuple[str, ...], str, str], ...] = (
    (
        "Acute contracts - NHS trusts",
        "Acute",
        1_050_000_000,
        True,
        ("practice_data", "capitation"),
        "ga",
        "",
    ),
    (
        "Acute - independent sector",
        "Acute",
        95_000_000,
        True,
        ("practice_data", "capitation"),
        "ga",
        "",
    ),
    ("Ambulance services", "Acute", 62_000_000, True, ("capitation",), "ga", ""),
    (
        "Mental health trust contract",
        "Mental health",
        230_000_000,
        True,
        ("place_split", "capitation"),
        "mental_health",
        "",
    ),
    (
        "Mental health packages of care",
        "Mental health",
        48_000_000,
        True,
        ("practice_data", "capitation"),
        "mental_health",
        "",
    ),
    (
        "Learning disabilities packages",
        "Learning disabilities",
        41_000_000,
        True,
        ("practice_data", "capitation"),
        "core",
        "",
    ),
    (
        "Community services contract",
        "Community",
        190_000_000,
        True,
        ("place_split", "capitation"),
        "community",
        "",
    ),
    ("Better Care Fund", "Community", 105_000_000, True, ("place_split",), "", ""),
    ("Hospices", "Community", 12_000_000, True, ("place_split", "capitation"), "community", ""),
    (
        "CHC packages of care",
        "Continuing healthcare / FNC",
        120_000_000,
        True,
        ("practice_data", "capitation"),
        "core",
        "",
    ),
    (
        "CHC team and FNC",
        "Continuing healthcare / FNC",
        22_000_000,
        True,
        ("follow",),
        "",
        "CHC packages of care",
    ),
    (
        "GP prescribing",
        "Primary care (outside GMS) incl. prescribing",
        225_000_000,
        True,
        ("practice_data", "capitation"),
        "prescribing",
        "",
    ),
    (
        "Urgent treatment centres and out of hours",
        "Primary care (outside GMS) incl. prescribing",
        38_000_000,
        True,
        ("capitation",),
        "core",
        "",
    ),
    ("GMS contracts", "Primary care (GMS)", 190_000_000, True, ("scale", "capitation"), "pmc", ""),
    ("Other programme costs", "Other programme costs", 45_000_000, True, (), "", ""),
    ("System reserve", "Other programme costs", 15_000_000, False, (), "", ""),
    ("Corporate running costs", "Corporate running costs", 28_000_000, True, (), "", ""),
)

#: Demo place percentages: line -> [(place, locality or "", pct)].
DEMO_SPLITS: dict[str, list[tuple[str, str, float]]] = {
    "Mental health trust contract": [
        ("Ashford City", "", 45),
        ("Brookvale", "", 30),
        ("Castleton", "", 25),
    ],
    "Community services contract": [
        ("Ashford City", "", 33),
        ("Brookvale", "", 42),
        ("Castleton", "", 25),
    ],
    "Better Care Fund": [("Ashford City", "", 40), ("Brookvale", "", 35), ("Castleton", "", 25)],
    "Hospices": [
        ("Ashford City", "", 50),
        ("Brookvale", "Vale Rural", 30),
        ("Castleton", "Harbourside", 20),
    ],
}

#: Distance from target of each place's demo baseline.
DEMO_BASELINE_DFT = {"Ashford City": 0.045, "Brookvale": -0.035, "Castleton": -0.012}
DEMO_BASELINE_TOTAL = 2_400_000_000
DEMO_TOTALS = {"2026/27": 2_496_000_000, "2027/28": 2_570_880_000, "2028/29": 2_648_006_400}

#: The demo model's Policy sheet: the defaults, with the demo's own choices.
DEMO_POLICY = ModelPolicy(
    financial_year=YEAR,
    min_growth=0.01,
    max_growth=0.06,
    band=0.005,
    icb_name=ICB_NAME,
    target_uncertainty=0.0255,
)


def _demo_practice_data(p: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Practice values: each practice's spend on five lines, and one value with no practice."""
    n = len(p)

    def noisy(base: np.ndarray, sd: float) -> np.ndarray:
        return np.round(base * rng.lognormal(0, sd, n), 2)

    values = []
    acute = noisy(p["ga"].to_numpy() * 760.0, 0.12)
    values += [("Acute contracts - NHS trusts", c, v) for c, v in zip(p["practice_code"], acute)]
    values.append(("Acute contracts - NHS trusts", None, round(acute.sum() * 0.06, 2)))
    mh = noisy(p["mental_health"].to_numpy() * 35.0, 0.5)
    values += [("Mental health packages of care", c, v) for c, v in zip(p["practice_code"], mh)]
    values.append(("Mental health packages of care", None, round(mh.sum() * 0.1, 2)))
    ld = noisy(p["core"].to_numpy() * 30.0, 0.6)
    values += [("Learning disabilities packages", c, v) for c, v in zip(p["practice_code"], ld)]
    rx = noisy(p["prescribing"].to_numpy() * 165.0, 0.1)
    values += [("GP prescribing", c, v) for c, v in zip(p["practice_code"], rx)]
    gms = noisy(p["population"].to_numpy() * 69.0, 0.05)
    values += [("GMS contracts", c, v) for c, v in zip(p["practice_code"], gms)]
    practice_data = pd.DataFrame(values, columns=["line", "practice_code", "value"])

    return practice_data


def _demo_activity(p: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Activity rows of two lines, some without a practice code."""
    rows = []
    codes = p["practice_code"].to_numpy()
    weights = p["core"].to_numpy() / p["core"].sum()
    for line, n_rows, blank_share in (
        ("CHC packages of care", 900, 0.07),
        ("Acute - independent sector", 700, 0.35),
    ):
        picks = rng.choice(codes, size=n_rows, p=weights)
        amounts = np.round(rng.lognormal(np.log(60_000), 0.8, n_rows), 2)
        blank = rng.random(n_rows) < blank_share
        for c, a, b in zip(picks, amounts, blank):
            rows.append((line, None if b else c, a))
    return pd.DataFrame(rows, columns=["line", "practice_code", "amount"])


def _demo_baselines(p: pd.DataFrame) -> pd.DataFrame:
    """Each place's baseline: its share of core need, off target by DEMO_BASELINE_DFT."""
    core_by_place = p.groupby("place")["core"].sum()
    share = core_by_place / core_by_place.sum()
    raw = share * (1 + pd.Series(DEMO_BASELINE_DFT))
    base = np.round(raw / raw.sum() * DEMO_BASELINE_TOTAL)
    base.iloc[-1] += DEMO_BASELINE_TOTAL - base.sum()
    return pd.DataFrame({"place": base.index, "baseline": base.to_numpy(), "hcdd_baseline": None})


def model_tables(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every input table of the demo model workbook, keyed by table name."""
    rng = np.random.default_rng(seed + 1)
    p = practices(seed)
    wp_cols = {c: f"{c}_wp" for c in COMPONENTS}
    tbl_practices = p[
        [
            "practice_code",
            "practice_name",
            "pcn_code",
            "pcn_name",
            "locality",
            "place",
            "population",
            *COMPONENTS,
        ]
    ].rename(columns=wp_cols)
    budget = pd.DataFrame(
        DEMO_LINES,
        columns=["line", "programme", "amount", "recurrent", "methods", "component", "follow"],
    )
    budget["negative_ok"] = False
    # The generator is shared in this order: practice data, then activity.
    practice_data = _demo_practice_data(p, rng)
    activity = _demo_activity(p, rng)
    splits = pd.DataFrame(
        [
            (line, pl, lo or None, pct)
            for line, items in DEMO_SPLITS.items()
            for pl, lo, pct in items
        ],
        columns=["line", "place", "locality", "pct"],
    )

    baselines = _demo_baselines(p)
    totals = pd.DataFrame({"year": list(DEMO_TOTALS), "total": list(DEMO_TOTALS.values())})
    return {
        "tblPractices": tbl_practices,
        "tblBudget": budget,
        "tblPracticeData": practice_data,
        "tblActivity": activity,
        "tblPlaceSplits": splits,
        "tblBaselines": baselines,
        "tblTotals": totals,
    }


def ledger(
    cells: pd.DataFrame, practices_frame: pd.DataFrame, month: int, seed: int = SEED
) -> pd.DataFrame:
    """A demo ledger extract: actual spend by month, programme and place (or practice).

    Spend runs near one twelfth of each apportioned budget a month, with a steady
    over- or underspend per place and programme; primary care rows are coded to
    practices (mapped to places through the model); three rows are deliberately bad
    (an unknown place, month 13, an amount that is text) to show the exceptions page.

    Args:
        cells: Apportioned budget: ``place, programme, amount`` rows (any granularity).
        practices_frame: Practices with ``practice_code`` and ``place``.
        month: Last month in the extract (1 = April).
        seed: Random seed.
    """
    rng = np.random.default_rng(seed + 2)
    annual = cells.groupby(["place", "programme"], sort=True)["amount"].sum()
    rows: list[tuple[object, ...]] = []
    by_place = {p: g["practice_code"].tolist() for p, g in practices_frame.groupby("place")}
    for (place, prog), budget in annual.items():
        bias = rng.normal(0.0, 0.04)
        for m in range(1, month + 1):
            spend = budget / 12 * (1 + bias + rng.normal(0, 0.02))
            if "GMS" in prog:
                codes = by_place[place]
                weights = rng.dirichlet(np.ones(len(codes)))
                for code, w in zip(codes, weights):
                    rows.append((m, prog, None, code, round(spend * w, 2)))
            else:
                rows.append((m, prog, place, None, round(spend, 2)))
    first_prog = annual.index[0][1]
    rows += [
        (1, first_prog, "Atlantis", None, 12_345.67),
        (13, first_prog, annual.index[0][0], None, 1_000.00),
        (2, first_prog, annual.index[0][0], None, "see invoice"),
    ]
    return pd.DataFrame(rows, columns=["month", "programme", "place", "practice_code", "amount"])


#: An ISFE extract's columns, as the finance system names them.
ISFE_COLUMNS = (
    "Period",
    "Cost Centre",
    "Cost Centre Description",
    "Subjective",
    "Subjective Description",
    "Practice Code",
    "Actual",
)


def _cost_centres(
    programmes: list[str], places: list[str]
) -> tuple[dict[tuple[str, str | None], str], list[tuple[str, str, str | None, str]]]:
    """A cost centre per programme and place (primary care's: per programme, by practice)."""
    code: dict[tuple[str, str | None], str] = {}
    map_rows = []
    for i, prog in enumerate(programmes):
        for j, place in enumerate([None] if "GMS" in prog else places):
            cc = f"{610000 + 100 * (i + 1) + j}"
            code[(prog, place)] = cc
            what = f"{prog} - {place}" if place else f"{prog} (by practice)"
            map_rows.append((cc, prog, place, what))
    return code, map_rows


def isfe_ledger(
    cells: pd.DataFrame,
    practices_frame: pd.DataFrame,
    month: int,
    financial_year: str = YEAR,
    seed: int = SEED,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A demo ledger as an ICB's finance system (ISFE, Oracle) exports it, with its map.

    The same spend as :func:`ledger`, coded the way real ledgers are: a ``Cost Centre``
    per place and programme (primary care's cost centres carry no place: those rows
    name the practice), a ``Subjective`` (account), periods such as ``SEP-26`` and
    amounts as Excel saves currency (``£1,234.50``, refunds as ``(£100.00)``). Four rows
    are deliberately unreportable: a cost centre missing from the map, an amount that
    is text, a period of the previous financial year, and a blank amount.

    Returns:
        ``(ledger, map)``: the extract (``Period, Cost Centre, Cost Centre Description,
        Subjective, Subjective Description, Practice Code, Actual``) and the map
        (``cost_centre, programme, place, description``).
    """
    start = int(financial_year[:4])
    simple = ledger(cells, practices_frame, month, seed)
    simple = simple[simple["month"].between(1, 12) & (simple["place"] != "Atlantis")]
    simple = simple[pd.to_numeric(simple["amount"], errors="coerce").notna()]
    programmes = sorted(simple["programme"].unique())
    code, map_rows = _cost_centres(programmes, sorted(simple["place"].dropna().unique()))
    subjective = {p: f"{521000 + 10 * k}" for k, p in enumerate(programmes)}

    def period(m: int) -> str:
        cal = (m + 2) % 12 + 1
        year = start if m <= 9 else start + 1
        return f"{MONTH_NAMES_UPPER[cal - 1]}-{year % 100:02d}"

    def money(x: float) -> str:
        return f"(£{-x:,.2f})" if x < 0 else f"£{x:,.2f}"

    rows: list[tuple[object, ...]] = []
    for r in simple.itertuples(index=False):
        place = None if "GMS" in r.programme else r.place
        rows.append(
            (
                period(int(r.month)),
                code[(r.programme, place)],
                f"{r.programme}" + (f" - {place}" if place else ""),
                subjective[r.programme],
                f"{r.programme} expenditure",
                r.practice_code,
                money(float(r.amount)),
            )
        )
    first = map_rows[0]
    rows += [
        (period(1), "699999", "Suspense", "521999", "Unallocated", None, "£2,500.00"),
        (period(2), first[0], first[3], subjective[first[1]], "Accrual", None, "TBC"),
        (
            f"MAR-{start % 100:02d}",
            first[0],
            first[3],
            subjective[first[1]],
            "Prior year",
            None,
            "£1,000.00",
        ),
        (period(3), first[0], first[3], subjective[first[1]], "Credit note", None, "(£250.00)"),
        (period(3), first[0], first[3], subjective[first[1]], "Blank line", None, None),
    ]
    extract = pd.DataFrame(rows, columns=list(ISFE_COLUMNS))
    mapping = pd.DataFrame(map_rows, columns=["cost_centre", "programme", "place", "description"])
    return extract, mapping


#: Calendar months as Oracle writes them in period names (``SEP-26``), January first.
MONTH_NAMES_UPPER = (
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
)
