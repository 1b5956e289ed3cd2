"""Hostile input, as finance teams' systems export it: one case per failure, each with its
exact message, exit status 2 (validate: 1) and the input left unchanged; never a traceback.
"""

from __future__ import annotations

import io
import random
import re
import signal
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import broken_model, demo_model, sha
from libreoffice import read_values, recalculate

import xlalloc
from xlalloc.cli import main
from xlalloc.readers.archive import OLE_SIGNATURE

ORGS = "org,baseline,target_share\nA,100,0.5\nB,100,0.5\n"


def run(argv, capsys):
    """Exit status and everything printed; argparse's own refusals included."""
    try:
        rc = main(argv)
    except SystemExit as e:
        rc = e.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    assert python_spellings(out.err + out.out) == [], out.err + out.out
    return rc, out.err + out.out


#: Python's own spellings, never what a person reads: a list, a date, a missing value.
PYTHON_SPELLINGS = (
    re.compile(r"\[(?:'[^']*'|\d+)(?:, (?:'[^']*'|\d+))*\]"),  # ['Bradford', 'Elsewhere'], [5, 6]
    re.compile(r"datetime\.(?:date|datetime)\("),  # datetime.date(2026, 3, 31)
    re.compile(r"(?<!')\b(?:nan|NaT|None|<NA>)\b(?!')"),  # place nan (a user's 'nan' quoted)
)


def python_spellings(text: str) -> list[str]:
    """Each Python spelling in a message (argparse's usage lines, its own, left out)."""
    lines, in_usage = [], False
    for line in text.splitlines():
        in_usage = line.startswith("usage:") or (in_usage and line.startswith(" "))
        if not in_usage:
            lines.append(line)
    said = "\n".join(lines)
    return [m.group() for rx in PYTHON_SPELLINGS for m in rx.finditer(said)]


def _write(tmp_path, name, data, encoding="utf-8"):
    p = tmp_path / name
    if isinstance(data, bytes):
        p.write_bytes(data)
    else:
        p.write_text(data, encoding=encoding)
    return p


# ------------------------------------------------------------------ tables (converge)

CONVERGE = {
    "empty file": ("", [], "the file is empty; expected a header row and rows below it"),
    "header only": ("org,baseline,target_share\n", [], "row 2: no rows below the header"),
    "latin-1 text": (
        "org,baseline,target_share\nCaf\xe9,100,0.5\nB,100,0.5\n",
        [],
        "the file is not UTF-8 text (byte 0xE9 at position 29); in Excel save it "
        "as 'CSV UTF-8 (Comma delimited)'",
    ),
    "ambiguous 1,5": (
        'org,baseline,target_share\nA,"1,5",0.5\nB,100,0.5\n',
        [],
        "row 2, column 'baseline': '1,5' is not a number; expected a number",
    ),
    "infinity": (
        "org,baseline,target_share\nA,inf,0.5\nB,100,0.5\n",
        [],
        "row 2, column 'baseline': 'inf' is not a number; expected a number",
    ),
    "nan": (
        "org,baseline,target_share\nA,nan,0.5\nB,100,0.5\n",
        [],
        "row 2, column 'baseline': 'nan' is not a number; expected a number",
    ),
    "beyond any budget": (
        "org,baseline,target_share\nA,1e20,0.5\nB,100,0.5\n",
        [],
        "'1e20' is beyond any NHS budget (at most 1e+13)",
    ),
    "header twice": (
        "org,baseline,baseline,target_share\nA,1,2,0.5\nB,1,2,0.5\n",
        [],
        "row 1, column 'baseline': column 'baseline' appears twice (columns 2 and 3); keep one",
    ),
    "A and 'A '": (
        "org,baseline,target_share\nA,100,0.5\nA ,100,0.5\n",
        [],
        "org A appears more than once",
    ),
    "blank name": (
        "org,baseline,target_share\n,100,0.5\nB,100,0.5\n",
        [],
        "row 2, column 'org': the organisation's name is blank",
    ),
    "growth given as a percentage": (
        ORGS,
        ["--min-growth", "1"],
        "did you mean 0.01 for 1%? (rates are decimals)",
    ),
    "total nan": (ORGS, ["--total", "nan"], "argument --total: 'nan' is not a number"),
    "total 1e20": (
        ORGS,
        ["--total", "1e20"],
        "argument --total: '1e20' is beyond any NHS budget (at most 1e+13)",
    ),
}


@pytest.mark.parametrize("case", sorted(CONVERGE))
def test_converge_input(tmp_path, capsys, case):
    text, extra, message = CONVERGE[case]
    inp = _write(tmp_path, "orgs.csv", text, "latin-1" if "latin" in case else "utf-8")
    before = sha(inp)
    argv = ["converge", str(inp), "-o", str(tmp_path / "out.csv"), *extra]
    if "--total" not in extra:
        argv += ["--total", "210"]
    rc, text_out = run(argv, capsys)
    assert rc == 2 and message in text_out, text_out
    assert sha(inp) == before and not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(
    "case,data,encoding",
    [
        ("semicolons (Excel in a European locale)", ORGS.replace(",", ";"), "utf-8"),
        ("UTF-16 with a byte-order mark (Excel's Unicode text)", ORGS.replace(",", "\t"), "utf-16"),
        (
            "UTF-8 with a byte-order mark and spaced headers",
            "\ufeff Org , Baseline ,Target Share\nA,£100,50%\nB,100,0.5\n",
            "utf-8",
        ),
    ],
)
def test_tables_people_save_are_read(tmp_path, capsys, case, data, encoding):
    inp = _write(tmp_path, "orgs.csv", data, encoding)
    rc, _ = run(["converge", str(inp), "--total", "210", "-o", str(tmp_path / "o.csv")], capsys)
    assert rc == 0, case
    out = pd.read_csv(tmp_path / "o.csv", encoding="utf-8-sig")
    assert out["allocation"].sum() == 210


