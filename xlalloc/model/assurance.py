"""The assurance record of a run (HM Treasury's AQuA book; NHS RAP levels).

What a reviewer signs: who commissioned, built, assured and approved the model (the
Sign-off sheet) and the status that gives; every Policy parameter with its value,
default, allowed range, meaning and source, whether it differs from the default and
whether it changed since the previous run (read from what that run recorded on the
Assurance sheet of the same workbook); every source file, the data read as zero, the
defaults and choices the run documented, and the activity extracts with their coverage;
the checks, the version and the self-test; the model map (input sheets, the parts that
ran, the output sheets they wrote); and the target intervals where the Policy asks for
them. ``docs/assurance.md`` maps each item to AQuA's and RAP's requirements.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from .policy import RunControl, sheet_rows
from .presentation import Presentation

__all__ = [
    "ASSURANCE",
    "LOG_HEADER",
    "RECORD_HEADER",
    "Signature",
    "assumptions_log",
    "data_log",
    "model_map",
    "recorded_values",
    "shown",
    "input_fingerprints",
    "recorded_signatures",
    "signatures",
    "signed_date",
    "signoff_status",
    "uncertainty_summary",
]

#: The sheet's name.
ASSURANCE = "Assurance"

#: The assumptions log's header: the next run reads its first two columns back.
LOG_HEADER = (
    "Parameter",
    "Value in this run",
    "Default",
    "Differs from the default",
    "Previous run's value",
    "Changed since the previous run",
    "Allowed",
    "Meaning",
    "Source",
)


def shown(value: object) -> str:
    """A parameter's value as the log records it: the same text whatever read it back.

    Blank is ``(blank)``; a whole number has no decimals; other numbers 12 significant
    figures; TRUE/FALSE in capitals, as Excel shows them.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return "(blank)"
    if isinstance(value, float) and math.isnan(value):  # a blank cell read into a frame
        return "(blank)"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.12g}"
    return str(value).strip()


def recorded_values(rows: Sequence[Sequence[object]] | None) -> dict[str, str]:
    """What the previous run recorded: parameter -> value, from its Assurance sheet.

    ``rows`` are the sheet's values (``None`` when the workbook has no Assurance sheet: no
    previous run recorded in it).
    """
    out: dict[str, str] = {}
    if not rows:
        return out
    start = next(
        (
            i
            for i, r in enumerate(rows)
            if len(r) > 1 and str(r[0]).strip() == LOG_HEADER[0] and str(r[1]) == LOG_HEADER[1]
        ),
        None,
    )
    if start is None:
        return out
    for r in rows[start + 1 :]:
        name = str(r[0]).strip() if r and r[0] is not None else ""
        if not name:
            break
        out[name] = shown(r[1] if len(r) > 1 else None)
    return out


def assumptions_log(
    policy: Any, previous: dict[str, str], parameters: Sequence[Any]
) -> pd.DataFrame:
    """Every Policy parameter: value, default, allowed, meaning, source and changes.

    Args:
        policy: The run's :class:`~xlalloc.model.policy.ModelPolicy`.
        previous: What the previous run recorded (:func:`recorded_values`).
        parameters: The Policy sheet's parameters (:func:`~xlalloc.model.policy.parameters`).
    """
    rows = []
    for p in parameters:
        value, default = shown(getattr(policy, p.name)), shown(p.default)
        before = previous.get(p.name)
        rows.append(
            {
                "parameter": p.name,
                "value": value,
                "default": default,
                "differs": "yes" if value != default else "no",
                "previous": "(no previous run)" if before is None else before,
                "changed": "(no previous run)"
                if before is None
                else ("yes" if before != value else "no"),
                "allowed": p.allowed,
                "meaning": p.description,
                "source": p.source,
            }
        )
    return pd.DataFrame(rows)


#: The signature record's header: the next run reads it back to know what each
#: signature covered (:func:`recorded_signatures`).
RECORD_HEADER = (
    "Role",
    "Name",
    "Date",
    "Covers (fingerprint)",
    "Signed against the run of",
    "Input fingerprints at signing",
    "Policy at signing",
)

