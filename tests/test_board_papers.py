"""Board papers: the packs designed for the page, measured from LibreOffice's PDF.

``../shared/design/board-papers.md``: a place pack on three pages (key messages, headline
measures and the year so far; budget against actual with commentary; target and
convergence), the ICB summary on six at most, text of 8 points or more, the key messages'
figures each shown in a cell of the pack, and the business partner's commentary kept
when a month's packs are written again.
"""

import re
import shutil

import pytest
from conftest import demo_model
from libreoffice import body_text_sizes, pdf_pages, read_values, recalculate, to_pdf
from openpyxl import load_workbook

from xlalloc.cli import main
from xlalloc.workbook.packs import COMMENTARY

MONTH = 6
TAG = f" 2026-27 M{MONTH:02d}"


@pytest.fixture(scope="module")
def packs(libreoffice, tmp_path_factory):
    d = tmp_path_factory.mktemp("board")
    model = demo_model(d / "model.xlsx")
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", str(MONTH), "-o", str(ledger)]) == 0
    out = d / "packs"
    args = ["pack", str(model), "--actuals", str(ledger), "--month", str(MONTH), "--out"]
    assert main([*args, str(out), "--pdf"]) == 0
    return model, ledger, out, args


def test_pack_pdf_writes_one_pdf_per_pack(packs):
    *_, out, _args = packs
    books = sorted(p.stem for p in out.glob("*.xlsx"))
    assert sorted(p.stem for p in out.glob("*.pdf")) == books
    assert len(books) == 4  # three places and the ICB summary
    for pdf in out.glob("*.pdf"):
        assert pdf.read_bytes()[:5] == b"%PDF-"


def test_a_place_pack_is_three_pages_and_the_summary_six_at_most(packs):
    *_, out, _args = packs
    place = pdf_pages(out / f"Brookvale{TAG}.pdf")
    summary = pdf_pages(out / f"ICB summary{TAG}.pdf")
    assert len(place) == 3
    assert len(summary) <= 6
    # The pages in the guide's order: messages and headline, programmes, target.
    assert "Key messages" in place[0] and "Headline measures" in place[0]
    assert "Budget against actual by care programme" in place[1]
    assert "Need-based target and convergence" in place[2]
    # The ICB summary's table by place, with its Total row.
    assert "Budget against actual by place" in "".join(summary)
    for pdf in (out / f"Brookvale{TAG}.pdf", out / f"ICB summary{TAG}.pdf"):
        for sheet, smallest, spans in body_text_sizes(pdf):
            assert smallest >= 8.0, (pdf.name, sheet, smallest)
            assert spans >= 3, (pdf.name, sheet, spans)  # no near-empty page


def _figures(text):
    """The figures a sentence states: money (£...), and percentages."""
    return re.findall(r"£[\d,]+(?:\.\d+)?|\d+\.\d%", text)


def test_every_figure_in_the_key_messages_is_printed_in_a_cell_of_the_pack(packs):
    *_, out, _args = packs
    for name in (f"Brookvale{TAG}", f"ICB summary{TAG}"):
        values = read_values(out / f"{name}.xlsx")
        messages = [r[0] for r in values["Summary"][5:12] if r and r[0]]
        assert len(messages) >= 4, messages
        printed = "".join(pdf_pages(out / f"{name}.pdf"))
        cells = printed.split("Key messages")[1].split("Headline measures")[1]
        cells += "".join(pdf_pages(out / f"{name}.pdf")[1:])
        for sentence in messages:
            for figure in _figures(sentence):
                assert figure in cells, (name, figure, sentence)


def test_commentary_written_in_a_pack_is_kept_when_it_is_written_again(packs, tmp_path):
    model, ledger, out, args = packs
    folder = tmp_path / "again"
    shutil.copytree(out, folder)
    book = folder / f"Brookvale{TAG}.xlsx"
    wb = load_workbook(book)
    ws = wb["Programmes"]
    header = [c.value for c in ws[3]]
    k = header.index(COMMENTARY) + 1
    lines = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    said = {
        "Acute": "Independent sector activity above plan; recovery plan agreed in August.",
        "Mental health": "Out-of-area placements: two patients repatriated in October.",
    }
    for line, text in said.items():
        ws.cell(row=lines[line], column=k, value=text)
    wb.save(book)
    assert main([*args, str(folder), "--force"]) == 0
    again = read_values(recalculate(book, tmp_path / "lo"))["Programmes"]
    kept = {r[0]: r[k - 1] for r in again[3:] if r and r[0]}
    assert {line: kept[line] for line in said} == said
    assert all(kept[line] in ("", None) for line in kept if line not in said)
    # Written again without --force: refused, the commentary untouched.
    assert main([*args, str(folder)]) == 2
    assert (
        load_workbook(book)["Programmes"].cell(row=lines["Acute"], column=k).value
        == (said["Acute"])
    )