@pytest.mark.parametrize(
    "where,message",
    [
        ("missing", "file not found"),
        ("folder", "is a folder; expected a file"),
    ],
)
def test_input_paths(tmp_path, capsys, where, message):
    target = tmp_path / "nope.csv" if where == "missing" else tmp_path
    rc, out = run(["converge", str(target), "--total", "1", "-o", str(tmp_path / "o.csv")], capsys)
    assert rc == 2 and message in out


def test_totals_every_problem(tmp_path, capsys):
    inp = _write(
        tmp_path,
        "orgs.csv",
        "org,year,baseline,target_share\nA,2026/27,100,0.5\nB,2026/27,100,0.5\n",
    )
    tot = _write(tmp_path, "totals.csv", "year,total\n2026/27,210\n2026/27,220\n,5\n")
    rc, out = run(
        ["converge", str(inp), "--totals", str(tot), "-o", str(tmp_path / "o.csv")], capsys
    )
    assert rc == 2
    assert "row 3, column 'year': year 2026/27 appears more than once" in out
    assert "row 4, column 'year': year is blank" in out


# ------------------------------------------------------------------ outputs


@pytest.mark.parametrize(
    "name,message",
    [
        ("orgs.csv", "is an input of this command; xlalloc never writes over an input"),
        (
            "out.txt",
            "out.txt: the output's format follows its extension; expected one of .csv, .xlsx",
        ),
        ("missing/out.csv", "the folder"),
        ("exists.csv", "exists; pass --force to replace it"),
    ],
)
def test_one_output_rule(tmp_path, capsys, name, message):
    inp = _write(tmp_path, "orgs.csv", ORGS)
    _write(tmp_path, "exists.csv", "keep me")
    before = sha(inp)
    rc, out = run(["converge", str(inp), "--total", "210", "-o", str(tmp_path / name)], capsys)
    assert rc == 2 and message in out
    assert sha(inp) == before and (tmp_path / "exists.csv").read_text() == "keep me"


def test_csv_outputs_are_safe_to_open_in_excel(tmp_path, capsys):
    inp = _write(
        tmp_path,
        "orgs.csv",
        'org,baseline,target_share\n"=HYPERLINK(""x"")",100,0.5\n+cmd|\' /C calc\'!A0,100,0.5\n',
    )
    assert (
        run(["converge", str(inp), "--total", "210", "-o", str(tmp_path / "o.csv")], capsys)[0] == 0
    )
    raw = (tmp_path / "o.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads £ correctly
    text = raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+cmd|" in text


def test_table_y1_csv_is_csv(tmp_path, capsys):
    assert run(["table-y1", "-o", str(tmp_path / "y1.csv")], capsys)[0] == 0
    assert not zipfile.is_zipfile(tmp_path / "y1.csv")
    assert len(pd.read_csv(tmp_path / "y1.csv", encoding="utf-8-sig")) == 42 * 5


# ------------------------------------------------------------------ workbooks


def _policy_row(wb, name):
    return next(r[0].row for r in wb["Policy"].iter_rows(min_row=5) if r[0].value == name)


WORKBOOK_FILES = {
    "empty": (b"", "the file is empty (0 bytes)"),
    "encrypted": (
        OLE_SIGNATURE + b"\0" * 600,
        "the workbook is encrypted (password-protected) or in the legacy .xls format",
    ),
    "text": (
        b"practice_code,place\n",
        "not an Excel workbook (.xlsx or .xlsm): the file is not a zip package",
    ),
}


@pytest.mark.parametrize("case", sorted(WORKBOOK_FILES))
def test_files_that_are_not_workbooks(tmp_path, capsys, case):
    data, message = WORKBOOK_FILES[case]
    p = _write(tmp_path, "m.xlsx", data)
    rc, out = run(["validate", str(p)], capsys)
    assert rc == 1 and message in out
    rc, out = run(["run", str(p), "--in-place"], capsys)
    assert rc == 2 and message in out and p.read_bytes() == data


def test_legacy_xls_is_refused_with_what_to_do(tmp_path, capsys):
    p = _write(tmp_path, "m.xls", OLE_SIGNATURE + b"\0" * 600)
    rc, out = run(["run", str(p)], capsys)
    assert rc == 2 and "m.xls: xlalloc runs .xlsx and .xlsm workbooks; open it in Excel" in out


def test_validate_refuses_a_real_xls_as_run_does(tmp_path, capsys, libreoffice):
    """A genuine legacy workbook (the demo saved as .xls by LibreOffice) reads well enough
    for python-calamine: validate called it fine (exit 0) while run refused it. Both now
    run the same check, and run's message is not about the output's extension."""
    import subprocess

    import xlalloc

    model = xlalloc.new(tmp_path / "demo.xlsx", demo=True)
    subprocess.run(
        [libreoffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(model)],
        capture_output=True,
        timeout=180,
        env={**__import__("os").environ, "HOME": str(tmp_path)},
        check=True,
    )
    xls = tmp_path / "demo.xls"
    before = xls.read_bytes()
    want = "demo.xls: xlalloc runs .xlsx and .xlsm workbooks; open it in Excel"
    rc, out = run(["validate", str(xls)], capsys)
    assert rc == 1 and want in out
    rc, out = run(["run", str(xls), "-o", str(tmp_path / "out.xlsx")], capsys)
    assert rc == 2 and want in out and "extension" not in out
    assert xls.read_bytes() == before and not (tmp_path / "out.xlsx").exists()


def _repack(src: Path, dst: Path, edit) -> Path:
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    edit(parts)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    return dst


def test_entities_and_bombs_refused_before_reading(tmp_path, capsys):
    model = demo_model(tmp_path / "m.xlsx")

    def entity(parts):
        body = parts["xl/worksheets/sheet3.xml"]
        body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
        parts["xl/worksheets/sheet3.xml"] = (
            b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "a">]>' + body
        )

    bad = _repack(model, tmp_path / "ent.xlsx", entity)
    rc, out = run(["validate", str(bad)], capsys)
    assert rc == 1 and "part xl/worksheets/sheet3.xml declares XML entities" in out

    def bomb(parts):
        parts["xl/media/huge.bin"] = b"\0" * (64 * 2**20)

    bad = _repack(model, tmp_path / "bomb.xlsx", bomb)
    rc, out = run(["validate", str(bad)], capsys)
    assert rc == 1 and "part xl/media/huge.bin is compressed" in out


