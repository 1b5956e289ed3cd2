"""``xlalloc compare``: a comparison written when given an output."""

import xlalloc.api as api


def test_compare_writes_its_changes_when_given_an_output(tmp_path):
    from conftest import demo_model

    old = demo_model(tmp_path / "old.xlsx")
    new = tmp_path / "new.xlsx"
    import xlalloc

    xlalloc.run(old, new, scenario={"pace": "0.5"})
    comparison = api.compare(old, new, tmp_path / "changes.csv")
    assert comparison.written == tmp_path / "changes.csv"
    assert (tmp_path / "changes-places.csv").exists()
    assert api.compare(old, new).written is None  # nothing written without an output
