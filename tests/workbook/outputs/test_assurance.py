"""The Assurance sheet: every item of the record, what changed since the last run, the
sign-off kept from run to run, printed legibly."""

from __future__ import annotations

from conftest import SHARED, need
from libreoffice import body_text_sizes, read_values, recalculate, to_pdf
from openpyxl import load_workbook

import xlalloc
from xlalloc.cli import main
from xlalloc.model.schema import PARAMETERS
from xlalloc.workbook.outputs.assurance import draw

from .conftest import cells


def test_the_sheet_holds_every_section_of_the_record(demo):
    result, rng, look = demo
    checks = []
    (spec,) = draw(result, rng, checks, look)
    text = [v for v in cells(spec).values() if isinstance(v, str)]
    for heading in (
        "Roles and sign-off (the Sign-off sheet; HM Treasury's AQuA book)",
        "Verification",
        "Model map: input sheets, the parts that ran, the output sheets",
        "Uncertainty: target share intervals, 2026/27",  # the demo asks for intervals
        "Assumptions log: every Policy parameter",
        "Data log: where the figures came from",
    ):
        assert heading in text, heading
    assert "drafted" in text  # nobody has signed the demo
    assert any(t.endswith("reference cases passed") for t in text)
    for p in PARAMETERS:
        assert p.name in text, p.name
    assert {"commissioner", "analyst", "assurer", "approver"} <= set(text)
    assert checks == [
        ("Assurance: self-test reference cases that failed", checks[0][1], 0)
    ] and checks[0][1].startswith("=Assurance!C")


def _rows(path, sheet="Assurance"):
    return read_values(path)[sheet]


def test_a_model_from_nhs_files_records_its_run_and_what_changed(tmp_path, libreoffice):
    need(SHARED.is_dir(), f"NHS England files not found at {SHARED}")
    model = tmp_path / "wy.xlsx"
    source = SHARED / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    assert main(["new", str(model), "--icb", "QWO", "--practices", str(source)]) == 0
    wb = load_workbook(model)
    signoff = wb["Sign-off"]
    signoff["B5"], signoff["C5"] = "C. Commissioner", "2026-11-02"
    signoff["B7"], signoff["C7"] = "A. Assurer", "2026-11-30"
    wb.save(model)
    xlalloc.run(model, in_place=True)
    first = _rows(model)
    flat = [str(v) for r in first for v in r]
    assert "assured" in flat and "C. Commissioner" in flat and "A. Assurer" in flat
    assert any(v.startswith("ICB_Place_Based_Tool_2627-2829__2026_2027.csv") for v in flat)
    import hashlib

    assert hashlib.sha256(source.read_bytes()).hexdigest() in flat
    log = next(i for i, r in enumerate(first) if r[:2] == ["Parameter", "Value in this run"])
    by = {r[0]: r for r in first[log + 1 : log + 1 + len(PARAMETERS)]}
    assert by["min_growth"][1:6] == ["0.01", "0.01", "no", "(no previous run)", "(no previous run)"]
    # One Policy value changed, the model run in place again: the log shows both values.
    wb = load_workbook(model)
    policy = wb["Policy"]
    row = next(r for r in range(1, 60) if policy.cell(r, 1).value == "min_growth")
    policy.cell(row, 2).value = 0.015
    wb.save(model)
    xlalloc.run(model, in_place=True)
    second = _rows(model)
    log = next(i for i, r in enumerate(second) if r[:2] == ["Parameter", "Value in this run"])
    by = {r[0]: r for r in second[log + 1 : log + 1 + len(PARAMETERS)]}
    assert by["min_growth"][1:6] == ["0.015", "0.01", "yes", "0.01", "yes"]
    assert by["max_growth"][5] == "no"
    flat = [str(v) for r in second for v in r]
    assert "Changed since the previous run: min_growth from 0.01 to 0.015" in flat
    assert "C. Commissioner" in flat  # the sign-off is an input: kept from run to run
    # Recalculated by LibreOffice: the overall check reads 0, beside the Checks sheet's.
    values = read_values(recalculate(model, tmp_path / "lo"))
    verification = next(
        r for r in values["Assurance"] if r[0] == "Overall check (0 when all is well)"
    )
    assert verification[2] == 0
    # Printed: every page of the Assurance sheet at 8 pt or more, one page across.
    pdf = to_pdf(model, tmp_path / "pdf")
    sizes = [s for s in body_text_sizes(pdf) if s[0] == "Assurance"]
    assert sizes and min(pt for _s, pt, _n in sizes) >= 8, sizes
