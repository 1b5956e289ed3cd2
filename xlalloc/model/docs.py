"""Render the model workbook's layout as Markdown (``docs/model-workbook.md``).

Generated from :mod:`xlalloc.model.schema`, so the document cannot drift from the
code; a test compares the committed file with this output.
"""

from __future__ import annotations

from ..engine.apportionment import REGISTRY as APPORTIONMENT
from ..engine.convergence import METHODS as CONVERGENCE
from .labels import COLUMNS, FORMATS
from .parts import output_sheets, parts
from .schema import CHECKS, COVER, INPUT_TABLES, PARAMETERS, POLICY

#: What the docs say of the sheets every run writes around its parts' (each part's own
#: sheets are described where the part is declared, in :mod:`.parts`).
OUTPUT_NOTES = {
    "Summary": "The run at a glance, portrait, one page across: `Overall check (0 when "
    "all is well)` (the Checks sheet's sum of absolute values: the one cell to look at), "
    "`Check status` (a formula over the Checks sheet), `Run at`, xlalloc's version, the "
    "ICB, the financial year, the budget shared by target and each year's convergence "
    "total, with a sentence on why a place has two targets (its share of each total); "
    "what to fill in next, when an input sheet a part needs is empty; the run's "
    "messages (warnings, then notes); the inputs used (rows of each input sheet and "
    "their totals: the registered population per year, never added across years); the "
    "source files with their years and SHA-256, and practices whose blank weighted "
    "populations were read as zero; every Policy parameter in force with its meaning. "
    "The Cover finds `Run at`, `Check status` and the overall check by label.",
    CHECKS: "One formula per check, each reading 0 when all is well (each year's targets "
    "and the apportionment reconcile to their control totals, shares sum to 1, no "
    "practice without a place or in the `Unmapped` place, convergence totals equal "
    "each year's total), their sum of "
    "absolute values, and the run's messages (a failed ribbon run lists its "
    "problems here).",
}


def _first_line(obj: object) -> str:
    """The first line of an object's docstring (its class's)."""
    return (type(obj).__doc__ or "").strip().splitlines()[0]


def registered_methods() -> list[tuple[str, str, str]]:
    """Every registered method as (name, kind, what it does), apportionment's first.

    What it does is the first line of the method's docstring; the Methods table here and
    ``xlalloc methods`` both list these.
    """
    return [
        (name, kind, _first_line(method))
        for kind, registry in (("apportionment", APPORTIONMENT), ("convergence", CONVERGENCE))
        for name, method in registry.items()
    ]


def render() -> str:
    """The Markdown document."""
    out = [*_intro(), *_inputs(), *_policy(), *_parts_and_methods(), *_outputs(), ""]
    return "\n".join(out)


def _intro() -> list[str]:
    """The layout, and the sheets in order."""
    out = [
        "# The model workbook",
        "",
        "Generated from `xlalloc/model/schema.py` and `xlalloc/model/policy.py` by "
        "`python -m xlalloc.model.docs`; do not edit by hand. Other tools may rely on "
        "every name below.",
        "",
        "Layout follows the FAST standard: inputs, calculations and outputs are separate "
        "sheets; input cells are blue text on pale yellow; output sheets are written by "
        "xlalloc and replaced on every run; the Checks sheet reads 0 when all is well. "
        "Money is formatted £#,##0 with negatives in brackets; financial years are text "
        "such as `2026/27`.",
        "",
        "Every input sheet has a title in row 1, a description in row 2, and its Excel "
        "table's header in row 4 (readers find the header by its key column, so rows may "
        "be inserted above it). Columns are found by header, never by letter.",
        "",
        "## Sheets, in order",
        "",
        "| sheet | kind |",
        "|---|---|",
        f"| {COVER} | what the workbook is, version, how to run, sheet index |",
        f"| {POLICY} | input: named parameters |",
    ]
    out += [
        f"| {t.sheet} | {'input' if t.editable else 'record written by `xlalloc new`'}: "
        f"Excel table `{t.table}`{' (optional)' if t.optional else ''} |"
        for t in INPUT_TABLES
    ]
    out += [f"| {s} | output, written by xlalloc |" for s in output_sheets()]
    return out


