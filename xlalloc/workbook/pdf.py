"""Workbooks printed to PDF by LibreOffice headless, ready to circulate.

Each workbook prints with its own page setup (orientation, fit, print titles, header and
footer), as a reader would print it. LibreOffice runs with a profile of its own in a
temporary folder, so it neither touches the user's LibreOffice settings nor waits on a
first-start dialog; the workbooks are converted in one run of the program.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .files import atomic_write

__all__ = ["NO_PRINTER", "office", "to_pdfs"]

#: What is said when no program can print the workbooks (they are written all the same).
NO_PRINTER = (
    "PDFs not written: printing to PDF needs LibreOffice (install it, e.g. "
    "'apt-get install libreoffice-calc-nogui' or from libreoffice.org) or, from the "
    "ribbon, Excel on Windows or Mac; the workbooks were written"
)


#: LibreOffice's own command-line options (another program's flags, not xlalloc's).
SOFFICE_ARGS = ("--headless", "--norestore", "--convert-to", "pdf", "--outdir")


def office() -> str | None:
    """LibreOffice's program (``soffice`` or ``libreoffice``), or ``None`` if missing."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdfs(workbooks: Sequence[Path], timeout: float = 600) -> list[Path]:
    """Each workbook's PDF beside it (``NAME.pdf``), printed by LibreOffice headless.

    Args:
        workbooks: The workbooks to print; their PDFs go in their own folders.
        timeout: Seconds LibreOffice may take over them all.

    Returns:
        The PDFs written, in the workbooks' order.

    Raises:
        RuntimeError: LibreOffice is missing, or printed fewer PDFs than workbooks
            (the message says which, and what LibreOffice said).
    """
    exe = office()
    if exe is None:
        raise RuntimeError(NO_PRINTER)
    with tempfile.TemporaryDirectory(prefix="xlalloc-pdf-") as tmp:
        profile, out = Path(tmp) / "profile", Path(tmp) / "out"
        out.mkdir()
        proc = subprocess.run(
            [
                exe,
                f"-env:UserInstallation={profile.as_uri()}",
                *SOFFICE_ARGS,
                str(out),
                *(str(p.resolve()) for p in workbooks),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=dict(os.environ, HOME=str(profile)),
        )
        written = []
        missing = []
        for p in workbooks:
            made = out / f"{p.stem}.pdf"
            if made.exists():
                written.append(atomic_write(p.with_suffix(".pdf"), made.read_bytes()))
            else:
                missing.append(p.name)
    if missing:
        said = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(
            f"LibreOffice printed no PDF of {', '.join(missing)}"
            + (f": {said[-1]}" if said else "")
        )
    return written