POLICY_CASES = {
    "formula without a stored result": (
        lambda wb, r: wb["Policy"].cell(row=r, column=2, value="=1/100"),
        "min_growth (cell B{r}) holds a formula with no stored result",
    ),
    "TRUE as a growth rate": (
        lambda wb, r: wb["Policy"].cell(row=r, column=2, value=True),
        "min_growth (cell B{r}) is True; expected a number",
    ),
    "text 1,5": (
        lambda wb, r: wb["Policy"].cell(row=r, column=2, value="1,5"),
        "min_growth (cell B{r}) is '1,5'; expected a number",
    ),
    "a percentage for a rate": (
        lambda wb, r: wb["Policy"].cell(row=r, column=2, value=5),
        "min_growth (cell B{r}) is 5; expected between -1 and 1 (below "
        "1); did you mean 0.05 for 5%?",
    ),
}


@pytest.mark.parametrize("case", sorted(POLICY_CASES))
def test_policy_cells(tmp_path, capsys, case):
    edit, message = POLICY_CASES[case]
    rows = {}

    def apply(wb):
        rows["r"] = _policy_row(wb, "min_growth")
        edit(wb, rows["r"])

    model = broken_model(tmp_path, "m", apply)
    before = sha(model)
    rc, out = run(["run", str(model), "--in-place"], capsys)
    assert rc == 2 and message.format(r=rows["r"]) in out, out
    assert sha(model) == before


def test_an_excel_error_in_a_policy_cell(tmp_path, capsys):
    model = demo_model(tmp_path / "m.xlsx")

    def na(parts):
        text = parts["xl/worksheets/sheet2.xml"].decode()  # the Policy sheet
        text, n = re.subn(
            r'<c r="B11"[^>]*?(?:/>|>.*?</c>)',
            '<c r="B11" t="e"><f>NA()</f><v>#N/A</v></c>',
            text,
            count=1,
        )
        assert n == 1
        parts["xl/worksheets/sheet2.xml"] = text.encode()

    bad = _repack(model, tmp_path / "na.xlsx", na)
    rc, out = run(["validate", str(bad)], capsys)
    assert rc == 1 and "min_growth (cell B11) holds the Excel error #N/A" in out, out


def test_model_tables(tmp_path, capsys):
    def edit(wb):
        ws = wb["Totals"]
        ws["A6"] = ws["A5"].value  # a year given twice
        ws["B6"] = 1
        b = wb["Budget"]
        b["C5"] = "1,5"
        r = _policy_row(wb, "band")
        wb["Policy"].insert_rows(r + 1)
        wb["Policy"].cell(row=r + 1, column=1, value="band")
        wb["Policy"].cell(row=r + 1, column=2, value=0.01)

    model = broken_model(tmp_path, "m", edit)
    before = sha(model)
    rc, out = run(["validate", str(model)], capsys)
    assert rc == 1
    assert "Totals, column 'year': year '2026/27' appears more than once (rows 5 and 6)" in out
    assert "Budget, row 5, column 'amount': cell C5 holds text '1,5'; expected a number" in out
    assert "parameter 'band' is listed twice" in out
    assert sha(model) == before


