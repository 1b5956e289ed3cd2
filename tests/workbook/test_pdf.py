"""Workbooks printed to PDF: by LibreOffice, or a message saying why not."""

import pytest
from conftest import demo_model

from xlalloc.workbook import pdf as pdf_module
from xlalloc.workbook.pdf import NO_PRINTER, to_pdfs


def test_without_libreoffice_the_message_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_module, "office", lambda: None)
    with pytest.raises(RuntimeError) as e:
        to_pdfs([tmp_path / "a.xlsx"])
    assert str(e.value) == NO_PRINTER and "LibreOffice" in NO_PRINTER


def test_each_workbook_is_printed_beside_itself(tmp_path, libreoffice):
    book = demo_model(tmp_path / "model.xlsx")
    (written,) = to_pdfs([book])
    assert written == tmp_path / "model.pdf"
    assert written.read_bytes()[:5] == b"%PDF-"


def test_a_file_libreoffice_cannot_print_is_named(tmp_path, libreoffice):
    bad = tmp_path / "not a workbook.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(RuntimeError, match="not a workbook.xlsx"):
        to_pdfs([bad])


def test_packs_without_libreoffice_say_so_and_still_write_the_workbooks(tmp_path, monkeypatch):
    import xlalloc
    from xlalloc.cli import main

    model = demo_model(tmp_path / "model.xlsx")
    ledger = tmp_path / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", "6", "-o", str(ledger)]) == 0
    monkeypatch.setattr("xlalloc.workbook.pdf.office", lambda: None)
    run = xlalloc.packs(model, ledger, 6, tmp_path / "p", pdf=True)
    assert len(run.paths) == 4 and all(p.exists() for p in run.paths)
    assert run.pdfs == [] and "PDFs not written" in run.notes[0]
    assert "LibreOffice" in run.notes[0]
