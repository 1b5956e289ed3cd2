"""Reading NHS England's published files, every year's layout."""

import numpy as np
import pandas as pd
import pytest

from xlalloc.engine.capitation import COMPONENTS
from xlalloc.engine.errors import InputError
from xlalloc.readers import nhse as data

EXPECTED = {  # source -> (year, practices, ICBs), from the files' README
    "AIF_Allocation_Tool__2022_2023.csv": ("2022/23", 6554, 42),
    "AIF_Allocation_Tool__2023_2024.csv": ("2023/24", 6553, 42),
    "AIF_Allocation_Tool__2024_2025.csv": ("2024/25", 6553, 42),
    "AIF_Allocation_Tool__GP_Practice_WP_2023_2024_2025.xlsx [GP_wp_202324]": ("2023/24", 6553, 42),
    "AIF_Allocation_Tool__GP_Practice_WP_2023_2024_2025.xlsx [GP_wp_202425]": ("2024/25", 6553, 42),
    "ICB_Allocation_Tool_update__2025_2026.csv": ("2025/26", 6348, 42),
    "ICB_Allocation_Tool_update__2025_2026_orig_2025-02-25.csv": ("2025/26", 6348, 42),
    "ICB_Place_Based_Tool_2627-2829__2026_2027.csv": ("2026/27", 6281, 36),
    "ICB_Place_Based_Tool_2627-2829__2027_2028.csv": ("2027/28", 6281, 36),
    "ICB_Place_Based_Tool_2627-2829__2028_2029.csv": ("2028/29", 6281, 36),
}


def test_every_file_and_year_is_read(all_years):
    got = all_years.groupby("source").agg(
        year=("year", "first"), n=("practice_code", "size"), icbs=("icb_code", "nunique")
    )
    assert {s: (r.year, r.n, r.icbs) for s, r in got.iterrows()} == EXPECTED
    assert list(all_years.columns) == data.FRAME_COLUMNS


def test_every_component_sums_to_national_population(all_years):
    for source, g in all_years.groupby("source"):
        pop = g["population"].sum()
        for c in COMPONENTS:
            # Published to 6 decimals (some 2022/23 columns to 1-2): within one person.
            assert abs(g[c].sum() - pop) < 1.0, (source, c, g[c].sum() - pop)


def test_csv_and_workbook_of_the_same_year_agree(all_years):
    for year in ("2023/24", "2024/25"):
        y = all_years[all_years["year"] == year]
        csv = y[y["source"].str.endswith(".csv")].set_index("practice_code").sort_index()
        xl = y[y["source"].str.endswith("]")].set_index("practice_code").sort_index()
        assert list(csv.index) == list(xl.index)
        for c in ("population", *COMPONENTS):
            np.testing.assert_allclose(csv[c], xl[c], rtol=1e-8, atol=1e-6)


def test_blank_weighted_population_is_an_error_naming_every_practice(shared_dir):
    with pytest.raises(InputError) as e:
        data.read_file(shared_dir / "AIF_Allocation_Tool__2022_2023.csv")
    msg = str(e.value)
    assert "17 input problems" in msg
    for code in ("C85628", "D83615", "Y06113"):
        assert f"practice {code}: Mat WP is blank" in msg
    assert "column 'Mat WP'" in msg


def test_blank_as_zero_is_explicit_and_recorded(all_years):
    filled = all_years[all_years["filled"].notna()]
    assert len(filled) == 17 and set(filled["filled"]) == {"maternity"}
    assert (filled["maternity"] == 0).all()
    assert set(filled["year"]) == {"2022/23"}


def test_headers_are_found_not_positions(tmp_path):
    cols = [
        "\ufeffPractice_Code",
        "ICB",
        "ICBname",
        "Registered Patients",
        "G&A WP",
        "CS WP",
        "MH WP",
        "Mat WP",
        "Health Ineq  WP",
        "Prescr WP",
        "Core WP ",
        "Primary Medical Care WP",
        "Final PMC WP",
    ]
    rows = [["X1", "Q1", "ICB One", 100, 90, 95, 110, 80, 120, 105, 101, 99, 98]]
    df = pd.DataFrame(rows, columns=cols)
    shuffled = df[list(reversed(cols))]
    p = tmp_path / "made_up__2030_2031.csv"
    shuffled.to_csv(p, index=False)
    out = data.read_file(p)
    assert out.loc[0, "year"] == "2030/31"
    assert out.loc[0, "core"] == 101 and out.loc[0, "health_inequalities"] == 120
    assert out.loc[0, "population"] == 100 and out.loc[0, "icb_name"] == "ICB One"