def test_blank_recurrent_means_true_and_says_so(tmp_path, capsys):
    def edit(wb):
        for row in wb["Budget"].iter_rows(min_row=5, min_col=4, max_col=4):
            row[0].value = None

    model = broken_model(tmp_path, "m", edit)
    result = xlalloc.run(model, tmp_path / "o.xlsx")
    t = result.tables()
    assert t["table1_recurrent"].loc["Total", "Total"] == t["table1"].loc["Total", "Total"]
    # A documented default is a note, not a warning: printed as "note:" on every run.
    said = "blank 'recurrent' cell(s) read as TRUE, the documented default"
    assert any(said in n for n in result.notes)
    assert not any(said in w for w in result.warnings)
    rc, out = run(["run", str(model), "-o", str(tmp_path / "o2.xlsx")], capsys)
    assert rc == 0
    assert any(line.startswith("note: Budget:") and said in line for line in out.splitlines())
    assert "warning:" not in out


def test_a_place_without_patients(tmp_path, capsys):
    def edit(wb):
        ws = wb["Practices"]
        hdr = [c.value for c in ws[4]]
        ws.cell(row=5, column=hdr.index("place") + 1, value="Ghost town")
        ws.cell(row=5, column=hdr.index("population") + 1, value=0)
        ws.cell(row=5, column=hdr.index("locality") + 1, value="Ghost town")
        wb["Baselines"].append(["Ghost town", 1000])

    model = broken_model(tmp_path, "m", edit)
    rc, out = run(["validate", str(model)], capsys)
    assert rc == 1 and "place 'Ghost town' has a population of 0" in out


def test_names_with_wildcards_are_matched_exactly(tmp_path, libreoffice):
    def edit(wb):
        ws = wb["Practices"]
        col = [c.value for c in ws[4]].index("place") + 1
        for row in ws.iter_rows(min_row=5, min_col=col, max_col=col):
            if row[0].value == "Brookvale":
                row[0].value = "Brook*"
        for sheet in ("Baselines", "PlaceSplits"):
            for row in wb[sheet].iter_rows(min_row=5):
                for c in row:
                    if c.value == "Brookvale":
                        c.value = "Brook*"

    model = broken_model(tmp_path, "m", edit)
    out = tmp_path / "o.xlsx"
    xlalloc.run(model, out)
    checks = read_values(recalculate(out, tmp_path / "lo"))["Checks"]
    total = next(r for r in checks if r and r[0] == "Overall check (0 when all is well)")
    assert total[1] == 0


# ------------------------------------------------------------------ packs


@pytest.fixture(scope="module")
def packs_model(tmp_path_factory):
    d = tmp_path_factory.mktemp("packs")
    model = demo_model(d / "m.xlsx")
    ledger = d / "ledger.csv"
    assert main(["demo-ledger", str(model), "-o", str(ledger)]) == 0
    return d, model, ledger


def test_pack_arguments(packs_model, tmp_path, capsys):
    d, model, ledger = packs_model
    july = _write(tmp_path, "july.csv", "month,place,programme,amount\n4,Brookvale,Acute,5\n")
    a_file = _write(tmp_path, "afile.txt", "x")
    base = ["pack", str(model), "--month", "6"]
    cases = [
        (
            [*base, "--actuals", str(july), "--out", str(tmp_path / "p")],
            "the ledger has no rows for month 6 (Sep): is it the right extract?",
        ),
        (
            [*base, "--actuals", str(ledger), "--out", str(tmp_path / "p"), "--threshold", "5"],
            "did you mean 0.05 for 5%?",
        ),
        (
            [*base, "--actuals", str(ledger), "--out", str(a_file)],
            "is a file; --out names the folder the packs go in",
        ),
        (
            [
                *base,
                "--actuals",
                str(ledger),
                "--out",
                str(tmp_path / "p"),
                "--template",
                str(d / "m.xlsx"),
            ],
            "the pack template has no named cell(s)",
        ),
        (
            ["demo-ledger", str(model), "--month", "13", "-o", str(tmp_path / "l.csv")],
            "'13' is not a month 1 (April) to 12 (March)",
        ),
    ]
    for argv, message in cases:
        rc, out = run(argv, capsys)
        assert rc == 2 and message in out, (argv, out)
    assert (
        run(
            [*base, "--actuals", str(july), "--out", str(tmp_path / "p2"), "--allow-empty-month"],
            capsys,
        )[0]
        == 0
    )


def test_pack_file_names_never_collide():
    from xlalloc.usecases.pack import _file_names

    assert _file_names(["North/East", "NorthEast", "ICB summary"]) == {
        "North/East": "NorthEast.xlsx",
        "NorthEast": "NorthEast (2).xlsx",
        "ICB summary": "ICB summary (2).xlsx",
    }
    # With the period every pack carries, the summary's name is still never a place's.
    assert _file_names(["ICB summary", "A&B"], "2026-27 M06") == {
        "ICB summary": "ICB summary (2) 2026-27 M06.xlsx",
        "A&B": "AB 2026-27 M06.xlsx",
    }


# ------------------------------------------------------------------ no traceback, ever


def test_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    def boom(*_a, **_k):
        raise RuntimeError("a bug")

    monkeypatch.setattr("xlalloc.api.validate", boom)
    rc, out = run(["validate", "x.xlsx"], capsys)
    assert (
        rc == 70
        and "unexpected error (RuntimeError: a bug); nothing was written; run again with --debug"
        in out
    )
    with pytest.raises(RuntimeError):
        main(["--debug", "validate", "x.xlsx"])


