"""Monthly reporting packs: LibreOffice recalculation, reconciliation, reproducibility."""

import csv
import hashlib
import re
import shutil
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, demo_model
from hypothesis import given, settings
from hypothesis import strategies as st
from libreoffice import read_values, recalculate
from openpyxl import load_workbook
from openpyxl.styles import PatternFill
from pydantic import ValidationError

import xlalloc
from xlalloc import demo
from xlalloc.cli import main
from xlalloc.engine.errors import InputError
from xlalloc.engine.monitoring import phase_budgets
from xlalloc.model.runner import run_model
from xlalloc.readers.ledger import read_actuals
from xlalloc.readers.model import read_model
from xlalloc.reporting import SUMMARY_FILE, make_packs
from xlalloc.workbook.packs import PROGRAMME_HEADERS

MONTH = 6


@pytest.fixture(scope="module")
def demo_packs(tmp_path_factory):
    d = tmp_path_factory.mktemp("packs")
    model = d / "model.xlsx"
    demo_model(model)
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", str(MONTH), "-o", str(ledger)]) == 0
    out = d / "packs"
    assert (
        main(
            ["pack", str(model), "--actuals", str(ledger), "--month", str(MONTH), "--out", str(out)]
        )
        == 0
    )
    result = run_model(read_model(model))
    run = make_packs(
        result,
        read_actuals(ledger),
        MONTH,
        d / "again",
        sources=[f"model: {model.name}", f"ledger: {ledger.name}"],
    )
    return model, ledger, out, run


#: The programmes table's columns, by a short name (the sheet shows plain English).
H = dict(
    zip(
        [
            "programme",
            "annual budget",
            "budget to date",
            "actual to date",
            "variance £",
            "variance %",
            "forecast outturn",
            "forecast variance",
        ],
        PROGRAMME_HEADERS,
    )
)


def _programmes(values):
    rows = values["Programmes"]
    h = next(i for i, r in enumerate(rows) if r and r[0] == H["programme"])
    body = []
    for r in rows[h + 1 :]:
        if r[0] in ("", None):
            break
        body.append(r)
    return rows[h], body


@pytest.fixture(scope="module")
def recalculated(demo_packs, libreoffice):
    _, _, out, _ = demo_packs
    return {p.name: read_values(recalculate(p)) for p in sorted(out.glob("*.xlsx"))}


def test_pack_figures_equal_the_engine(recalculated, demo_packs):
    _, _, _, run = demo_packs
    bva = run.bva.set_index(["place", "programme"])
    for name, values in recalculated.items():
        if name == SUMMARY_FILE:
            continue
        place = name[:-5]
        header, body = _programmes(values)
        col = {h: j for j, h in enumerate(header)}
        for r in body[:-1]:
            e = bva.loc[(place, r[0])]
            assert r[col[H["annual budget"]]] == e["annual_budget"]
            assert r[col[H["budget to date"]]] == e["ytd_budget"]
            assert r[col[H["actual to date"]]] == pytest.approx(e["ytd_actual"], abs=1e-6)
            assert r[col[H["variance £"]]] == pytest.approx(e["variance"], abs=1e-6)
            # NHS convention, by hand: budget less actual (an underspend is favourable, +).
            assert r[col[H["variance £"]]] == pytest.approx(
                r[col[H["budget to date"]]] - r[col[H["actual to date"]]], abs=1e-6
            )
            assert r[col[H["variance %"]]] == pytest.approx(e["variance_pct"], rel=1e-12)
            assert r[col[H["forecast outturn"]]] == pytest.approx(e["forecast_outturn"], rel=1e-12)
            assert r[col[H["forecast variance"]]] == pytest.approx(e["forecast_variance"], abs=1e-6)
        total = body[-1]
        assert total[0] == "Total"
        place_rows = bva.loc[place]
        assert total[col[H["actual to date"]]] == pytest.approx(
            place_rows["ytd_actual"].sum(), abs=1e-6
        )
        summary = {r[0]: r[1] for r in values["Summary"] if r and r[0]}
        assert summary["Actual to date"] == total[col[H["actual to date"]]]
        assert summary["Variance to date: favourable / (adverse)"] == pytest.approx(
            total[col[H["budget to date"]]] - total[col[H["actual to date"]]], abs=1e-6
        )
        assert summary["Annual budget"] == place_rows["annual_budget"].sum()


