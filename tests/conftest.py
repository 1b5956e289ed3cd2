"""Shared fixtures: NHS England's published files (from ../shared) and LibreOffice."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from libreoffice import soffice

# Runs stamp their time in their provenance; the tests pin it (the reproducible-builds
# convention xlalloc honours), so that running a model twice gives the same file.
os.environ["SOURCE_DATE_EPOCH"] = "1775034000"  # 2026-04-01 09:00 UTC
# Commands run in this process (which imports every extra) work in turn; a second, forked
# process (xlalloc.parallel) is tested from fresh command-line processes, as users run it.
os.environ["XLALLOC_SECOND_PROCESS"] = "0"
# The self-test's kept result (xlalloc.self_test): the session's own, not the user's.
os.environ.setdefault("XLALLOC_CACHE", tempfile.mkdtemp(prefix="xlalloc-cache-"))

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "nhse_weighted_populations"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# CI explores the same examples every run (a failure there is reproducible); run
# `HYPOTHESIS_PROFILE=thorough python -m pytest` to search much harder locally.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if IN_CI else "dev"))


def sha(path: str | Path) -> str:
    """SHA-256 of a file's bytes (to prove an input was left untouched)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


_DEMO_MODEL: list[Path] = []


def demo_model(path: str | Path) -> Path:
    """``xlalloc.new(path, demo=True)``, built once per session and copied after that.

    ``new`` is deterministic (tests/workbook/test_model_book.py checks that it writes the
    same bytes every time), so a copy is the file it would write; tests of ``new`` itself
    call it directly.
    """
    import shutil
    import tempfile

    import xlalloc

    if not _DEMO_MODEL:
        built = Path(tempfile.mkdtemp(prefix="xlalloc-demo-")) / "demo.xlsx"
        xlalloc.new(built, demo=True)
        _DEMO_MODEL.append(built)
    shutil.copyfile(_DEMO_MODEL[0], path)
    return Path(path)


def essex_model(d: Path, shared: Path) -> tuple[Path, int, tuple[float, float]]:
    """A real ICB of fifteen places from NHS England's three 2026/27 to 2028/29 files.

    NHS Essex ICB by local authority district, with the demo's budget lines (by
    capitation) scaled by 1.3, baselines near each place's share and three years'
    convergence totals typed in, as an ICB's analyst would fill them.

    Returns:
        The model, its number of places, and its 2026/27 convergence total and budget
        lines' total.
    """
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    from xlalloc.cli import main

    files = [
        str(shared / f"ICB_Place_Based_Tool_2627-2829__{y}.csv")
        for y in ("2026_2027", "2027_2028", "2028_2029")
    ]
    model = d / "essex.xlsx"
    args = ["new", str(model), *[a for f in files for a in ("--practices", f)]]
    assert main([*args, "--icb", "T02"]) == 0  # NHS Essex ICB (2026/27: 15 districts)
    demo = CalamineWorkbook.from_path(str(demo_model(d / "demo.xlsx")))
    budget = [r for r in demo.get_sheet_by_name("Budget").to_python()[4:] if r and r[0]]
    wb = load_workbook(model)
    practices = [r for r in wb["Practices"].iter_rows(min_row=4, values_only=True)]
    head = list(practices[0])
    need_by_place: dict[str, float] = {}
    for r in practices[1:]:
        if r[head.index("year")] == "2026/27":
            place = r[head.index("place")]
            need_by_place[place] = need_by_place.get(place, 0.0) + r[head.index("core_wp")]
    total = sum(float(r[2]) * 1.3 for r in budget)
    for i, r in enumerate(budget):
        for j, v in enumerate((r[0], r[1], float(r[2]) * 1.3, r[3], "capitation", r[5])):
            wb["Budget"].cell(5 + i, 1 + j, v)
    weight = sum(need_by_place.values())
    for i, (place, w) in enumerate(sorted(need_by_place.items())):
        wb["Baselines"].cell(5 + i, 1, place)
        wb["Baselines"].cell(5 + i, 2, round(total * 0.98 * w / weight * (1 + (i % 5 - 2) / 100)))
    for i, (year, f) in enumerate((("2026/27", 1.0), ("2027/28", 1.03), ("2028/29", 1.061))):
        wb["Totals"].cell(5 + i, 1, year)
        wb["Totals"].cell(5 + i, 2, round(total * f))
    wb.save(model)
    return model, len(need_by_place), (float(round(total)), float(total))


def loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh Python process has imported after running ``code``
    (``modules`` ending in ``.`` count any module below them)."""
    import subprocess
    import sys

    probe = (
        f"{code}\nimport sys\nprint(sorted(m for m in {modules!r} if any(n == m or "
        "(m.endswith('.') and n.startswith(m)) for n in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return eval(out.stdout.strip().splitlines()[-1])  # a list of the names printed


def drivers_rows(values: list[list]) -> tuple[dict[str, int], list[tuple[str, list]]]:
    """A recalculated Drivers sheet's header (label -> column) and its place and ICB rows,
    each with its programme (the block's title, "Acute: spend against need by place")."""
    header = next(r for r in values if r and r[0] == "Place")
    at = {h: k for k, h in enumerate(header)}
    found, programme = [], None
    for r in values:
        if isinstance(r[0], str) and r[0].endswith(": spend against need by place"):
            programme = r[0].split(":")[0]
        elif programme and r[0] not in ("", None, "Place") and r[1] not in ("", None):
            found.append((programme, r))
        elif programme and r[0] in ("", None):
            programme = None  # the block's table ended
    return at, found


def broken_model(tmp_path: Path, name: str, edit) -> Path:
    """A demo model workbook with ``edit(openpyxl_workbook)`` applied."""
    from openpyxl import load_workbook

    model = tmp_path / f"{name}.xlsx"
    demo_model(model)
    wb = load_workbook(model)
    edit(wb)
    wb.save(model)
    return model


def replace_in_part(source: Path, target: Path, part: str, old: bytes, new: bytes) -> Path:
    """A copy of a zip package with ``old`` replaced by ``new`` in one part."""
    import zipfile

    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                assert old in data, f"{part} has no {old!r}"
                data = data.replace(old, new)
            zout.writestr(info, data)
    return target


def write(path, text):
    """Write ``text`` to ``path`` (UTF-8); returns the path."""
    path.write_text(text, encoding="utf-8")
    return path


def pack_argv(model, ledger, month, out, *options) -> list[str]:
    """``xlalloc pack MODEL --actuals LEDGER --month MONTH --out OUT`` and ``options``."""
    return [
        "pack",
        str(model),
        "--actuals",
        str(ledger),
        "--month",
        str(month),
        "--out",
        str(out),
        *map(str, options),
    ]


def write_csv(tmp_path: Path, name: str, df) -> Path:
    """Write a frame as a CSV file in ``tmp_path``; returns its path."""
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def need(condition: bool, reason: str) -> None:
    """Skip with a reason locally; fail under CI, where everything must be present."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required under CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    need(SHARED.is_dir(), f"NHS England files not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def all_years(shared_dir):
    from xlalloc.readers import nhse as data

    return data.read_folder(shared_dir, blank_wp="zero")


@pytest.fixture(scope="session")
def y2526_orig(shared_dir):
    from xlalloc.readers import nhse as data

    return data.load_practices(
        shared_dir / "ICB_Allocation_Tool_update__2025_2026_orig_2025-02-25.csv"
    )


@pytest.fixture(scope="session")
def y2627(shared_dir):
    from xlalloc.readers import nhse as data

    return data.load_practices(shared_dir / "ICB_Place_Based_Tool_2627-2829__2026_2027.csv")


@pytest.fixture(scope="session")
def libreoffice() -> str:
    exe = soffice()
    need(
        exe is not None,
        "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
    )
    return exe


#: Fixtures that make a test slow: LibreOffice (recalculating and printing workbooks) and
#: NHS England's national files. A test using one (directly or through another fixture)
#: is marked ``slow``; ``python -m pytest -m "not slow"`` is the fast tier.
SLOW_FIXTURES = frozenset({"libreoffice", "shared_dir"})


#: Tests slow for another reason (over about 1.2 s each on 2 cores, measured with
#: ``--durations``): building and installing the wheel, many runs of the model, broad
#: property searches. Each module they test keeps faster tests in the fast tier.
SLOW_TESTS = frozenset(
    {
        "test_the_wheel_installs_beside_only_its_core_and_runs_the_model_alike",  # pip install
        "test_the_wheel_is_pure_python_and_needs_only_the_core",  # builds the wheel
        "test_old_plus_amounts_plus_shares_is_new_on_random_edits",
        "test_a_command_line_compare_writes_the_same_workbook_either_way",  # two processes
        "test_cli_run_and_macro_share_code",
        "test_macros_write_identical_sheets_headless_and_in_excel",
        "test_property_conservation_and_order_invariance",
        "test_old_plus_amounts_plus_shares_is_new_to_the_penny",
        "test_shares_targets_and_order_invariance",
        "test_splitting_a_practice_in_halves_changes_nothing",
        "test_packs_script_on_the_web_says_where_packs_are_built",
        "test_validate_script_lists_every_problem_and_leaves_outputs_alone",
        "test_pack_arguments",
        "test_run_keeps_every_part_xlalloc_does_not_own",  # nine cases, three runs each
        "test_practice_years_are_all_given_or_all_blank",
        "test_a_practice_is_in_one_place_in_every_year",
        "test_in_place_keeps_inputs_exactly",
        "test_package_type_checks",  # mypy
        "test_byte_level_corruption_never_crashes_or_hangs",  # fuzzing: 30 s
        "test_random_corruption_is_reported_not_crashed",  # fuzzing
        # Over 1.2 s each (--durations, 2 cores, 2026-12-07): model runs, packs, property
        # searches and Office.js round trips. Out of the fast tier so that it runs in
        # under 2 minutes; the whole suite runs them.
        "test_a_baseline_problem_names_its_sheet_row",
        "test_a_convergence_only_scenario_is_reported_part_by_part",
        "test_a_policy_formula_keeps_its_stored_result_run_after_run",
        "test_action_switch_on_policy_sheet_chooses_what_runs",
        "test_an_icb_new_in_2026_reaches_back_by_practice_code",
        "test_bad_arguments",
        "test_compare_of_two_different_icbs_says_so",
        "test_every_function_through_officejs_gives_the_engines_figures",
        "test_forecast_is_actual_over_months_times_twelve_at_every_level",
        "test_icb_by_name_part_and_helpful_errors",
        "test_run_writes_new_file_and_leaves_input_byte_identical",
        "test_a_book_run_in_excel_before_the_record_keeps_its_outputs_and_refuses_the_users",
        "test_a_grouping_the_files_lack_names_the_columns_they_have",
        "test_a_model_from_nhs_files_says_what_to_fill_in_next",
        "test_a_templates_logo_and_chart_are_kept_beside_xlallocs",
        "test_an_excel_error_in_a_policy_cell_is_refused_through_officejs",
        "test_an_extract_apportions_exactly_as_the_activity_sheet",
        "test_an_icb_merged_away_says_which_icbs_its_practices_joined",
        "test_an_isfe_ledger_with_its_map_reports_every_mapped_pound",
        "test_batch_allocations_equal_a_bisection_for_every_scenario",
        "test_blank_recurrent_means_true_and_says_so",
        "test_budget_to_date_is_annual_times_phasing_at_every_level",
        "test_changes_workbook_columns_look_as_the_models_do",
        "test_committed_demo_workbook_and_template_are_up_to_date",
        "test_compare_writes_its_changes_when_given_an_output",
        "test_every_cell_row_column_and_total_is_its_exact_value_to_the_unit",
        "test_every_command_module_is_run_by_a_test",
        "test_excel_errors_reach_the_functions_as_errors_never_as_values",
        "test_files_get_ordinary_permissions",
        "test_levelling_up_command",
        "test_line_totals_are_exact_to_the_penny",
        "test_lite_files_register_every_function_and_script_through_xlwings",
        "test_metadata_lists_every_pinned_function_and_script",
        "test_new_run_validate",
        "test_pace_0_rounds_core_growth_within_a_pound_of_each_exact_core",
        "test_pace_1_gives_the_rounded_targets_exactly",
        "test_packs_action_from_the_ribbon",
        "test_packs_from_an_isfe_ledger_from_the_ribbon",
        "test_per_1000_looks_the_same_in_the_model_and_the_targets_command",
        "test_property_capitation_gives_equal_cost_per_weighted_head",
        "test_property_conservation_bounds_and_fairness",
        "test_property_pace_zero_and_one",
        "test_property_row_order_does_not_matter",
        "test_quiet_when_piped",
        "test_regeneration_is_byte_identical",
        "test_run_refuses_a_repeated_scenario_and_columns_without_extracts",
        "test_sheets_and_names_of_a_model",
        "test_the_demo_model_reads_the_same_either_way",
        "test_the_drivers_function_through_officejs_gives_the_commands_figures",
        "test_the_identities_hold_for_any_places",
        "test_the_models_cost_centres_sheet_is_the_map_when_none_is_given",
        "test_the_parts_xlalloc_edits_may_be_spelt_any_valid_way",
        "test_the_ribbon_never_clears_a_sheet_of_the_users",
        "test_totals_for_a_year_the_model_does_not_converge_are_named_by_row",
        "test_unmapped_practices_are_an_error_unless_allowed",
        "test_vectorised_ledger_checks_say_what_the_row_loop_said",
        "test_xlwings_generates_the_pinned_vba_functions",
        "test_year_on_year_reconciliation_against_practices_added_and_removed",
        "test_zero_filled_weighted_populations_are_listed_in_the_output",
    }
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        name = getattr(item, "originalname", None) or item.name
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or name in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
