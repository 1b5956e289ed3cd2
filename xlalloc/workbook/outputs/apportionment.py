"""The Apportionment and Audit sheets (the apportionment part)."""

from __future__ import annotations

from typing import Any

from ...engine.apportionment import Apportionment
from ...model.labels import label
from ...model.runner import ModelResult
from ..sheetspec import Drawing, Look, SheetSpec, col
from ..tables import INDEX, MONEY, NUMBER, spanned_block
from .common import (
    HEADER_ROW,
    PER_1000,
    SHARE,
    Ranges,
    formula_block,
    grouped_matrix_block,
    in_year,
    matrix_block,
    output_sheet,
    sum_where,
    zero_checks,
)

#: The Audit's columns of words, in a block below its table of figures.
AUDIT_WORDS = ("methods_tried", "skipped", "component", "note")
#: Sheet columns each of ``line`` and :data:`AUDIT_WORDS` spans in that block.
AUDIT_SPANS = (1, 1, 3, 1, 2)
#: The Audit table's text columns, wrapped at these widths.
AUDIT_WRAP = {"line": 30, "programme": 24}

#: Localities in each block of Table 1 by locality (with the programme names and the
#: Total column: a landscape A4 page across at 9 points or more).
LOCALITIES_PER_BLOCK = 5


def _apportionment_sheets(
    result: ModelResult, rng: Ranges, checks: list[tuple[str, str]], look: Look
) -> list[SheetSpec]:
    d = output_sheet(
        "Apportionment", "Apportionment of the whole budget by care programme and place", look
    )
    da = output_sheet("Audit", "Audit: the method each budget line used, and why", look)
    a = result.apportionment
    if a is None:
        d.note(HEADER_ROW, 1, "No budget lines given: add them on the Budget sheet.")
        return [d.spec(), da.spec()]
    r1, r2 = _table1(d, a, rng, checks)
    row = _per_1000(d, result, rng, r1, r2)
    _, _, rr2 = matrix_block(d, row, "Table 1 (recurrent lines only)", a.table1_recurrent, MONEY)
    row = rr2 + 4
    # Localities outnumber places: in blocks as wide as Table 1's, so the sheet prints on
    # one page across.
    _, grand = grouped_matrix_block(
        d, row, "Table 1 by locality", a.table1_locality, MONEY, per_group=LOCALITIES_PER_BLOCK
    )
    totc = col(len(a.table1.columns) + 1)
    checks.append(
        (
            "Table 1 by locality: grand total less Table 1's",
            f"=ROUND(Apportionment!{grand}-Apportionment!{totc}{r2 + 1},2)",
        )
    )
    last = _audit(da, a, rng, checks)
    if result.inputs.extracts is not None:
        _extracts(da, result.inputs.extracts, last + 3)
    return [d.spec(), da.spec()]


def _table1(
    d: Drawing, a: Apportionment, rng: Ranges, checks: list[tuple[str, str]]
) -> tuple[int, int]:
    """Table 1 with its checks against the budget lines; returns its first and last rows."""
    _h, r1, r2 = matrix_block(
        d, HEADER_ROW, "Table 1: £ by care programme and place", a.table1, MONEY
    )
    n = len(a.table1.columns) - 1
    totc = col(2 + n)
    tot = r2 + 1
    amount = rng.column("Budget", "amount")
    programme = rng.column("Budget", "programme")
    for r in range(r1, r2 + 1):
        checks.append(
            (
                f"Table 1 {d.value(r, 1)}: less its budget lines",
                f"=ROUND(Apportionment!{totc}{r}-"
                f"{sum_where(programme, f'Apportionment!A{r}', amount)[1:]},2)",
            )
        )
    checks.append(
        (
            "Table 1 grand total less the budget lines' total",
            f"=ROUND(Apportionment!{totc}{tot}-SUM({amount}),2)",
        )
    )
    checks.append(
        (
            "Table 1: place totals less the grand total",
            f"=ROUND(SUM(Apportionment!B{tot}:{col(1 + n)}{tot})-Apportionment!{totc}{tot},2)",
        )
    )
    return r1, r2