def test_the_printed_pack_matches_the_recalculated_pack(packs, tmp_path):
    """LibreOffice's own recalculation of a pack's formulas gives the figures written."""
    *_, out, _args = packs
    book = out / f"Castleton{TAG}.xlsx"
    before = read_values(book)["Programmes"]
    after = read_values(recalculate(book, tmp_path))["Programmes"]
    assert [r[0] for r in after[3:14]] == [r[0] for r in before[3:14]]
    for a, b in zip(after[3:14], before[3:14], strict=True):
        assert a[1:8] == pytest.approx(b[1:8], abs=1e-6), a[0]
    pdf = to_pdf(book, tmp_path / "pdf")
    assert len(pdf_pages(pdf)) == 3


@pytest.fixture(scope="module")
def essex(shared_dir, libreoffice, tmp_path_factory):
    """A real ICB of fifteen places from NHS England's three 2026/27 to 2028/29 files.

    NHS Essex ICB by local authority district, with the demo's budget lines
    (by capitation) scaled by 1.3, baselines near each place's share and three years'
    convergence totals typed in, as an ICB's analyst would fill them.
    """
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    d = tmp_path_factory.mktemp("essex")
    files = [
        str(shared_dir / f"ICB_Place_Based_Tool_2627-2829__{y}.csv")
        for y in ("2026_2027", "2027_2028", "2028_2029")
    ]
    model = d / "essex.xlsx"
    args = ["new", str(model), *[a for f in files for a in ("--practices", f)]]
    assert main([*args, "--icb", "T02"]) == 0  # NHS Essex ICB (2026/27: 15 districts)
    demo = CalamineWorkbook.from_path(str(demo_model(d / "demo.xlsx")))
    budget = [r for r in demo.get_sheet_by_name("Budget").to_python()[4:] if r and r[0]]
    wb = load_workbook(model)
    practices = [r for r in wb["Practices"].iter_rows(min_row=4, values_only=True)]
    head = list(practices[0])
    need_by_place: dict[str, float] = {}
    for r in practices[1:]:
        if r[head.index("year")] == "2026/27":
            place = r[head.index("place")]
            need_by_place[place] = need_by_place.get(place, 0.0) + r[head.index("core_wp")]
    total = sum(float(r[2]) * 1.3 for r in budget)
    for i, r in enumerate(budget):
        for j, v in enumerate((r[0], r[1], float(r[2]) * 1.3, r[3], "capitation", r[5])):
            wb["Budget"].cell(5 + i, 1 + j, v)
    weight = sum(need_by_place.values())
    for i, (place, w) in enumerate(sorted(need_by_place.items())):
        wb["Baselines"].cell(5 + i, 1, place)
        wb["Baselines"].cell(5 + i, 2, round(total * 0.98 * w / weight * (1 + (i % 5 - 2) / 100)))
    for i, (year, f) in enumerate((("2026/27", 1.0), ("2027/28", 1.03), ("2028/29", 1.061))):
        wb["Totals"].cell(5 + i, 1, year)
        wb["Totals"].cell(5 + i, 2, round(total * f))
    wb.save(model)
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", str(MONTH), "-o", str(ledger)]) == 0
    out = d / "packs"
    pack = ["pack", str(model), "--actuals", str(ledger), "--month", str(MONTH), "--out"]
    assert main([*pack, str(out), "--pdf"]) == 0
    budget_total = float(sum(float(r[2]) * 1.3 for r in budget))
    return out, len(need_by_place), (float(round(total)), budget_total)


def test_a_real_icbs_packs_are_board_papers(essex):
    """Fifteen places: each place's pack on three pages, the ICB summary on six at most."""
    out, places, _totals = essex
    assert places == 15
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == places + 1
    for pdf in pdfs:
        pages = body_text_sizes(pdf)
        limit = 6 if pdf.name.startswith("ICB summary") else 3
        assert len(pages) <= limit, (pdf.name, len(pages))
        assert all(size >= 8.0 for _sheet, size, _n in pages), (pdf.name, pages)
    summary = "".join(pdf_pages(out / f"ICB summary{TAG}.pdf"))
    assert "Budget against actual by place" in summary


