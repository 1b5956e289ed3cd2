"""Board-ready workbooks: every kind xlalloc writes, printed by LibreOffice and read back.

Each workbook is printed to PDF as a reader would print it. The tests read the
printed text (no ``###`` where a figure did not fit, a numbered footer on every
page, the protective marking) and the files' own page setup and headers (fitted to
one page wide, plain-English headers on output sheets, Excel tables).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import xlalloc
from tests.conftest import SHARED, pack_argv
from tests.libreoffice import body_text_sizes, pdf_pages, to_pdf
from xlalloc.cli import main
from xlalloc.model.labels import is_code_style, label
from xlalloc.model.schema import OUTPUT_SHEETS
from xlalloc.workbook.sheetspec import HEADER_FILL, MONEY, MONEY_UNITS, shown

MONTH = 6


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory, libreoffice) -> dict[str, Path]:
    """One workbook of every kind xlalloc writes, with the sheets that are its outputs."""
    d = tmp_path_factory.mktemp("present")
    model = d / "model.xlsx"
    assert main(["demo", str(model)]) == 0
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", str(MONTH), "-o", str(ledger)]) == 0
    assert main(pack_argv(model, ledger, MONTH, d / "packs")) == 0
    orgs = d / "orgs.csv"
    pd.DataFrame(
        {
            "org": ["North", "South", "East", "West", "Central", "Coast"],
            "baseline": [410e6, 395e6, 388e6, 402e6, 512e6, 301e6],
            "target_share": [0.17, 0.16, 0.16, 0.17, 0.21, 0.13],
        }
    ).to_csv(orgs, index=False)
    assert main(["converge", str(orgs), "--total", "2500000000", "-o", str(d / "conv.xlsx")]) == 0
    assert main(["table-y1", "-o", str(d / "y1.xlsx")]) == 0
    assert main(["targets", "demo", "--budget", "2516000000", "-o", str(d / "targets.xlsx")]) == 0
    assert (
        main(
            [
                "targets",
                "demo",
                "--budget",
                "2516000000",
                "--money-unit",
                "£000",
                "-o",
                str(d / "targets-000.xlsx"),
            ]
        )
        == 0
    )
    funding = d / "funding.csv"
    pd.DataFrame(
        {"org": ["A", "B", "C"], "funding": [900e3, 1.2e6, 1.5e6], "need": [1000, 1100, 1200]}
    ).to_csv(funding, index=False)
    assert (
        main(["levelling-up", str(funding), "--pot", "200000", "-o", str(d / "levelling.xlsx")])
        == 0
    )
    units = d / "units.csv"
    pd.DataFrame(
        {
            "unit": ["North", "South", "East", "West"],
            "population": [250e3, 310e3, 190e3, 280e3],
            "need": [260e3, 300e3, 220e3, 250e3],
            "spend": [410e6, 455e6, 300e6, 420e6],
            "deprivation": [3, 1, 4, 2],
        }
    ).to_csv(units, index=False)
    assert main(["equity", str(units), "-o", str(d / "equity.xlsx")]) == 0
    variant = d / "variant.xlsx"
    assert main(["run", str(model), "-o", str(variant), "--scenario", "pace=0.5"]) == 0
    assert main(["compare", str(model), str(variant), "-o", str(d / "compare.xlsx")]) == 0
    # The demo's own Activity rows as an extract (the activity command's input).
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(model)).get_sheet_by_name("Activity").to_python()
    extract = d / "extract.csv"
    pd.DataFrame(rows[4:], columns=rows[3]).to_csv(extract, index=False)
    assert main(["activity", str(extract), "--model", str(model), "-o", str(d / "act.xlsx")]) == 0
    rebase = {}
    if SHARED.is_dir():  # the 42 ICBs of 2025/26 rebased onto 2026/27's 36 (NHS files)
        old = SHARED / "ICB_Allocation_Tool_update__2025_2026.csv"
        new = SHARED / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
        from xlalloc.readers import nhse

        icbs = nhse.load_practices(old).groupby("icb_code")["core"].sum()
        baselines = d / "baselines.csv"
        pd.DataFrame({"icb": icbs.index, "baseline": (icbs * 1900).round()}).to_csv(
            baselines, index=False
        )
        rebase["rebase"] = d / "rebased.xlsx"
        args = ["rebase", str(old), str(new), "--baselines", str(baselines)]
        assert main([*args, "-o", str(rebase["rebase"])]) == 0
    return rebase | {
        "model": model,
        "activity": d / "act.xlsx",
        "equity": d / "equity.xlsx",
        "compare": d / "compare.xlsx",
        "pack": d / "packs" / f"Ashford City 2026-27 M{MONTH:02d}.xlsx",
        "pack summary": d / "packs" / f"ICB summary 2026-27 M{MONTH:02d}.xlsx",
        "converge": d / "conv.xlsx",
        "table-y1": d / "y1.xlsx",
        "targets": d / "targets.xlsx",
        "targets £000": d / "targets-000.xlsx",
        "levelling-up": d / "levelling.xlsx",
    }


@pytest.fixture(scope="module")
def pdfs(workbooks, tmp_path_factory) -> dict[str, Path]:
    """Every workbook printed once by LibreOffice, as a reader would print it."""
    out = tmp_path_factory.mktemp("pdf")
    return {
        kind: to_pdf(path, out / kind.replace(" ", "-").replace("£", "k"))
        for kind, path in workbooks.items()
    }


@pytest.fixture(scope="module")
def printed(pdfs) -> dict[str, list[str]]:
    return {kind: pdf_pages(pdf) for kind, pdf in pdfs.items()}


def output_sheets(kind: str, wb) -> list:
    """The sheets xlalloc writes in a workbook (a model's input sheets are the user's)."""
    if kind == "model":
        return [wb[s] for s in OUTPUT_SHEETS]
    return list(wb.worksheets)


def test_no_figure_is_printed_as_hashes(printed):
    for kind, pages in printed.items():
        bad = [i + 1 for i, page in enumerate(pages) if "###" in page]
        assert not bad, f"{kind}: '###' on printed page(s) {bad}"


def test_every_printed_page_is_numbered_and_marked(printed):
    for kind, pages in printed.items():
        n = len(pages)
        for i, page in enumerate(pages):
            assert f"Page {i + 1} of {n}" in page, f"{kind}: page {i + 1} has no 'Page N of M'"
            assert "OFFICIAL" in page.splitlines()[0] or "OFFICIAL" in page[:400], (
                f"{kind}: page {i + 1} has no protective marking"
            )


def test_footer_carries_the_run_date_and_version(printed):
    stamp = f"Run 01 Apr 2026 09:00 · xlalloc {xlalloc.__version__}"
    for kind in ("model", "pack", "converge", "targets"):
        assert all(stamp in page for page in printed[kind][-1:]), kind


def test_page_setup_fits_one_page_wide_or_legibly_with_a_numbered_footer(workbooks):
    for kind, path in workbooks.items():
        wb = load_workbook(path)
        for ws in wb.worksheets:
            where = f"{kind}: sheet {ws.title}"
            if ws.sheet_properties.pageSetUpPr.fitToPage:
                assert ws.page_setup.fitToWidth in (1, "1"), where
                # One page tall only for a cover, and a pack's pages 1 and 3.
                one = (kind == "model" and ws.title == "Cover") or (
                    kind.startswith("pack") and ws.title in ("Summary", "Target")
                )
                assert ws.page_setup.fitToHeight in ((1, "1") if one else (0, "0")), where
            else:  # too wide to fit legibly: at a legible scale, the row's names on every page
                from xlalloc.workbook.model_book import IDENTIFYING

                assert 72 <= int(ws.page_setup.scale) <= 100, where
                first, last = IDENTIFYING.get(ws.title, "A:A").split(":")
                assert ws.print_title_cols == f"${first}:${last}", where
            assert ws.page_setup.paperSize in (9, "9"), where
            footer = ws.oddFooter
            assert footer.left.text == "&A", where
            assert footer.center.text == "Page &P of &N", where
            assert "OFFICIAL" in (ws.oddHeader.center.text or ""), where


def test_output_headers_are_plain_english(workbooks):
    for kind, path in workbooks.items():
        wb = load_workbook(path)
        seen = 0
        for ws in output_sheets(kind, wb):
            headers = [
                c.value
                for row in ws.iter_rows()
                for c in row
                if c.fill is not None
                and c.fill.fgColor is not None
                and str(c.fill.fgColor.rgb).endswith(HEADER_FILL)
                and isinstance(c.value, str)
            ]
            seen += len(headers)
            code = [h for h in headers if is_code_style(h)]
            assert not code, f"{kind}: sheet {ws.title} has code-style headers {code}"
        assert seen, f"{kind}: no header rows found"


def test_tabular_outputs_are_excel_tables_with_frozen_printed_headers(workbooks):
    wb = load_workbook(workbooks["targets"])
    ws = wb["Targets"]
    (table,) = ws.tables.values()
    first, last = table.ref.split(":")
    assert first == "A1" and last.endswith(str(ws.max_row))
    header = [c.value for c in ws[1]]
    assert [c.name for c in table.tableColumns] == header
    assert header[header.index("Target share")] == label("target_share")
    assert ws.freeze_panes == "A2"
    assert ws.print_title_rows == "$1:$1"
    audit = load_workbook(workbooks["model"])["Audit"]
    assert list(audit.tables) == ["xla_Audit"]


def test_money_in_thousands_says_so_and_keeps_pounds(workbooks, printed):
    wb = load_workbook(workbooks["targets £000"])
    ws = wb["Targets"]
    header = [c.value for c in ws[1]]
    j = header.index("Target at the ICB budget (£000)") + 1
    cell = next(
        ws.cell(row=r, column=j)
        for r in range(2, ws.max_row + 1)
        if ws.cell(row=r, column=1).value == "icb"
    )
    assert cell.value == 2_516_000_000  # the value stays in pounds
    assert cell.number_format == MONEY_UNITS["£000"]
    text = "\n".join(printed["targets £000"])
    assert "£2,516,000 " in text or "£2,516,000\n" in text  # £2.516bn in thousands


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (1234567.4, MONEY, "£1,234,567"),
        (-1234567.4, MONEY, "(£1,234,567)"),
        (2_516_000_000, MONEY_UNITS["£000"], "£2,516,000"),
        (2_516_000_000, MONEY_UNITS["£m"], "£2,516.0"),
        (0.123456, "0.0000%", "12.3456%"),
        (-0.0123, "0.0%;(0.0%);0.0%", "(1.2%)"),
        (1.23456, "0.000", "1.235"),
        # Halves round away from zero, as LibreOffice prints them (1,235, 3 and 1.3%,
        # checked with soffice --convert-to pdf) and Excel shows them; Python's own
        # formatting rounds them to even (1,234, 2 and 1.2%).
        (1234.5, "#,##0", "1,235"),
        (2.5, "0", "3"),
        (0.0125, "0.0%", "1.3%"),
    ],
)
def test_shown_is_the_text_a_spreadsheet_shows(value, fmt, text):
    # Expected texts are Excel's own rendering of these formats, written out by hand.
    assert shown(value, fmt) == text


def test_trajectory_of_many_organisations_is_a_sorted_bar_chart(workbooks):
    wb = load_workbook(workbooks["table-y1"])
    ws = wb["Trajectory"]
    # 42 organisations: two charts of 21 bars each, so every name prints (one chart of
    # 42 at a page's height printed every other name).
    assert len(ws._charts) == 2
    assert all(c.tagname == "barChart" and len(c.series) == 2 for c in ws._charts)
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    heads = [i for i, r in enumerate(rows) if r[0] == "Organisation"][1:]  # sorted blocks
    before = [r[1] for h in heads for r in rows[h + 1 : h + 22] if r[0]]
    assert len(before) == 42 and before == sorted(before, reverse=True)
    titles = [str(r[0]) for r in rows if r[0] and str(r[0]).startswith("Distance from")]
    assert [t.split("organisations ")[1] for t in titles] == ["1 to 21 of 42", "22 to 42 of 42"]


def test_trajectory_lines_are_straight_with_markers(workbooks):
    raw = _part(workbooks["model"], "xl/charts/")
    assert re.search(rb"<(c:)?lineChart>", raw)
    assert not re.search(rb'<(c:)?smooth val="1"', raw)
    assert re.search(rb'<(c:)?symbol val="circle"', raw)


def _part(path: Path, prefix: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith(prefix))


@pytest.fixture(scope="module")
def text_sizes(pdfs) -> dict[str, list[tuple[str, float, int]]]:
    return {kind: body_text_sizes(pdf) for kind, pdf in pdfs.items()}


def _content_lines(page: str) -> list[str]:
    """A printed page's lines between its header (the marking) and its footer."""
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    return lines[1:-1]


