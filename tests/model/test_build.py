"""Building an ICB's model from NHS England's files, checked against the raw CSVs."""

from __future__ import annotations

import csv
from collections import defaultdict

import pandas as pd
import pytest
from conftest import SHARED, need, pack_argv
from libreoffice import read_values, recalculate
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

import xlalloc
from xlalloc.cli import flags, main
from xlalloc.engine.errors import InputError
from xlalloc.model.build import build_from_files
from xlalloc.model.labels import label

THREE = [f"ICB_Place_Based_Tool_2627-2829__{y}_{y + 1}.csv" for y in (2026, 2027, 2028)]
YEARS = ["2026/27", "2027/28", "2028/29"]
#: NHS England's headers in the 2026/27 to 2028/29 files, written out here (not taken from
#: the reader) so the test checks the reader's mapping too.
HEADERS = {
    "ga": "G&A WP",
    "community": "CS WP",
    "mental_health": "MH WP",
    "maternity": "Mat WP",
    "prescribing": "Prescr WP",
    "core": "Core WP",
    "pmc": "Final PMC WP",
    "pmc_need": "Primary Medical Care WP",
    "health_inequalities": "Health Ineq WP",
}


def files(*names):
    need(SHARED.is_dir(), f"NHS England files not found at {SHARED}")
    return [str(SHARED / n) for n in names]


