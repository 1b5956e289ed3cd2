"""Result tables as CSV or XLSX, formats chosen from column names."""

import pandas as pd
from openpyxl import load_workbook

from xlalloc.model.labels import label
from xlalloc.workbook.tables import INDEX, MONEY, NUMBER, PCT, SHARE, number_format, write_tables


def test_formats_from_names():
    assert [
        number_format(c)
        for c in (
            "core_index",
            "target_share",
            "dft_before",
            "growth",
            "core_wp",
            "population",
            "allocation",
            "org",
        )
    ] == [INDEX, SHARE, PCT, PCT, NUMBER, NUMBER, MONEY, None]
    # The activity extract's sources and coverage tables.
    assert [number_format(c) for c in ("rows", "amount", "attributed", "coverage")] == [
        NUMBER,
        MONEY,
        MONEY,
        SHARE,
    ]


def test_csv_with_a_sidecar_table(tmp_path):
    out = write_tables(
        tmp_path / "r.csv",
        {"convergence": pd.DataFrame({"a": [1]}), "Trajectory Table": pd.DataFrame({"b": [2]})},
    )
    # UTF-8 with a byte-order mark and CRLF lines, as Excel expects.
    assert out.read_bytes() == b"\xef\xbb\xbfa\r\n1\r\n"
    assert (tmp_path / "r-trajectory_table.csv").read_bytes() == b"\xef\xbb\xbfb\r\n2\r\n"


def test_xlsx_sheet_per_table(tmp_path):
    out = write_tables(
        tmp_path / "r.xlsx",
        {"Targets": pd.DataFrame({"name": ["=1+1"], "target": [1234.0], "target_share": [0.5]})},
    )
    ws = load_workbook(out)["Targets"]
    assert [c.value for c in ws[1]] == ["Name", label("target"), "Target share"]  # labels
    assert ws["A2"].data_type == "s" and ws["B2"].number_format == MONEY
    assert ws["C2"].number_format == SHARE and ws.freeze_panes == "A2"


def test_csv_money_is_whole_pounds_or_pence_never_a_float():
    """840000000.0 is how Python prints a float, not how a finance team writes money."""
    from xlalloc.workbook.tables import csv_bytes

    df = pd.DataFrame(
        {
            "org": ["A", "B"],
            "allocation": [840_000_000.0, -12.0],  # whole pounds: written whole
            "amount": [1234.5, float("nan")],  # pence somewhere: every figure to the penny
            "population": [1234.5, 2.0],  # not money: as it is
        }
    )
    text = csv_bytes(df).decode("utf-8-sig")
    assert text.splitlines() == [
        "org,allocation,amount,population",
        "A,840000000,1234.50,1234.5",
        "B,-12,,2.0",  # a negative figure is a number, not a formula to defuse
    ]
    # Money declared in the column registry whose name does not say so (a comparison's
    # old, new and change).
    named = pd.DataFrame({"place": ["A"], "change": [-5.0]})
    assert csv_bytes(named).decode("utf-8-sig").splitlines()[1] == "A,-5"