def test_no_printed_page_has_fewer_than_three_lines(workbooks, printed, text_sizes):
    """A page of a title's tail or one row is a page to merge with the one before it.

    Every page xlalloc lays out: its output sheets (a model's input sheets hold the
    user's rows, however many the last page gets).
    """
    thin = {
        kind: [
            (i + 1, text_sizes[kind][i][0], _content_lines(page))
            for i, page in enumerate(pages)
            if len(_content_lines(page)) < 3
            and text_sizes[kind][i][0]
            in {ws.title for ws in output_sheets(kind, load_workbook(workbooks[kind]))}
        ]
        for kind, pages in printed.items()
    }
    assert {k: v for k, v in thin.items() if v} == {}


def _squeezed(text: str, split: bool = False):
    """Text without its spaces and line breaks (or its words), in one Unicode form."""
    import unicodedata

    words = unicodedata.normalize("NFKC", text).split()
    if not split:
        return "".join(words)
    # A word breaks after its hyphen at a line's end (core-/grown): its parts count.
    return [part for w in words for part in re.split(r"(?<=-)(?=.)", w)]


def _printed_cells(ws) -> list[str]:
    """The text cells of a sheet's print area (all its cells if it has none)."""
    from openpyxl.utils import range_boundaries

    area = ws.print_area
    bounds = range_boundaries(str(area).split("!")[-1].replace("$", "")) if area else None
    out = []
    for row in ws.iter_rows():
        for c in row:
            if not isinstance(c.value, str) or not c.value.strip() or c.value.startswith("="):
                continue
            if bounds and not (
                bounds[0] <= c.column <= bounds[2] and bounds[1] <= c.row <= bounds[3]
            ):
                continue
            out.append(c.value)
    return out


