"""Recalculate a workbook in LibreOffice headless and read back its values.

Excel is not available on Linux, so every workbook xlalloc writes is checked by
a real spreadsheet application: LibreOffice opens it, recalculates every
formula, and saves a copy whose cached values python-calamine then reads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def soffice() -> str | None:
    """Path of the ``soffice`` binary, or ``None`` if LibreOffice is missing."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def recalculate(path: str | Path, outdir: str | Path | None = None, timeout: int = 180) -> Path:
    """Open ``path`` in LibreOffice headless, recalculate, and save an ``.xlsx`` copy.

    Args:
        path: Workbook to recalculate (left untouched).
        outdir: Folder for the copy (default: a new temporary folder).
        timeout: Seconds to allow LibreOffice.

    Returns:
        Path of the recalculated copy.

    Raises:
        RuntimeError: If LibreOffice is missing or fails.
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    path = Path(path).resolve()
    out = Path(outdir or tempfile.mkdtemp(prefix="xlalloc-lo-"))
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="xlalloc-lo-profile-"))
    _write_profile(profile)
    src = out / f"src-{path.name}"
    shutil.copyfile(path, src)
    cmd = [
        exe,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(out / "conv"),
        str(src),
    ]
    env = dict(os.environ, HOME=str(profile))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    result = out / "conv" / f"{src.stem}.xlsx"
    shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0 or not result.exists():
        raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return result


def _write_profile(profile: Path) -> None:
    """A LibreOffice profile that always recalculates formulas on load."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n"
    )


def read_values(path: str | Path) -> dict[str, list[list[object]]]:
    """Every sheet's cached values, as lists of rows from A1 (python-calamine)."""
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return {
        name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names
    }


def to_pdf(path: str | Path, outdir: str | Path, timeout: int = 300) -> Path:
    """Print a workbook to PDF with LibreOffice headless, as a reader would print it.

    Every sheet is printed with its own page setup (orientation, fit to width, print
    titles, header and footer). Returns the PDF's path.
    """
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    path = Path(path).resolve()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="xlalloc-lo-profile-"))
    _write_profile(profile)
    cmd = [
        exe,
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(path),
    ]
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=dict(os.environ, HOME=str(profile)),
    )
    shutil.rmtree(profile, ignore_errors=True)
    result = out / f"{path.stem}.pdf"
    if proc.returncode != 0 or not result.exists():
        raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return result


def pdf_pages(pdf: str | Path) -> list[str]:
    """The text of each page of a PDF (poppler's ``pdftotext``, keeping the layout)."""
    exe = shutil.which("pdftotext")
    if exe is None:
        raise RuntimeError("pdftotext is not installed: apt-get install poppler-utils")
    text = subprocess.run(
        [exe, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [p for p in text.split("\f") if p.strip()]


def body_text_sizes(pdf: str | Path) -> list[tuple[str, float, int]]:
    """Each printed page's sheet (from its footer), its smallest body text size and spans.

    The size is the font size on paper after the page's scaling (PyMuPDF reads it from
    the text matrix). Body text is every span between the header and footer bands (the
    top and bottom 50 points: the 0.75-inch margins hold the header and footer), so the
    fixed-size header and footer do not count; chart text drawn as text counts.
    """
    import pymupdf

    out = []
    with pymupdf.open(str(pdf)) as doc:
        for page in doc:
            h = page.rect.height
            sizes, footer = [], ""
            for block in page.get_text("dict")["blocks"]:
                for line in block.get("lines", []):
                    for span in line["spans"]:
                        if not span["text"].strip():
                            continue
                        y = span["bbox"][1]
                        if y > h - 50 and not footer and span["bbox"][0] < page.rect.width / 3:
                            footer = span["text"].strip()
                        if 50 < y < h - 50:
                            sizes.append(span["size"])
            out.append((footer, round(min(sizes), 2) if sizes else 0.0, len(sizes)))
    return out
