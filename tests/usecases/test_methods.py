"""``xlalloc methods``: every registered method, as the Budget sheet and the Policy name them."""

import csv

from xlalloc.cli import main


def test_every_registered_method_is_listed_in_the_guidances_order(tmp_path, capsys):
    out = tmp_path / "methods.csv"
    assert main(["methods", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        "apportionment: practice_data, place_split, capitation, scale, follow; "
        "convergence: level, pace, topslice; wrote "
    )
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["method"], r["kind"]) for r in rows][:2] == [
        ("practice_data", "apportionment"),
        ("place_split", "apportionment"),
    ]
    capitation = next(r for r in rows if r["method"] == "capitation")
    assert capitation["what_it_does"] == (
        "Needs-weighted capitation: the default and final fallback, always available."
    )
    # No reStructuredText marks in what a reader sees.
    assert not any("``" in r["what_it_does"] for r in rows)


def test_the_methods_workbook_labels_its_columns_from_the_registry(tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "methods.xlsx"
    assert main(["methods", "-o", str(out)]) == 0
    ws = load_workbook(out)["Methods"]
    headers = [c.value for c in next(ws.iter_rows(min_row=1, max_row=40)) if c.value]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header_row = next(r for r in rows if r and r[0] == "Method")
    assert header_row[:3] == ["Method", "Kind", "What it does"], headers


def test_the_methods_workbook_recalculates_to_the_table_and_prints_on_one_legible_page(
    tmp_path, libreoffice
):
    from libreoffice import body_text_sizes, read_values, recalculate, to_pdf

    from xlalloc.usecases.methods import methods_table

    out = tmp_path / "methods.xlsx"
    assert main(["methods", "-o", str(out)]) == 0
    rows = read_values(recalculate(out, tmp_path / "recalc"))["Methods"]
    header = next(k for k, r in enumerate(rows) if r and r[0] == "Method")
    table = methods_table()
    got = [r[:3] for r in rows[header + 1 : header + 1 + len(table)]]
    assert got == [list(r) for r in table.itertuples(index=False)]
    pages = body_text_sizes(to_pdf(out, tmp_path / "pdf"))
    assert len(pages) == 1  # the whole list on one page
    assert pages[0][1] >= 8  # body text at least 8 pt on paper