def _inputs() -> list[str]:
    """Each input table's columns."""
    out: list[str] = []
    out += ["", "## Input tables", ""]
    for t in INPUT_TABLES:
        out += [
            f"### {t.sheet} (`{t.table}`)",
            "",
            t.description,
            "",
            "| column | type | required | blank allowed | notes |",
            "|---|---|---|---|---|",
        ]
        for c in t.columns:
            notes = c.description + (f"; at least {c.minimum:g}" if c.minimum is not None else "")
            out.append(
                f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | "
                f"{'yes' if c.allow_blank else 'no'} | {notes} |"
            )
        out.append("")
    return out


def _policy() -> list[str]:
    """Every Policy parameter."""
    out: list[str] = []
    out += [
        "## Policy parameters",
        "",
        "Generated from `xlalloc/model/policy.py` (`ModelPolicy`), the one definition of "
        "every parameter. Sheet `Policy`, header `parameter | value | description | "
        "allowed | source` in row 4. Each value cell is also a workbook-level defined "
        "name equal to the parameter name (e.g. `=min_growth`), with data validation. "
        "Growth rates, shares and thresholds are decimals (0.01 is 1%).",
        "",
        "| name | default | allowed | meaning | source |",
        "|---|---|---|---|---|",
    ]
    for p in PARAMETERS:
        default = "blank" if p.default is None else f"{p.default!s}"
        blank = " (blank allowed)" if p.blank_ok and not p.choices else ""
        out.append(
            f"| `{p.name}` | {default} | {p.allowed}{blank} | {p.description} | {p.source} |"
        )
    return out


def _parts_and_methods() -> list[str]:
    """The model parts and the registered methods."""
    out: list[str] = []
    out += [
        "",
        "## Model parts",
        "",
        "A run is its parts, in this order (`xlalloc/model/parts.py`; a new part is one "
        "`ModelPart` passed to `register`): what each does, the Policy parameters it reads "
        "and the output sheets it writes.",
        "",
        "| part | what it does | Policy parameters | output sheets |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {p.name} | {p.summary} | "
        + (", ".join(f"`{f}`" for f in p.policy_fields) or "none")
        + " | "
        + ", ".join(s.name for s in p.sheets)
        + " |"
        for p in parts()
    ]
    out += [
        "",
        "## Methods",
        "",
        "A budget line's `methods` name apportionment methods, tried in order; the "
        "Policy's `convergence_method` names a convergence method. Each is one object, "
        "registered by its module in `xlalloc/engine/apportionment/methods/` (`REGISTRY`) or "
        "`xlalloc/engine/convergence/methods/` (`METHODS`).",
        "",
        "| method | kind | what it does |",
        "|---|---|---|",
    ]
    out += [f"| `{n}` | {kind} | {does} |" for n, kind, does in registered_methods()]
    return out


def _outputs() -> list[str]:
    """The output sheets and the column registry."""
    out: list[str] = []
    out += ["", "## Output sheets", ""]
    sheet_notes = {**OUTPUT_NOTES, **{s.name: s.note for p in parts() for s in p.sheets}}
    out += [f"* **{s}**: {sheet_notes[s]}" for s in output_sheets()]
    out += [
        "",
        "Every output sheet is board-ready: plain-English headers with units, "
        "columns fitted to the widest figure as shown, money as £ with thousands "
        "separators and negatives in brackets (or in £000 or £m, by the Policy's "
        "`money_unit`, with the unit in the header: the figures stay in pounds), "
        "percentages as percentages, frozen header rows, and printing on A4 one page "
        "wide, with a footer of the sheet name, `Page N of M`, the run date and "
        "xlalloc's version, and the Policy's `protective_marking` (default `OFFICIAL`) "
        "at the top of every page. Charts print on a page of their own.",
        "",
        "## Column headers",
        "",
        "Sheets show each column's label; CSV files and the Python API "
        "(`result.tables()`) keep the machine name. Each column is declared once, with "
        "its label and the kind that sets its number format, in the column registry "
        "`xlalloc/model/labels.py`; tables drawn from frames, the comparison and CSV "
        "money take both from it, and the sheets drawn cell by cell use its formats. A "
        "money label's `(£)` reads `(£000)` or `(£m)` when money is shown in "
        "thousands or millions.",
        "",
        "| kind | number format |",
        "|---|---|",
        *(f"| {k} | `{f or 'General'}` |" for k, f in FORMATS.items()),
        "",
        "| machine name (CSV, API) | header on sheets | kind |",
        "|---|---|---|",
    ]
    out += [f"| `{c.name}` | {c.label} | {c.kind} |" for c in COLUMNS.values()]
    return out


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/model-workbook.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
