"""The one policy model: every Policy-sheet parameter defined once, and everything else
(the sheet, its validation, the docs, the command line, the engine's settings) derived."""

import pytest
from openpyxl import load_workbook

from xlalloc.engine.apportionment import ApportionmentSettings
from xlalloc.engine.convergence import ConvergencePolicy
from xlalloc.engine.equity import EquitySettings
from xlalloc.engine.errors import InputError
from xlalloc.engine.monitoring import PackSettings
from xlalloc.model.policy import PARAMETERS, PARAMETERS_BY_NAME, ModelPolicy
from xlalloc.model.schema import PARAMETERS as SHEET_PARAMETERS

#: Policy name -> (engine model, engine field) for parameters the engine defines.
ENGINE_FIELDS = {
    "convergence_method": (ConvergencePolicy, "method"),
    "max_growth": (ConvergencePolicy, "max_growth"),
    "min_growth": (ConvergencePolicy, "min_growth"),
    "band": (ConvergencePolicy, "band"),
    "over_target_floor": (ConvergencePolicy, "over_target_floor"),
    "over_target_from": (ConvergencePolicy, "over_target_from"),
    "over_target_to": (ConvergencePolicy, "over_target_to"),
    "pace": (ConvergencePolicy, "pace"),
    "topslice": (ConvergencePolicy, "topslice"),
    "coverage_threshold": (ApportionmentSettings, "coverage_threshold"),
    "per_1000_component": (ApportionmentSettings, "per_1000_component"),
    "pack_threshold": (PackSettings, "threshold"),
}


def test_the_sheet_schema_is_the_policy_model():
    assert SHEET_PARAMETERS is PARAMETERS
    assert [p.name for p in PARAMETERS] == list(ModelPolicy.model_fields)
    for p in PARAMETERS:
        assert p.description and p.source != "None", p.name


@pytest.mark.parametrize("name", sorted(ENGINE_FIELDS))
def test_bounds_and_meaning_are_the_engines(name):
    model, field = ENGINE_FIELDS[name]
    ours, theirs = ModelPolicy.model_fields[name], model.model_fields[field]
    assert ours.metadata == theirs.metadata and ours.description == theirs.description
    assert ours.annotation == theirs.annotation


def test_topslice_bound_is_below_one_everywhere():
    # The sheet once allowed at most 0.99 while the engine allowed anything below 1.
    p = PARAMETERS_BY_NAME["topslice"]
    assert (p.maximum, p.below_maximum) == (1.0, True)
    ModelPolicy(convergence_method="topslice", topslice=0.999)
    with pytest.raises(ValueError):
        ModelPolicy(topslice=1.0)


def test_defaults_are_stated_once():
    m = ModelPolicy()
    assert m.coverage_threshold == ApportionmentSettings().coverage_threshold == 0.8
    assert m.pack_threshold == PackSettings().threshold == 0.05
    assert m.min_growth == 0.01  # the model's own default: a 1% floor for a new model
    assert m.icb_name is None  # an empty model holds no demo values


def test_builds_the_engines_settings():
    m = ModelPolicy(
        convergence_method="pace",
        pace=0.5,
        min_growth=0.02,
        rounding_unit=1000,
        coverage_threshold=0.9,
        per_1000_component="ga",
        pack_threshold=0.1,
    )
    c = m.convergence()
    assert (c.method, c.pace, c.min_growth, c.unit) == ("pace", 0.5, 0.02, 1000.0)
    a = m.apportionment()
    assert (a.coverage_threshold, a.unit, a.per_1000_component) == (0.9, 1000.0, "ga")
    assert m.packs().threshold == 0.1


def test_an_inconsistent_convergence_policy_is_an_input_problem():
    with pytest.raises(InputError, match="method 'pace' needs pace"):
        ModelPolicy(convergence_method="pace").convergence()


def test_every_bad_value_reported_at_once_with_its_cell():
    with pytest.raises(InputError) as e:
        ModelPolicy.build(
            {"min_growth": 5.0, "pack_month": 1.5, "rounding_unit": 7, "target_component": "gp"},
            cells={"min_growth": "B11"},
            rows={"min_growth": 11},
        )
    text = str(e.value)
    assert (
        "Policy, row 11, column 'value': min_growth (cell B11) is 5; expected between -1 "
        "and 1" in text
    )
    assert "pack_month is 1.5; expected between 1 and 12 (a whole number)" in text
    assert "rounding_unit is 7; expected one of 1, 1000" in text
    assert "target_component is 'gp'; expected one of ga, community" in text
    assert len(e.value.problems) == 4


def test_units_typed_as_text_or_float_are_numbers():
    assert ModelPolicy(rounding_unit="1000").unit == 1000.0
    assert ModelPolicy(rounding_unit=1.0).rounding_unit == 1
    assert ModelPolicy(pack_month=6.0).pack_month == 6


