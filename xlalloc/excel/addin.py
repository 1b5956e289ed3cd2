"""Build ``xlalloc.xlam``: xlwings' quickstart ribbon add-in with an xlalloc tab.

xlwings ships a ribbon add-in, ``quickstart_addin_ribbon.xlam``, whose one VBA module
(``RibbonMyAddin``) runs ``RunPython "import <file name>; <file name>.main()"`` from its
``RunMain`` Sub: named ``xlalloc.xlam`` it runs ``import xlalloc; xlalloc.main()``, which
runs the action named on the calling model's Policy sheet (:func:`xlalloc.main`). So the
add-in is xlwings' own, VBA project byte for byte (nothing here writes VBA or a compound
file): the build copies every part of the template unchanged except two,

* ``customUI/customUI.xml``, the ribbon: an **xlalloc** tab whose Run button calls the
  template's ``RibbonMyAddin.RunMain``;
* ``xl/worksheets/sheet1.xml``, the add-in's xlwings settings sheet: *UDF Modules* set to
  :data:`UDF_MODULE`;

and :func:`verify` checks the result: a valid zip and ribbon XML, every other part the
template's own bytes, the VBA project equal to the installed xlwings' template (so it is
the VBA Excel has already loaded from xlwings), every ribbon callback a Sub of that
project (read with oletools' ``olevba``), and the file named ``xlalloc.xlam``.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path

from defusedxml import ElementTree

from .._version import __version__
from ..engine.errors import InputError, option
from ..extras import install_hint
from ..readers.ooxml import read as read_xml

__all__ = ["ADDIN_NAME", "AddinReport", "RIBBON_XML", "UDF_MODULE", "build", "verify"]

#: The add-in's file name: xlwings' ribbon module imports the module its file is named
#: after (``import xlalloc``), so no other name runs xlalloc.
ADDIN_NAME = "xlalloc.xlam"

RIBBON_NS = "http://schemas.microsoft.com/office/2006/01/customui"
UDF_MODULE = "xlalloc.excel.udfs"

#: The template's ribbon callback (its VBA, unchanged).
CALLBACK = "RibbonMyAddin.RunMain"

#: The parts the build writes; every other part is the template's, byte for byte.
RIBBON_PART = "customUI/customUI.xml"
SETTINGS_PART = "xl/worksheets/sheet1.xml"
VBA_PART = "xl/vbaProject.bin"

SUPERTIP = (
    "Runs the model workbook: run, validate, refresh or packs, as the Policy "
    "sheet's action says. Problems go to the Checks sheet."
)

RIBBON_XML = f"""<customUI xmlns="{RIBBON_NS}">
  <ribbon>
    <tabs>
      <tab id="xlallocTab" label="xlalloc">
        <group id="xlallocModel" label="Model (xlalloc {__version__})">
          <button id="xlallocRun" label="Run" size="large" imageMso="MacroPlay"
                  screentip="Run the action named on the Policy sheet"
                  supertip="{SUPERTIP}"
                  onAction="{CALLBACK}" />
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""


def quickstart_addin() -> Path:
    """Path of xlwings' quickstart ribbon add-in shipped with the installed xlwings."""
    import xlwings

    path = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    if not path.exists():
        raise InputError(
            f"xlwings {xlwings.__version__} has no {path.name}: install xlwings 0.30 or later "
            f"({install_hint('excel')})",
            where="addin",
        )
    return path


def _set_udf_modules(sheet_xml: bytes, shared: list[str]) -> bytes:
    """Put the UDF module name beside 'UDF Modules' in the add-in's settings sheet."""
    idx = shared.index("UDF Modules")
    m = re.search(
        rb'<c r="A(\d+)"[^>]*t="s"[^>]*><v>' + str(idx).encode() + rb"</v></c>", sheet_xml
    )
    if not m:
        raise ValueError("settings sheet has no 'UDF Modules' row")
    row = m.group(1)
    cell = b'<c r="B' + row + b'" t="inlineStr"><is><t>' + UDF_MODULE.encode() + b"</t></is></c>"
    sheet_xml = re.sub(
        rb'<c r="B' + row + rb'"[^>]*/>|<c r="B' + row + rb'"[^>]*>.*?</c>', b"", sheet_xml
    )
    return sheet_xml.replace(m.group(0), m.group(0) + cell, 1)


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"
    return [t.text or "" for t in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).iter(ns)]


def check_name(output: str | Path) -> Path:
    """The output path, refused (with the reason) unless the file is ``xlalloc.xlam``."""
    out = Path(output)
    if out.name != ADDIN_NAME:
        raise InputError(
            f"the add-in must be named {ADDIN_NAME}, not {out.name}: its Run button is "
            "xlwings' own, which runs `import <the add-in's file name>`, so named "
            f"{out.name} it would import {out.stem!r} instead of xlalloc; give a folder "
            f"and the name {ADDIN_NAME}, e.g. -o {out.with_name(ADDIN_NAME)}",
            where=option("output"),
        )
    return out


