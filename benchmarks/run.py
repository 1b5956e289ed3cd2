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

#: Each benchmark's goal: the most its ratio to its baseline may be (issue 30). A ratio
#: past its goal is printed as MISSED and the run exits with status 1.
GOALS = {
    "model": 0.3,  # xlalloc run -o, national, against openpyxl loading and saving it
    "model_fresh": 0.4,  # the same, each a fresh process (issue 45)
    # xlalloc activity end to end, a fresh process, against a fresh Python process importing
    # DuckDB and pandas and running the same GROUP BY (issue 45: start-up on both sides).
    "activity": 1.5,
    "convergence": 1 / 30,  # at least 30 times faster than scipy's brentq per policy
    "packs": 1.5,  # seconds per pack, against openpyxl writing the same cells
    "drivers": 1.1,  # xlalloc drivers from the extract, against xlalloc activity (issue 46)
    # Issue 45: each one-ICB command, a fresh process, against a fresh process importing
    # pandas (what every one of them pays at least). 3.0 is the "1.0 s" on the
    # machine it was measured on, where that process took about 0.33 s.
    "command": 3.0,
    "help": 2.0,  # xlalloc --help against a bare interpreter's start (issue 45: 0.1 s)
    # Importing the worksheet functions once xlwings is loaded (as Excel's xlwings has it),
    # in seconds: the one absolute goal, issue 45's own.
    "udfs": 0.3,
}


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


#: Each goal missed in this run: (benchmark, ratio, goal). ``main`` exits 1 if any.
MISSED: list[tuple[str, float, float]] = []

#: Run the cheap cases only (``--quick``: the slow-tier test's run).
QUICK = False


def report(name: str, t: float, baseline_name: str, t0: float, goal: float | None = None) -> None:
    """Print a time as a ratio to its baseline, against its goal (ratio at most ``goal``)."""
    ratio = t / t0
    text = (
        f"{name:<48} {t:9.4f}s   baseline {baseline_name}: {t0:9.4f}s   "
        f"ratio {ratio:8.4f}  ({t0 / t:,.1f}x faster)"
        if t < t0
        else f"{name:<48} {t:9.4f}s   baseline {baseline_name}: {t0:9.4f}s   ratio {ratio:8.4f}"
    )
    if goal is not None:
        met = ratio <= goal
        text += f"   goal <= {goal:g}: {'met' if met else 'MISSED'}"
        if not met:
            MISSED.append((name, ratio, goal))
    print(text, flush=True)


def national_practices() -> pd.DataFrame:
    from xlalloc import demo
    from xlalloc.readers import nhse as data

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
                    icb[c].sum() / icb["population"].sum()
                )
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
    report(
        f"convergence: {S:,} scenarios x {len(b)} ICBs",
        t1,
        "scipy brentq loop",
        t0,
        goal=GOALS["convergence"],
    )


def national_model_tables() -> dict[str, pd.DataFrame]:
    """All of England's practices (places = ICBs) with the demo ICB's full budget."""
    from xlalloc import demo

    df = national_practices()
    tables = demo.model_tables()
    rng = np.random.default_rng(7)
    practices = pd.DataFrame(
        {
            "practice_code": df["practice_code"],
            "practice_name": df["practice_name"],
            "pcn_code": df["pcn_code"],
            "pcn_name": df["pcn_name"],
            "locality": df["icb_code"] + ": " + df["lad_name"].fillna("Unknown"),
            "place": df["icb_name"],
            "population": df["population"],
            **{f"{c}_wp": df[c] for c in COMPONENTS},
        }
    )
    budget = tables["tblBudget"].copy()
    # No place splits nationally: drop place_split from every line's methods.
    budget["methods"] = [
        tuple(m for m in ms if m != "place_split") or ("capitation",) for ms in budget["methods"]
    ]
    values = []
    for line, comp, rate in (
        ("Acute contracts - NHS trusts", "ga", 760.0),
        ("GP prescribing", "prescribing", 165.0),
        ("GMS contracts", "population", 69.0),
        ("Mental health packages of care", "mental_health", 35.0),
        ("Learning disabilities packages", "core", 30.0),
    ):
        v = df[comp].to_numpy() * rate * rng.lognormal(0, 0.1, len(df))
        values += list(zip([line] * len(df), df["practice_code"], np.round(v, 2)))
    codes = df["practice_code"].to_numpy()
    activity = [
        (
            "CHC packages of care",
            c if rng.random() > 0.07 else None,
            round(float(rng.lognormal(np.log(60_000), 0.8)), 2),
        )
        for c in rng.choice(codes, 5_000)
    ]
    activity += [
        ("Acute - independent sector", c, round(float(rng.lognormal(10, 1)), 2))
        for c in rng.choice(codes, 3_000)
    ]
    places = sorted(practices["place"].unique())
    base = pd.DataFrame({"place": places, "baseline": 100_000_000.0, "hcdd_baseline": None})
    return {
        "tblPractices": practices,
        "tblBudget": budget,
        "tblPracticeData": pd.DataFrame(values, columns=["line", "practice_code", "value"]),
        "tblActivity": pd.DataFrame(activity, columns=["line", "practice_code", "amount"]),
        "tblPlaceSplits": None,
        "tblBaselines": base,
        "tblTotals": pd.DataFrame({"year": ["2026/27"], "total": [len(places) * 104e6]}),
    }


