"""Write only what xlalloc owns: a corpus of real-world workbook content on input sheets.

Each case starts from the demo model and adds content finance workbooks hold (as
Excel writes it), then runs ``run -o`` and ``run --in-place`` twice. Every part
xlalloc does not own must come out byte-identical; the four parts it edits keep
every entry they had; a second in-place run gives the same file as the first.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import xlwings
from conftest import demo_model, sha
from libreoffice import read_values, recalculate

import xlalloc
from xlalloc.cli import main
from xlalloc.model.schema import OUTPUT_SHEETS
from xlalloc.readers.ooxml import sheet_parts
from xlalloc.workbook.package import OWNER_NAME, owned_sheets, read_parts

X14 = 'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"'
XM = 'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"'
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EDITED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}


def _sheet_part(parts, name):
    """A sheet's part, found with the standard library's parser (not xlalloc's)."""
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    wb = ElementTree.fromstring(parts["xl/workbook.xml"])
    rid = next(s.get(f"{{{NS_R}}}id") for s in wb.iter(f"{main}sheet") if s.get("name") == name)
    rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(name)


def _add(parts, name, data, content_type=None, rel=None, rel_from="xl/workbook.xml"):
    parts[name] = data.encode() if isinstance(data, str) else data
    if content_type:
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            f'<Override PartName="/{name}" ContentType="{content_type}"/></Types>'.encode(),
        )
    if rel:
        rels_part = (
            "_rels/.rels"
            if rel_from == ""
            else rel_from.rsplit("/", 1)[0] + "/_rels/" + rel_from.rsplit("/", 1)[1] + ".rels"
        )
        target = (
            name
            if rel_from == ""
            else name.split("xl/", 1)[1]
            if rel_from.startswith("xl/workbook")
            else "../" + name.split("xl/", 1)[1]
        )
        rid = f"rIdX{len(parts)}"
        entry = f'<Relationship Id="{rid}" Type="{rel}" Target="{target}"/>'
        if rels_part in parts:
            parts[rels_part] = parts[rels_part].replace(
                b"</Relationships>", entry.encode() + b"</Relationships>"
            )
        else:
            parts[rels_part] = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f"{entry}</Relationships>"
            ).encode()
        return rid
    return None


def _in_sheet(parts, sheet, before, xml):
    part = _sheet_part(parts, sheet)
    text = parts[part].decode()
    m = re.search(before, text)
    at = m.start() if m else text.index("</worksheet>")
    parts[part] = (text[:at] + xml + text[at:]).encode()


def formula_with_stored_result(parts):
    # min_growth held as a formula with its stored result, as Excel saves it.
    part = _sheet_part(parts, "Policy")
    text = parts[part].decode()
    text, n = re.subn(
        r'<c r="B11"([^>]*?)(?: t="n")?><v>0\.01</v></c>',
        r'<c r="B11"\1><f>1/100</f><v>0.01</v></c>',
        text,
    )
    assert n == 1
    parts[part] = text.encode()


def comments(parts):
    rid = _add(
        parts,
        "xl/comments1.xml",
        '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<authors><author>Finance</author></authors><commentList><comment ref="A5" '
        'authorId="0"><text><r><t>Check with the contract team</t></r></text></comment>'
        "</commentList></comments>",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments",
        _sheet_part(parts, "Budget"),
    )
    assert rid


def chart_on_input_sheet(parts):
    chart = (
        '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart><c:plotArea><c:layout/><c:barChart><c:barDir val="col"/><c:grouping '
        'val="clustered"/><c:ser><c:idx val="0"/><c:order val="0"/><c:val><c:numRef>'
        '<c:f>Budget!$C$5:$C$10</c:f></c:numRef></c:val></c:ser><c:axId val="1"/>'
        '<c:axId val="2"/></c:barChart><c:catAx><c:axId val="1"/><c:scaling/><c:axPos '
        'val="b"/><c:crossAx val="2"/></c:catAx><c:valAx><c:axId val="2"/><c:scaling/>'
        '<c:axPos val="l"/><c:crossAx val="1"/></c:valAx></c:plotArea></c:chart>'
        "</c:chartSpace>"
    )
    _add(
        parts,
        "xl/charts/chart90.xml",
        chart,
        "application/vnd.openxmlformats-officedocument.drawingml.chart+xml",
    )
    drawing = (
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><xdr:oneCellAnchor><xdr:from><xdr:col>12</xdr:col><xdr:colOff>0'
        "</xdr:colOff><xdr:row>2</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext "
        'cx="4000000" cy="2500000"/><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr>'
        '<xdr:cNvPr id="2" name="Budget chart"/><xdr:cNvGraphicFramePr/>'
        '</xdr:nvGraphicFramePr><xdr:xfrm/><a:graphic><a:graphicData uri="http://'
        'schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://'
        'schemas.openxmlformats.org/drawingml/2006/chart" r:id="rId1"/></a:graphicData>'
        "</a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
    )
    _add(
        parts,
        "xl/drawings/drawing90.xml",
        drawing,
        "application/vnd.openxmlformats-officedocument.drawing+xml",
    )
    parts["xl/drawings/_rels/drawing90.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/chart" Target="../charts/chart90.xml"/></Relationships>'
    )
    rid = _add(
        parts,
        "xl/drawings/drawing90.xml",
        parts["xl/drawings/drawing90.xml"],
        None,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing",
        _sheet_part(parts, "Budget"),
    )
    _in_sheet(parts, "Budget", r"<tableParts", f'<drawing xmlns:r="{NS_R}" r:id="{rid}"/>')


