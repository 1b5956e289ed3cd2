"""Re-render the pictures the README shows (needs LibreOffice and poppler-utils).

Prints the demo model and a place's pack to PDF with LibreOffice, as a reader would
print them, and saves chosen pages as PNG under ``docs/``:

    python docs/render_pictures.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from tests.libreoffice import body_text_sizes, to_pdf  # noqa: E402

#: Picture -> (workbook, the sheet whose first printed page to show).
PICTURES = {
    "model-apportionment.png": ("model", "Apportionment"),
    "model-convergence.png": ("model", "Convergence"),
    "model-summary.png": ("model", "Summary"),
    "model-assurance.png": ("model", "Assurance"),
    "pack-summary.png": ("pack", "Summary"),
    "pack-programmes.png": ("pack", "Programmes"),
}


def main() -> None:
    """Render the demo model and a pack, and save the README's pages as PNG."""
    from xlalloc.cli import main as xlalloc

    os.environ.setdefault("SOURCE_DATE_EPOCH", "1775034000")  # the demo's run time
    work = Path(tempfile.mkdtemp(prefix="xlalloc-pictures-"))
    model = work / "model.xlsx"
    assert xlalloc(["demo", str(model)]) == 0
    assert xlalloc(["demo-ledger", str(model), "--month", "6", "-o", str(work / "l.csv")]) == 0
    assert (
        xlalloc(
            [
                "pack",
                str(model),
                "--actuals",
                str(work / "l.csv"),
                "--month",
                "6",
                "--out",
                str(work / "packs"),
            ]
        )
        == 0
    )
    books = {"model": model, "pack": work / "packs" / "Ashford City 2026-27 M06.xlsx"}
    pdfs = {k: to_pdf(v, work / k) for k, v in books.items()}
    for picture, (book, sheet) in PICTURES.items():
        # Each page's sheet, read from its footer where PyMuPDF finds it (pdftotext's
        # reading order can put a chart's text after the footer).
        page = next(
            i + 1
            for i, (footer, _size, _n) in enumerate(body_text_sizes(pdfs[book]))
            if footer.startswith(sheet)
        )
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(pdfs[book]),
                str(work / "page"),
            ],
            check=True,
        )
        shutil.copyfile(work / "page.png", HERE / picture)
        print(f"docs/{picture}: {book} page {page} ({sheet})")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