def test_place_packs_sum_to_the_icb_summary_and_the_ledger(recalculated, demo_packs):
    _, ledger, _, run = demo_packs
    totals = {}
    for name, values in recalculated.items():
        header, body = _programmes(values)
        totals[name] = body[-1][header.index(H["actual to date"])]
    icb = totals.pop(SUMMARY_FILE)
    assert sum(totals.values()) == pytest.approx(icb, abs=0.005)
    # Independent check from the raw file: every numeric amount is either reported or an
    # exception; months after MONTH would be listed too.
    raw = pd.read_csv(ledger)
    amounts = pd.to_numeric(raw["amount"], errors="coerce")
    exc = pd.to_numeric(run.exceptions["amount"], errors="coerce").fillna(0).sum()
    assert icb + exc == pytest.approx(amounts.sum(), abs=0.005)
    recon = dict(zip(run.reconciliation["item"], run.reconciliation["amount"]))
    assert recon["Difference"] == 0
    summary = recalculated[SUMMARY_FILE]
    assert "Exceptions" in summary
    reasons = [r[1] for r in summary["Exceptions"][3:] if r[1]]
    assert reasons == [
        "unknown place 'Atlantis'",
        "month '13' is not 1 to 12",
        "amount 'see invoice' is not a number",
    ]