def picture(parts):
    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00"
        b"\x00\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00"
        b"\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    parts["xl/media/logo.png"] = png
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1
    )
    drawing = (
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/'
        'spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/'
        'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships"><xdr:oneCellAnchor><xdr:from><xdr:col>4</xdr:col><xdr:colOff>0'
        "</xdr:colOff><xdr:row>0</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext "
        'cx="952500" cy="952500"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="1" name="NHS logo"'
        '/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/>'
        "<a:stretch><a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom "
        'prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/>'
        "</xdr:oneCellAnchor></xdr:wsDr>"
    )
    _add(
        parts,
        "xl/drawings/drawing91.xml",
        drawing,
        "application/vnd.openxmlformats-officedocument.drawing+xml",
    )
    parts["xl/drawings/_rels/drawing91.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/image" Target="../media/logo.png"/></Relationships>'
    )
    cover = _sheet_part(parts, "Cover")
    rid = _add(
        parts,
        "xl/drawings/drawing91.xml",
        parts["xl/drawings/drawing91.xml"],
        None,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing",
        cover,
    )
    _in_sheet(parts, "Cover", r"</worksheet>", f'<drawing xmlns:r="{NS_R}" r:id="{rid}"/>')


def sparklines_and_data_bars_and_cross_sheet_validation(parts):
    _in_sheet(
        parts,
        "Budget",
        r"</worksheet>",
        (
            f'<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" {X14}>'
            f'<x14:dataValidations count="1" {XM}><x14:dataValidation type="list" allowBlank="1">'
            "<x14:formula1><xm:f>Lookup!$A$1:$A$9</xm:f></x14:formula1><xm:sqref>B5:B40"
            "</xm:sqref></x14:dataValidation></x14:dataValidations></ext>"
            f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" {X14}>'
            f"<x14:conditionalFormattings><x14:conditionalFormatting {XM}><x14:cfRule "
            'type="dataBar" id="{00000000-000E-0000-0000-000001000000}"><x14:dataBar minLength="0" '
            'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar>'
            "</x14:cfRule><xm:sqref>C5:C40</xm:sqref></x14:conditionalFormatting>"
            "</x14:conditionalFormattings></ext>"
            f'<ext uri="{{05C60535-1F16-4fd2-B633-F4F36F0B64E0}}" {X14}><x14:sparklineGroups '
            f"{XM}><x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>Budget!C5:C10</xm:f>"
            "<xm:sqref>I5</xm:sqref></x14:sparkline></x14:sparklines></x14:sparklineGroup>"
            "</x14:sparklineGroups></ext></extLst>"
        ),
    )


def rich_text_and_ignored_errors(parts):
    part = _sheet_part(parts, "Cover")
    text = parts[part].decode()
    text = text.replace(
        "</sheetData>",
        '<row r="60"><c r="A60" t="inlineStr"><is><r><rPr><b/>'
        '</rPr><t>Important:</t></r><r><t xml:space="preserve"> read the '
        "notes</t></r></is></c></row></sheetData>",
        1,
    )
    parts[part] = text.encode()
    _in_sheet(
        parts,
        "Practices",
        r"<tableParts",
        '<ignoredErrors><ignoredError sqref="A5:A148" numberStoredAsText="1"/></ignoredErrors>',
    )