class TimeBound:
    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        def hang(*_a):
            raise AssertionError(f"no answer within {self.seconds} s")

        self.old = signal.signal(signal.SIGALRM, hang)
        signal.alarm(self.seconds)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.old)


@pytest.mark.parametrize("seed", range(40))
def test_byte_level_corruption_never_crashes_or_hangs(tmp_path, capsys, seed):
    rng = random.Random(seed)
    model = demo_model(tmp_path / "m.xlsx")
    data = bytearray(model.read_bytes())
    if seed % 2:  # corrupt the zip itself
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        model.write_bytes(bytes(data))
    else:  # corrupt one part inside a valid zip
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
            parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        name = rng.choice(sorted(parts))
        part = bytearray(parts[name])
        for _ in range(rng.randint(1, 10)):
            if part:
                part[rng.randrange(len(part))] = rng.randrange(256)
        parts[name] = bytes(part)
        with zipfile.ZipFile(model, "w") as z:
            for k, v in parts.items():
                z.writestr(k, v)
    before = sha(model)
    with TimeBound(60):
        rc, said = run(["run", str(model), "-o", str(tmp_path / "out.xlsx")], capsys)
    assert rc in (0, 2), said
    if rc == 2:
        assert sha(model) == before and not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("seed", range(40))
def test_csv_corruption_never_crashes_or_hangs(tmp_path, capsys, seed):
    rng = random.Random(seed)
    data = bytearray(ORGS.encode() + b"C,250,0.25\nD,50,0.25\n")
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.choice(b",;\t\n\"'=\xff\x00 -.e9x")
    inp = _write(tmp_path, "orgs.csv", bytes(data))
    with TimeBound(30):
        rc, _ = run(["converge", str(inp), "--total", "520", "-o", str(tmp_path / "o.csv")], capsys)
    assert rc in (0, 2)
    if rc == 0:
        assert pd.read_csv(tmp_path / "o.csv", encoding="utf-8-sig")["allocation"].sum() == 520


# ------------------------------------------------------------------ worksheet functions


@pytest.mark.parametrize(
    "call,message",
    [
        (
            lambda u: u.xla_target_amounts([[1], [2]], 1e20),
            "total: total: 1e+20 is beyond any NHS budget (at most 1e+13)",
        ),
        (
            lambda u: u.xla_apportion(1e20, [[1], [2]]),
            "amount: amount: 1e+20 is beyond any NHS budget (at most 1e+13)",
        ),
        (
            lambda u: u.xla_converge([[100], [100]], [[0.5], [0.5]], 1e20),
            "total: total: 1e+20 is beyond any NHS budget (at most 1e+13)",
        ),
        (
            lambda u: u.xla_target_amounts([[1], [2]], 100, 0),
            "unit: unit is 0; expected a rounding unit of at least a penny (0.01 for pence, 1, "
            "or 1000 for £000)",
        ),
        (  # once a hang: 1e302 units to share out, one at a time
            lambda u: u.xla_apportion(100, [[1], [2]], 1e-300),
            "unit: unit is 1e-300; expected a rounding unit of at least a penny",
        ),
        (
            lambda u: u.xla_levelling_up([[100], [200]], [[1], [1]], 10, None, 1e-300),
            "unit: unit is 1e-300; expected a rounding unit of at least a penny",
        ),
        (  # once "unexpected ValidationError"
            lambda u: u.xla_levelling_up([[100], [200]], [[1], [1]], -100),
            "pot: Input should be greater than or equal to 0 (got -100.0)",
        ),
        (  # a cap of 50p cannot be paid in whole pounds: refused, never paid past it
            lambda u: u.xla_levelling_up([[100], [200]], [[1], [1]], 1, [[0.5], [0.5]]),
            "pot: the pot of £1.00 is more than the caps allow in whole £1",
        ),
        (lambda u: u.xla_target_amounts([[0], [0]], 100), "weights: weights are all zero"),
        (lambda u: u.xla_dft([[0], [0]], [[1], [1]]), "allocations: allocations are all zero"),
        (
            lambda u: u.xla_hcdd([[100]], [[100]], [[150]], [[0.1]], 0.1, 0.05),
            "hcdd_baselines: hcdd_baselines item(s) [1] exceed their baselines",
        ),
        (
            lambda u: u.xla_need_index([[1], [2]], [[1], [2]], [[True], [False]], 50),
            "decimals: decimals is 50; expected a whole number from 0 to 10",
        ),
    ],
)
def test_worksheet_functions_bound_every_argument(call, message):
    from xlalloc.excel import udfs

    with TimeBound(10):  # 1e20 once never returned
        got = call(udfs)
    assert got == "#VALUE! xlalloc: " + message or got.startswith("#VALUE! xlalloc: " + message), (
        got
    )


def test_a_baseline_problem_names_its_sheet_row(tmp_path, capsys):
    def edit(wb):
        wb["Baselines"]["B6"] = 0  # the second place's baseline, on sheet row 6

    model = broken_model(tmp_path, "m", edit)
    rc, out = run(["validate", str(model)], capsys)
    assert (
        rc == 1
        and "Baselines 2026/27, row 6, column 'baseline'" in out
        and "baseline must be above zero" in out
    )