def test_sheet_rows_validation_and_names_follow_the_model(tmp_path):
    from xlalloc.workbook.model_book import build_model

    wb = build_model(None, ModelPolicy(band=0.02))
    ws = wb["Policy"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(5, 5 + len(PARAMETERS))}
    assert list(rows) == [p.name for p in PARAMETERS]
    assert ws.cell(row=rows["band"], column=2).value == 0.02
    assert ws.cell(row=rows["topslice"], column=4).value == "between 0 and 1 (below 1)"
    for p in PARAMETERS:
        assert wb.defined_names[p.name].attr_text == f"'Policy'!$B${rows[p.name]}"
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules[f"B{rows['convergence_method']}"].formula1 == '"level,pace,topslice"'
    assert rules[f"B{rows['pack_month']}"].type == "whole"
    assert float(rules[f"B{rows['max_growth']}"].formula2) == pytest.approx(1 - 1e-9)
    path = tmp_path / "m.xlsx"
    wb.save(path)
    assert load_workbook(path)["Policy"]["E4"].value == "source"


def test_command_line_options_come_from_the_engine_fields(capsys):
    from xlalloc.cli import main

    with pytest.raises(SystemExit):
        main(["converge", "--help"])
    out = capsys.readouterr().out
    for field in ConvergencePolicy.model_fields:
        if field != "source":
            assert "--" + field.replace("_", "-") in out
    assert "--min-growth 0.01 for 1%" in out


# ------------------------------------------------ the policy composed of sections


def test_each_section_names_its_rows_and_every_rename_is_made_once():
    from xlalloc.engine.uncertainty import UncertaintySettings
    from xlalloc.model.policy import RunControl, sheet_names
    from xlalloc.model.presentation import Presentation

    # The renames, by hand: the sheet's name where it differs from the section's field.
    renamed = {
        section.__name__: {f: row for f, row in sheet_names(section).items() if f != row}
        for section in (
            ConvergencePolicy,
            ApportionmentSettings,
            EquitySettings,
            PackSettings,
            UncertaintySettings,
            RunControl,
            Presentation,
        )
    }
    assert renamed == {
        "ConvergencePolicy": {"method": "convergence_method", "unit": "rounding_unit"},
        "ApportionmentSettings": {"unit": "rounding_unit"},
        "EquitySettings": {"tolerance": "equity_tolerance"},
        "PackSettings": {"threshold": "pack_threshold"},
        "UncertaintySettings": {
            "relative": "target_uncertainty",
            "draws": "uncertainty_draws",
            "seed": "uncertainty_seed",
        },
        "RunControl": {},
        "Presentation": {},
    }
    # Every row is a section's, or one of the model's own five.
    sectioned = {
        row
        for s in (ConvergencePolicy, ApportionmentSettings, EquitySettings, PackSettings)
        for row in sheet_names(s).values()
    }
    sectioned |= {*sheet_names(UncertaintySettings).values(), *sheet_names(RunControl).values()}
    sectioned |= set(sheet_names(Presentation).values())
    own = set(ModelPolicy.model_fields) - sectioned
    assert own == {"financial_year", "icb_budget", "target_component", "icb_name"}


def test_a_section_is_built_from_its_rows():
    from xlalloc.engine.uncertainty import UncertaintySettings
    from xlalloc.model.presentation import Presentation

    m = ModelPolicy(
        rounding_unit=1000,
        target_uncertainty=0.03,
        uncertainty_draws=500.0,  # a whole number typed as 500.0
        money_unit="£m",
        pack_month=6.0,
        pack_dir="packs",
    )
    assert m.uncertainty() == UncertaintySettings(relative=0.03, draws=500, seed=1)
    assert ModelPolicy().uncertainty() is None  # blank U: no intervals
    assert m.apportionment().unit == 1000.0 == m.convergence().unit
    assert m.presentation == Presentation(money_unit="£m")
    assert (m.run_control.pack_month, m.run_control.pack_dir) == (6, "packs")
    with pytest.raises(ValueError):
        ModelPolicy(pack_month=6.5)  # never cut to 6


def test_what_a_signature_leaves_out_is_the_run_control_and_the_presentation():
    from xlalloc.model.assurance import NOT_SIGNED

    assert NOT_SIGNED == {
        "action",
        "pack_actuals",
        "pack_month",
        "pack_dir",
        "pack_columns",
        "pack_pdf",
        "money_unit",
        "paper_size",
        "protective_marking",
    }


def test_a_blank_row_of_a_bounded_section_field_is_blank_not_a_crash():
    """Found by the corruption test: a bound applied to a blank draws or seed crashed."""
    for name in ("uncertainty_draws", "uncertainty_seed", "target_uncertainty", "pack_month"):
        assert getattr(ModelPolicy.build({name: None}), name) is None, name
    with pytest.raises(InputError, match="uncertainty_draws .* is 99; expected between 100"):
        ModelPolicy.build({"uncertainty_draws": 99}, cells={"uncertainty_draws": "C27"})