def _per_1000(d: Drawing, result: ModelResult, rng: Ranges, r1: int, r2: int) -> int:
    """Shares, weighted populations, Table 2 and the index; returns the next free row.

    The engine's figures, as cached values beside the formulas that trace them.
    """
    a = result.apportionment
    assert a is not None
    places = [str(c) for c in a.table1.columns if c != "Total"]
    n = len(places)
    totc = col(2 + n)
    tot = r2 + 1
    n_body = r2 - r1 + 2  # programmes and the total row
    # The engine's figures (computed once there), as cached values beside the formulas.
    s1 = formula_block(
        d,
        tot + 3,
        "Shares of each programme by place",
        [label("programme")] + places,
        r1,
        a.shares[places].to_numpy(dtype=float),
        lambda L, src, i: f"=IF({totc}{src}=0,0,{L}{src}/{totc}{src})",
        SHARE,
    )
    s_last = s1 + n_body - 1
    # Weighted population by place (formulas tracing to the Practices sheet).
    comp = result.inputs.policy.per_1000_component
    row = s_last + 3
    d.note(row, 1, label(f"{comp}_wp"), bold=True, size=12)
    d.header(row + 1, 1, [label("measure")] + places + ["ICB"])
    wrow = row + 2
    d.put(wrow, 1, label(f"{comp}_wp"))
    place_col = rng.column("Practices", "place")
    wp_col = rng.column("Practices", f"{comp}_wp")
    wp = a.per_1000_wp[[*places, "ICB"]].to_numpy(dtype=float)
    for j in range(n):
        d.formula(
            wrow,
            2 + j,
            sum_where(
                place_col, f"{col(2 + j)}${row + 1}", wp_col, in_year(result, rng, result.year)
            ),
            NUMBER,
            value=wp[j],
        )
    d.formula(wrow, 2 + n, f"=SUM(B{wrow}:{col(1 + n)}{wrow})", NUMBER, value=wp[n])
    # Table 2 and the index, as formulas.
    t2 = formula_block(
        d,
        wrow + 3,
        "Table 2: £ per 1,000 weighted population",
        [label("programme")] + places + ["ICB"],
        r1,
        a.table2[[*places, "ICB"]].to_numpy(dtype=float),
        lambda L, src, i: f"={L}{src}/{L}${wrow}*1000",
        PER_1000,
    )
    ix = formula_block(
        d,
        t2 + n_body + 2,
        "Index against the ICB average (Table 2 / ICB)",
        [label("programme")] + places,
        t2,
        a.index[places].to_numpy(dtype=float),
        lambda L, src, i: f"=IF({totc}{src}=0,0,{L}{src}/{totc}{src})",
        INDEX,
    )
    return ix + n_body + 2


def _audit(da: Drawing, a: Apportionment, rng: Ranges, checks: list[tuple[str, str]]) -> int:
    """The Audit sheet: each line's figures and method, then how it was chosen, in words."""
    amount = rng.column("Budget", "amount")
    fm = {"amount": MONEY, "apportioned": MONEY, "difference": MONEY, "coverage": SHARE}
    da.note(HEADER_ROW, 1, "Budget lines", bold=True, size=12)
    h = HEADER_ROW + 1
    # The figures and the method used as a table; how the method was chosen in words
    # below it, across the same columns: the sheet prints on one page across.
    figures = [c for c in a.audit.columns if c not in AUDIT_WORDS]
    last = da.block(h, 1, a.audit[figures], fm, table="xla_Audit", wrap=AUDIT_WRAP)
    da.freeze = f"C{h + 1}"
    da.print_setup(landscape=True)
    ap = col(figures.index("apportioned") + 1)
    words = ["line", *(c for c in AUDIT_WORDS if c in a.audit.columns)]
    start = last + 3
    last = spanned_block(
        da,
        start,
        "How each line's method was chosen",
        a.audit[words],
        AUDIT_SPANS[: len(words)],
    )
    da.keep_together(start, min(last, start + 3))  # its title and header with its rows
    checks.append(
        (
            "Audit: lines apportioned less their amounts",
            f"=ROUND(SUM(Audit!{ap}{h + 1}:{ap}{last})-SUM({amount}),2)",
        )
    )
    return last


def _extracts(da: Drawing, ext: Any, row: int) -> None:
    """The activity extracts read beside the model: files, rows, SHA-256, coverage."""
    da.note(
        row,
        1,
        "Activity extracts read beside the model (xlalloc run --activity), "
        "totalled by line and practice as Activity sheet rows",
        bold=True,
        size=12,
    )
    for f in ext.files.itertuples(index=False):  # one line each: the hash is long
        row += 1
        da.put(row, 1, f"{f.file}: {f.rows:,} rows; SHA-256 {f.sha256}")
    row += 2
    da.note(
        row,
        1,
        "Coverage each extract gave each line: the share of its £ with a practice code",
        bold=True,
        size=12,
    )
    da.block(
        row + 1,
        1,
        ext.coverage,
        {"rows": NUMBER, "amount": MONEY, "attributed": MONEY, "coverage": SHARE},
    )


#: The apportionment part's drawing function (named in :mod:`xlalloc.model.parts`).
draw = zero_checks(_apportionment_sheets)