def test_years_that_are_not_sheet_names(tmp_path, libreoffice):
    from xlalloc.engine.convergence import ConvergencePolicy, converge_years
    from xlalloc.workbook.convergence_book import write_convergence

    years = ["O'Brien [draft] 2026/27", "x" * 40, "x" * 40 + "!"]
    orgs = pd.DataFrame(
        [
            {"org": o, "year": y, "baseline": 100 if k == 0 else None, "target_share": s}
            for k, y in enumerate(years)
            for o, s in (("A", 0.4), ("B", 0.6))
        ]
    )
    res = converge_years(orgs, dict(zip(years, (210, 220, 230))), ConvergencePolicy())
    out = write_convergence(tmp_path / "c.xlsx", res)
    values = read_values(recalculate(out, tmp_path / "lo"))
    assert all(len(name) <= 31 for name in values)
    assert "OBrien -draft- 2026-27" in values
    checks = [r for r in values["Checks"][1:] if r and r[0]]
    assert len(checks) == 9 and all(r[1] == 0 for r in checks)


@pytest.mark.parametrize("command", ["targets", "footprint"])
@pytest.mark.parametrize(
    "content,message",
    [
        ("", "the file is empty; expected NHS England's practice file"),
        ("a,b\n1,2\n", "unknown layout: missing practice_code"),
        (None, "file not found"),
    ],
)
def test_nhs_england_files(tmp_path, capsys, command, content, message):
    f = tmp_path / "practices_2025_2026.csv"
    if content is not None:
        f.write_text(content)
    argv = [
        command,
        str(f),
        *([str(f)] if command == "footprint" else []),
        "-o",
        str(tmp_path / "out.csv"),
    ]
    rc, out = run(argv, capsys)
    assert rc == 2 and message in out
    assert not (tmp_path / "out.csv").exists()
    if content is not None:
        assert f.read_text() == content


def test_an_nhs_england_workbook_that_is_not_one(tmp_path, capsys):
    f = _write(tmp_path, "practices_2025_2026.xlsx", b"hello")
    rc, out = run(["targets", str(f), "-o", str(tmp_path / "o.csv")], capsys)
    assert rc == 2 and "not an Excel workbook (.xlsx or .xlsm)" in out


# ------------------------------------------------------------------ activity extracts


def test_extract_money_a_line_does_not_read_is_a_warning_in_activity_and_run(tmp_path, capsys):
    model = demo_model(tmp_path / "model.xlsx")
    extract = _write(
        tmp_path, "cap.csv", "line,practice_code,amount\nAmbulance services,Q10001,100\n"
    )
    before = sha(model), sha(extract)
    rc, out = run(
        ["activity", str(extract), "--model", str(model), "-o", str(tmp_path / "a.csv")], capsys
    )
    assert rc == 0
    assert (
        "warning: line 'Ambulance services': the extracts hold £100.00 for it, but its "
        "methods do not read activity (they share it by weighted population or splits), so "
        "a run will not use this money: add practice_data to its methods on the Budget "
        "sheet, or leave the line out of the extracts"
    ) in out
    rc, out = run(
        ["run", str(model), "--activity", str(extract), "-o", str(tmp_path / "r.xlsx")], capsys
    )
    assert rc == 0
    assert (
        "warning: Apportionment: line 'Ambulance services': its practice-level data (£100.00 "
        "from Practice values or Activity) is not used: its methods (capitation) do not read "
        "practice-level data"
    ) in out
    assert (sha(model), sha(extract)) == before


# ------------------------------------------------------------------ equity and levelling up

EQUITY_LEVELLING = {
    "equity: a unit twice": (
        ["equity"],
        "unit,population,need,spend\nA,100,1,50\nA,100,1,50\nB,100,2,60\n",
        [],
        "in.csv, row 2, column 'unit': unit 'A' appears more than once (rows 2-3); give each "
        "unit one row",
    ),
    "equity: negative tolerance": (
        ["equity"],
        "unit,population,need,spend\nA,100,1,50\nB,100,2,60\n",
        ["--tolerance", "-0.1"],
        "--tolerance: Input should be greater than or equal to 0 (got -0.1)",
    ),
    "levelling-up: an organisation twice": (
        ["levelling-up", "--pot", "1"],
        "org,funding,need\nA,100,1\nB,100,2\nA,100,1\n",
        [],
        "in.csv, row 2, column 'org': organisation 'A' appears more than once (rows 2, 4); "
        "give each organisation one row",
    ),
    "levelling-up: a negative cap": (
        ["levelling-up", "--pot", "1"],
        "org,funding,need,cap\nA,100,1,-5\nB,100,2,\n",
        [],
        "in.csv, row 2, column 'cap': cap is -5; expected a cap of at least 0 (blank for none)",
    ),
    "levelling-up: a negative pot": (
        ["levelling-up", "--pot", "-100"],
        "org,funding,need\nA,100,1\nB,100,2\n",
        [],
        "--pot: Input should be greater than or equal to 0 (got -100.0)\n",
    ),
    "levelling-up: a pot of pence in pounds": (
        ["levelling-up", "--pot", "100.5"],
        "org,funding,need\nA,100,1\nB,100,2\n",
        [],
        "--pot: the pot of £100.50 is not a whole number of the rounding unit £1; give a pot "
        "in whole units, or a smaller unit (0.01 for pence)",
    ),
    "levelling-up: a unit below a penny": (  # once a hang
        ["levelling-up", "--pot", "100"],
        "org,funding,need\nA,100,1\nB,100,2\n",
        ["--unit", "1e-300"],
        "--unit: Input should be greater than or equal to 0.01 (got 1e-300)",
    ),
    "levelling-up: caps of 50p and a £1 pot": (
        ["levelling-up", "--pot", "1"],
        "org,funding,need,cap\nA,100,1,0.5\nB,100,2,0.5\n",
        [],
        "--pot: the pot of £1.00 is more than the caps allow in whole £1 (each cap rounded "
        "down: £0.00 in all); lower the pot, raise the caps, or round to a smaller unit",
    ),
}


