"""The Checks sheet: every part's checks, each reading 0, and the run's messages."""

from __future__ import annotations

from ...engine.errors import InputError
from ...model.schema import (
    CHECKS,
)
from ..sheetspec import Look, SheetSpec
from .common import (
    CHECK_FORMAT,
    HEADER_ROW,
    OUTPUT_NOTE,
    OVERALL_CHECK,
    Check,
    output_sheet,
)


def error_specs(error: InputError) -> list[SheetSpec]:
    """The Checks sheet of a failed run: every problem listed, outputs left alone."""
    msgs = [f"RUN FAILED: {len(error.problems)} input problem(s); outputs were not updated"]
    msgs += [str(p) for p in error.problems]
    return [
        checks_sheet(
            [
                (
                    "Run failed: input problems (see messages below)",
                    f"={len(error.problems)}",
                    len(error.problems),
                )
            ],
            msgs,
        )
    ]


def checks_sheet(checks: list[Check], messages: list[str], look: Look | None = None) -> SheetSpec:
    """The Checks sheet: one formula per check, each reading 0 when all is well."""
    d = output_sheet(CHECKS, "Checks", look)
    d.note(
        2,
        1,
        "Every value reads 0 when all is well. " + OUTPUT_NOTE,
        italic=True,
        font_color="595959",
    )
    d.header(HEADER_ROW, 1, ["Check", "Value", "Expected"])
    d.freeze = f"A{HEADER_ROW + 1}"
    d.print_setup(landscape=False, title_rows=(HEADER_ROW, HEADER_ROW))
    r1 = HEADER_ROW + 1
    # A successful run's reconciliation checks are 0 by construction (the engine reconciles
    # exactly); a failed run has one check, its number of problems.
    for i, (text, formula, value) in enumerate(checks):
        d.put(r1 + i, 1, text)
        d.formula(r1 + i, 2, formula, CHECK_FORMAT, value=value)
        d.put(r1 + i, 3, 0)
    last = r1 + len(checks) - 1
    d.put(last + 2, 1, OVERALL_CHECK, bold=True)
    d.formula(
        last + 2,
        2,
        f"=SUMPRODUCT(ABS(B{r1}:B{last}))",
        CHECK_FORMAT,
        bold=True,
        value=sum(abs(c[2]) for c in checks),
    )
    d.note(last + 4, 1, "Run messages", bold=True)
    for i, m in enumerate(messages or ["none"]):
        d.put(last + 5 + i, 1, m, wrap=True)
    d.width("A", 80)
    return d.spec()
