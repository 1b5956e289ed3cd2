"""``xlalloc footprint``: practices followed to the new organisations."""

from conftest import write

import xlalloc.api as api

NHSE_HEADER = (
    "Practice_Code,GP_Practice_Name,ICB,ICBname,LAD,LADname,Registered Patients,G&A WP,CS WP,"
    "MH WP,Mat WP,Health Ineq WP,Prescr WP,Core WP,Primary Medical Care WP,Final PMC WP\n"
)


def test_footprint_follows_practices_to_the_new_organisations(tmp_path):
    # 2025/26: both practices in Q1. 2026/27: P2 has moved to Q2.
    def practices(year, second_icb):
        rows = [("P1", "Q1", 1000.0), ("P2", second_icb, 3000.0)]
        text = NHSE_HEADER + "".join(
            f"{code},Practice {code},{icb},ICB {icb},E1,Place,{wp},"
            + ",".join([str(wp)] * 9)
            + "\n"
            for code, icb, wp in rows
        )
        return write(tmp_path / f"practices_{year}_{year + 1}.csv", text)

    old, new = practices(2025, "Q1"), practices(2026, "Q2")
    run = api.footprint(old, new, tmp_path / "f.csv")
    table = run.tables["Footprint"]
    assert run.summary.startswith("2 new organisations from 1; 0 practice(s)")
    # The old year's core weighted population on the new organisations: 1,000 and 3,000.
    assert sorted(table.filter(like="core").iloc[:, 0]) == [1000.0, 3000.0]