@pytest.mark.parametrize("case", sorted(EQUITY_LEVELLING))
def test_equity_and_levelling_up_inputs(tmp_path, capsys, case):
    command, data, extra, message = EQUITY_LEVELLING[case]
    path = _write(tmp_path, "in.csv", data)
    before = sha(path)
    out = tmp_path / "out.csv"
    with TimeBound(20):
        rc, text = run([*command, str(path), *extra, "-o", str(out)], capsys)
    assert rc == 2 and message in text, text
    assert sha(path) == before and not out.exists()


# ------------------------------------------------------------------ corruption, every command

NHSE = "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
NHSE_OLD = "ICB_Allocation_Tool_update__2025_2026.csv"


def _nhse_rows(shared_dir: Path, name: str, icbs: tuple[str, ...], n: int) -> bytes:
    """The header and the first ``n`` practices of each ICB (by code), as NHS England wrote."""
    lines = (shared_dir / name).read_bytes().splitlines(keepends=True)
    header, out, seen = lines[0], [], dict.fromkeys(icbs, 0)
    col = [h.strip() for h in header.decode("utf-8-sig").split(",")].index("ICB")
    for line in lines[1:]:
        icb = line.decode("utf-8", "replace").split(",")[col]
        if icb in seen and seen[icb] < n:
            seen[icb] += 1
            out.append(line)
    return header + b"".join(out)


