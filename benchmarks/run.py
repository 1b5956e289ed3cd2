"""xlalloc benchmarks: each prints its time as a ratio against a baseline measured in the same run.

Usage: python benchmarks/run.py [NAME ...]   (names: indices, convergence, ...)

Ratios, not seconds, are the figures to compare across machines. Inputs are
NHS England's national practice file from ../shared where present, otherwise
the demo ICB replicated to national size.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "nhse_weighted_populations"
sys.path.insert(0, str(ROOT))

from xlalloc.engine import capitation as cap  # noqa: E402
from xlalloc.engine.capitation import COMPONENTS  # noqa: E402

BENCHMARKS: dict[str, Callable[[], None]] = {}


def bench(fn: Callable[[], None]) -> Callable[[], None]:
    BENCHMARKS[fn.__name__] = fn
    return fn


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def report(name: str, t: float, baseline_name: str, t0: float) -> None:
    print(f"{name:<48} {t:9.4f}s   baseline {baseline_name}: {t0:9.4f}s   "
          f"ratio {t / t0:8.4f}  ({t0 / t:,.1f}x faster)" if t < t0 else
          f"{name:<48} {t:9.4f}s   baseline {baseline_name}: {t0:9.4f}s   ratio {t / t0:8.4f}")


def national_practices() -> pd.DataFrame:
    from xlalloc import data, demo

    f = SHARED / "ICB_Allocation_Tool_update__2025_2026.csv"
    if f.exists():
        return data.load_practices(f)
    d = demo.practices()
    reps = []
    for k in range(45):
        r = d.copy()
        r["practice_code"] = r["practice_code"] + f"-{k}"
        r["icb_code"] = f"Q{k:02d}"
        reps.append(r)
    return pd.concat(reps, ignore_index=True)


@bench
def indices() -> None:
    """Indices for every place (LAD within ICB) of every ICB vs a naive per-place loop."""
    df = national_practices()
    places = df[["practice_code"]].assign(place=df["icb_code"] + ":" + df["lad_code"].fillna("-"))
    pm = cap.define_places(df, places)
    n_places = places["place"].nunique()

    def vectorised() -> pd.DataFrame:
        return cap.need_indices(df, pm)

    joined = df.merge(pm.frame[["practice_code", "place"]], on="practice_code")

    def naive() -> list[dict[str, float]]:
        # As the Streamlit tool does: filter the frame once per place and per ICB.
        rows = []
        for place in joined["place"].unique():
            sel = joined[joined["place"] == place]
            icb = joined[joined["icb_code"] == sel["icb_code"].iloc[0]]
            row = {"place": place}
            for c in COMPONENTS:
                row[c] = (sel[c].sum() / sel["population"].sum()) / (
                    icb[c].sum() / icb["population"].sum())
            rows.append(row)
        return rows

    fast = vectorised().query("level == 'place'").set_index("name")
    slow = pd.DataFrame(naive()).set_index("place")
    np.testing.assert_allclose(fast.loc[slow.index, "core_index"], slow["core"], rtol=1e-12)
    t0 = best_of(naive, 2)
    t = best_of(vectorised, 3)
    report(f"indices: {len(df):,} practices, {n_places} places", t, "naive per-place loop", t0)



@bench
def convergence() -> None:
    """10,000 policy scenarios x 42 ICBs in one vectorised call vs a scalar root-finder loop."""
    from scipy.optimize import brentq

    from xlalloc import demo
    from xlalloc.engine.convergence import solve_batch

    rows, totals = demo.table_y1_orgs()
    first = rows[rows["year"] == rows["year"].min()]
    b = first["baseline"].to_numpy()
    s = first["target_share"].to_numpy()
    rng = np.random.default_rng(1)
    S = 10_000
    growth = rng.uniform(0.0, 0.08, S)
    T = b.sum() * (1 + growth)
    mg = rng.uniform(-0.01, 0.02, S)
    mg = np.minimum(mg, growth - 1e-3)
    maxg = growth + rng.uniform(0.01, 0.06, S)
    t = s[None, :] * T[:, None]
    lo = b[None, :] * (1 + mg[:, None])
    hi = b[None, :] * (1 + maxg[:, None])

    def vectorised() -> np.ndarray:
        return solve_batch(t, t, lo, hi, T)

    def scalar() -> np.ndarray:
        out = np.empty(S)
        for k in range(S):
            tk, lok, hik, Rk = t[k], lo[k], hi[k], T[k]

            def f(theta: float, tk=tk, lok=lok, hik=hik, Rk=Rk) -> float:
                return float(np.clip(tk + theta * tk, lok, hik).sum() - Rk)

            out[k] = brentq(f, -1.0, 1.0, xtol=1e-15, rtol=4 * np.finfo(float).eps)
        return out

    fast = vectorised()
    slow = scalar()
    alloc_fast = np.clip(t + fast[:, None] * t, lo, hi)
    alloc_slow = np.clip(t + slow[:, None] * t, lo, hi)
    np.testing.assert_allclose(alloc_fast, alloc_slow, rtol=1e-9)
    np.testing.assert_allclose(alloc_fast.sum(axis=1), T, rtol=1e-12)
    t0 = best_of(scalar, 1)
    t1 = best_of(vectorised, 3)
    report(f"convergence: {S:,} scenarios x {len(b)} ICBs", t1, "scipy brentq loop", t0)


def main(names: list[str]) -> None:
    for name in names or list(BENCHMARKS):
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {list(BENCHMARKS)}")
        BENCHMARKS[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
