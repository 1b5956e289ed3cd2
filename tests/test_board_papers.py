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
from conftest import demo_model, essex_model, pack_argv
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
    """NHS Essex ICB's fifteen places (``conftest.essex_model``), its month-6 packs."""
    d = tmp_path_factory.mktemp("essex")
    model, places, totals = essex_model(d, shared_dir)
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", str(MONTH), "-o", str(ledger)]) == 0
    out = d / "packs"
    assert main(pack_argv(model, ledger, MONTH, out, "--pdf")) == 0
    return out, places, totals


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
