"""``xlalloc table-y1``: Table Y1 through the Python API."""

import xlalloc.api as api


def test_table_y1_through_the_api(tmp_path):
    run = api.table_y1(tmp_path / "y1.csv")
    years = run.tables["convergence"]["year"].unique().tolist()
    assert years == ["2024/25", "2025/26", "2026/27", "2027/28", "2028/29"]
    # Each year's allocations sum to that year's total exactly.
    for _, year in run.tables["convergence"].groupby("year"):
        assert year["allocation"].sum() == round(year["allocation"].sum())
    assert (tmp_path / "y1-trajectory.csv").exists()
