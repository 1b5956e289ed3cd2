"""The Assurance sheet (the assurance part): the record a board can sign.

Sections in order: status and sign-off (the Sign-off input sheet), verification (the
overall check, a live formula to the Checks sheet; the version; the self-test), the
assumptions log (every Policy parameter; its first two columns are read back by the next
run, which reports what changed), the data log, the model map and the target intervals.
See :mod:`xlalloc.model.assurance` for what each holds and ``docs/assurance.md`` for how
it meets AQuA's and RAP's requirements.
"""

from __future__ import annotations

import pandas as pd

from ..._version import __version__
from ...model.assurance import (
    ASSURANCE,
    LOG_HEADER,
    RECORD_HEADER,
    Signature,
    assumptions_log,
    data_log,
    model_map,
    shown,
    signoff_status,
    uncertainty_summary,
)
from ...model.parts import parts as registered_parts
from ...model.runner import ModelResult
from ...model.schema import PARAMETERS, ROLES
from ..sheetspec import Drawing, Look, SheetSpec, col
from ..tables import spanned_block
from .common import HEADER_ROW, OVERALL_CHECK, Check, Ranges, find_beside, output_sheet

#: Column widths (characters), A to I: one landscape page across at 8 pt or more.
WIDTHS = (20, 13, 11, 9, 12, 9, 16, 30, 24)


def _section(d: Drawing, row: int, title: str) -> int:
    d.note(row, 1, title, bold=True, size=12)
    return row + 1


def _table(d: Drawing, row: int, frame: pd.DataFrame, formats: dict[str, str] | None = None) -> int:
    """A block of words and figures under its section's title; returns the row after it.

    Every column wraps (in its sheet column's width), so a row's cells are all top-aligned
    and a value reads beside its meaning. The title, the header and the first rows are
    kept on one page.
    """
    wrap = dict(zip(frame.columns, WIDTHS))
    last = d.block(row, 1, frame, formats, wrap=wrap)
    d.keep_together(row - 1, min(last, row + 12))
    return last + 2


def _words(d: Drawing, row: int, title: str, frame: pd.DataFrame, spans: list[int]) -> int:
    """A block of words, each column merged across ``spans`` sheet columns."""
    last = spanned_block(d, row, title, frame, spans)
    d.keep_together(row, min(last, row + 12))
    return last + 2


#: The diagram's fills: input sheets as inputs are styled (FAST: yellow), parts grey,
#: output sheets as xlalloc's output tabs.
INPUT_FILL, PART_FILL, OUTPUT_FILL = "FFF2CC", "D9D9D9", "EDEDED"


def _map_diagram(d: Drawing, row: int, parts: pd.DataFrame) -> int:
    """The model map drawn in cells: input sheets, an arrow, the part, an arrow, its sheets.

    A picture a reviewer reads on the printed page and Excel shows as it is (no image
    to render on every run).
    """
    d.note(row, 1, "The model map as a diagram: what each part reads and writes", italic=True)
    r = row + 1
    for rec in parts.itertuples(index=False):
        ran = rec[2] == "yes"
        d.put(r, 1, rec[1], fill_color=INPUT_FILL, span=2)
        d.put(r, 3, "→", bold=True, wrap=True)
        d.put(r, 4, rec[0], bold=ran, italic=not ran, fill_color=PART_FILL, span=2)
        d.put(r, 6, "→", bold=True, wrap=True)
        d.put(r, 7, rec[3], fill_color=OUTPUT_FILL, span=3)
        r += 2
    d.keep_together(row, r)
    return r + 1


def _signoff(result: ModelResult) -> pd.DataFrame:
    """Each role's signature, and whether it covers this run (and if not, why not)."""
    given = result.inputs.signoff
    rows = {
        str(r["role"]).strip().lower(): r
        for _, r in (given if given is not None else pd.DataFrame()).iterrows()
    }
    signed = {s.role: s for s in _signed(result)}
    out = []
    for role in ROLES:
        r = rows.get(role, {})
        name, date = shown(r.get("name")), shown(r.get("date"))
        out.append(
            {
                "Role": role,
                "Name": "" if name == "(blank)" else name,
                "Date": "" if date == "(blank)" else date.removesuffix(" 00:00:00"),
                "Covers this run": _covers(signed.get(role)),
                "Note": "" if shown(r.get("note")) == "(blank)" else shown(r.get("note")),
            }
        )
    return pd.DataFrame(out)


def _signed(result: ModelResult) -> list[Signature]:
    return list(result.results.get("signoff") or [])


def _covers(s: Signature | None) -> str:
    """Whether a signature counts for this run, in words."""
    if s is None:
        return ""
    if not s.real_date:
        return f"no: {s.date} is not a date"
    if s.changed:
        return f"no: {', '.join(s.changed)} changed since it was given (run of {s.run})"
    return f"yes (given against the run of {s.run})"


def _record(signed: list[Signature]) -> pd.DataFrame:
    """What each signature was given against, for the next run to read back."""
    return pd.DataFrame(
        [
            (
                s.role,
                s.name,
                s.date,
                s.covers,
                s.run,
                "; ".join(f"{k}={v}" for k, v in s.sheets.items()),
                "; ".join(f"{k}={v}" for k, v in s.policy.items()),
            )
            for s in signed
        ],
        columns=list(RECORD_HEADER),
    )