def addin_bytes(source: str | Path | None = None) -> bytes:
    """The add-in's bytes: the template with xlalloc's ribbon and settings (see module)."""
    src = Path(source) if source else quickstart_addin()
    buffer = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(buffer, "w") as zout:
        shared = _shared_strings(zin)
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == RIBBON_PART:
                data = RIBBON_XML.encode("utf-8")
            elif info.filename == SETTINGS_PART:
                data = _set_udf_modules(data, shared)
            # The template's own entry (name, date, compression), its bytes unchanged.
            zout.writestr(info, data, compress_type=info.compress_type)
    return buffer.getvalue()


def build(output: str | Path, force: bool = False, source: str | Path | None = None) -> Path:
    """Write ``xlalloc.xlam`` from xlwings' quickstart ribbon add-in, then verify it.

    Written by the one output rule (an existing file only with ``force``, atomically);
    the add-in is checked in memory before it is written, so a failed check or a full
    disk leaves nothing behind.

    Raises:
        InputError: Another file name, an existing file without ``force``, or an add-in
            that fails :func:`verify` (its problems listed).
    """
    from ..workbook.files import atomic_write, check_output

    out = check_output(check_name(output), (), force, (".xlam",))
    data = addin_bytes(source)
    report = verify_bytes(data, out.name, source)
    if not report.ok:
        raise InputError(
            "the add-in failed its checks: " + "; ".join(report.problems), where="addin"
        )
    return atomic_write(out, data)


@dataclass
class AddinReport:
    """What :func:`verify` found."""

    callbacks: list[str] = field(default_factory=list)
    vba_subs: list[str] = field(default_factory=list)
    vba_sha256: str = ""
    template_vba_sha256: str = ""
    udf_modules: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def verify(path: str | Path, source: str | Path | None = None) -> AddinReport:
    """Check a built add-in against the installed xlwings' template (see the module)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        return AddinReport(problems=[f"cannot read {path}: {e.strerror or e}"])
    return verify_bytes(data, path.name, source)


def verify_bytes(data: bytes, name: str, source: str | Path | None = None) -> AddinReport:
    """:func:`verify` on an add-in's bytes (``name``: the file name it has or will have)."""
    report = AddinReport()
    if name != ADDIN_NAME:
        report.problems.append(
            f"named {name}: xlwings' Run button imports the add-in's file name, so only "
            f"{ADDIN_NAME} runs xlalloc"
        )
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        report.problems.append(f"not a valid zip: {e}")
        return report
    with z, zipfile.ZipFile(Path(source) if source else quickstart_addin()) as template:
        if not _check_package(z, template, report):
            return report
    _check_vba(data, report)
    for cb in report.callbacks:
        if cb not in report.vba_subs:
            report.problems.append(f"ribbon callback {cb} is not a VBA Sub")
    return report


def _check_package(z: zipfile.ZipFile, template: zipfile.ZipFile, report: AddinReport) -> bool:
    """The zip, its parts against the template's, the ribbon and the UDF setting."""
    bad = z.testzip()
    if bad:
        report.problems.append(f"corrupt zip member {bad}")
        return False
    names, theirs = z.namelist(), template.namelist()
    if sorted(names) != sorted(theirs):
        report.problems.append(
            f"parts differ from xlwings' template: {sorted(set(names) ^ set(theirs))}"
        )
        return False
    for part in names:
        if part not in (RIBBON_PART, SETTINGS_PART) and z.read(part) != template.read(part):
            report.problems.append(f"{part} is not xlwings' template's, byte for byte")
    report.vba_sha256 = sha256(z.read(VBA_PART)).hexdigest()
    report.template_vba_sha256 = sha256(template.read(VBA_PART)).hexdigest()
    if "customUI/customUI.xml" not in z.read("_rels/.rels").decode():
        report.problems.append("ribbon XML is not referenced from _rels/.rels")
    try:  # a cut-short part or one declaring entities is a problem, never a crash
        ribbon = read_xml(z.read(RIBBON_PART), RIBBON_PART)
    except InputError as e:
        report.problems.extend(p.message for p in e.problems)
        return False
    if ribbon.tag != f"{{{RIBBON_NS}}}customUI":
        report.problems.append(f"ribbon root is {ribbon.tag}")
    tabs = [t.get("label") for t in ribbon.iter(f"{{{RIBBON_NS}}}tab")]
    if "xlalloc" not in tabs:
        report.problems.append(f"no xlalloc tab (tabs: {tabs})")
    report.callbacks = [b.get("onAction") for b in ribbon.iter(f"{{{RIBBON_NS}}}button")]
    sheet = z.read(SETTINGS_PART).decode("utf-8")
    m = re.search(r"<t>([\w.]+)</t></is>", sheet)
    report.udf_modules = m.group(1) if m else None
    if report.udf_modules != UDF_MODULE:
        report.problems.append(f"UDF Modules is {report.udf_modules!r}, not {UDF_MODULE}")
    return True


def _check_vba(data: bytes, report: AddinReport) -> None:
    """The VBA project's Subs (read with oletools' ``olevba``), for the ribbon's callbacks."""
    from oletools.olevba import VBA_Parser

    vba = VBA_Parser(ADDIN_NAME, data=data)
    try:
        code = {name: text for (_f, _s, name, text) in vba.extract_macros()}
    finally:
        vba.close()
    for module, text in code.items():
        for sub in re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)", text, re.M):
            report.vba_subs.append(f"{module.rsplit('.', 1)[0]}.{sub}")