def openpyxl_alone(source: Path, target: Path) -> tuple[int, float]:
    """Write every cell of ``source`` into a new workbook with openpyxl alone.

    Returns:
        The number of cells and the seconds openpyxl took.
    """
    from openpyxl import Workbook
    from python_calamine import CalamineWorkbook

    wb_in = CalamineWorkbook.from_path(str(source))
    sheets = {
        n: wb_in.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb_in.sheet_names
    }
    t = time.perf_counter()
    wb = Workbook()
    wb.remove(wb.active)
    n = 0
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append([None if v == "" else v for v in r])
            n += len(r)
    wb.save(target)
    return n, time.perf_counter() - t


@bench
def model() -> None:
    """Headless run of a model of all England's practices and one ICB's full budget."""
    import tempfile

    import xlalloc
    from xlalloc import demo
    from xlalloc.workbook.model_book import build_model, save_model

    d = Path(tempfile.mkdtemp(prefix="xlalloc-bench-"))
    src = d / "national.xlsx"
    save_model(build_model(national_model_tables(), demo.DEMO_POLICY), src)
    out = d / "out.xlsx"
    t = time.perf_counter()
    xlalloc.run(src, out)
    t_run = time.perf_counter() - t
    t_load_save = openpyxl_load_save(src, d / "resaved.xlsx")
    report(
        "model run -o: national practices and a full budget",
        t_run,
        "openpyxl loading and saving the model",
        t_load_save,
        goal=GOALS["model"],
    )
    t = time.perf_counter()
    xlalloc.run(out, in_place=True)
    t_in_place = time.perf_counter() - t
    report(
        "model run --in-place (outputs already there)",
        t_in_place,
        "openpyxl loading and saving the model",
        t_load_save,
    )
    n, t0 = openpyxl_alone(out, d / "plain.xlsx")
    report(
        f"model run: every cell of the result ({n:,})", t_run, "openpyxl writing the same cells", t0
    )
    # Issue 45: both sides a fresh process, as a user runs them (paired, median of three).
    resave = f"from openpyxl import load_workbook\nload_workbook({str(src)!r}).save("
    resave += f"{str(d / 'resaved.xlsx')!r})"
    fresh_out = [*console_script(), "run", str(src), "-o", str(d / "fresh.xlsx"), "--force"]
    t0, t1 = paired_fresh([sys.executable, "-c", resave], fresh_out, 3)
    report(
        "model run -o, fresh process: national practices",
        t1,
        "a fresh openpyxl load and save",
        t0,
        goal=GOALS["model_fresh"],
    )


def openpyxl_load_save(source: Path, target: Path) -> float:
    """Seconds for openpyxl merely to load a workbook and save it again."""
    from openpyxl import load_workbook

    t = time.perf_counter()
    load_workbook(source).save(target)
    return time.perf_counter() - t


