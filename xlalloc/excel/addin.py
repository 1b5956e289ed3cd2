"""Build ``xlalloc.xlam``: xlwings' quickstart ribbon add-in with an xlalloc tab.

The build keeps xlwings' VBA (``RunPython`` and the rest) and rewrites its ribbon module
(:mod:`.vba`): the Run button calls ``xlallocRibbon.RunMain``, which runs ``import
xlalloc; xlalloc.main()`` whatever the add-in file is called; :func:`xlalloc.main` runs
the action named on the calling model's Policy sheet. The build also replaces the
ribbon XML and points the add-in's xlwings settings at xlalloc's UDF module, then
verifies the result (valid zip and ribbon XML, every ribbon callback defined in the
VBA, the VBA calling ``RunPython "import xlalloc; xlalloc.main()"``, no name left from
the xlwings template; VBA read with oletools' ``olevba``).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from .._version import __version__
from .vba import RIBBON_MODULE, rewrite_project

RIBBON_NS = "http://schemas.microsoft.com/office/2006/01/customui"
UDF_MODULE = "xlalloc.excel.udfs"

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
                  onAction="{RIBBON_MODULE}.RunMain" />
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
        raise FileNotFoundError(f"xlwings {xlwings.__version__} has no {path.name}")
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


def build(output: str | Path, source: str | Path | None = None) -> Path:
    """Write ``xlalloc.xlam`` (or another name) from xlwings' quickstart add-in.

    Returns:
        The path written, after :func:`verify` has passed.
    """
    src = Path(source) if source else quickstart_addin()
    out = Path(output)
    with zipfile.ZipFile(src) as zin:
        shared = [
            t.text or ""
            for t in ElementTree.fromstring(zin.read("xl/sharedStrings.xml")).iter(
                "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"
            )
        ]
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "customUI/customUI.xml":
                    data = RIBBON_XML.encode("utf-8")
                elif info.filename == "xl/vbaProject.bin":
                    data = rewrite_project(data)
                elif info.filename == "xl/worksheets/sheet1.xml":
                    data = _set_udf_modules(data, shared)
                elif info.filename == "docProps/core.xml":
                    data = re.sub(rb"<dc:title>.*?</dc:title>", b"", data)
                zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                zi.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(zi, data)
    report = verify(out)
    if not report.ok:
        raise ValueError("add-in failed its checks: " + "; ".join(report.problems))
    return out


@dataclass
class AddinReport:
    """What :func:`verify` found."""

    callbacks: list[str] = field(default_factory=list)
    vba_subs: list[str] = field(default_factory=list)
    runpython: bool = False
    udf_modules: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def verify(path: str | Path) -> AddinReport:
    """Check a built add-in's structure: zip, ribbon XML, VBA callbacks, settings."""
    report = AddinReport()
    path = Path(path)
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        report.problems.append(f"not a valid zip: {e}")
        return report
    with z:
        if not _check_package(z, report):
            return report
    _check_vba(path, report)
    for cb in report.callbacks:
        if cb not in report.vba_subs:
            report.problems.append(f"ribbon callback {cb} is not a VBA Sub")
    return report


def _check_package(z: zipfile.ZipFile, report: AddinReport) -> bool:
    """The zip, its ribbon and the UDF setting; ``False`` if a required part is missing."""
    bad = z.testzip()
    if bad:
        report.problems.append(f"corrupt zip member {bad}")
    names = z.namelist()
    for required in ("customUI/customUI.xml", "xl/vbaProject.bin", "xl/workbook.xml"):
        if required not in names:
            report.problems.append(f"missing {required}")
    if report.problems:
        return False
    rels = z.read("_rels/.rels").decode()
    if "customUI/customUI.xml" not in rels:
        report.problems.append("ribbon XML is not referenced from _rels/.rels")
    ribbon = ElementTree.fromstring(z.read("customUI/customUI.xml"))
    if ribbon.tag != f"{{{RIBBON_NS}}}customUI":
        report.problems.append(f"ribbon root is {ribbon.tag}")
    tabs = [t.get("label") for t in ribbon.iter(f"{{{RIBBON_NS}}}tab")]
    if "xlalloc" not in tabs:
        report.problems.append(f"no xlalloc tab (tabs: {tabs})")
    report.callbacks = [b.get("onAction") for b in ribbon.iter(f"{{{RIBBON_NS}}}button")]
    sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    m = re.search(r"<t>([\w.]+)</t></is>", sheet)
    report.udf_modules = m.group(1) if m else None
    if report.udf_modules != UDF_MODULE:
        report.problems.append(f"UDF Modules is {report.udf_modules!r}, not {UDF_MODULE}")
    return True


def _check_vba(path: Path, report: AddinReport) -> None:
    """The VBA project: renamed from the template, its Subs, the RunPython call."""
    import io

    import olefile
    from oletools.olevba import VBA_Parser

    with zipfile.ZipFile(path) as z:
        project = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin")))
        text = project.openstream("PROJECT").read().decode("cp1252")
        project.close()
    if "MyAddin" in text:
        report.problems.append("the VBA project still has the xlwings template's names")
    vba = VBA_Parser(str(path))
    try:
        code = {name: text for (_f, _s, name, text) in vba.extract_macros()}
    finally:
        vba.close()
    for module, text in code.items():
        for sub in re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)", text, re.M):
            report.vba_subs.append(f"{module.rsplit('.', 1)[0]}.{sub}")
        if 'RunPython "import xlalloc; xlalloc.main()"' in text:
            report.runpython = True
        for leftover in ("RibbonMyAddin", "MyAddin"):
            if leftover in module or re.search(rf"\b{leftover}\b", text):
                report.problems.append(f"{module} still names the xlwings template's {leftover}")
    if not report.runpython:
        report.problems.append('no VBA runs RunPython "import xlalloc; xlalloc.main()"')