def _status_and_signoff(d: Drawing, result: ModelResult) -> int:
    """The status the signatures give, and each role's signature; returns the next row."""
    row = HEADER_ROW
    d.put(row, 1, "Status", bold=True)
    d.put(row, 2, signoff_status(_signed(result)), bold=True)
    d.put(
        row,
        3,
        "drafted until an assurer, then an approver, gives a name and a date on the Sign-off "
        "sheet; a sign-off counts while the inputs and Policy it was given against are unchanged",
        italic=True,
        wrap=True,
        span=len(WIDTHS) - 2,
        fit=False,
    )
    return _words(
        d,
        row + 2,
        "Roles and sign-off (the Sign-off sheet; HM Treasury's AQuA book)",
        _signoff(result),
        [1, 2, 1, 3, 2],
    )


def _verification(d: Drawing, row: int, result: ModelResult, checks: list[Check]) -> int:
    """The overall check, the run, the version and the self-test; returns the next row."""
    selftest = result.results.get("assurance")
    failed = 0 if selftest is None else len(selftest.cases) - selftest.passed
    row = _section(d, row, "Verification")
    # Labels across A and B, values in C: the longest label is the overall check's.
    d.put(row, 1, OVERALL_CHECK, span=2)
    d.formula(row, 3, find_beside("Checks", OVERALL_CHECK, "see Checks"), "0", value=0)
    d.put(row + 1, 1, "Run at", span=2)
    d.put(row + 1, 3, result.run_at.isoformat(sep=" "), span=2)
    d.put(row + 2, 1, "xlalloc version", span=2)
    d.put(row + 2, 3, __version__)
    d.put(row + 3, 1, "Self-test", span=2)
    d.put(row + 3, 3, "not run" if selftest is None else selftest.summary(), span=4)
    d.put(row + 4, 1, "Self-test cases failed", span=2)
    d.put(row + 4, 3, failed, "0")
    checks.append(
        ("Assurance: self-test reference cases that failed", f"={ASSURANCE}!C{row + 4}", failed)
    )
    d.note(
        row + 5,
        1,
        "The self-test runs the engine against reference cases from NHS England's published "
        "figures and cases worked by hand (xlalloc selftest lists them with their sources, "
        "run afresh). It runs once for an installation: a pass is kept until xlalloc, its "
        "engine or Python, numpy, pandas or pydantic change.",
        italic=True,
    )
    return row + 7


def _assurance_sheet(result: ModelResult, checks: list[Check], look: Look) -> SheetSpec:
    d = output_sheet(ASSURANCE, "Assurance: the record of this run for review and sign-off", look)
    row = _status_and_signoff(d, result)
    row = _verification(d, row, result, checks)
    names = {
        "part": "Part",
        "input_sheets": "Input sheets",
        "ran": "Ran",
        "output_sheets": "Output sheets",
    }
    parts = model_map(result, registered_parts()).rename(columns=names)
    title = "Model map: input sheets, the parts that ran, the output sheets"
    row = _words(d, row, title, parts, [1, 4, 1, 3])
    row = _map_diagram(d, row, parts)
    spread = uncertainty_summary(result)
    row = _section(d, row, f"Uncertainty: target share intervals, {result.year}")
    if spread is None:
        d.note(row, 1, "Not asked for (the Policy's target_uncertainty is blank).", italic=True)
        row += 2
    else:
        row = _table(d, row, spread, {c: "0.00%" for c in spread.columns if c != "place"})
    names = {"kind": "Kind", "item": "Item", "years": "Years", "rows": "Rows", "sha256": "SHA-256"}
    data = data_log(result).rename(columns=names)
    row = _words(d, row, "Data log: where the figures came from", data, [1, 5, 1, 1, 1])
    signed = _signed(result)
    if signed:  # read back by the next run: what each sign-off was given against
        title = "Sign-off record: what each signature was given against (read by the next run)"
        row = _words(d, row, title, _record(signed), [1, 1, 1, 1, 1, 2, 2])
    row += 1
    # The log starts a page (the page a reviewer initials) and comes last: its header
    # repeats on every page it runs on to.
    d.breaks.append(row)
    row = _section(d, row, "Assumptions log: every Policy parameter")
    log = assumptions_log(result.inputs.policy, result.inputs.previous, PARAMETERS)
    log.columns = list(LOG_HEADER)
    row = _table(d, row, log)
    changed = log[log["Changed since the previous run"] == "yes"]
    if len(changed):
        d.put(
            row - 1,
            1,
            "Changed since the previous run: "
            + "; ".join(
                f"{p} from {a} to {b}"
                for p, a, b in zip(
                    changed["Parameter"],
                    changed["Previous run's value"],
                    changed["Value in this run"],
                )
            ),
            bold=True,
            span=len(WIDTHS),
        )
        row += 1
    for k, width in enumerate(WIDTHS):
        d.width(col(k + 1), width)
    return d.spec()


def draw(result: ModelResult, rng: Ranges, checks: list[Check], look: Look) -> list[SheetSpec]:
    """The assurance part's sheet (named in :mod:`xlalloc.model.parts`)."""
    return [_assurance_sheet(result, checks, look)]
