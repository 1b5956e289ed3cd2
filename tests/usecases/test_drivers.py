"""``xlalloc drivers``: the model part's figures, written as CSV or as the Drivers sheet."""

import pandas as pd
import pytest
from conftest import demo_model, drivers_rows
from libreoffice import read_values, recalculate

import xlalloc
from xlalloc.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = tmp_path_factory.mktemp("drivers")
    return d, demo_model(d / "model.xlsx")


def test_the_command_gives_the_model_parts_figures(demo, capsys):
    d, model = demo
    assert main(["drivers", str(model), "-o", str(d / "d.csv")]) == 0
    said = capsys.readouterr().out
    assert "2 programme(s) across 3 place(s); 1 too small to read" in said
    got = pd.read_csv(d / "d.csv", encoding="utf-8-sig", keep_default_na=False)
    part = xlalloc.run(model, d / "run.xlsx").tables()["drivers"]
    assert got["place"].tolist() == part["place"].tolist()
    for c in ("spend", "activity", "need", "above_need", "volume", "price"):
        assert got[c].tolist() == pytest.approx(part[c].tolist(), abs=1e-6), c
    # Written as a person reads it: "yes" where too few records, never True or False.
    assert set(got["too_small"]) == {"", "yes"}
    why = pd.read_csv(d / "d-why.csv", encoding="utf-8-sig")
    assert len(why) == 6 and why["sentence"].str.endswith(".").all()


def test_the_workbook_recalculates_to_the_engines_figures(demo, libreoffice, tmp_path):
    d, model = demo
    out = tmp_path / "d.xlsx"
    assert main(["drivers", str(model), "-o", str(out)]) == 0
    at, rows = drivers_rows(read_values(recalculate(out, tmp_path / "lo"))["Drivers"])
    table = xlalloc.drivers(model, tmp_path / "again.csv").tables["Drivers"]
    engine = {(r.programme, r.place): r for r in table.itertuples()}
    n = 0
    for programme, r in rows:
        e = engine[(programme, r[0])]
        assert r[at["Spend per weighted head (ICB = 1)"]] == pytest.approx(e.spend_index)
        assert r[at["Activity per weighted head (ICB = 1)"]] == pytest.approx(e.activity_index)
        assert r[at["Spend above need (£)"]] == pytest.approx(e.above_need, abs=1e-6)
        n += 1
    assert n == 8  # two programmes: three places and the ICB each


def test_a_model_without_activity_is_told_what_to_add(demo, tmp_path, capsys):
    from openpyxl import load_workbook

    wb = load_workbook(demo[1])
    ws = wb["Activity"]
    ws.delete_rows(5, ws.max_row)  # the header kept, every record gone
    model = tmp_path / "no-activity.xlsx"
    wb.save(model)
    capsys.readouterr()
    assert main(["drivers", str(model), "-o", str(tmp_path / "d.csv")]) == 2
    said = capsys.readouterr().err
    assert "no activity records for the model's budget lines" in said
    assert "--activity" in said and "Traceback" not in said
    assert not (tmp_path / "d.csv").exists()


def test_extracts_count_their_rows_as_records(demo, tmp_path):
    """An extract's rows are records: 300 rows of £100 for one practice's ambulance line."""
    d, model = demo
    from python_calamine import CalamineWorkbook

    practices = CalamineWorkbook.from_path(str(model)).get_sheet_by_name("Practices").to_python()
    head = practices[3]
    code = practices[4][head.index("practice_code")]
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "line,practice_code,amount\n" + f"Ambulance services,{code},100\n" * 300,
        encoding="utf-8",
    )
    r = xlalloc.drivers(model, tmp_path / "d.csv", activity=[extract])
    base = xlalloc.drivers(model, tmp_path / "base.csv").tables["Drivers"]
    t = r.tables["Drivers"]
    icb = lambda f: f[(f["programme"] == "Acute") & (f["place"] == "ICB")].iloc[0]  # noqa: E731
    assert icb(t)["activity"] == icb(base)["activity"] + 300
    assert icb(t)["spend"] == pytest.approx(icb(base)["spend"] + 30_000, abs=1e-6)


def test_a_real_icbs_drivers_from_a_generated_extract(shared_dir, libreoffice, tmp_path):
    """NHS Essex ICB's fifteen places with an extract of CHC and independent-sector acute
    records for every practice: the model's Drivers sheet, recalculated by LibreOffice,
    equals the command's figures, adds up place by place, and prints legibly."""
    import numpy as np
    from conftest import essex_model
    from libreoffice import body_text_sizes, to_pdf
    from python_calamine import CalamineWorkbook

    model, places, _ = essex_model(tmp_path, shared_dir)
    rows = CalamineWorkbook.from_path(str(model)).get_sheet_by_name("Practices").to_python()
    head = rows[3]
    codes = [r[head.index("practice_code")] for r in rows[4:] if r[head.index("year")] == "2026/27"]
    rng = np.random.default_rng(2026)
    lines = []
    for code in codes:
        for line, scale in (
            ("CHC packages of care", 9_000.0),
            ("Acute - independent sector", 3_000.0),
        ):
            for amount in rng.lognormal(np.log(scale), 0.6, size=int(rng.integers(5, 40))):
                lines.append(f"{line},{code},{amount:.2f}")
    extract = tmp_path / "extract.csv"
    extract.write_text("line,practice_code,amount\n" + "\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "essex-results.xlsx"
    assert main(["run", str(model), "--activity", str(extract), "-o", str(out)]) == 0
    table = xlalloc.drivers(model, tmp_path / "d.csv", activity=[extract]).tables["Drivers"]
    assert table["place"].nunique() == places + 1 == 16  # fifteen places and the ICB
    assert int(table.loc[table["place"] == "ICB", "activity"].sum()) == len(lines)
    engine = {(r.programme, r.place): r for r in table.itertuples()}
    at, rows = drivers_rows(read_values(recalculate(out, tmp_path / "lo"))["Drivers"])
    n = 0
    for programme, r in rows:
        e = engine[(programme, r[0])]
        assert r[at["Spend per weighted head (ICB = 1)"]] == pytest.approx(e.spend_index)
        assert r[at["Cost per record (ICB = 1)"]] == pytest.approx(e.cost_index)
        above = r[at["Spend above need (£)"]]
        assert above == pytest.approx(e.above_need, abs=1e-6)
        assert above == pytest.approx(
            r[at["From activity volume (£)"]] + r[at["From cost per record (£)"]], abs=1e-6
        )
        n += 1
    assert n == 2 * 16
    book = tmp_path / "drivers.xlsx"
    assert main(["drivers", str(model), "--activity", str(extract), "-o", str(book)]) == 0
    pages = body_text_sizes(to_pdf(book, tmp_path / "pdf"))
    assert pages and all(size >= 8.0 for _sheet, size, _n in pages), pages