def test_every_text_cell_is_printed_in_full(workbooks, printed, text_sizes):
    """No text cut off by the cell beside it, a chart or the page's edge (board-papers.md).

    Each word of every text cell in a sheet's print area is among the words printed on
    that sheet's pages (a cell cut short loses its last words, or ends mid-word).
    """
    cut = {}
    for kind, path in workbooks.items():
        words: dict[str, set[str]] = {}
        for (sheet, _size, _n), page in zip(text_sizes[kind], printed[kind], strict=True):
            words.setdefault(sheet, set()).update(_squeezed(page, split=True))
        missing = [
            (ws.title, value)
            for ws in output_sheets(kind, load_workbook(path))
            for value in _printed_cells(ws)
            if not set(_squeezed(value, split=True)) <= words.get(ws.title, set())
        ]
        if missing:
            cut[kind] = missing[:10]
    assert cut == {}


def test_every_continuation_page_repeats_its_tables_header(workbooks, printed, text_sizes):
    """A sheet that runs on to another page prints its header rows on each page after."""
    headless = {}
    for kind, path in workbooks.items():
        wb = load_workbook(path)
        sheets = {ws.title: ws for ws in output_sheets(kind, wb)}
        pages = list(zip((s for s, _z, _n in text_sizes[kind]), printed[kind], strict=True))
        seen: set[str] = set()  # sheets whose repeated table has started printing
        for i, (sheet, page) in enumerate(pages):
            if sheet not in sheets:
                continue
            ws = sheets[sheet]
            rows = ws.print_title_rows
            continuation = i and sheet == pages[i - 1][0]
            if not rows:
                if continuation and not ws._charts:  # a chart's page needs no header
                    headless.setdefault(kind, []).append((i + 1, sheet, "no title rows"))
                continue
            last = int(str(rows).split(":")[-1].replace("$", ""))
            head = next(
                (c.value for c in ws[last] if isinstance(c.value, str) and c.value.strip()), ""
            )
            printed_head = _squeezed(head) in _squeezed(page)
            if continuation and sheet in seen and not printed_head:
                headless.setdefault(kind, []).append((i + 1, sheet, head))
            if printed_head:
                seen.add(sheet)
    assert headless == {}