def _icb_inputs(df: pd.DataFrame):
    """Model inputs for one ICB of the national file: places are local authority districts."""
    from xlalloc import demo
    from xlalloc.readers.model import ModelInputs

    rng = np.random.default_rng(11)
    pr = df.assign(place=df["lad_name"].fillna("Unknown"), locality=df["lad_name"].fillna("-"))
    scale = pr["population"].sum() / demo.practices()["population"].sum()
    budget = pd.DataFrame(
        demo.DEMO_LINES,
        columns=["line", "programme", "amount", "recurrent", "methods", "component", "follow"],
    )
    budget["amount"] = (budget["amount"] * scale / 1000).round() * 1000
    budget["methods"] = [("capitation",)] * len(budget)
    budget["follow"] = None
    values = []
    for line, comp, rate in (
        ("Acute contracts - NHS trusts", "ga", 760.0),
        ("GP prescribing", "prescribing", 165.0),
        ("GMS contracts", "population", 69.0),
    ):
        v = pr[comp].to_numpy() * rate * rng.lognormal(0, 0.1, len(pr))
        values += list(zip([line] * len(pr), pr["practice_code"], np.round(v, 2)))
        budget["methods"] = [
            ("practice_data", "capitation") if name == line else m
            for name, m in zip(budget["line"], budget["methods"])
        ]
    empty = pd.DataFrame()
    return ModelInputs(
        pr,
        budget,
        pd.DataFrame(values, columns=["line", "practice_code", "value"]),
        empty,
        empty,
        empty,
        empty,
        demo.DEMO_POLICY.model_copy(
            update={
                "icb_name": df["icb_name"].iloc[0],
                "financial_year": str(df["year"].iloc[0])
                if "year" in df.columns
                else demo.DEMO_POLICY.financial_year,
            }
        ),
    )


@bench
def packs() -> None:
    """Monthly packs, seconds per pack, against openpyxl alone writing the same cells."""
    import tempfile

    from xlalloc import demo
    from xlalloc.model.runner import run_model
    from xlalloc.usecases.pack import make_packs

    d = Path(tempfile.mkdtemp(prefix="xlalloc-packs-"))
    t = demo.model_tables()
    from xlalloc.readers.model import ModelInputs

    demo_inputs = ModelInputs(
        t["tblPractices"].rename(columns={f"{c}_wp": c for c in COMPONENTS}),
        t["tblBudget"],
        t["tblPracticeData"],
        t["tblActivity"],
        t["tblPlaceSplits"],
        pd.DataFrame(),
        pd.DataFrame(),
        demo.DEMO_POLICY,
    )
    cases = [("demo ICB", [demo_inputs])]
    if not QUICK:
        nat = national_practices()
        cases.append(
            (
                f"{nat['icb_code'].nunique()} ICBs (national)",
                [_icb_inputs(g) for _, g in nat.groupby("icb_code")],
            )
        )
    for label, inputs_list in cases:
        n = 0
        t_packs = 0.0
        t_plain = 0.0
        # A small ICB's packs take milliseconds (the demo's four about 9 ms each): each
        # ICB's best of fifteen runs, and of fifteen of openpyxl's, so that the ratio is
        # not a scheduler's hiccup on either side (best of five, the same code read 1.14
        # to 1.56 within the hour; best of 25, 1.28 to 1.48).
        repeat = 15 if len(inputs_list) == 1 else 1
        for k, inputs in enumerate(inputs_list):
            inputs.practices["icb_code"] = "ICB"
            inputs.practices["icb_name"] = "ICB"
            result = run_model(inputs)
            ledger = demo.ledger(result.apportionment.cells, inputs.practices, 6)
            best, plain = float("inf"), float("inf")
            for attempt in range(repeat):
                out = d / f"{label[:3]}{k}-{attempt}"
                t0 = time.perf_counter()
                run = make_packs(result, ledger, 6, out)
                best = min(best, time.perf_counter() - t0)
                plain = min(
                    plain,
                    sum(openpyxl_alone(p, p.with_suffix(".plain.xlsx"))[1] for p in run.paths),
                )
            t_packs += best
            t_plain += plain
            n += len(run.paths)
        report(
            f"packs: {label}, {n} packs ({t_packs / n:.3f}s per pack)",
            t_packs / n,
            "openpyxl writing the same cells, per pack",
            t_plain / n,
            goal=GOALS["packs"],
        )


