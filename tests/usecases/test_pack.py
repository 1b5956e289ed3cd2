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
from conftest import ROOT, demo_model, pack_argv
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
from xlalloc.usecases.pack import make_packs, summary_name
from xlalloc.workbook.packs import PROGRAMME_HEADERS

MONTH = 6
#: Each pack's name ends with its period (the demo's 2026/27, month MONTH).
TAG = f" 2026-27 M{MONTH:02d}.xlsx"
SUMMARY_FILE = summary_name(f"2026-27 M{MONTH:02d}")


@pytest.fixture(scope="module")
def demo_packs(tmp_path_factory):
    d = tmp_path_factory.mktemp("packs")
    model = d / "model.xlsx"
    demo_model(model)
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", str(MONTH), "-o", str(ledger)]) == 0
    out = d / "packs"
    assert main(pack_argv(model, ledger, MONTH, out)) == 0
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
        place = name[: -len(TAG)]
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
    assert recon["Check: reported + left out - ledger total (0)"] == 0
    summary = recalculated[SUMMARY_FILE]
    assert "Exceptions" in summary
    sheet = summary["Exceptions"]
    # The reconciliation in full at the top, the same figures as the command prints.
    f = run.figures
    assert sheet[2][:2] == ["Reconciliation to the ledger", "Amount (£)"]
    shown = {r[0]: r[1] for r in sheet[3:10]}
    assert shown[f"Ledger total, months 1 to {MONTH}"] == f.months_total
    assert shown[f"Reported in the packs, months 1 to {MONTH}"] == f.reported
    assert shown[f"Left out: {f.rows_left_out} row(s) on the Exceptions sheet"] == f.left_out
    assert shown["Check: reported + left out - ledger total (0)"] == 0
    assert f.reported == pytest.approx(icb, abs=0.005)
    reasons = [r[1] for r in sheet[12:] if r[1]]
    assert reasons == [
        "unknown place 'Atlantis'",
        "month '13' is not a month 1 (April) to 12 (March)",
        "amount 'see invoice' is not a number",
    ]


def test_bad_rows_are_listed_in_the_command_output(demo_packs, tmp_path, capsys):
    model, ledger, _, _ = demo_packs
    assert main(pack_argv(model, ledger, MONTH, tmp_path / "p", "--place", "Brookvale")) == 0
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
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [f"Brookvale{TAG}", SUMMARY_FILE]


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
    wb["Summary"]["A13"].fill = PatternFill("solid", fgColor="7030A0")
    wb["Target"]["A40"] = "Prepared by the Demoshire finance team"
    wb["Programmes"].column_dimensions["A"].width = 51
    wb.save(tpl)
    assert main(pack_argv(model, ledger, MONTH, tmp_path / "p", "--template", tpl)) == 0
    pack = load_workbook(tmp_path / "p" / f"Castleton{TAG}")
    assert pack["Summary"]["A13"].fill.fgColor.rgb.endswith("7030A0")
    assert pack["Target"]["A40"].value == "Prepared by the Demoshire finance team"
    assert pack["Programmes"].column_dimensions["A"].width == 51
    assert pack["Summary"]["A1"].value == "Castleton"