def test_every_printed_page_has_body_text_of_8_points_or_more(text_sizes):
    """Measured from the PDF LibreOffice prints: the size on paper, after scaling."""
    small = {
        kind: [(i + 1, sheet, size) for i, (sheet, size, n) in enumerate(pages) if n and size < 8]
        for kind, pages in text_sizes.items()
    }
    assert {k: v for k, v in small.items() if v} == {}
    assert set(text_sizes) >= {
        "model",
        "pack",
        "pack summary",
        "converge",
        "table-y1",
        "targets",
        "levelling-up",
        "equity",
        "compare",
        "activity",
    }


def test_every_output_sheet_prints_on_one_page_across(workbooks):
    """Designed for the page: wide tables are blocks one below another, explanations are
    wrapped across the figures' columns, so no output sheet runs its columns on to a
    second page across (the legibility rule's fallback) and no page across holds one
    column."""
    across = {
        (kind, ws.title): ws.page_setup.scale
        for kind, path in workbooks.items()
        for ws in output_sheets(kind, load_workbook(path))
        if ws.page_setup.scale is not None or not ws.sheet_properties.pageSetUpPr.fitToPage
    }
    assert across == {}


def test_no_printed_page_is_blank_or_nearly_blank(text_sizes, workbooks):
    """A page holding a title's tail or one row of a table is a page fitted badly."""
    sheets = {
        kind: {ws.title for ws in output_sheets(kind, load_workbook(path))}
        for kind, path in workbooks.items()
    }
    thin = {
        kind: [(i + 1, sheet, n) for i, (sheet, _size, n) in enumerate(pages) if n < 4]
        for kind, pages in text_sizes.items()
    }
    thin = {k: [p for p in v if p[1] in sheets[k]] for k, v in thin.items()}
    assert {k: v for k, v in thin.items() if v} == {}


def test_pages_print_with_calibris_metrics(workbooks, tmp_path):
    """Every cell names Calibri, which LibreOffice prints as Carlito (the same widths):
    so the pages measured here are the pages Excel prints, not a wider fallback's."""
    import pymupdf

    pdf = to_pdf(workbooks["model"], tmp_path)
    with pymupdf.open(str(pdf)) as doc:
        fonts = {f[3] for page in doc for f in page.get_fonts()}
    assert fonts and all("Carlito" in f for f in fonts), fonts