def test_unknown_layout_lists_found_and_expected(tmp_path):
    p = tmp_path / "odd__2030_2031.csv"
    pd.DataFrame({"Practice_Code": ["X1"], "ICB": ["Q1"], "Pop": [1], "G&A WP": [1]}).to_csv(
        p, index=False
    )
    with pytest.raises(InputError) as e:
        data.read_file(p)
    msg = str(e.value)
    assert (
        "unknown layout" in msg and "Columns found: 'Practice_Code', 'ICB', 'Pop', 'G&A WP'" in msg
    )
    assert "population (pop \\d{4}/\\d{2} or population or registered patients)" in msg
    assert "core (final wp or core wp)" in msg


def test_text_in_numbers_and_duplicates_reported_together(tmp_path):
    cols = [
        "Practice_Code",
        "ICB",
        "Population",
        "G&A WP",
        "CS WP",
        "MH WP",
        "Mat WP",
        "Health Ineq WP",
        "Prescr WP",
        "Final WP",
        "Primary Medical Care WP",
        "Final PMC WP",
    ]
    rows = [
        ["X1", "Q1", "abc", 1, 1, 1, 1, 1, 1, 1, 1, 1],
        ["X1", "Q1", 5, 1, 1, 1, 1, 1, 1, 1, 1, -3],
    ]
    p = tmp_path / "bad__2030_2031.csv"
    pd.DataFrame(rows, columns=cols).to_csv(p, index=False)
    with pytest.raises(InputError) as e:
        data.read_file(p)
    msg = str(e.value)
    assert "3 input problems" in msg
    assert "row 2, column 'Population': practice X1: Population is not a number ('abc')" in msg
    assert "Final PMC WP is negative" in msg and "appears more than once (rows 2-3)" in msg


def test_a_practice_code_in_two_cases_is_one_practice_twice(tmp_path):
    """B83009 and b83009 were read as two practices; codes are read as NHS England
    writes them (upper case, trimmed), so the second is a duplicate and refused. A code
    typed in lower case alone is read in upper case, as are ICB codes."""
    cols = ["Practice_Code", "ICB", "Population", "G&A WP", "CS WP", "MH WP", "Mat WP"]
    cols += ["Health Ineq WP", "Prescr WP", "Final WP", "Primary Medical Care WP"]
    cols += ["Final PMC WP"]
    one = [1] * 9
    p = tmp_path / "case__2030_2031.csv"
    pd.DataFrame([["B83009", "QWO", 5, *one], [" b83009", "qwo", 5, *one]], columns=cols).to_csv(
        p, index=False
    )
    with pytest.raises(InputError) as e:
        data.read_file(p)
    assert "practice B83009 appears more than once (rows 2-3)" in str(e.value)
    pd.DataFrame([["b83009 ", "qwo", 5, *one]], columns=cols).to_csv(p, index=False)
    read = data.read_file(p)
    assert read["practice_code"].tolist() == ["B83009"] and read["icb_code"].tolist() == ["QWO"]


def test_year_from_names():
    assert data.year_from_name("AIF_Allocation_Tool__2022_2023") == "2022/23"
    assert data.year_from_name("ICB_Allocation_Tool_update__2025_2026_orig_2025-02-25") == "2025/26"
    assert data.year_from_name("ICB_Place_Based_Tool_2627-2829__2028_2029") == "2028/29"
    assert data.year_from_name("GP_wp_202425") == "2024/25"
    assert data.year_from_name("practices") is None


def test_one_name_per_icb_code(shared_dir, all_years):
    # The 2023/24-2024/25 workbook holds CCG names in its ICB name column (up to ten per
    # ICB). Read alone, each code gets the name most of its practices carry; read with the
    # later files, the ICB's own name.
    wb = data.read_file(
        shared_dir / "AIF_Allocation_Tool__GP_Practice_WP_2023_2024_2025.xlsx", blank_wp="zero"
    )
    assert wb.groupby("icb_code")["icb_name"].nunique().max() == 1
    assert wb.loc[wb["icb_code"] == "QWO", "icb_name"].iloc[0] == "NHS Leeds CCG"
    assert all_years.groupby("icb_code")["icb_name"].nunique().max() == 1
    assert set(all_years.loc[all_years["icb_code"] == "QWO", "icb_name"]) == {
        "NHS West Yorkshire ICB"
    }


