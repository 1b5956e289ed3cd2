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

import numpy as np
import pandas as pd

from .engine.capitation import COMPONENTS

SEED = 20260401
ICB_CODE = "QDM"
ICB_NAME = "NHS Demoshire ICB"
YEAR = "2026/27"

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
    from importlib.resources import files

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
            rows.append({"org": org, "year": year, "target_share": s[i],
                         "baseline": base[i] if k == 0 else np.nan})
    return pd.DataFrame(rows), totals


#: The documented example policy for the Table Y1 demonstration.
Y1_POLICY = {
    "method": "level",
    "min_growth": 0.01,
    "max_growth": 0.09,
    "band": 0.01,
    "over_target_floor": 0.0,
    "over_target_from": 0.05,
    "over_target_to": 0.15,
    "source": "xlalloc example policy for NHS England Table Y1 (specialised 2024/25 annex 2): "
              "1% minimum growth, reduced to cash-flat from 5% to 15% above target; 9% "
              "maximum growth; no volatility within ±1% of target",
}