#: The inputs a signature covers, by sheet: every input a figure depends on (the
#: Sign-off itself and the outputs are not inputs).
FINGERPRINTED = (
    ("Practices", "practices"),
    ("Budget", "budget"),
    ("PracticeData", "practice_data"),
    ("Activity", "activity"),
    ("PlaceSplits", "place_splits"),
    ("Baselines", "baselines"),
    ("Totals", "totals"),
    ("CostCentres", "cost_centres"),
)


#: Policy parameters a signature does not cover: how the ribbon runs, where packs go and
#: how pages look (the run control and the presentation, not policy). Changing them (next
#: month's pack_month) changes no figure.
NOT_SIGNED = frozenset((*sheet_rows(RunControl), *sheet_rows(Presentation)))


def signed_parameters(parameters: Sequence[Any]) -> list[Any]:
    """The Policy parameters a signature covers: every one that sets a figure."""
    return [p for p in parameters if p.name not in NOT_SIGNED]


#: How a figure is written in the text a fingerprint hashes (12 significant digits).
SIGNED_FIGURES = "%.12g"


def _frame_sha(frame: pd.DataFrame | None) -> str:
    """A frame's content as CSV text, hashed (its sheet rows' positions left out).

    The text is pandas' ``to_csv`` with figures to 12 significant digits, as signed
    records hold it. Each column of figures is written to that text here first, in one
    pass (pandas formats ``float_format`` one value at a time through its own helpers:
    most of a national model's fingerprints), and the same text results.
    """
    if frame is None:
        return "none"
    body = frame.drop(columns=[c for c in frame.columns if c == "source_row"])
    figures = [j for j, dtype in enumerate(body.dtypes) if _numpy_float(dtype)]
    if figures:
        body = body.copy()
        for j in figures:
            values = body.iloc[:, j].to_numpy().tolist()
            # %-formatting, as pandas applies float_format; NaN: pandas' na_rep, "".
            shown = ["" if v != v else SIGNED_FIGURES % v for v in values]  # noqa: UP031
            body.isetitem(j, pd.Series(shown, index=body.index, dtype=object))
    text = body.to_csv(index=False, lineterminator="\n", float_format=SIGNED_FIGURES)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _numpy_float(dtype: Any) -> bool:
    """Whether a column holds numpy floats (the columns pandas' ``float_format`` formats)."""
    return isinstance(dtype, np.dtype) and dtype.kind == "f"


def input_fingerprints(inputs: Any, parameters: Sequence[Any]) -> dict[str, str]:
    """Each input sheet's fingerprint (16 hex digits of a SHA-256), and the Policy's.

    The Policy's is of every parameter that sets a figure (:func:`signed_parameters`),
    by its value as the assumptions log records it, so a value typed again the same way
    is the same Policy.
    """
    out = {sheet: _frame_sha(getattr(inputs, attr, None)) for sheet, attr in FINGERPRINTED}
    text = "\n".join(
        f"{p.name}={shown(getattr(inputs.policy, p.name))}" for p in signed_parameters(parameters)
    )
    out["Policy"] = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return out