def test_bad_rows_are_listed_in_the_command_output(demo_packs, tmp_path, capsys):
    model, ledger, _, _ = demo_packs
    assert (
        main(
            [
                "pack",
                str(model),
                "--actuals",
                str(ledger),
                "--month",
                str(MONTH),
                "--out",
                str(tmp_path / "p"),
                "--place",
                "Brookvale",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "3 ledger row(s) not reported" in out
    assert "row 1856: unknown place 'Atlantis'" in out
    # The three figures, from the CSV by the csv module: every amount that is a number,
    # less the months after the one reported; left out: Atlantis and month 13.
    with open(ledger, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    pence = 0
    for r in rows:
        try:
            amount = round(float(r["amount"]) * 100)
        except ValueError:
            continue  # 'see invoice': no amount
        if not (r["month"].isdigit() and MONTH < int(r["month"]) <= 12):
            pence += amount
    left_out = 1_234_567 + 100_000
    assert out.splitlines()[-3:] == [
        f"ledger total, months 1 to {MONTH}: £{pence / 100:,.2f}",
        f"reported in the packs: £{(pence - left_out) / 100:,.2f}",
        "left out: £13,345.67 in 3 row(s), listed on the ICB summary's Exceptions sheet "
        "(1 of them with no amount that could be read)",
    ]
    assert "difference" not in out
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["Brookvale.xlsx", SUMMARY_FILE]


def test_packs_are_byte_identical_when_regenerated(demo_packs):
    _, _, out, run = demo_packs
    again = {p.name: p for p in run.paths}
    for p in out.glob("*.xlsx"):
        assert (
            hashlib.sha256(p.read_bytes()).digest()
            == hashlib.sha256(again[p.name].read_bytes()).digest()
        ), p.name


def test_user_styling_in_the_template_is_kept(demo_packs, tmp_path):
    model, ledger, _, _ = demo_packs
    tpl = tmp_path / "PACK.xlsx"
    shutil.copy(ROOT / "templates" / "PACK.xlsx", tpl)
    wb = load_workbook(tpl)
    wb["Cover"]["A2"].fill = PatternFill("solid", fgColor="7030A0")
    wb["Notes"]["A30"] = "Prepared by the Demoshire finance team"
    wb["Programmes"].column_dimensions["A"].width = 51
    wb.save(tpl)
    assert (
        main(
            [
                "pack",
                str(model),
                "--actuals",
                str(ledger),
                "--month",
                str(MONTH),
                "--out",
                str(tmp_path / "p"),
                "--template",
                str(tpl),
            ]
        )
        == 0
    )
    pack = load_workbook(tmp_path / "p" / "Castleton.xlsx")
    assert pack["Cover"]["A2"].fill.fgColor.rgb.endswith("7030A0")
    assert pack["Notes"]["A30"].value == "Prepared by the Demoshire finance team"
    assert pack["Programmes"].column_dimensions["A"].width == 51
    assert pack["Cover"]["B6"].value == "Castleton"


def test_bad_arguments(demo_packs, tmp_path, capsys):
    model, ledger, _, _ = demo_packs
    with pytest.raises(SystemExit) as e:  # argparse refuses it before anything runs
        main(
            ["pack", str(model), "--actuals", str(ledger), "--month", "13", "--out", str(tmp_path)]
        )
    assert e.value.code == 2
    assert "'13' is not a month 1 (April) to 12 (March)" in capsys.readouterr().err
    assert (
        main(
            [
                "pack",
                str(model),
                "--actuals",
                str(ledger),
                "--month",
                "3",
                "--out",
                str(tmp_path),
                "--place",
                "Nowhere",
            ]
        )
        == 2
    )
    assert "unknown place(s) ['Nowhere']" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"month": [1], "amount": [5]}).to_csv(bad, index=False)
    assert (
        main(["pack", str(model), "--actuals", str(bad), "--month", "3", "--out", str(tmp_path)])
        == 2
    )
    err = capsys.readouterr().err
    assert "missing column 'programme'" in err and "needs a 'place' or a 'practice_code'" in err


def test_phasing_profile(demo_packs, tmp_path):
    model, ledger, _, _ = demo_packs
    ph = tmp_path / "phasing.csv"
    shares = np.array([8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 10], dtype=float)
    pd.DataFrame({"month": range(1, 13), "share": shares / shares.sum()}).to_csv(ph, index=False)
    result = run_model(read_model(model))
    from xlalloc.readers.ledger import read_phasing

    run = make_packs(result, pd.read_csv(ledger), MONTH, tmp_path / "p", phasing=read_phasing(ph))
    b = run.bva
    # Six months of an 8/8/8/8/8/8 phasing out of 100: 48% of the year, to the pound.
    ratio = b["ytd_budget"].sum() / b["annual_budget"].sum()
    assert ratio == pytest.approx(0.48, abs=1e-6)
    bad = pd.Series([0.5] * 12, index=range(1, 13))
    with pytest.raises(InputError, match="shares sum to 6.000000, not 1"):
        make_packs(result, pd.read_csv(ledger), MONTH, tmp_path / "q", phasing=bad)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=6),
    st.lists(st.integers(min_value=0, max_value=100), min_size=12, max_size=12),
)
def test_property_monthly_budgets_sum_to_annual(budgets, weights):
    if sum(weights) == 0:
        return
    p = pd.Series(np.array(weights) / sum(weights), index=range(1, 13))
    annual = pd.DataFrame(
        {"place": [f"P{i}" for i in range(len(budgets))], "programme": "X", "budget": budgets}
    )
    m = phase_budgets(annual, p)
    got = m.groupby("place")["budget"].sum().reindex(annual["place"]).to_numpy()
    assert (got == np.array(budgets)).all()
    assert (m["budget"] >= 0).all()


def test_demo_ledger_is_deterministic():
    xl = demo.model_tables()
    assert len(xl["tblPractices"]) > 0
    cells = pd.DataFrame(
        {"place": ["A", "B"], "programme": ["Acute", "Acute"], "amount": [1_200_000.0, 2_400_000.0]}
    )
    pr = pd.DataFrame({"practice_code": ["X1", "X2"], "place": ["A", "B"]})
    pd.testing.assert_frame_equal(demo.ledger(cells, pr, 3), demo.ledger(cells, pr, 3))