def fresh(code: str, setup: str = "") -> tuple[float, float]:
    """Seconds and peak memory (MiB) of ``code`` run in a new Python process.

    ``setup`` runs first, outside the timing (its memory counts towards the peak).
    """
    import subprocess
    import textwrap

    script = (
        f"import resource, sys, time\nsys.path.insert(0, {str(ROOT)!r})\n"
        f"{textwrap.dedent(setup)}\nt = time.perf_counter()\n{textwrap.dedent(code)}\n"
        "print(time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def report_memory(name: str, mib: float, baseline_name: str, mib0: float) -> None:
    print(
        f"{name:<48} peak {mib:7.0f} MiB   baseline {baseline_name}: {mib0:7.0f} MiB   "
        f"ratio {mib / mib0:6.2f}"
    )


EXTRACT_ROWS = 10_000_000
ACTIVITY_LINES = (
    "Acute - independent sector",
    "CHC packages of care",
    "Mental health packages of care",
    "Learning disabilities packages",
    "Acute contracts - NHS trusts",
    "GP prescribing",
)


def national_extract(folder: Path, rows: int = EXTRACT_ROWS) -> tuple[Path, Path]:
    """A national model (every practice in England) and a Parquet activity extract.

    One row per contract line: six budget lines, every practice, 7% of rows with no
    practice code, amounts in pounds and pence from £1 to about £8,000.
    """
    import duckdb

    from xlalloc import demo
    from xlalloc.workbook.model_book import build_model, save_model

    tables = national_model_tables()
    tables["tblActivity"] = None
    model = save_model(build_model(tables, demo.DEMO_POLICY), folder / "national.xlsx")
    codes = pd.DataFrame({"code": tables["tblPractices"]["practice_code"]})
    codes["k"] = np.arange(len(codes))
    lines = pd.DataFrame({"line": list(ACTIVITY_LINES), "k": np.arange(len(ACTIVITY_LINES))})
    con = duckdb.connect()
    con.register("codes", codes)
    con.register("lines", lines)
    extract = folder / "extract.parquet"
    con.execute(f"""
        COPY (SELECT l.line AS line,
                     CASE WHEN hash(i * 7) % 100 < 7 THEN NULL ELSE c.code END
                         AS practice_code,
                     ROUND(EXP((hash(i * 13) % 900) / 100.0), 2) AS amount
              FROM range({rows}) r(i)
              JOIN codes c ON c.k = hash(i) % {len(codes)}
              JOIN lines l ON l.k = hash(i * 3) % {len(lines)})
        TO '{extract}' (FORMAT parquet)""")
    return model, extract


@bench
def activity() -> None:
    """A 10-million-row extract: xlalloc activity against DuckDB's own GROUP BY."""
    import shutil
    import tempfile
    import textwrap

    d = Path(tempfile.mkdtemp(prefix="xlalloc-activity-"))
    model, extract = national_extract(d)
    import json

    from xlalloc.readers.model import read_model

    inputs = read_model(model)
    known = d / "known.json"
    known.write_text(
        json.dumps(
            {
                "lines": [str(x) for x in inputs.budget["line"]],
                "codes": [str(x) for x in inputs.practices["practice_code"]],
            }
        )
    )
    setup = f"""
        import duckdb, json
        from xlalloc.readers.activity import read_activity
        known = json.load(open({str(known)!r}))
        lines, codes = known["lines"], known["codes"]
    """
    plain = f"""
        con = duckdb.connect()
        totals = con.execute("SELECT line, practice_code, SUM(amount) AS amount, COUNT(*) "
                             "FROM read_parquet('{extract}') GROUP BY line, practice_code").df()
    """
    ours = f"read_activity([{str(extract)!r}], lines, codes)"
    runs = [(fresh(plain, setup), fresh(ours, setup)) for _ in range(7)]  # interleaved
    t0, m0 = min(r[0] for r in runs)
    t1, m1 = min(r[1] for r in runs)
    report(f"activity: {EXTRACT_ROWS:,} rows checked and totalled", t1, "DuckDB GROUP BY alone", t0)
    report_memory("activity: peak memory of the same process", m1, "DuckDB GROUP BY alone", m0)
    cli = f"""
        from xlalloc.cli import main
        main(["activity", {str(extract)!r}, "--model", {str(model)!r}, "-o",
              {str(d / "values.csv")!r}, "--force"])
    """
    t2, m2 = fresh(cli)
    report("xlalloc activity (CLI, reading the model too)", t2, "DuckDB GROUP BY alone", t0)
    # Issue 45's goal: both sides a fresh process with its own start-up and imports, as
    # a user runs them: the console script against Python importing DuckDB and pandas
    # and running the same GROUP BY on the same file (median of five, interleaved).

    duck = [sys.executable, "-c", "import duckdb, pandas\n" + textwrap.dedent(plain)]
    ours = [*console_script(), "activity", str(extract), "--model", str(model)]
    ours += ["-o", str(d / "values.csv"), "--force"]
    t5, t_cli = paired_fresh(duck, ours)
    size = extract.stat().st_size / 2**20
    report(
        f"activity: xlalloc activity, fresh process ({size:.0f} MiB Parquet, national model)",
        t_cli,
        "a fresh DuckDB process",
        t5,
        goal=GOALS["activity"],
    )
    report_memory("xlalloc activity (CLI): peak memory", m2, "DuckDB GROUP BY alone", m0)
    # The drivers of spend from the same extract: the same read and totals, then the
    # drivers of every place and programme (issue 46: within 10% of xlalloc activity).
    drivers_cli = f"""
        from xlalloc.cli import main
        main(["drivers", {str(model)!r}, "--activity", {str(extract)!r}, "-o",
              {str(d / "drivers.csv")!r}, "--force"])
    """
    pairs = [(fresh(cli)[0], fresh(drivers_cli)[0]) for _ in range(3)]  # interleaved
    t6, t7 = min(p[0] for p in pairs), min(p[1] for p in pairs)
    report(
        f"xlalloc drivers (CLI) on {EXTRACT_ROWS:,} rows",
        t7,
        "xlalloc activity (CLI)",
        t6,
        goal=GOALS["drivers"],
    )
    # Per-line totals to the penny against DuckDB's own sum in exact decimals.
    import duckdb

    from xlalloc.readers.activity import read_activity

    got = read_activity(
        [extract],
        [str(x) for x in inputs.budget["line"]],
        [str(x) for x in inputs.practices["practice_code"]],
    ).line_totals
    want = (
        duckdb.connect()
        .execute(
            f"SELECT line, CAST(SUM(CAST(amount AS DECIMAL(38, 2))) AS VARCHAR) AS amount "
            f"FROM read_parquet('{extract}') GROUP BY line"
        )
        .df()
    )
    mine = {line: f"{a:.2f}" for line, a in zip(got["line"], got["amount"])}
    theirs = dict(zip(want["line"], want["amount"]))
    print(
        f"activity: per-line totals equal to the penny: {mine == theirs} "
        f"({len(mine)} lines, £{sum(map(float, theirs.values())):,.2f})"
    )
    # The same extract through the engine's apportion, end to end.
    setup_apportion = f"""
        import duckdb, pandas as pd
        from xlalloc.engine.apportionment import apportion
        from xlalloc.readers.model import read_model
        inputs = read_model({str(model)!r})
        practices = inputs.practices.drop(columns="year")
        frame = duckdb.connect().execute("SELECT * FROM read_parquet('{extract}')").df()
    """
    apportion_code = (
        "apportion(inputs.budget, practices, inputs.practice_data, "
        "inputs.place_splits, frame, inputs.policy.apportionment())"
    )
    pandas_code = "frame.groupby(['line', 'practice_code'], dropna=False)['amount'].sum()"
    t3, m3 = fresh(apportion_code, setup_apportion)
    t4, m4 = fresh(pandas_code, setup_apportion)
    report(
        f"apportion(activity=) on {EXTRACT_ROWS:,} rows in memory",
        t3,
        "pandas GROUP BY of the same frame",
        t4,
    )
    report_memory("apportion(activity=): peak memory", m3, "pandas GROUP BY of the same frame", m4)
    shutil.rmtree(d, ignore_errors=True)


def console_script() -> list[str]:
    """How a user runs ``xlalloc``: the console script installed beside this Python.

    Not a shim in front of it (pyenv's adds a shell and about 0.08 s) and not the
    interpreter's ``-m`` (which imports ``xlalloc.cli`` as ``__main__``).
    """
    script = Path(sys.executable).with_name("xlalloc")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from xlalloc.cli import main; sys.exit(main())"]


def _env() -> dict[str, str]:
    """The environment a user's command runs in: bytecode cached, as an installed package.

    This machine sets ``PYTHONDONTWRITEBYTECODE`` (every module compiled in every
    process); a user's does not.
    """
    import os

    # Nor the tests' setting that keeps commands in one process (set by tests/conftest.py,
    # which this benchmark imports for NHS Essex ICB's model): a user's command forks.
    unset = ("PYTHONDONTWRITEBYTECODE", "XLALLOC_SECOND_PROCESS")
    return {k: v for k, v in os.environ.items() if k not in unset}


def _once(argv: list[str]) -> float:
    """Seconds of ``argv`` run once as a new process (a failure stops the benchmark)."""
    import subprocess

    t = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=_env())
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stderr}")
    return time.perf_counter() - t