def test_bad_arguments(demo_packs, tmp_path, capsys):
    model, ledger, _, _ = demo_packs
    with pytest.raises(SystemExit) as e:  # argparse refuses it before anything runs
        main(pack_argv(model, ledger, 13, tmp_path))
    assert e.value.code == 2
    assert "'13' is not a month 1 (April) to 12 (March)" in capsys.readouterr().err
    assert main(pack_argv(model, ledger, 3, tmp_path, "--place", "Nowhere")) == 2
    assert "unknown place 'Nowhere'. The model's places are Ashford City, Brookvale and" in (
        capsys.readouterr().err
    )
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"month": [1], "amount": [5]}).to_csv(bad, index=False)
    assert main(pack_argv(model, bad, 3, tmp_path)) == 2
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
    # A template restyled in Excel: a logo on the Target sheet (where xlalloc also draws
    # its chart), and a chart of the user's own on Summary (where xlalloc draws none).
    sys.path.insert(0, str(ROOT / "tests" / "workbook"))
    from test_package import chart_on_input_sheet, picture

    from xlalloc.workbook.package import read_parts

    model, ledger, _, _ = demo_packs
    parts = read_parts(ROOT / "templates" / "PACK.xlsx")

    def renamed(p, sheet, as_, edit):
        # The corpus helpers work on sheets named "Cover" and "Budget": rename to suit.
        p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(
            f'name="{sheet}"'.encode(), f'name="{as_}"'.encode()
        )
        edit(p)
        p["xl/workbook.xml"] = p["xl/workbook.xml"].replace(
            f'name="{as_}"'.encode(), f'name="{sheet}"'.encode()
        )

    # A logo on Target, whose drawing then also holds xlalloc's trajectory chart.
    renamed(parts, "Target", "Cover", picture)
    renamed(parts, "Summary", "Budget", chart_on_input_sheet)  # the user's own chart
    tpl = tmp_path / "PACK.xlsx"
    with zipfile.ZipFile(tpl, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    out = tmp_path / "p"
    assert main(pack_argv(model, ledger, MONTH, out, "--template", tpl)) == 0
    pack = read_parts(out / f"Castleton{TAG}")
    for kept in ("xl/media/logo.png", "xl/charts/chart90.xml", "xl/drawings/drawing90.xml"):
        assert pack[kept] == parts[kept], kept
    logo_drawing = pack["xl/drawings/drawing91.xml"].decode()
    assert 'name="NHS logo"' in logo_drawing  # the logo is still there
    assert "Distance from target" in logo_drawing  # and xlalloc's chart too
    ours = re.findall(
        r'Id="rIdXlalloc\d+"[^>]*Target="\.\./charts/(chart\d+\.xml)"',
        pack["xl/drawings/_rels/drawing91.xml.rels"].decode(),
    )
    assert len(ours) == 1 and b"lineChart" in pack[f"xl/charts/{ours[0]}"]
    values = read_values(recalculate(out / f"Castleton{TAG}", tmp_path / "lo"))
    assert values["Summary"][0][0] == "Castleton"


def test_a_pack_request_is_checked_once_and_names_each_field(tmp_path):
    """The front door validates the request: every bad argument at once, by its name."""
    from xlalloc.cli import flags
    from xlalloc.usecases.pack import PackRequest

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


# --------------------------------------------------------------------------- real ledgers


def _bva(run):
    return run.bva.set_index(["place", "programme"])["ytd_actual"]


def test_amounts_and_periods_as_ledgers_write_them_are_all_reported(demo_packs, tmp_path):
    model = demo_packs[0]
    # Every money style Excel saves and every period style a ledger writes; by hand:
    # Ashford City / Acute: 1,234.50 - 100.00 + 1,234.50 - 5.25 = 2,363.75;
    # Brookvale / Community: -1,000.00 + 250 + 0.10 + 1,000,000.00 = 999,250.10.
    ledger = tmp_path / "styles.csv"
    ledger.write_text(
        "Period,programme,place,Actual\n"
        'M01,Acute,Ashford City,"£1,234.50"\n'
        "Apr-26,Acute,Ashford City,(100.00)\n"
        '2026-05,Acute,Ashford City,"1,234.50"\n'
        "May,Acute,Ashford City,-£5.25\n"
        'Month 2,Community,Brookvale,"(£1,000.00)"\n'
        "P02,Community,Brookvale,250\n"
        "MAY-26,Community,Brookvale,£0.10\n"
        'September 2026,Community,Brookvale,"£1,000,000.00"\n',
        encoding="utf-8",
    )
    run = xlalloc.packs(model, ledger, 6, tmp_path / "p")
    assert len(run.exceptions) == 0
    actual = _bva(run)
    assert actual[("Ashford City", "Acute")] == 2363.75
    assert actual[("Brookvale", "Community")] == 999250.10
    assert actual.drop([("Ashford City", "Acute"), ("Brookvale", "Community")]).eq(0).all()
    f = run.figures
    assert (f.months_total, f.reported, f.left_out) == (1001613.85, 1001613.85, 0.0)


def _hand_money(text):
    """An ISFE amount read by hand: £ and commas dropped, brackets negative."""
    t = text.replace("£", "").replace(",", "")
    return -round(float(t[1:-1]) * 100) if t.startswith("(") else round(float(t) * 100)


def test_an_isfe_ledger_with_its_map_reports_every_mapped_pound(demo_packs, tmp_path, capsys):
    model = demo_packs[0]
    ledger = tmp_path / "isfe.csv"
    assert main(["demo-ledger", str(model), "--style", "isfe", "-o", str(ledger)]) == 0
    cc_map = tmp_path / "isfe-map.csv"
    out = tmp_path / "p"
    assert main(pack_argv(model, ledger, 6, out, "--map", cc_map)) == 0
    printed = capsys.readouterr().out.splitlines()
    # The expected actuals, from the two CSVs with the csv module.
    with open(cc_map, encoding="utf-8-sig", newline="") as f:
        mapping = {r["cost_centre"]: (r["programme"], r["place"]) for r in csv.DictReader(f)}
    result = run_model(read_model(model))
    practice_place = dict(zip(result.practices["practice_code"], result.practices["place"]))
    months = {f"{m}-26": k for k, m in enumerate(["APR", "MAY", "JUN", "JUL", "AUG", "SEP"], 1)}
    expected: dict = {}
    months_total = left_out = 0
    with open(ledger, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            try:
                pence = _hand_money(r["Actual"])
            except ValueError:
                continue  # TBC, blank: no amount
            months_total += pence
            if r["Cost Centre"] not in mapping or r["Period"] not in months:
                left_out += pence
                continue
            prog, place = mapping[r["Cost Centre"]]
            key = (place or practice_place[r["Practice Code"]], prog)
            expected[key] = expected.get(key, 0) + pence
    run = xlalloc.packs(model, ledger, 6, tmp_path / "again", map=cc_map)
    actual = _bva(run)
    for key, pence in expected.items():
        assert round(actual[key] * 100) == pence, key
    assert round(actual.sum() * 100) == sum(expected.values())
    # The stray cost centre is listed with its amount; the three figures add up.
    exc = run.exceptions.set_index("source_row")
    stray = exc[exc["reason"] == "cost centre 699999 is not in the cost-centre map"]
    assert stray["amount"].tolist() == [2500.0]
    assert left_out == 2500_00 + 1000_00  # the stray cost centre and March 2026
    assert printed[-3:] == [
        f"ledger total, months 1 to 6: £{months_total / 100:,.2f}",
        f"reported in the packs: £{(months_total - left_out) / 100:,.2f}",
        "left out: £3,500.00 in 4 row(s), listed on the ICB summary's Exceptions sheet (2 of "
        "them with no amount that could be read)",
    ]
    # Without a map, a ledger by cost centre is refused, saying how to give one.
    capsys.readouterr()
    assert main(pack_argv(model, ledger, 6, tmp_path / "none")) == 2
    assert "--map MAP.csv" in capsys.readouterr().err


def test_the_models_cost_centres_sheet_is_the_map_when_none_is_given(demo_packs, tmp_path):
    model = tmp_path / "model.xlsx"
    shutil.copy(demo_packs[0], model)
    ledger = tmp_path / "isfe.csv"
    assert main(["demo-ledger", str(model), "--style", "isfe", "-o", str(ledger)]) == 0
    wb = load_workbook(model)
    ws = wb["CostCentres"]
    with open(tmp_path / "isfe-map.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    header = next(r for r in range(1, 11) if ws.cell(r, 1).value == "cost_centre")
    for i, r in enumerate(rows):
        for j, k in enumerate(("cost_centre", "programme", "place")):
            ws.cell(header + 1 + i, 1 + j, r[k] or None)
    wb.save(model)
    with_sheet = xlalloc.packs(model, ledger, 6, tmp_path / "a")
    with_file = xlalloc.packs(
        demo_packs[0], ledger, 6, tmp_path / "b", map=tmp_path / "isfe-map.csv"
    )
    assert with_sheet.bva.equals(with_file.bva)
    assert len(with_sheet.exceptions) == 4
    # The same model with a ledger already coded by programme: the sheet is not needed.
    simple = xlalloc.packs(model, demo_packs[1], 6, tmp_path / "c")
    assert len(simple.exceptions) == 3


def test_infinite_huge_and_text_amounts_are_exceptions_and_no_figure_passes_10_trillion(
    demo_packs, tmp_path
):
    model = demo_packs[0]
    ledger = tmp_path / "hostile.csv"
    ledger.write_text(
        "month,programme,place,amount\n"
        "1,Acute,Ashford City,inf\n"
        "1,Acute,Ashford City,nan\n"
        "1,Acute,Ashford City,1e20\n"
        "1,Acute,Ashford City,-Infinity\n"
        "1,Acute,Ashford City,lots\n"
        "1,Acute,Ashford City,5%\n"
        '1,Acute,Ashford City,"£1,000.00"\n',
        encoding="utf-8",
    )
    out = tmp_path / "p"
    run = xlalloc.packs(model, ledger, 1, out)
    assert run.exceptions[["source_row", "reason"]].values.tolist() == [
        [2, "amount 'inf' is not a finite amount"],
        [3, "amount 'nan' is not a finite amount"],
        [4, "amount '1e20' is beyond any NHS budget (at most £10 trillion)"],
        [5, "amount '-Infinity' is not a finite amount"],
        [6, "amount 'lots' is not a number"],
        [7, "amount '5%' is a percentage, not an amount of money"],
    ]
    f = run.figures
    assert (f.months_total, f.reported, f.left_out, f.unreadable) == (1000.0, 1000.0, 0.0, 6)
    for pack in out.glob("*.xlsx"):
        for name, rows in read_values(pack).items():
            for row in rows:
                for v in row:
                    if isinstance(v, int | float) and not isinstance(v, bool):
                        assert abs(v) <= 1e13, (pack.name, name, v)


def test_a_map_for_a_ledger_without_cost_centres_is_refused_not_ignored(demo_packs, tmp_path):
    model, ledger, _, _ = demo_packs
    cc_map = tmp_path / "map.csv"
    cc_map.write_text("cost_centre,programme,place\n610100,Acute,Ashford City\n", encoding="utf-8")
    with pytest.raises(InputError, match="map.csv maps cost centres, but ledger.csv has no cost"):
        xlalloc.packs(model, ledger, MONTH, tmp_path / "p", map=cc_map)
    assert not (tmp_path / "p").exists()


def test_the_year_by_month_of_many_places_is_each_places_own():
    """Fifteen places and more (NHS Essex has 15): each place's months are its own rows.

    A place's number was once held in eight bits, so from the eleventh place on its
    months were written to another place's (a pack of Essex failed outright).
    """
    from xlalloc.engine.monitoring import Ledger
    from xlalloc.usecases.pack import _by_month

    places = [f"Place {k:02d}" for k in range(40)]
    monthly = pd.DataFrame(
        [(p, "Acute", m, 1000.0 * k + m) for k, p in enumerate(places) for m in range(1, 13)],
        columns=["place", "programme", "month", "budget"],
    )
    rows = pd.DataFrame(
        [(m, p, "Acute", 10.0 * k + m / 100) for k, p in enumerate(places) for m in (1, 2, 3, 7)]
        + [(2, places[-1], "Acute", 5.0)],
        columns=["month", "place", "programme", "amount"],
    )
    ledger = Ledger(rows, pd.DataFrame(), float(rows["amount"].sum()))
    got = _by_month(monthly, ledger, 3, places)
    for k, p in enumerate(places):
        budget, actual = got[p]
        # The place's annual budget, 12,000k + 78, by twelfths: each month its exact share.
        assert budget.tolist() == pytest.approx([(12_000.0 * k + 78) / 12] * 12)
        extra = 5.0 if p == places[-1] else 0.0
        assert actual.tolist() == pytest.approx(
            [10 * k + 0.01, 10 * k + 0.02 + extra, 10 * k + 0.03]
        )


def test_a_model_without_baselines_says_where_its_bridge_would_be(demo_packs, tmp_path):
    """No baselines, no convergence: page 1 says what shows the place's bridge, rather
    than leaving half the page empty without a word."""
    from xlalloc.workbook.packs import NO_BRIDGE

    model, ledger, _, _ = demo_packs
    wb = load_workbook(model)
    for sheet in ("Baselines", "Totals"):
        ws = wb[sheet]
        ws.delete_rows(5, ws.max_row)
    bare = tmp_path / "no-baselines.xlsx"
    wb.save(bare)
    out = tmp_path / "p"
    assert main(pack_argv(bare, ledger, MONTH, out)) == 0
    summary = load_workbook(out / f"Brookvale{TAG}")["Summary"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert NO_BRIDGE in texts and "Budget and why" in texts


def test_a_template_from_before_the_bridge_keeps_its_months_on_page_1(demo_packs, tmp_path):
    """A template whose months table and chart are on its Summary (as xlalloc's were before
    the bridge took their place) keeps them there, in the ICB summary too: no page is
    added that the template's author did not ask for."""
    from xlalloc.workbook.packs import _name, build_template

    model, ledger, _, _ = demo_packs
    wb = build_template()
    del wb.defined_names["bridge_table"]
    _name(wb, "months_chart", "Summary", "D13")
    _name(wb, "months_table", "Summary", "M3")
    tpl = tmp_path / "OLD.xlsx"
    wb.save(tpl)
    out = tmp_path / "p"
    assert main(pack_argv(model, ledger, MONTH, out, "--template", tpl)) == 0
    summary = load_workbook(out / SUMMARY_FILE)
    assert "By month" not in summary.sheetnames
    assert summary["Summary"]["M3"].value == "Month"
    place = load_workbook(out / f"Castleton{TAG}")
    assert place["Summary"]["M3"].value == "Month"
