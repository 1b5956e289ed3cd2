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