def median_fresh(argv: list[str], repeat: int = 5) -> float:
    """Median seconds of ``argv`` run as a new process, as a user runs it (after one warm-up)."""
    import statistics

    _once(argv)
    return statistics.median(_once(argv) for _ in range(repeat))


def paired_fresh(baseline: list[str], argv: list[str], repeat: int = 5) -> tuple[float, float]:
    """A baseline and a command run alternately as new processes: their times.

    Run in turn, so that a shared machine's load changing (this one's does, by a factor
    of two within minutes) moves both sides alike; one warm-up each first.
    """
    import statistics

    _once(baseline)
    _once(argv)
    pairs = [(_once(baseline), _once(argv)) for _ in range(repeat)]
    t = statistics.median(p[1] for p in pairs)
    # The baseline reported is the command's median over the median of the pairs' ratios:
    # each ratio is of two runs a moment apart, steadier than a ratio of two medians.
    return t / statistics.median(b / a for a, b in pairs), t


def _command_inputs(d: Path) -> dict[str, list[str]]:
    """Each command of issue 45's table with its inputs written into ``d``."""
    import pandas as pd

    xl = console_script()

    def run(*args: object) -> None:
        import subprocess

        subprocess.run([*xl, *map(str, args)], check=True, capture_output=True)

    demo = d / "demo.xlsx"
    run("new", demo, "--demo")
    run("run", demo, "-o", d / "ran.xlsx")
    run("run", demo, "-o", d / "ran2.xlsx")
    commands = {
        "validate (demo)": ["validate", demo],
        "run (demo)": ["run", demo, "-o", d / "out.xlsx", "--force"],
        "compare (demo)": ["compare", d / "ran.xlsx", d / "ran2.xlsx", "-o", d / "c.xlsx"],
        "demo": ["demo", d / "demo-run.xlsx"],
    }
    files = [
        SHARED / f"ICB_Place_Based_Tool_2627-2829__{y}.csv"
        for y in ("2026_2027", "2027_2028", "2028_2029")
    ]
    old = SHARED / "ICB_Allocation_Tool_update__2025_2026.csv"
    if QUICK:  # the slow-tier test's run: the demo's commands, which need no NHS files
        print("commands: --quick, the demo's commands only")
    elif all(f.exists() for f in [*files, old]):
        sys.path.insert(0, str(ROOT / "tests"))
        from conftest import essex_model  # the tests' NHS Essex ICB model: 15 places

        essex, _, _ = essex_model(d, SHARED)
        run("demo-ledger", essex, "-o", d / "ledger.csv")
        from xlalloc.readers import nhse

        icbs = nhse.load_practices(old).groupby("icb_code")["core"].sum()
        baselines = d / "baselines.csv"
        pd.DataFrame({"icb": icbs.index, "baseline": (icbs * 1900).round()}).to_csv(
            baselines, index=False
        )
        practices = [a for f in files for a in ("--practices", f)]
        commands |= {
            "run (NHS Essex ICB, 15 places)": ["run", essex, "-o", d / "e.xlsx", "--force"],
            "pack (NHS Essex ICB, 16 packs)": [
                *("pack", essex, "--actuals", d / "ledger.csv", "--month", 6),
                *("--out", d / "packs", "--force"),
            ],
            "targets FILE --icb (districts, budget)": [
                *("targets", files[0], "--icb", "T02", "--budget", 3_000_000_000),
                *("-o", d / "t.xlsx", "--force"),
            ],
            "new from three files (NHS Essex ICB)": [
                *("new", d / "n.xlsx", *practices, "--icb", "T02"),
            ],
            "rebase (42 ICBs onto 2026/27's)": [
                *("rebase", old, files[0], "--baselines", baselines, "-o", d / "r.xlsx"),
                "--force",
            ],
        }
    else:
        print("commands: NHS England's files not found; the demo's commands only")
    return {name: [*xl, *map(str, args)] for name, args in commands.items()}