def test_find_icb_says_where_a_district_is(shared_dir):
    from xlalloc.readers import nhse

    df = nhse.read_file(shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv")
    with pytest.raises(
        InputError, match="'Leeds' is a local authority district in QWO NHS West Yorkshire ICB"
    ):
        nhse.find_icb(df, "Leeds")
    with pytest.raises(InputError, match="the ICB is blank"):
        nhse.find_icb(df, "  ")
    assert nhse.find_icb(df, "NHS  West Yorkshire ICB") == ("QWO", "NHS West Yorkshire ICB")
    headers = nhse.read_headers(shared_dir / "ICB_Allocation_Tool_update__2025_2026.csv")
    assert headers[0] == "Practice_Code" and "PCN_Name" in headers
    assert nhse.match_columns_optional(headers)["pcn_name"] == "PCN_Name"


def test_a_header_twice_a_header_only_file_and_an_empty_workbook_are_named(tmp_path):
    """Each ended as "unexpected error" (exit 70) or a message about England's ratios."""
    from openpyxl import Workbook

    cols = ["Practice_Code", "ICB", "Population", "G&A WP", "CS WP", "MH WP", "Mat WP"]
    cols += ["Health Ineq WP", "Prescr WP", "Final WP", "Primary Medical Care WP"]
    cols += ["Final PMC WP"]
    twice = tmp_path / "twice__2030_2031.csv"
    pd.DataFrame([["B1", "Q1", *[1] * 10, 1]], columns=[*cols, "Final WP"]).to_csv(
        twice, index=False
    )
    with pytest.raises(InputError) as e:
        data.read_file(twice)
    assert "column 'Final WP' appears 2 times (columns J, M); keep one" in str(e.value)
    header_only = tmp_path / "head__2030_2031.csv"
    header_only.write_text(",".join(cols) + "\n")
    with pytest.raises(InputError) as e:
        data.read_file(header_only)
    assert "the file has a header row and no practices below it" in str(e.value)
    empty = tmp_path / "empty.xlsx"
    wb = Workbook()
    wb.active.title = "2030-31"
    wb.save(empty)
    with pytest.raises(InputError) as e:
        data.read_file(empty)
    assert "every sheet of the workbook is empty" in str(e.value)


def test_footprint_refuses_a_header_only_old_file(tmp_path, capsys):
    """It reported "0 new organisations from 0" with exit 0."""
    from conftest import SHARED, need

    from xlalloc.cli import main

    new = SHARED / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv"
    need(new.exists(), f"NHS England files not found at {SHARED}")
    old = tmp_path / "old_2025_2026.csv"
    old.write_text(new.read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    assert main(["footprint", str(old), str(new), "-o", str(tmp_path / "f.csv")]) == 2
    assert "old_2025_2026.csv: the file has a header row and no practices" in (
        capsys.readouterr().err
    )


def test_rows_of_more_or_fewer_cells_than_the_header_are_named_and_a_blank_line_is_not(tmp_path):
    """A comma inside an unquoted value makes a row one cell longer; a cut row is shorter.
    Each is named by its row in the file (row 1 the header), grouped by its number of
    cells; a blank line is a row of blanks, whose practice code and figures are missing."""
    header = "Practice_Code,ICB,Population,G&A WP,CS WP,MH WP,Mat WP,Health Ineq WP,"
    header += "Prescr WP,Final WP,Primary Medical Care WP,Final PMC WP"  # 12 cells
    good = ",".join(["X1", "Q1", *["1"] * 10])
    lines = [
        header,
        good,
        "X2,Q1,Surgery, The,1,1,1,1,1,1,1,1,1",  # row 3: 13 cells
        "X3,Q1,1,1",  # row 4: 4 cells
        "X4,Q1,Health Centre, Old,1,1,1,1,1,1,1,1,1",  # row 5: 13 cells
    ]
    p = tmp_path / "cut__2030_2031.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as e:
        data.read_file(p)
    assert [str(x) for x in e.value.problems] == [
        "cut__2030_2031.csv, row 4: 4 cells where the header has 12: a comma inside a value, "
        "or cells missing; use the file as NHS England publishes it",
        "cut__2030_2031.csv, row 3: 13 cells where the header has 12 (rows 3, 5): a comma "
        "inside a value, or cells missing; use the file as NHS England publishes it",
    ]
    p.write_text("\n".join([header, good, "", good.replace("X1", "X2")]) + "\n")
    with pytest.raises(InputError) as e:
        data.read_file(p)
    problems = [str(x) for x in e.value.problems]
    assert (
        problems[0] == "cut__2030_2031.csv, row 3, column 'Practice_Code': practice code is blank"
    )
    # ... and its population and nine weighted populations, each blank, on the same row
    assert len(problems) == 11 and all(", row 3, column '" in x for x in problems)
    assert sum(" is blank (never filled silently" in x for x in problems) == 10
