"""docs/model-workbook.md is generated from the schema and the policy model."""

from conftest import ROOT


def test_layout_document_is_generated_from_the_schema():
    from xlalloc.model.docs import render

    committed = (ROOT / "docs" / "model-workbook.md").read_text(encoding="utf-8")
    assert committed == render(), "regenerate: python -m xlalloc.model.docs"