def _corrupt(data: bytes, rng: random.Random) -> bytes:
    """A few bytes replaced by the characters that break CSV files and numbers."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        out[rng.randrange(len(out))] = rng.choice(b",;\t\n\r\"'=\xff\x00 -.e9x#")
    return bytes(out)


def _cases(shared_dir: Path, tmp_path: Path) -> dict:
    """Command -> (its input files' bytes, the one to corrupt, argv builder, check of a run)."""
    old, new = "old_2025_2026.csv", "new_2026_2027.csv"

    def levelled(out: Path) -> None:
        assert pd.read_csv(out, encoding="utf-8-sig")["payment"].sum() == 1000

    def targeted(out: Path) -> None:
        frame = pd.read_csv(out, encoding="utf-8-sig")
        money = [c for c in frame.columns if c.startswith("target") and "£" in c] or [
            c for c in frame.columns if c == "target"
        ]
        assert money and round(frame[money[0]].sum()) == 1_000_000, list(frame.columns)

    return {
        "targets": (
            lambda: {"p_2026_2027.csv": _nhse_rows(shared_dir, NHSE, ("T01",), 30)},
            "p_2026_2027.csv",
            lambda d, o: [
                "targets",
                str(d / "p_2026_2027.csv"),
                "--budget",
                "1000000",
                "-o",
                str(o),
            ],
            targeted,
        ),
        "footprint": (
            lambda: {
                old: _nhse_rows(shared_dir, NHSE_OLD, ("QM7", "QH8"), 20),
                new: _nhse_rows(shared_dir, NHSE, ("T01", "T02"), 200),
            },
            old,
            lambda d, o: ["footprint", str(d / old), str(d / new), "-o", str(o)],
            lambda out: None,
        ),
        "equity": (
            lambda: {
                "u.csv": b"unit,population,need,spend,deprivation\n"
                b"A,1000,1200,5000,10\nB,2000,1800,7000,20\nC,1500,1500,6500,15\n"
            },
            "u.csv",
            lambda d, o: ["equity", str(d / "u.csv"), "-o", str(o)],
            lambda out: None,
        ),
        "levelling-up": (
            lambda: {"f.csv": b"org,funding,need,cap\nA,1000,10,\nB,3000,20,500\nC,2500,15,\n"},
            "f.csv",
            lambda d, o: ["levelling-up", str(d / "f.csv"), "--pot", "1000", "-o", str(o)],
            levelled,
        ),
        "activity": (
            lambda: {
                "model.xlsx": demo_model(tmp_path / "demo.xlsx").read_bytes(),
                "x.csv": b"line,practice_code,amount\n"
                + b"".join(
                    f"Acute contracts - NHS trusts,Q1000{1 + i % 9},{100 + i}.{i:02d}\n".encode()
                    for i in range(40)
                )
                + b"Acute - independent sector,,10\n",
            },
            "x.csv",
            lambda d, o: [
                "activity",
                str(d / "x.csv"),
                "--model",
                str(d / "model.xlsx"),
                "-o",
                str(o),
            ],
            lambda out: None,
        ),
    }


def _pack_and_compare_cases(tmp_path: Path) -> dict:
    """The ledger of a pack and the later workbook of a compare, to corrupt."""
    from xlalloc import demo
    from xlalloc.model.runner import run_model
    from xlalloc.readers.model import read_model

    model = demo_model(tmp_path / "demo.xlsx")
    result = run_model(read_model(model))
    ledger = demo.ledger(result.apportionment.cells, result.inputs.practices, 4)
    ran = tmp_path / "ran.xlsx"
    xlalloc.run(model, ran)
    return {
        "pack": (
            lambda: {
                "model.xlsx": model.read_bytes(),
                "ledger.csv": ledger.to_csv(index=False).encode(),
            },
            "ledger.csv",
            lambda d, o: [
                "pack",
                str(d / "model.xlsx"),
                "--actuals",
                str(d / "ledger.csv"),
                "--month",
                "4",
                "--out",
                str(o.with_suffix("")),
            ],
            lambda out: None,
        ),
        "compare": (
            lambda: {"old.xlsx": ran.read_bytes(), "new.xlsx": ran.read_bytes()},
            "new.xlsx",
            lambda d, o: ["compare", str(d / "old.xlsx"), str(d / "new.xlsx"), "-o", str(o)],
            lambda out: None,
        ),
    }


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("command", ["pack", "compare"])
def test_corrupted_ledgers_and_runs_never_crash_or_hang(tmp_path, capsys, command, seed):
    case = _pack_and_compare_cases(tmp_path)[command]
    _run_corrupted(tmp_path, capsys, random.Random(f"{command}-{seed}"), case, 120)


def _run_corrupted(tmp_path, capsys, rng, case, seconds):
    """Run a command on its inputs with one corrupted; exit 0 or 2, inputs unchanged.

    Returns:
        (exit status, what it printed, the output path).
    """
    files, target, argv, _check = case
    d = tmp_path / "in"
    d.mkdir()
    for name, data in files().items():
        (d / name).write_bytes(_corrupt(data, rng) if name == target else data)
    before = {p.name: sha(p) for p in d.iterdir()}
    out = tmp_path / "out.csv"
    with TimeBound(seconds):
        rc, text = run(argv(d, out), capsys)
    assert rc in (0, 2), text
    assert {p.name: sha(p) for p in d.iterdir()} == before
    return rc, text, out


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("command", ["targets", "footprint", "equity", "levelling-up", "activity"])
def test_corrupted_inputs_of_every_command_never_crash_or_hang(
    shared_dir, tmp_path, capsys, command, seed
):
    # Never a traceback or exit 70, never past the time bound; a refused run leaves every
    # input as it was and writes nothing; a run that goes ahead still reconciles.
    case = _cases(shared_dir, tmp_path)[command]
    rc, text, out = _run_corrupted(tmp_path, capsys, random.Random(f"{command}-{seed}"), case, 60)
    check = case[3]
    if rc == 0:
        check(out)
    else:
        assert not out.exists() and "input problem" in text or "error:" in text, text


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--seed", "-1"], "--seed: Input should be greater than or equal to 0 (got -1)\n"),
        (["--draws", "5"], "--draws: Input should be greater than or equal to 100 (got 5)\n"),
    ],
)
def test_monte_carlo_options_are_named_as_typed(tmp_path, capsys, extra, message):
    # A seed of -1 once got "did you mean -0.01 for -1%?", named as --uncertainty's.
    out = tmp_path / "t.csv"
    rc, text = run(["targets", "demo", "--uncertainty", "0.02", *extra, "-o", str(out)], capsys)
    assert rc == 2 and message in text and "did you mean" not in text, text
    assert not out.exists()


def test_rebase_baselines_problems_name_the_file_and_row(tmp_path, capsys, shared_dir):
    old = shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv"
    new = shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    baselines = _write(
        tmp_path,
        "BASELINES.csv",
        "icb,baseline\nQH8,1000\nmid and south essex,5\nNowhere ICB,5\nQJG,\nQM7,12.5\n",
    )
    before = sha(baselines)
    out = tmp_path / "rebased.csv"
    rc, text = run(
        ["rebase", str(old), str(new), "--baselines", str(baselines), "-o", str(out)], capsys
    )
    assert rc == 2
    assert (
        "BASELINES.csv, row 3, column 'icb': QH8 NHS Mid and South Essex ICB is given twice "
        "(rows 2 and 3); give each old ICB once"
    ) in text
    assert "BASELINES.csv, row 4, column 'icb': no ICB has code or name 'Nowhere ICB'" in text
    assert "BASELINES.csv, row 5, column 'baseline': the baseline is blank" in text
    assert sha(baselines) == before and not out.exists()
    # Every old ICB needs one, and pounds are whole unless --unit says otherwise.
    good = _write(tmp_path, "two.csv", "icb,baseline\nQH8,1000\nQM7,12.5\n")
    rc, text = run(["rebase", str(old), str(new), "--baselines", str(good), "-o", str(out)], capsys)
    assert rc == 2 and "two.csv, column 'icb': no baseline for 40 of the old file's ICBs" in text
    assert "two.csv, column 'baseline': QM7's baseline 12.50 is not a whole number" in text