def test_a_templates_logo_and_chart_are_kept_beside_xlallocs(demo_packs, tmp_path):
    # A template restyled in Excel: a logo on the Cover and the Programmes sheet (where
    # xlalloc also draws its chart), and a chart of the user's own on Notes.
    sys.path.insert(0, str(ROOT / "tests" / "workbook"))
    from test_package import _add, _in_sheet, _sheet_part, chart_on_input_sheet, picture

    from xlalloc.workbook.package import read_parts

    model, ledger, _, _ = demo_packs
    parts = read_parts(ROOT / "templates" / "PACK.xlsx")

    def notes_chart(p):
        # The corpus helper puts its chart on "Budget"; here that sheet is "Notes".
        wb = p["xl/workbook.xml"]
        p["xl/workbook.xml"] = wb.replace(b'name="Notes"', b'name="Budget"')
        chart_on_input_sheet(p)
        p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(b'name="Budget"', b'name="Notes"')

    picture(parts)
    notes_chart(parts)
    # The logo on Programmes too (its drawing then also holds xlalloc's variance chart).
    rid = _add(
        parts,
        "xl/drawings/drawing91.xml",
        parts["xl/drawings/drawing91.xml"],
        None,
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing",
        _sheet_part(parts, "Programmes"),
    )
    _in_sheet(
        parts,
        "Programmes",
        r"</worksheet>",
        f'<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships" r:id="{rid}"/>',
    )
    tpl = tmp_path / "PACK.xlsx"
    with zipfile.ZipFile(tpl, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out = tmp_path / "p"
    assert (
        main(
            [
                "pack",
                str(model),
                "--actuals",
                str(ledger),
                "--month",
                str(MONTH),
                "--out",
                str(out),
                "--template",
                str(tpl),
            ]
        )
        == 0
    )
    pack = read_parts(out / "Castleton.xlsx")
    for kept in ("xl/media/logo.png", "xl/charts/chart90.xml", "xl/drawings/drawing90.xml"):
        assert pack[kept] == parts[kept], kept
    logo_drawing = pack["xl/drawings/drawing91.xml"].decode()
    assert 'name="NHS logo"' in logo_drawing  # the logo is still there
    assert "Variance to date by care programme" in logo_drawing  # and xlalloc's chart too
    ours = re.findall(
        r'Id="rIdXlalloc\d+"[^>]*Target="\.\./charts/(chart\d+\.xml)"',
        pack["xl/drawings/_rels/drawing91.xml.rels"].decode(),
    )
    assert len(ours) == 1 and b"barChart" in pack[f"xl/charts/{ours[0]}"]
    values = read_values(recalculate(out / "Castleton.xlsx", tmp_path / "lo"))
    assert values["Cover"][5][1] == "Castleton"


def test_a_pack_request_is_checked_once_and_names_each_field(tmp_path):
    """The front door validates the request: every bad argument at once, by its name."""
    from xlalloc.cli import flags
    from xlalloc.reporting import PackRequest

    with pytest.raises(InputError) as e:
        xlalloc.packs(tmp_path / "none.xlsx", tmp_path / "none.csv", 13, tmp_path, threshold=5)
    found = [str(p) for p in e.value.problems]
    assert found == [
        "`month`: Input should be less than or equal to 12 (got 13)",
        "`threshold`: Input should be less than or equal to 1 (got 5); did you mean 0.05 "
        "for 5%? (rates are decimals)",
    ]
    assert flags(found[0]).startswith("--month: ")
    request = PackRequest.of(model="m.xlsx", actuals="l.csv", month=6, out_dir="packs")
    assert request.threshold == 0.05 and request.places is None  # PackSettings' default
    with pytest.raises(ValidationError):  # frozen: a request is what was asked
        request.month = 7
