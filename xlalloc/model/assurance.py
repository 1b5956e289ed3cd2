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

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = [
    "ASSURANCE",
    "LOG_HEADER",
    "assumptions_log",
    "data_log",
    "model_map",
    "recorded_values",
    "shown",
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


def signoff_status(signoff: pd.DataFrame | None) -> str:
    """``approved``, ``assured`` or ``drafted``: who has signed, with a name and a date."""
    if signoff is None or not len(signoff):
        return "drafted"
    signed = {
        str(r["role"]).strip().lower()
        for _, r in signoff.iterrows()
        if shown(r.get("name")) != "(blank)" and shown(r.get("date")) != "(blank)"
    }
    if "approver" in signed:
        return "approved"
    if "assurer" in signed:
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