def sensitivity_label_and_custom_xml(parts):
    _add(
        parts,
        "docMetadata/LabelInfo.xml",
        '<clbl:labelList xmlns:clbl="http://schemas.microsoft.com/office/2020/mipLabelMetadata">'
        '<clbl:label id="{1e2b3c4d-0000-4000-8000-000000000001}" enabled="1" method="Standard" '
        'siteId="{37c354b2-85b0-47f5-b222-07b48d774ee3}" removed="0"/></clbl:labelList>',
        "application/vnd.ms-office.classificationlabels+xml",
        "http://schemas.microsoft.com/office/2020/02/relationships/classificationlabels",
        "",
    )
    parts["customXml/item1.xml"] = (
        b'<?xml version="1.0"?><p:properties xmlns:p="http://'
        b'schemas.microsoft.com/office/2006/metadata/properties">'
        b"<documentManagement/></p:properties>"
    )
    _add(
        parts,
        "customXml/itemProps1.xml",
        '<ds:datastoreItem ds:itemID="{5A1F0C3E-0000-4000-8000-000000000002}" xmlns:ds="http:'
        '//schemas.openxmlformats.org/officeDocument/2006/customXml"/>',
        "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
    )
    parts["customXml/_rels/item1.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/customXmlProps" Target="itemProps1.xml"/></Relationships>'
    )
    rels = parts["xl/_rels/workbook.xml.rels"]
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCX1" Type="http://schemas.openxmlformats.'
        b'org/officeDocument/2006/relationships/customXml" Target="../customXml/item1.xml"/>'
        b"</Relationships>",
    )


def connection_query_table_and_external_link(parts):
    _add(
        parts,
        "xl/connections.xml",
        '<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<connection id="1" name="Ledger" type="5" refreshedVersion="8" background="1">'
        '<dbPr connection="Provider=MSOLEDBSQL;Data Source=ledger;" command="SELECT 1"/>'
        "</connection></connections>",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/connections",
    )
    _add(
        parts,
        "xl/queryTables/queryTable1.xml",
        '<queryTable xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'name="Ledger" connectionId="1" autoFormatId="16" applyNumberFormats="0" '
        'applyBorderFormats="0" applyFontFormats="0" applyPatternFormats="0" '
        'applyAlignmentFormats="0" applyWidthHeightFormats="0"/>',
        "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/queryTable",
        _sheet_part(parts, "Totals"),
    )
    _add(
        parts,
        "xl/externalLinks/externalLink1.xml",
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<externalBook r:id="rId1"><sheetNames><sheetName val="Plan"/></sheetNames>'
        "</externalBook></externalLink>",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml",
    )
    parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/externalLinkPath" Target="file:///C:/Plans/plan.xlsx" '
        b'TargetMode="External"/></Relationships>'
    )
    rid = _add(
        parts,
        "xl/externalLinks/externalLink1.xml",
        parts["xl/externalLinks/externalLink1.xml"],
        None,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLink",
    )
    wb = parts["xl/workbook.xml"].decode()
    parts["xl/workbook.xml"] = wb.replace(
        "</sheets>",
        f'</sheets><externalReferences><externalReference xmlns:r="{NS_R}" r:id="{rid}"/>'
        "</externalReferences>",
        1,
    ).encode()


def hidden_very_hidden_and_protected(parts):
    wb = parts["xl/workbook.xml"].decode()
    wb = wb.replace(
        '<sheet name="PlaceSplits" sheetId="7" state="visible"',
        '<sheet name="PlaceSplits" sheetId="7" state="hidden"',
        1,
    )
    wb = wb.replace(
        '<sheet name="Activity" sheetId="6" state="visible"',
        '<sheet name="Activity" sheetId="6" state="veryHidden"',
        1,
    )
    parts["xl/workbook.xml"] = wb.encode()
    _in_sheet(
        parts,
        "Baselines",
        r"<pageMargins",
        '<sheetProtection sheet="1" objects="1" scenarios="1"/>',
    )


def macros_and_custom_ribbon(parts):
    addin = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"
    with zipfile.ZipFile(addin) as z:
        vba, ui = z.read("xl/vbaProject.bin"), z.read("customUI/customUI.xml")
    _add(
        parts,
        "xl/vbaProject.bin",
        vba,
        "application/vnd.ms-office.vbaProject",
        "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
    )
    _add(
        parts,
        "customUI/customUI.xml",
        ui,
        None,
        "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
        "",
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )


CASES = {
    f.__name__: f
    for f in (
        formula_with_stored_result,
        comments,
        chart_on_input_sheet,
        picture,
        sparklines_and_data_bars_and_cross_sheet_validation,
        rich_text_and_ignored_errors,
        sensitivity_label_and_custom_xml,
        connection_query_table_and_external_link,
        hidden_very_hidden_and_protected,
    )
}