def _overall(fingerprints: Mapping[str, str]) -> str:
    text = "\n".join(f"{k}={v}" for k, v in sorted(fingerprints.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def signed_date(value: object) -> date | None:
    """The date a signature gives, or ``None`` when it is not a real date ("TBC", blank).

    A date cell; or text as ISO (``2026-04-30``) or as the UK writes it (``30/04/2026``,
    ``30 Apr 2026``, ``30 April 2026``).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip().removesuffix(" 00:00:00")
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass
class Signature:
    """One role's signature and what it covers.

    Attributes:
        role: AQuA's role (commissioner, analyst, assurer, approver).
        name: Who signed.
        date: The date as given (text).
        real_date: Whether ``date`` is a real date ("TBC" is not).
        covers: The fingerprint of the inputs and Policy it was given against.
        run: The run it was first recorded by (when it was given).
        sheets: Each input's fingerprint at signing.
        policy: Each Policy parameter's value at signing.
        changed: What has changed since it was given, in words (empty: it covers this run).
    """

    role: str
    name: str
    date: str
    real_date: bool
    covers: str
    run: str
    sheets: dict[str, str] = field(default_factory=dict)
    policy: dict[str, str] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)

    @property
    def counts(self) -> bool:
        """A name, a real date, and the inputs it was given against unchanged."""
        return bool(self.name) and self.real_date and not self.changed


def _pairs(text: str) -> dict[str, str]:
    """``a=1; b=2`` as a mapping (the record's cells)."""
    out = {}
    for item in str(text).split("; "):
        k, eq, v = item.partition("=")
        if eq:
            out[k.strip()] = v
    return out


def recorded_signatures(
    rows: Sequence[Sequence[object]] | None,
) -> dict[tuple[str, str, str], dict]:
    """The signatures the previous run recorded, by (role, name, date), from its Assurance.

    Each holds what it covered: ``covers``, ``run``, ``sheets`` and ``policy``.
    """
    out: dict[tuple[str, str, str], dict] = {}
    if not rows:
        return out
    start = next(
        (i for i, r in enumerate(rows) if tuple(str(v) for v in r[:3]) == RECORD_HEADER[:3]),
        None,
    )
    if start is None:
        return out
    # Columns by their headers: the record's wider columns span several sheet columns.
    at = {str(v): j for j, v in enumerate(rows[start]) if str(v) in RECORD_HEADER}
    if len(at) != len(RECORD_HEADER):
        return out
    for r in rows[start + 1 :]:
        cells = {
            h: (shown(r[j]) if j < len(r) and r[j] not in (None, "") else "") for h, j in at.items()
        }
        if not cells["Role"]:
            break
        key = (cells["Role"].lower(), cells["Name"], cells["Date"].removesuffix(" 00:00:00"))
        out[key] = {
            "covers": cells[RECORD_HEADER[3]],
            "run": cells[RECORD_HEADER[4]],
            "sheets": _pairs(cells[RECORD_HEADER[5]]),
            "policy": _pairs(cells[RECORD_HEADER[6]]),
        }
    return out


def _what_changed(
    then: Mapping[str, str],
    now: Mapping[str, str],
    policy_then: Mapping[str, str],
    policy_now: Mapping[str, str],
) -> list[str]:
    """The inputs and Policy values that differ from what a signature was given against."""
    out = []
    for name in now:
        if name == "Policy" or then.get(name, now[name]) == now[name]:
            continue
        out.append(f"the {name} sheet")
    if then.get("Policy", now.get("Policy")) != now.get("Policy"):
        moved = [
            f"{k} from {policy_then[k]} to {v}"
            for k, v in policy_now.items()
            if k in policy_then and policy_then[k] != v
        ]
        out.append("the Policy (" + "; ".join(moved) + ")" if moved else "the Policy")
    return out


def signatures(
    signoff: pd.DataFrame | None,
    recorded: Mapping[tuple[str, str, str], dict] | None = None,
    fingerprints: Mapping[str, str] | None = None,
    policy: Mapping[str, str] | None = None,
    run: str = "",
) -> list[Signature]:
    """Each role's signature on the Sign-off sheet, with what it covers and what changed.

    A signature the previous run recorded (the same role, name and date) keeps what it
    was given against; a new one is given against this run's inputs and Policy.

    Args:
        signoff: The Sign-off sheet (``role, name, date[, note]``).
        recorded: What the previous run recorded (:func:`recorded_signatures`).
        fingerprints: This run's input fingerprints (:func:`input_fingerprints`).
        policy: This run's Policy values, as the assumptions log shows them.
        run: This run's time, for a signature given now.
    """
    now = dict(fingerprints or {})
    values = dict(policy or {})
    out = []
    for _, r in (signoff if signoff is not None else pd.DataFrame()).iterrows():
        name, when = shown(r.get("name")), r.get("date")
        given = shown(when)
        if name == "(blank)" or given == "(blank)":
            continue
        role = str(r["role"]).strip().lower()
        text = given.removesuffix(" 00:00:00")
        before = (recorded or {}).get((role, name, text))
        if before is None:
            sig = Signature(
                role, name, text, signed_date(when) is not None, _overall(now), run, now, values
            )
        else:
            sig = Signature(
                role,
                name,
                text,
                signed_date(when) is not None,
                before["covers"],
                before["run"],
                before["sheets"],
                before["policy"],
            )
            if before["covers"] != _overall(now):  # never silent: at least "the inputs"
                sig.changed = _what_changed(before["sheets"], now, before["policy"], values) or [
                    "the inputs"
                ]
        out.append(sig)
    return out


def signoff_status(
    signoff: pd.DataFrame | list[Signature] | None,
) -> str:
    """``approved``, ``assured`` or ``drafted``: who has signed what this run is.

    ``assured`` needs an assurer's name and real date; ``approved`` an assurer's and an
    approver's; each signature counts only while the inputs and Policy it was given
    against are unchanged (:func:`signatures`).
    """
    signed = signoff if isinstance(signoff, list) else signatures(signoff)
    counting = {s.role for s in signed if s.counts}
    if {"assurer", "approver"} <= counting:
        return "approved"
    if "assurer" in counting:
        return "assured"
    return "drafted"


def data_log(result: Any) -> pd.DataFrame:
    """Every source: files, extracts (with coverage), data read as zero, defaults used.

    Files with their years, rows and SHA-256; the defaults and choices the run
    documented (its notes).
    """
    rows: list[dict[str, object]] = []
    src = result.inputs.sources
    for r in src.to_dict("records") if len(src) else []:
        rows.append(
            {
                "kind": "source file",
                "item": r.get("file"),
                "years": r.get("years"),
                "rows": r.get("icb_practices") or r.get("practices"),
                "sha256": r.get("sha256"),
            }
        )
    ext = result.inputs.extracts
    if ext is not None:
        cov = ext.coverage.groupby("file")["coverage"].min()
        for f, n, h in zip(ext.files["file"], ext.files["rows"], ext.files["sha256"]):
            rows.append(
                {
                    "kind": "activity extract",
                    "item": f"{f} (lowest line coverage {cov.get(f, float('nan')):.1%})",
                    "years": result.year,
                    "rows": int(n),
                    "sha256": h,
                }
            )
    zero = result.inputs.practices
    if "zero_filled" in zero.columns:
        for r in zero[zero["zero_filled"].notna()].itertuples():
            rows.append(
                {
                    "kind": "read as zero",
                    "item": f"{r.practice_code}: {r.zero_filled}",
                    "years": r.year,
                    "rows": 1,
                    "sha256": "",
                }
            )
    if not len(src):
        rows.insert(
            0,
            {
                "kind": "inputs",
                "item": "typed into the model's input sheets (no source files recorded)",
                "years": result.year,
                "rows": len(result.inputs.practices),
                "sha256": "",
            },
        )
    for note in result.notes:  # defaults used and choices made, as the run documented them
        rows.append(
            {"kind": "documented by the run", "item": note, "years": "", "rows": "", "sha256": ""}
        )
    return pd.DataFrame(rows, columns=["kind", "item", "years", "rows", "sha256"])


def model_map(result: Any, registered: Sequence[Any]) -> pd.DataFrame:
    """The model map: each part that ran, the input sheets it reads, the sheets it wrote.

    Args:
        result: The run's :class:`~xlalloc.model.runner.ModelResult`.
        registered: The registered parts (:func:`xlalloc.model.parts.parts`).
    """
    rows = []
    for part in registered:
        ran = result.results.get(part.name) is not None
        rows.append(
            {
                "part": part.name,
                "input_sheets": ", ".join(part.inputs),
                "ran": "yes" if ran else "no (nothing to do)",
                "output_sheets": ", ".join(s.name for s in part.sheets),
            }
        )
    rows.append(
        {
            "part": "summary and checks",
            "input_sheets": "every part's results",
            "ran": "yes",
            "output_sheets": "Summary, Checks",
        }
    )
    return pd.DataFrame(rows)


def uncertainty_summary(result: Any) -> pd.DataFrame | None:
    """The target intervals of the financial year, where the Policy asks for them."""
    t = result.targets
    lows = [c for c in t.columns if c.startswith("target_share_p")]
    if len(lows) < 2:
        return None
    t = t[t["year"] == result.year] if "year" in t.columns else t
    return t[["place", "target_share", *lows]].reset_index(drop=True)
