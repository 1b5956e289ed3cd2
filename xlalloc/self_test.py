"""``xlalloc selftest``: the engine run against references written from outside sources.

Each case in ``xlalloc/reference/selftest.json`` holds its inputs, the figures expected
and where they come from: a figure NHS England published (the place-based tool's
indices for a named place, the specialised annex's Table Y1) or a case worked by hand
from the guidance (convergence, the HCDD partition, the apportionment hierarchy,
levelling up, equity, rebasing). The self-test runs every case through the engine and
compares; its result (``12/12 reference cases passed``) is printed by the ``selftest``
command and beside the version, and recorded on every run's Assurance sheet.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pydantic

from . import demo
from ._version import __version__
from .engine.apportionment import apportion
from .engine.capitation import COMPONENTS, need_index
from .engine.convergence import ConvergencePolicy, converge, converge_years, dft
from .engine.equity import equity
from .engine.errors import InputError, Problems
from .engine.levelling_up import LevellingUpSettings, levelling_up
from .engine.rebase import rebase
from .engine.rounding import largest_remainder, round_half_up

__all__ = [
    "CACHE_ENV",
    "CaseResult",
    "SelfTest",
    "fingerprint",
    "run_selftest",
    "selftest_result",
    "selftest_summary",
]


@dataclass(frozen=True)
class CaseResult:
    """One reference case: its id, source, whether it passed, and what differed."""

    id: str
    source: str
    passed: bool
    detail: str = ""


@dataclass
class SelfTest:
    """Every case's result."""

    cases: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return sum(c.passed for c in self.cases)

    @property
    def ok(self) -> bool:
        """True when every case passed."""
        return self.passed == len(self.cases) > 0

    def summary(self) -> str:
        """``12/12 reference cases passed``."""
        return f"{self.passed}/{len(self.cases)} reference cases passed"


def _close(got: Any, want: Any, tol: float) -> bool:
    g = np.asarray(got, dtype=np.float64)
    w = np.asarray(want, dtype=np.float64)
    return g.shape == w.shape and bool(np.all(np.abs(g - w) <= tol))


def _need_index_rounded(i: dict, e: dict, tol: float) -> dict:

    place, icb = i["place"], i["icb"]
    pop = [place["population"], icb["population"] - place["population"]]
    return {
        c: float(
            round_half_up([need_index(pop, [place[c], icb[c] - place[c]], [True, False])], 3)[0]
        )
        for c in e
    }


def _table_y1(i: dict, e: dict, tol: float) -> dict:

    rows, totals = demo.table_y1_orgs()
    published = demo.table_y1().set_index("system")["dft_2023_24"]
    traj = converge_years(rows, totals, demo.Y1_POLICY).trajectory.set_index("org")
    got = traj.loc[published.index, "baseline"]
    far = published[(got - published).abs() > tol]
    return {"icbs": int(len(published) - len(far))}


def _need_index(i: dict, e: dict, tol: float) -> dict:

    return {"index": need_index(i["population"], i["weighted"], i["selected"])}


def _largest_remainder(i: dict, e: dict, tol: float) -> dict:

    w = np.asarray(i["weights"], dtype=np.float64)
    return {"amounts": largest_remainder(w / w.sum(), i["total"], i["unit"]).tolist()}


def _dft(i: dict, e: dict, tol: float) -> dict:

    return {"dft": dft(i["allocations"], i["shares"]).tolist()}


def _converged(i: dict) -> pd.DataFrame:

    n = len(i["baselines"])
    orgs = pd.DataFrame(
        {
            "org": [chr(65 + k) for k in range(n)],
            "baseline": i["baselines"],
            "target_share": i["shares"],
            **({"hcdd_baseline": i["hcdd"]} if "hcdd" in i else {}),
        }
    )
    return converge(orgs, i["total"], ConvergencePolicy(**i["policy"])).table


def _converge(i: dict, e: dict, tol: float) -> dict:
    return {"allocations": _converged(i)["allocation"].tolist()}


def _hcdd(i: dict, e: dict, tol: float) -> dict:
    t = _converged(i)
    return {k: t[k].tolist() for k in ("hcdd_contribution", "remaining_allocation")}


def _practices() -> pd.DataFrame:
    """Four practices in two places (BSOL's worked example's shape)."""
    df = pd.DataFrame(
        {
            "practice_code": ["P1", "P2", "P3", "P4"],
            "place": ["North", "North", "South", "South"],
            "locality": ["N1", "N2", "S1", "S1"],
            "population": [1000.0, 1000.0, 2000.0, 1000.0],
        }
    )
    for c in COMPONENTS:
        df[c] = [1200.0, 800.0, 2000.0, 1000.0]
    return df


def _by_locality(cells: pd.DataFrame) -> dict:
    return {str(k): float(v) for k, v in cells.groupby("locality")["amount"].sum().items()}