def build(tmp_path: Path, edits, suffix=".xlsx") -> Path:
    base = tmp_path / "base.xlsx"
    demo_model(base)
    with zipfile.ZipFile(base) as z:
        order = [i.filename for i in z.infolist()]
        parts = {n: z.read(n) for n in order}
    for edit in edits:
        edit(parts)
    out = tmp_path / f"model{suffix}"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in [*order, *[n for n in parts if n not in order]]:
            z.writestr(name, parts[name])
    return out


def _entries(xml: bytes, tag: str) -> set[str]:
    return set(re.findall(rf"<{tag}\b[^>]*?/>|<{tag}\b.*?</{tag}>", xml.decode(), flags=re.S))


def assert_only_owned_parts_changed(before: dict[str, bytes], after: dict[str, bytes]):
    owned = set(owned_sheets(after))
    ours = set()
    for name in owned:
        part = _sheet_part(after, name)
        ours |= {part, part.replace("worksheets/", "worksheets/_rels/") + ".rels"}
    ours |= {
        p
        for p in after
        if re.fullmatch(
            r"xl/(drawings|charts)/(_rels/)?(drawing|chart)"
            r"\d+\.xml(\.rels)?",
            p,
        )
        and not re.search(r"9\d\.xml", p)
    }
    for name, data in before.items():
        if name in EDITED or name in ours:
            continue
        assert name in after, f"{name} was dropped"
        assert after[name] == data, f"{name} changed"
    # The parts xlalloc edits keep every entry they had.
    for part, tag in (
        ("xl/workbook.xml", "sheet"),
        ("xl/workbook.xml", "definedName"),
        ("xl/workbook.xml", "externalReference"),
        ("xl/_rels/workbook.xml.rels", "Relationship"),
        ("[Content_Types].xml", "Default"),
    ):
        kept = {e for e in _entries(before[part], tag) if OWNER_NAME not in e}
        assert kept <= _entries(after[part], tag), (part, tag)
    for tag in ("font", "fill", "xf", "numFmt"):
        old, new = before["xl/styles.xml"].decode(), after["xl/styles.xml"].decode()
        items = re.findall(rf"<{tag}\b[^>]*?/>|<{tag}\b.*?</{tag}>", old, flags=re.S)
        new_items = re.findall(rf"<{tag}\b[^>]*?/>|<{tag}\b.*?</{tag}>", new, flags=re.S)
        assert new_items[: len(items)] == items, f"styles: {tag} changed or reordered"


@pytest.mark.parametrize("case", sorted(CASES))
def test_run_keeps_every_part_xlalloc_does_not_own(tmp_path, case):
    model = build(tmp_path, [CASES[case]])
    before = read_parts(model)
    out = tmp_path / "out.xlsx"
    assert main(["run", str(model), "-o", str(out)]) == 0
    assert read_parts(model) == before  # the input itself is untouched
    assert_only_owned_parts_changed(before, read_parts(out))
    assert main(["run", str(model), "--in-place"]) == 0
    first = read_parts(model)
    assert_only_owned_parts_changed(before, first)
    assert set(owned_sheets(first)) == set(OUTPUT_SHEETS)
    assert main(["run", str(model), "--in-place"]) == 0
    second = read_parts(model)  # its Assurance sheet records the first run's Policy
    assert {k for k in second if second[k] != first.get(k)} == {sheet_parts(first)["Assurance"]}
    assert main(["run", str(model), "--in-place"]) == 0
    assert read_parts(model) == second  # a third run gives the same package


def test_a_policy_formula_keeps_its_stored_result_run_after_run(tmp_path):
    model = build(tmp_path, [formula_with_stored_result])
    r1 = xlalloc.run(model, in_place=True)
    r2 = xlalloc.run(model, in_place=True)
    assert r1.inputs.policy.min_growth == r2.inputs.policy.min_growth == 0.01
    assert r1.tables()["convergence"].equals(r2.tables()["convergence"])


