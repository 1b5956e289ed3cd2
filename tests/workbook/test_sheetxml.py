"""A sheet's XML: cells by type, formulas with their stored values, the print setup."""

from xlalloc.workbook.package import new_package
from xlalloc.workbook.printing import print_scale
from xlalloc.workbook.sheetspec import MONEY, Drawing
from xlalloc.workbook.sheetxml import sheet_xml
from xlalloc.workbook.styles import _Styles
from xlalloc.workbook.xmlparts import STYLES_PART


def test_cells_by_type_and_formulas_with_their_values():
    d = Drawing("S")
    d.put(1, 1, "Budget & actual")
    d.put(1, 2, 1234.5, MONEY)
    d.formula(2, 2, "=B1*2", MONEY, value=2469.0)
    spec = d.spec()
    styles = _Styles.parse(new_package()[STYLES_PART])
    xml = sheet_xml(spec, styles, None, scale=print_scale(spec))
    assert '<c r="A1" t="inlineStr"><is><t xml:space="preserve">Budget &amp; actual</t>' in xml
    assert "<v>1234.5</v>" in xml
    assert "<f>B1*2</f><v>2469</v>" in xml  # a formula carries the engine's figure
    assert '<dimension ref="A1:B2"/>' in xml
    assert '&amp;C&amp;"-,Bold"OFFICIAL' in xml  # the marking on every page