def _apportion_practice_data(i: dict, e: dict, tol: float) -> dict:

    lines = pd.DataFrame(
        [("Acute contracts", "Acute", i["amount"], True, ("practice_data", "capitation"))],
        columns=["line", "programme", "amount", "recurrent", "methods"],
    )
    values = pd.DataFrame(
        [("Acute contracts", code or None, v) for code, v in i["values"].items()],
        columns=["line", "practice_code", "value"],
    )
    return _by_locality(apportion(lines, _practices(), values).cells)


def _apportion_place_split(i: dict, e: dict, tol: float) -> dict:

    lines = pd.DataFrame(
        [("BCF", "Community", i["amount"], True, "place_split")],
        columns=["line", "programme", "amount", "recurrent", "methods"],
    )
    splits = pd.DataFrame(
        [("BCF", place, pct) for place, pct in i["splits"].items()],
        columns=["line", "place", "pct"],
    )
    return _by_locality(apportion(lines, _practices(), place_splits=splits).cells)


def _levelling_up(i: dict, e: dict, tol: float) -> dict:

    orgs = pd.DataFrame(
        {
            "org": [chr(65 + k) for k in range(len(i["funding"]))],
            "funding": i["funding"],
            "need": i["need"],
            "cap": [np.nan if c is None else c for c in i["caps"]],
        }
    )
    r = levelling_up(orgs, LevellingUpSettings(pot=i["pot"]))
    return {"payments": r.table["payment"].tolist(), "level": r.level}


def _equity(i: dict, e: dict, tol: float) -> dict:

    n = len(i["population"])
    units = pd.DataFrame({"unit": [chr(65 + k) for k in range(n)], **i})
    r = equity(units)
    measures = dict(zip(r.summary["measure"], r.summary["value"]))
    return {
        "expected": r.units["expected"].tolist(),
        "proportion_underserved": float(measures["proportion_underserved"]),
    }


def _rebase(i: dict, e: dict, tol: float) -> dict:

    codes = list(i["weights"])
    old = pd.DataFrame(
        {
            "practice_code": [f"P{k}" for k in range(len(codes))],
            "practice_name": "",
            "icb_code": "OLD",
            "icb_name": "Old ICB",
            "core": [float(i["weights"][c]) for c in codes],
        }
    )
    new = old.assign(icb_code=codes, icb_name=codes)
    r = rebase(old, new, pd.Series({"OLD": float(i["baseline"])}))
    return {str(k): float(v) for k, v in zip(r.baselines["icb_code"], r.baselines["baseline"])}


#: Each kind of case and the engine call that computes it.
KINDS: dict[str, Callable[[dict, dict, float], dict]] = {
    "need_index_rounded": _need_index_rounded,
    "table_y1_dft": _table_y1,
    "need_index": _need_index,
    "largest_remainder": _largest_remainder,
    "dft": _dft,
    "converge": _converge,
    "hcdd": _hcdd,
    "apportion_practice_data": _apportion_practice_data,
    "apportion_place_split": _apportion_place_split,
    "levelling_up": _levelling_up,
    "equity": _equity,
    "rebase": _rebase,
}


def _check(case: dict) -> CaseResult:
    want, tol = case["expected"], float(case.get("tolerance", 0))
    try:
        got = KINDS[case["kind"]](case["inputs"], want, tol)
    except Exception as e:  # a case that cannot run fails, saying why
        return CaseResult(case["id"], case["source"], False, f"{type(e).__name__}: {e}")
    wrong = [k for k in want if k not in got or not _close(got[k], want[k], tol)]
    detail = "; ".join(f"{k}: expected {want[k]}, got {got.get(k)}" for k in wrong)
    return CaseResult(case["id"], case["source"], not wrong, detail)


def _is_figures(value: object) -> bool:
    """A number, or a non-empty list of numbers (booleans are not numbers)."""
    if isinstance(value, list):
        return bool(value) and all(_is_figures(v) and not isinstance(v, list) for v in value)
    return isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)


def _case_problems(k: int, case: object, where: str, problems: Problems) -> None:
    """Every problem of one case: what it needs, each named by the case and the field."""
    if not isinstance(case, dict):
        problems.add(where, f"case {k} is {json.dumps(case)[:60]}; expected an object {{...}}")
        return
    name = f"case {k}" + (f" ({case['id']})" if isinstance(case.get("id"), str) else "")
    for key in ("id", "kind", "source"):
        if not isinstance(case.get(key), str) or not case[key].strip():
            problems.add(where, f"{name}: '{key}' is missing or not text")
    if isinstance(case.get("kind"), str) and case["kind"] not in KINDS:
        problems.add(
            where,
            f"{name}: kind '{case['kind']}' is not one of {', '.join(sorted(KINDS))}",
        )
    if not isinstance(case.get("inputs"), dict):
        problems.add(where, f"{name}: 'inputs' is missing or not an object {{...}}")
    expected = case.get("expected")
    if not isinstance(expected, dict) or not expected:
        problems.add(
            where,
            f"{name}: 'expected' is missing or empty: a case must state at least one "
            "figure to check (a case that checks nothing would pass whatever the engine did)",
        )
    else:
        for field_name, value in expected.items():
            if not _is_figures(value):
                problems.add(
                    where,
                    f"{name}: expected '{field_name}' is {json.dumps(value)}; expected a "
                    "number or a list of numbers",
                )
    tol = case.get("tolerance", 0)
    if not (isinstance(tol, int | float) and not isinstance(tol, bool) and 0 <= tol < 1):
        problems.add(
            where, f"{name}: tolerance is {json.dumps(tol)}; expected a number from 0 below 1"
        )