@bench
def commands() -> None:
    """Each one-ICB command of issue 45, as a user runs it: a fresh process, median of five.

    ``--quick`` (the slow-tier budget test) runs the demo's four: ``validate``, ``run``,
    ``compare`` and ``demo``.

    Against a fresh process that imports pandas (every one of them needs it), measured in
    the same run. Commands that write a file are given ``--force`` or a new name; the
    first of each run is a warm-up (bytecode cached, as an installed package has it).
    """
    import shutil
    import tempfile

    d = Path(tempfile.mkdtemp(prefix="xlalloc-commands-"))
    argv = _command_inputs(d)
    pandas = [sys.executable, "-c", "import pandas"]
    for name, args in argv.items():
        if "new from" in name or name == "demo" or name.startswith("compare"):
            args = [*args, "--force"]  # each run makes its file anew
        t0, t = paired_fresh(pandas, args)
        report(f"command: {name}", t, "import pandas", t0, GOALS["command"])
    shutil.rmtree(d, ignore_errors=True)


@bench
def startup() -> None:
    """``xlalloc --help`` and the worksheet functions' import, in fresh processes (issue 45)."""
    t_bare, t_help = paired_fresh([sys.executable, "-c", "pass"], [*console_script(), "--help"], 9)
    report("startup: xlalloc --help", t_help, "a bare interpreter's start", t_bare, GOALS["help"])
    # Excel's xlwings has imported xlwings (and with it pandas and numpy) before it loads
    # the worksheet functions' module: what that module adds is its own import.
    udfs = "import time, xlwings\nt = time.perf_counter()\nimport xlalloc.excel.udfs\n"
    udfs += "print(time.perf_counter() - t)"
    times = []
    import statistics
    import subprocess

    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", udfs], capture_output=True, text=True, env=_env(), check=True
        )
        times.append(float(out.stdout.split()[-1]))
    t_udfs = statistics.median(times)
    print(
        f"{'startup: import xlalloc.excel.udfs (xlwings loaded)':<48} {t_udfs:9.4f}s   "
        f"goal <= {GOALS['udfs']:g} s: {'met' if t_udfs <= GOALS['udfs'] else 'MISSED'}",
        flush=True,
    )
    if t_udfs > GOALS["udfs"]:
        MISSED.append(("startup: udfs", t_udfs, GOALS["udfs"]))
    t_pandas = min(fresh("import pandas")[0] for _ in range(3))
    t_api = min(fresh("import xlalloc; xlalloc.run")[0] for _ in range(3))
    report(
        "startup: xlalloc.run's imports (model reader, runner)", t_api, "import pandas", t_pandas
    )


def main(args: list[str]) -> int:
    """Run the benchmarks named (all by default); exit status 1 if a goal is missed."""
    global QUICK
    QUICK = "--quick" in args
    names = [a for a in args if a != "--quick"]
    for name in names or list(BENCHMARKS):
        if name not in BENCHMARKS:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {list(BENCHMARKS)}")
        BENCHMARKS[name]()
    for name, ratio, goal in MISSED:
        print(f"GOAL MISSED: {name}: ratio {ratio:.3f}, goal <= {goal:g}")
    return 1 if MISSED else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
