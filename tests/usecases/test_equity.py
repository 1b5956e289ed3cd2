"""``xlalloc equity``: equity of spend against need, by hand."""

from conftest import write

import xlalloc.api as api


def test_equity_by_hand(tmp_path):
    units = write(
        tmp_path / "u.csv",
        "unit,population,need,spend\nA,100,100,100\nB,100,200,200\nC,100,100,300\n",
    )
    run = api.equity(units, tmp_path / "e.xlsx")
    # Expected spend = need / 400 × 600: 150, 300, 150; A and B get 2/3 of it.
    table = run.tables["Units"].set_index("unit")
    assert list(table["expected"]) == [150, 300, 150]
    assert run.summary.startswith("3 units; 66.7% of the population in underserved units")
    assert (tmp_path / "e.xlsx").exists()