def test_everything_at_once_in_a_macro_workbook(tmp_path, libreoffice):
    model = build(tmp_path, [*CASES.values(), macros_and_custom_ribbon], suffix=".xlsm")
    before = read_parts(model)
    assert main(["run", str(model), "--in-place"]) == 0
    after = read_parts(model)
    assert_only_owned_parts_changed(before, after)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert after["customUI/customUI.xml"] == before["customUI/customUI.xml"]
    # LibreOffice opens the result and its Checks read 0.
    values = read_values(recalculate(model, tmp_path / "lo"))
    checks = values["Checks"]
    total = next(r for r in checks if r and r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0


def test_a_macro_workbook_is_never_written_with_an_xlsx_name(tmp_path, capsys):
    model = build(tmp_path, [macros_and_custom_ribbon], suffix=".xlsm")
    assert main(["run", str(model), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "out.xlsx: the output's format follows its extension; expected one of .xlsm" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out.xlsx").exists()


def test_a_sheet_of_yours_with_an_output_name_is_never_overwritten(tmp_path, capsys):
    def users_audit(parts):
        # The user's own sheet called Audit (a copy of the Cover), before any run.
        rid = _add(
            parts,
            "xl/worksheets/sheet99.xml",
            parts[_sheet_part(parts, "Cover")],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
            "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
        )
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"</sheets>",
            f'<sheet xmlns:r="{NS_R}" name="Audit" sheetId="99" r:id="{rid}"/></sheets>'.encode(),
        )

    model = build(tmp_path, [users_audit])
    before = sha(model)
    assert main(["run", str(model), "--in-place"]) == 2
    err = capsys.readouterr().err
    assert "the workbook has sheet(s) 'Audit' that xlalloc did not write" in err
    assert sha(model) == before


def test_outputs_carry_stored_values_equal_to_libreoffice(tmp_path, libreoffice):
    from python_calamine import CalamineWorkbook

    model = demo_model(tmp_path / "m.xlsx")
    out = tmp_path / "out.xlsx"
    xlalloc.run(model, out)
    stored = CalamineWorkbook.from_path(str(out))
    recalc = read_values(recalculate(out, tmp_path / "lo"))
    n = 0
    for sheet in OUTPUT_SHEETS:
        a = stored.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        b = recalc[sheet]
        for i, row in enumerate(a):
            for j, v in enumerate(row):
                w = b[i][j] if i < len(b) and j < len(b[i]) else ""
                if isinstance(v, float) or isinstance(w, float):
                    n += 1
                    assert v == pytest.approx(w, rel=1e-9, abs=1e-6), (sheet, i + 1, j + 1)
                else:
                    assert v == w, (sheet, i + 1, j + 1)
    assert n > 500


def test_ownership_record_survives_and_is_hidden(tmp_path):
    model = demo_model(tmp_path / "m.xlsx")
    xlalloc.run(model, in_place=True)
    wb = read_parts(model)["xl/workbook.xml"].decode()
    assert (
        f'<definedName name="{OWNER_NAME}" hidden="1">"Apportionment|Assurance|Audit|Bridge|'
        'Checks|Convergence|Drivers|Equity|Summary|Targets|Trajectory"</definedName>'
    ) in wb


def _respelled(data: bytes) -> bytes:
    """The same XML spelt another valid way: the main namespace under a prefix, attributes
    in single quotes, the relationships namespace declared on each element that uses it
    (with the standard library's serialiser, independent of xlalloc's adapter)."""
    from xml.etree import ElementTree

    for prefix, uri in (
        ("x", "http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
        ("pr", "http://schemas.openxmlformats.org/package/2006/relationships"),
        ("ct", "http://schemas.openxmlformats.org/package/2006/content-types"),
        ("rel", NS_R),
    ):
        ElementTree.register_namespace(prefix, uri)
    text = ElementTree.tostring(ElementTree.fromstring(data), encoding="unicode")
    text = re.sub(r'="([^"\']*)"', r"='\1'", text)
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + text).encode()


def test_the_parts_xlalloc_edits_may_be_spelt_any_valid_way(tmp_path, capsys):
    """Prefixes, quotes and where namespaces are declared are the writer's choice (Excel,
    openpyxl with or without lxml, other tools differ): the run's edits stay valid."""
    from xml.etree import ElementTree

    def respell(parts):
        for name in EDITED:
            parts[name] = _respelled(parts[name])

    model = build(tmp_path, [respell])
    assert b"<x:workbook" in read_parts(model)["xl/workbook.xml"]
    assert main(["run", str(model), "--in-place"]) == 0, capsys.readouterr().err
    first = read_parts(model)
    for name in EDITED:
        ElementTree.fromstring(first[name])  # well-formed, every prefix declared
    assert b"<x:workbook" in first["xl/workbook.xml"]  # the user's spelling kept
    assert set(owned_sheets(first)) == set(OUTPUT_SHEETS)
    assert main(["run", str(model), "--in-place"]) == 0
    second = read_parts(model)  # (its Assurance sheet records the first run's Policy)
    assurance = sheet_parts(first)["Assurance"]
    assert {k for k in second if second[k] != first.get(k)} == {assurance}
    assert main(["run", str(model), "--in-place"]) == 0
    assert read_parts(model) == second  # styles appended once, then found again
    ran = read_values(model)
    plain = tmp_path / "plain.xlsx"
    demo_model(plain)
    assert main(["run", str(plain), "--in-place"]) == 0
    assert read_values(plain)["Apportionment"] == ran["Apportionment"]