def read_cases(path: str | Path) -> list[dict]:
    """A case file's cases, checked at the boundary: every problem at once.

    UTF-8 (a byte-order mark allowed, as Windows editors save it); an object with a
    non-empty list ``cases``, each case an object with ``id``, ``kind`` (one of the
    engine's), ``source``, ``inputs`` and ``expected`` (at least one figure: a number or
    a list of numbers) and an optional ``tolerance``.

    Raises:
        InputError: Naming the file, the line and column of a JSON error, or each case
            and field that is wrong.
    """
    p = Path(path)
    where = p.name
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read {p}: {e.strerror or e}", where=where) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            f"the file is not UTF-8 text (byte {e.start + 1}); save it as UTF-8", where=where
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            f"line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})", where=where
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list) or not doc["cases"]:
        raise InputError(
            'expected an object with a list of cases, {"cases": [{...}, ...]}, as '
            "xlalloc's own reference/selftest.json",
            where=where,
        )
    problems = Problems()
    for k, case in enumerate(doc["cases"], start=1):
        _case_problems(k, case, where, problems)
    problems.raise_if_any()
    return list(doc["cases"])


def run_selftest(path: str | Path | None = None) -> SelfTest:
    """Run every reference case (the package's, or those in ``path``).

    Raises:
        InputError: ``path``'s problems (:func:`read_cases`), all at once.
    """
    if path is None:
        text = resources.files("xlalloc.reference").joinpath("selftest.json").read_text("utf-8")
        cases = json.loads(text)["cases"]
    else:
        cases = read_cases(path)
    return SelfTest([_check(c) for c in cases])


#: Where the self-test's passing result is kept between processes (default: the user's
#: cache folder, ``~/.cache/xlalloc`` or ``%LOCALAPPDATA%\\xlalloc``).
CACHE_ENV = "XLALLOC_CACHE"


def _cache_dir() -> Path:
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "xlalloc"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "xlalloc"


def fingerprint() -> str | None:
    """What the self-test's result depends on, hashed.

    xlalloc's version, its reference cases, the engine's code (every case runs the
    engine, and one case the demo's Table Y1), and the versions of Python, numpy, pandas
    and pydantic. ``None`` where the package's files cannot be read as files (a zipped
    package, as xlwings Lite loads it): the self-test then runs in every process.
    """
    here = Path(__file__).parent
    if not (here / "engine").is_dir():
        return None
    h = hashlib.sha256()
    for part in (__version__, sys.version, np.__version__, pd.__version__, pydantic.VERSION):
        h.update(str(part).encode() + b"\0")
    for f in [
        here / "self_test.py",
        here / "demo.py",
        here / "reference" / "selftest.json",
    ] + sorted((here / "engine").rglob("*.py")):
        h.update(f.relative_to(here).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def _from_cache(path: Path) -> SelfTest | None:
    try:
        cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
        result = SelfTest([CaseResult(**c) for c in cases])
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or unreadable: run it
        return None
    return result if result.ok else None


def _to_cache(path: Path, result: SelfTest) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"cases": [c.__dict__ for c in result.cases]}), "utf-8")
        tmp.replace(path)
    except OSError:  # a read-only home: the self-test simply runs again next time
        pass


@lru_cache(maxsize=1)
def selftest_result() -> SelfTest:
    """The package's self-test, as every run records it on its Assurance sheet.

    Run once for an installation and its passing result kept (in :data:`CACHE_ENV`'s
    folder, under the :func:`fingerprint`): the same engine code, reference cases and
    libraries give the same figures, so each run need not spend a fifth of a second
    repeating it. A failing result is never kept (it runs again, and says why, every
    time); ``xlalloc selftest`` always runs the cases afresh.
    """
    key = fingerprint()
    try:
        path = _cache_dir() / f"selftest-{key[:32]}.json" if key else None
    except (RuntimeError, KeyError, OSError):  # no home folder to keep it in: run each time
        path = None
    cached = _from_cache(path) if path else None
    if cached is not None:
        return cached
    result = run_selftest()
    if path and result.ok:
        _to_cache(path, result)
    return result


def selftest_summary() -> str:
    """The package's self-test result in one line (``12/12 reference cases passed``)."""
    return selftest_result().summary()