def independent_indices(path, icb="QWO"):
    """ICB-standardised index by local authority district, straight from the CSV."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["ICB"] == icb]
    sums = defaultdict(lambda: defaultdict(float))
    for r in rows:
        for key in ("ICB", r["LADname"]):
            sums[key]["pop"] += float(r["Registered Patients"])
            for c, h in HEADERS.items():
                sums[key][c] += float(r[h])
    icb_rate = {c: sums["ICB"][c] / sums["ICB"]["pop"] for c in HEADERS}
    return {
        place: {c: s[c] / s["pop"] / icb_rate[c] for c in HEADERS}
        for place, s in sums.items()
        if place != "ICB"
    }


@pytest.fixture(scope="module")
def west_yorkshire(tmp_path_factory, libreoffice):
    tmp = tmp_path_factory.mktemp("wy")
    model = tmp / "wy.xlsx"
    args = ["new", str(model), "--icb", "west yorkshire", "--places-by", "lad"]
    for f in files(*THREE):
        args += ["--practices", f]
    assert main(args) == 0
    # Baselines and three years' totals, so convergence runs on each year's targets.
    wb = load_workbook(model)
    places = ["Bradford", "Calderdale", "Craven", "Kirklees", "Leeds", "Wakefield"]
    for i, p in enumerate(places):
        wb["Baselines"].cell(row=5 + i, column=1, value=p)
        wb["Baselines"].cell(row=5 + i, column=2, value=100_000_000 + i * 37_000_000)
    for j, v in enumerate(
        ["All services", "Other programme costs", 1_234_567_891, True, "capitation"]
    ):
        wb["Budget"].cell(row=5, column=1 + j, value=v)
    for i, (y, t) in enumerate(zip(YEARS, (1.2e9, 1.25e9, 1.3e9))):
        wb["Totals"].cell(row=5 + i, column=1, value=y)
        wb["Totals"].cell(row=5 + i, column=2, value=t)
    wb.save(model)
    out = tmp / "wy-results.xlsx"
    result = xlalloc.run(model, out)
    return model, out, result, read_values(recalculate(out, tmp / "lo"))


def test_every_place_index_equals_one_computed_from_the_raw_files(west_yorkshire):
    _, _, result, _ = west_yorkshire
    ind = result.tables()["indices"]
    assert list(ind.columns[:3]) == ["year", "level", "name"]
    for name, year in zip(THREE, YEARS):
        expected = independent_indices(SHARED / name)
        got = ind[(ind["year"] == year) & (ind["level"] == "place")].set_index("name")
        assert sorted(got.index) == sorted(expected)
        for place, by_component in expected.items():
            for c, value in by_component.items():
                assert got.loc[place, f"{c}_index"] == pytest.approx(value, rel=1e-12), (
                    year,
                    place,
                    c,
                )


def test_targets_hold_every_year_and_converge_on_each_years_shares(west_yorkshire):
    _, _, result, _ = west_yorkshire
    t = result.tables()["targets"]
    assert list(t.columns[:2]) == ["year", "place"]
    assert sorted(set(t["year"])) == YEARS
    conv = result.tables()["convergence"]
    for y in YEARS:
        share = t[t["year"] == y].set_index("place")["target_share"]
        assert share.sum() == pytest.approx(1.0, abs=1e-12)
        used = conv[conv["year"] == y].set_index("org")["target_share"]
        assert used.to_dict() == pytest.approx(share.to_dict(), rel=1e-15)
    # The shares move between years (the files differ), so each year's was used.
    s = t.pivot(index="place", columns="year", values="target_share")
    assert (s["2026/27"] != s["2028/29"]).all()


def test_checks_read_zero_after_libreoffice_and_provenance_names_the_files(west_yorkshire):
    _, _, result, values = west_yorkshire
    checks = values["Checks"]
    total = next(r for r in checks if r and r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0
    labels = [r[0] for r in checks]
    for y in YEARS:
        assert f"Targets {y}: places' targets less the ICB budget" in labels
    summary = values["Summary"]
    status = next(r for r in summary if r and r[0] == "Check status")
    assert status[1] == "all checks 0"
    overall = next(r for r in summary if r and r[0] == "Overall check (0 when all is well)")
    assert overall[1] == 0
    # Each year's targets share the budget exactly; the apportionment uses 2026/27.
    t = result.tables()["targets"]
    assert t.groupby("year")["target"].sum().to_dict() == {y: 1_234_567_891 for y in YEARS}
    a = result.apportionment.table1
    first = t[t["year"] == "2026/27"].set_index("place")["target"]
    assert a.loc["Total"].drop("Total").to_dict() == first.to_dict()
    prov = result.tables()["provenance"]
    sources = prov[prov["item"] == "source file"]
    assert list(sources["value"]) == THREE and list(sources["years"]) == YEARS
    import hashlib

    for name, digest in zip(THREE, sources["sha256"]):
        assert digest == hashlib.sha256((SHARED / name).read_bytes()).hexdigest()
    assert prov.set_index("item").loc["run at", "value"] == "2026-04-01 09:00:00"
    # The Cover finds the run's time and status with live formulas.
    cover = values["Cover"]
    assert ["Last run at", "2026-04-01 09:00:00"] == [
        v for v in next(r for r in cover if r and r[0] == "Last run at") if v != ""
    ][:2]
    assert any(r[:2] == ["Overall check status", "all checks 0"] for r in cover)
    assert any(r[:2] == ["Overall check (0 when all is well)", 0] for r in cover)
    assert any(
        str(r[0]).startswith("Source file (2027/28)") and THREE[1] in str(r[1]) for r in cover
    )


def test_the_model_sheet_holds_every_component_and_grouping(west_yorkshire):
    model, _, result, _ = west_yorkshire
    p = result.inputs.practices
    assert p.groupby("year").size().to_dict() == {y: 266 for y in YEARS}
    assert p["lad_name"].notna().all() and p["pcn_name"].isna().all()
    assert result.inputs.policy.icb_name == "NHS West Yorkshire ICB"
    assert result.inputs.policy.financial_year == "2026/27"
    # Practice B83002 as NHS England published it for 2027/28 (raw file, by hand).
    with open(SHARED / THREE[1], encoding="utf-8-sig", newline="") as f:
        raw = next(r for r in csv.DictReader(f) if r["Practice_Code"] == "B83002")
    row = p[(p["year"] == "2027/28") & (p["practice_code"] == "B83002")].iloc[0]
    assert row["core"] == float(raw["Core WP"]) and row["population"] == float(
        raw["Registered Patients"]
    )
    assert row["place"] == raw["LADname"]


def _copy(tmp_path, name, edit):
    df = pd.read_csv(SHARED / THREE[0], dtype=str, encoding="utf-8-sig", keep_default_na=False)
    df = edit(df)
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def test_year_on_year_reconciliation_against_practices_added_and_removed(tmp_path):
    (first,) = files(THREE[0])
    raw = pd.read_csv(first, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    wy = raw[raw["ICB"] == "QWO"]
    gone = list(wy["Practice_Code"].iloc[:2])  # closed
    leaver = wy["Practice_Code"].iloc[2]  # moves to Humber and North Yorkshire
    joiner = raw.loc[raw["ICB"] == "QOQ", "Practice_Code"].iloc[0]  # moves in

    def edit(df):
        df = df[~df["Practice_Code"].isin(gone)].copy()
        df.loc[df["Practice_Code"] == leaver, ["ICB", "ICBname"]] = [
            "QOQ",
            "NHS Humber and North Yorkshire ICB",
        ]
        df.loc[df["Practice_Code"] == joiner, ["ICB", "ICBname", "LADname"]] = [
            "QWO",
            "NHS West Yorkshire ICB",
            "Leeds",
        ]
        new = df[df["Practice_Code"] == wy["Practice_Code"].iloc[5]].copy()
        new["Practice_Code"], new["GP_Practice_Name"] = "Y99999", "NEW PRACTICE"
        new["Registered Patients"] = "1234.5"
        return pd.concat([df, new], ignore_index=True)

    second = _copy(tmp_path, "copy_2027_2028.csv", edit)
    built = build_from_files([first, second], "QWO")
    ch = built.changes.set_index("practice_code")
    assert ch["change"].to_dict() == {
        joiner: "joined from another ICB",
        "Y99999": "new in the year's file",
        leaver: "left for another ICB",
        gone[0]: "not in the year's file (closed or merged)",
        gone[1]: "not in the year's file (closed or merged)",
    }
    pop = raw.set_index("Practice_Code")["Registered Patients"].astype(float)
    assert ch.loc[gone[0], "population"] == pop[gone[0]]  # 2026/27's figures
    assert ch.loc[leaver, "population"] == pop[leaver]
    assert ch.loc["Y99999", "population"] == 1234.5  # 2027/28's figures
    assert ch.loc[joiner, "other_icb"] == "NHS Humber and North Yorkshire ICB"
    assert ch.loc[leaver, "other_icb"] == "NHS Humber and North Yorkshire ICB"
    assert ch.loc[joiner, "place"] == "Leeds"
    # The population moves reconcile: 2027/28 = 2026/27 + appear - disappear (no other
    # change in the copy).
    p = built.practices.groupby("year")["population"].sum()
    sign = ch["change"].map(lambda c: 1 if c.startswith(("joined", "new")) else -1)
    assert p["2027/28"] == pytest.approx(p["2026/27"] + (sign * ch["population"]).sum(), rel=1e-12)
    # Written to the model's Reconciliation sheet.
    model = tmp_path / "m.xlsx"
    xlalloc.new(model, practices=[first, second], icb="QWO")
    rows = CalamineWorkbook.from_path(str(model)).get_sheet_by_name("Reconciliation").to_python()
    header = next(i for i, r in enumerate(rows) if r and r[0] == "from_year")
    assert len([r for r in rows[header + 1 :] if r[0]]) == 5


def test_icb_by_name_part_and_helpful_errors():
    fs = files(THREE[0])
    assert build_from_files(fs, "West Yorkshire").icb_code == "QWO"
    assert build_from_files(fs, "qwo").icb_name == "NHS West Yorkshire ICB"
    with pytest.raises(InputError) as e:
        build_from_files(fs, "yorkshire")
    assert "matches 3 ICBs" in str(e.value) and "QF7 NHS South Yorkshire ICB" in str(e.value)
    with pytest.raises(InputError, match="close matches: T02 NHS Essex ICB"):
        build_from_files(fs, "essexx")


def test_the_practices_are_handed_on_as_soon_as_every_one_has_its_place():
    """``new`` begins its map with them before the year-on-year changes are worked out:
    the same Practices table the model is built with, and the ICB found."""
    handed: list[tuple[pd.DataFrame, str, str]] = []
    built = build_from_files(
        files(THREE[0]), "west yorkshire", on_placed=lambda *a: handed.append(a)
    )
    ((placed, code, name),) = handed
    assert (code, name) == ("QWO", "NHS West Yorkshire ICB")
    pd.testing.assert_frame_equal(placed, built.practices)


def test_a_grouping_the_files_lack_names_the_columns_they_have(capsys):
    fs = files(*THREE)
    with pytest.raises(InputError) as e:
        build_from_files(fs, "QWO", places_by="pcn")
    text = str(e.value)
    assert "has no primary care network (PCN) column" in text
    assert "Columns it has: Practice_Code, GP_Practice_Name" in text and "LADname" in text
    # Where an earlier year's file has PCNs, the others take them, and a note says so.
    built = build_from_files(
        files("AIF_Allocation_Tool__2022_2023.csv", THREE[0]),
        "QWO",
        places_by="pcn",
        allow_unmapped=True,
        blank_wp="zero",
    )
    assert any(
        "has no primary care network (PCN) column" in n and "take their" in n for n in built.notes
    )


def test_unmapped_practices_are_an_error_unless_allowed(tmp_path):
    fs = files(THREE[0])
    raw = pd.read_csv(fs[0], dtype=str, encoding="utf-8-sig")
    codes = list(raw.loc[raw["ICB"] == "QWO", "Practice_Code"])
    places = pd.DataFrame({"practice_code": codes[3:], "place": "All of it"})
    path = tmp_path / "places.csv"
    places.to_csv(path, index=False)
    with pytest.raises(InputError) as e:
        build_from_files(fs, "QWO", places=path)
    assert "3 practice(s) of NHS West Yorkshire ICB are in no place" in str(e.value)
    assert all(c in str(e.value) for c in codes[:3]) and "--allow-unmapped" in flags(str(e.value))
    model = tmp_path / "m.xlsx"
    xlalloc.new(model, practices=fs, icb="QWO", places=path, allow_unmapped=True)
    result = xlalloc.run(model, tmp_path / "out.xlsx")
    assert set(result.targets["place"]) == {"All of it", "Unmapped"}
    assert str(result.check_status) == "1 check(s) not 0"
    assert any("3 practice(s) are in the 'Unmapped' place" in w for w in result.warnings)


def test_a_places_file_is_checked_row_by_row(tmp_path):
    fs = files(THREE[0])
    path = tmp_path / "places.csv"
    path.write_text("practice_code,place\nB83002,Bradford\nZZZ999,Leeds\nB83005,\n")
    with pytest.raises(InputError) as e:
        build_from_files(fs, "QWO", places=path, allow_unmapped=True)
    text = str(e.value)
    assert "places.csv, row 3, column 'practice_code': practice ZZZ999 is not one of" in text
    assert "places.csv, row 4, column 'place': blank place" in text


def test_two_files_for_one_year_and_files_without_an_icb(tmp_path):
    fs = files(
        "ICB_Allocation_Tool_update__2025_2026.csv",
        "ICB_Allocation_Tool_update__2025_2026_orig_2025-02-25.csv",
    )
    with pytest.raises(InputError, match="2 files give 2025/26"):
        build_from_files(fs, "QWO")
    with pytest.raises(InputError) as e:
        xlalloc.new(tmp_path / "x.xlsx", icb="QWO")
    assert "--icb needs NHS England's practice files" in flags(str(e.value))


def test_an_icb_new_in_2026_reaches_back_by_practice_code():
    built = build_from_files(files("ICB_Allocation_Tool_update__2025_2026.csv", THREE[0]), "essex")
    assert built.icb_code == "T02"
    assert any("ICB T02 is not in 2025/26's file" in n for n in built.notes)
    assert set(built.practices["year"]) == {"2025/26", "2026/27"}


def test_zero_filled_weighted_populations_are_listed_in_the_output(tmp_path):
    fs = files("AIF_Allocation_Tool__2022_2023.csv")
    raw = pd.read_csv(fs[0], dtype=str, encoding="utf-8-sig")
    blank = raw[raw["Mat WP"].isna()]
    icb = blank["ICS22"].iloc[0]
    model = tmp_path / "m.xlsx"
    with pytest.raises(InputError, match="blank"):
        xlalloc.new(model, practices=fs, icb=icb)
    xlalloc.new(model, practices=fs, icb=icb, blank_as_zero=True)
    result = xlalloc.run(model, tmp_path / "out.xlsx")
    prov = result.tables()["provenance"]
    listed = prov[prov["item"] == "zero-filled"]["value"]
    expected = set(blank.loc[blank["ICS22"] == icb, "Practice_Code"])
    assert {v.split()[0] for v in listed} == expected
    assert all("maternity read as 0" in v for v in listed)


def test_the_empty_model_holds_no_demo_values(tmp_path):
    path = tmp_path / "empty.xlsx"
    xlalloc.new(path)
    wb = CalamineWorkbook.from_path(str(path))
    text = repr({n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names})
    assert "Demoshire" not in text and "Ashford" not in text
    policy = wb.get_sheet_by_name("Policy").to_python()
    assert next(r for r in policy if r[0] == "icb_name")[1] == ""


def test_packs_of_a_multi_year_model_use_the_financial_years_targets(west_yorkshire, tmp_path):
    model, _, result, _ = west_yorkshire
    ledger = tmp_path / "ledger.csv"
    assert main(["demo-ledger", str(model), "--month", "3", "-o", str(ledger)]) == 0
    out = tmp_path / "packs"
    assert main(pack_argv(model, ledger, 3, out, "--place", "Leeds")) == 0
    pack = next(p for p in out.iterdir() if "Leeds" in p.name)
    wb = CalamineWorkbook.from_path(str(pack))
    cells = [r for n in wb.sheet_names for r in wb.get_sheet_by_name(n).to_python()]
    t = result.targets
    leeds = t[(t["year"] == "2026/27") & (t["place"] == "Leeds")]["target"].iloc[0]
    row = next(r for r in cells if r and r[0] == label("target"))
    assert leeds in row


def test_a_model_from_nhs_files_says_what_to_fill_in_next(tmp_path, capsys):
    """Built from NHS England's files, a model has practices and no money: its Targets
    read "–" and the Summary "ICB budget shared by target: £0", with nothing saying what
    to do. Now `new`, its Cover, `run` and the Summary list the empty sheets, and each
    goes from the list once it is filled in."""
    from python_calamine import CalamineWorkbook

    model = tmp_path / "wy.xlsx"
    args = ["new", str(model), "--icb", "west yorkshire ", "--practices", files(THREE[0])[0]]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "wrote QWO NHS West Yorkshire ICB model workbook" in out  # not 'west yorkshire '
    nexts = [line for line in out.splitlines() if line.startswith("next: ")]
    assert [n.split(":")[1].strip() for n in nexts] == ["Budget", "Baselines", "Totals"]
    cover = CalamineWorkbook.from_path(str(model)).get_sheet_by_name("Cover").to_python()
    assert [r[1].split(":")[0] for r in cover if r[0] == "Fill in next"] == [
        "Budget",
        "Baselines",
        "Totals",
    ]
    ran = tmp_path / "ran.xlsx"
    assert main(["run", str(model), "-o", str(ran)]) == 0
    assert len([x for x in capsys.readouterr().out.splitlines() if x.startswith("next: ")]) == 3
    summary = CalamineWorkbook.from_path(str(ran)).get_sheet_by_name("Summary").to_python()
    at = next(i for i, r in enumerate(summary) if r[0] == "What to fill in next")
    assert [r[0].split(":")[0] for r in summary[at + 1 : at + 4]] == [
        "Budget",
        "Baselines",
        "Totals",
    ]
    # Budget filled in: it leaves the list.
    wb = load_workbook(model)
    for j, v in enumerate(["All services", "Other programme costs", 1e9, True, "capitation"]):
        wb["Budget"].cell(row=5, column=1 + j, value=v)
    wb.save(model)
    assert main(["run", str(model), "-o", str(ran), "--force"]) == 0
    steps = [x for x in capsys.readouterr().out.splitlines() if x.startswith("next: ")]
    assert [s.split(":")[1].strip() for s in steps] == ["Baselines", "Totals"]


def test_an_icb_merged_away_says_which_icbs_its_practices_joined():
    """Hertfordshire and West Essex (QM7) is no ICB in 2026/27: asked for by its old name
    with the 2025/26 and 2026/27 files, the answer was unrelated close matches. Now the
    ICBs its practices joined, counted by practice code, here from the two files read
    with the csv module."""
    from collections import Counter

    old_file, new_file = files(
        "ICB_Allocation_Tool_update__2025_2026.csv", "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    )
    with open(old_file, encoding="utf-8-sig", newline="") as f:
        qm7 = {r["Practice_Code"] for r in csv.DictReader(f) if r["ICB"] == "QM7"}
    with open(new_file, encoding="utf-8-sig", newline="") as f:
        now = {r["Practice_Code"]: (r["ICB"], r["ICBname"]) for r in csv.DictReader(f)}
    went = Counter(now[p] for p in qm7 if p in now).most_common()
    gone = sum(1 for p in qm7 if p not in now)
    parts = [f"{c} {n} ({k})" for (c, n), k in went]
    expected = (
        f"NHS Hertfordshire and West Essex ICB (QM7) in 2025/26 is no ICB in 2026/27: its "
        f"{len(qm7)} practices are now in {', '.join(parts[:-1])} and {parts[-1]}"
    )
    assert len(went) == 2 and gone >= 0
    for query in ("Hertfordshire and West Essex", "qm7"):
        with pytest.raises(InputError) as e:
            build_from_files([old_file, new_file], query)
        assert expected in str(e.value)
        assert "close matches" not in str(e.value)
    # With the 2026/27 file alone, the message says how to find out.
    with pytest.raises(InputError) as e:
        build_from_files([new_file], "Hertfordshire and West Essex")
    assert "ICBs changed in 2026/27 (42 became 36)" in str(e.value)


OLD_2526 = "ICB_Allocation_Tool_update__2025_2026.csv"


def former_icb_indices(old_path, new_path, icb="T01"):
    """Each former ICB's core index within the new ICB, from the raw CSVs: the new ICB's
    practices (2026/27 figures) grouped by their 2025/26 ICB."""
    with open(old_path, encoding="utf-8-sig", newline="") as f:
        former = {r["Practice_Code"]: r["ICBname"] for r in csv.DictReader(f)}
    with open(new_path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["ICB"] == icb]
    sums = defaultdict(lambda: [0.0, 0.0])
    for r in rows:
        for key in ("ICB", former[r["Practice_Code"]]):
            sums[key][0] += float(r["Registered Patients"])
            sums[key][1] += float(r["Core WP"])
    rate = sums["ICB"][1] / sums["ICB"][0]
    return {k: (wp / pop) / rate for k, (pop, wp) in sums.items() if k != "ICB"}


def test_a_merged_icb_modelled_by_its_predecessors_runs_with_checks_0(tmp_path, libreoffice):
    # T01 NHS Central East, formed in 2026 from Bedfordshire, Luton and Milton Keynes,
    # Cambridgeshire and Peterborough, and most of Hertfordshire and West Essex.
    old, new = files(OLD_2526, THREE[0])
    model = tmp_path / "t01.xlsx"
    args = ["new", str(model), "--icb", "T01", "--places-by", "former_icb"]
    assert main([*args, "--practices", old, "--practices", new]) == 0
    assert (tmp_path / "t01-places.png").read_bytes().startswith(b"\x89PNG")
    expected = former_icb_indices(old, new)
    # The Reconciliation sheet is the bridge: every practice with the ICB it came from and
    # its 2025/26 core weighted population (the raw file's Final WP, summed here).
    rows = CalamineWorkbook.from_path(str(model)).get_sheet_by_name("Reconciliation")
    recon = pd.DataFrame(rows.to_python()[4:], columns=rows.to_python()[3])
    assert set(recon["change"]) == {"came with its former ICB (a merger or boundary change)"}
    with open(old, encoding="utf-8-sig", newline="") as f:
        raw = {r["Practice_Code"]: (r["ICBname"], float(r["Final WP"])) for r in csv.DictReader(f)}
    by_former = defaultdict(float)
    for code in recon["practice_code"]:
        by_former[raw[code][0]] += raw[code][1]
    got_wp = recon.groupby("other_icb")["core_wp"].sum()
    assert got_wp.to_dict() == pytest.approx(dict(by_former), rel=1e-12)
    assert len(recon) == 272
    assert sorted(expected) == [
        "NHS Bedfordshire, Luton and Milton Keynes ICB",
        "NHS Cambridgeshire and Peterborough ICB",
        "NHS Hertfordshire and West Essex ICB",
    ]
    wb = load_workbook(model)
    for i, place in enumerate(sorted(expected)):
        wb["Baselines"].cell(row=5 + i, column=1, value=place)
        wb["Baselines"].cell(row=5 + i, column=2, value=2_000_000_000 + i * 123_456_789)
    for j, v in enumerate(["All services", "Other programme costs", 7_000_000_000, True]):
        wb["Budget"].cell(row=5, column=1 + j, value=v)
    for i, (y, t) in enumerate((("2025/26", 6.7e9), ("2026/27", 7.0e9))):
        wb["Totals"].cell(row=5 + i, column=1, value=y)
        wb["Totals"].cell(row=5 + i, column=2, value=t)
    wb.save(model)
    out = tmp_path / "t01-results.xlsx"
    result = xlalloc.run(model, out)
    ind = result.tables()["indices"]
    got = ind[(ind["year"] == "2026/27") & (ind["level"] == "place")].set_index("name")
    assert sorted(got.index) == sorted(expected)
    for place, value in expected.items():
        assert got.loc[place, "core_index"] == pytest.approx(value, rel=1e-12), place
    values = read_values(recalculate(out, tmp_path / "lo"))
    total = next(r for r in values["Checks"] if r and r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0