def test_a_pack_that_cannot_be_read_is_replaced_with_force_and_said(packs, tmp_path, capsys):
    """--force replaces it as asked; that no commentary could be kept from it is said."""
    _model, _ledger, out, args = packs
    folder = tmp_path / "again"
    shutil.copytree(out, folder)
    broken = folder / f"Brookvale{TAG}.xlsx"
    broken.write_bytes(b"not a workbook any more")
    capsys.readouterr()
    assert main([*args, str(folder), "--force"]) == 0
    said = capsys.readouterr().out
    assert (
        f"Brookvale{TAG}.xlsx could not be read as a pack: it was replaced, and no "
        "commentary could be kept from it"
    ) in said
    assert broken.read_bytes()[:2] == b"PK"


def _bridge(values):
    """A pack's page-1 bridge as recalculated: label -> figure (column D's words, J's)."""
    rows = values["Summary"]
    start = next(
        i for i, r in enumerate(rows) if len(r) > 3 and str(r[3]).startswith("Budget and why")
    )
    out = {}
    for r in rows[start + 1 :]:
        if len(r) < 10 or r[9] in ("", None):
            break
        out[str(r[3]).strip()] = float(r[9])
    return out, str(rows[start][3])


def _pack_totals(values):
    """The programmes table's annual budgets by programme (page 2), and their Total."""
    rows = values["Programmes"]
    lines = {}
    for r in rows[3:]:
        if r[0] == "Total":
            return lines, float(r[1])
        lines[r[0]] = float(r[1])
    raise AssertionError("no Total row")


def _check_bridges(folder, tmp_path, convergence_total, budget_total):
    """Every pack's bridge adds up, recalculated, and the places' add to the ICB's."""
    alloc = "Allocation (£)"
    adjust = next  # the adjustment's label carries its rule
    sums = {"allocation": 0.0, "apportioned": 0.0, "gap": 0.0}
    summary = None
    books = sorted(folder.glob("*.xlsx"))
    for book in books:
        values = read_values(recalculate(book, tmp_path / book.stem))
        lines, title = _bridge(values)
        assert title.startswith("Budget and why, 2026/27")
        programmes, annual = _pack_totals(values)
        adj = adjust(v for k, v in lines.items() if k.startswith("Convergence adjustment"))
        growth = adjust(v for k, v in lines.items() if k.startswith("Core growth"))
        assert lines["Baseline (£)"] + growth + adj == lines[alloc], book.name
        # Each programme's apportioned budget is page 2's annual budget, and they add up.
        for name, value in programmes.items():
            assert lines[name] == value, (book.name, name)
        assert lines["Apportioned budget (£)"] == sum(programmes.values()) == annual
        gap = next(v for k, v in lines.items() if k.startswith("Apportioned budget less"))
        assert gap == lines["Apportioned budget (£)"] - lines[alloc]
        if book.name.startswith("ICB summary"):
            summary = lines
            continue
        assert "Distance from target after" in lines
        sums["allocation"] += lines[alloc]
        sums["apportioned"] += lines["Apportioned budget (£)"]
        sums["gap"] += gap
    assert summary is not None
    assert sums["allocation"] == summary[alloc] == convergence_total
    assert sums["apportioned"] == pytest.approx(summary["Apportioned budget (£)"], abs=1e-6)
    assert summary["Apportioned budget (£)"] == pytest.approx(budget_total, abs=1e-6)
    icb_gap = next(v for k, v in summary.items() if k.startswith("Apportioned budget less"))
    assert icb_gap == pytest.approx(budget_total - convergence_total, abs=1e-6)
    assert sums["gap"] == pytest.approx(icb_gap, abs=1e-6)
    return len(books)


def test_every_demo_pack_shows_its_bridge_and_they_add_up(packs, tmp_path):
    """The demo: £2,496,000,000 converged (its Totals sheet), £2,516,000,000 of budget
    lines: the £20,000,000 between them is the ICB summary's gap, which the places' add to."""
    *_, out, _args = packs
    assert _check_bridges(out, tmp_path, 2_496_000_000, 2_516_000_000) == 4
    printed = pdf_pages(out / f"Brookvale{TAG}.pdf")[0]
    assert "Budget and why, 2026/27" in printed and "Birmingham and Solihull" in printed


def test_a_real_icbs_packs_each_show_a_bridge_that_adds_up(essex, tmp_path):
    out, places, totals = essex
    assert _check_bridges(out, tmp_path, *totals) == places + 1
