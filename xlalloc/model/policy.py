"""The model's policy: every Policy-sheet parameter, defined once.

:class:`ModelPolicy` is the single definition of every named parameter on the
model workbook's Policy sheet: its type, default, bounds, meaning and source. The
Policy sheet (rows, data validation, allowed values), ``docs/model-workbook.md``,
the reader's checks, the demo and the command line's convergence options are all
derived from it, and it builds the engine's own settings
(:class:`~xlalloc.engine.convergence.ConvergencePolicy`,
:class:`~xlalloc.engine.apportionment.ApportionmentSettings`,
:class:`~xlalloc.engine.monitoring.PackSettings`).

Parameters that the engine defines (growth floors and caps, band, pace, coverage
threshold, variance threshold ...) reuse the engine's field definitions, so their
bounds cannot disagree. Presentation hints for the sheet (``percent``) and each
parameter's ``source`` travel as ``json_schema_extra``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)
from pydantic.fields import FieldInfo

from ..engine.apportionment import ApportionmentSettings
from ..engine.capitation import Component
from ..engine.convergence import ConvergencePolicy, policy_from
from ..engine.equity import TOLERANCE_SOURCE, EquitySettings
from ..engine.errors import InputError, Problems, checked, percent_hint
from ..engine.monitoring import PackSettings
from ..engine.registry import Choices
from ..engine.uncertainty import SOURCE as UNCERTAINTY
from ..engine.uncertainty import UncertaintySettings
from .presentation import MoneyUnit, PaperSize, Presentation

__all__ = [
    "ModelPolicy",
    "MoneyUnit",
    "Parameter",
    "ParameterKind",
    "RunControl",
    "checked",
    "parameters",
    "sheet_names",
    "sheet_rows",
]

S = TypeVar("S", bound=BaseModel)

ANNEX = (
    "NHS England, specialised commissioning 2024/25, annex 2: convergence principles "
    "(shared/reference/003)"
)
BSOL = "Birmingham and Solihull apportionment paper, Appendix 1 (shared/reference/001)"
TOOL = "NHS England place-based allocation tool"
WEST_YORKSHIRE = "West Yorkshire's 0.25% local convergence (shared/reference/000)"
XLALLOC = "xlalloc"

_CP = ConvergencePolicy
_AS = ApportionmentSettings
Opt = float | None


def _engine(
    model: type[BaseModel],
    name: str,
    annotation: object,
    source: str,
    percent: bool = False,
    **overrides: Any,
) -> FieldInfo:
    """An engine model's field definition, reused here with the sheet's hints added.

    ``annotation`` must be the engine field's own type (checked), so the model and the
    engine cannot drift; ``overrides`` (e.g. a model-level ``default``) replace the
    engine's, while bounds and meaning stay the engine's. The field remembers its section
    and its name there (:func:`sheet_names` reads them: the one place a rename is made).
    """
    fi = model.model_fields[name]
    if fi.annotation != annotation:
        raise TypeError(f"{name}: {annotation} is not the engine's {fi.annotation}")
    extra = {"percent": percent, "source": source, "section": model.__name__, "field": name}
    return FieldInfo.merge_field_infos(fi, json_schema_extra=extra, **overrides)


def _from(model: type[BaseModel], name: str) -> FieldInfo:
    """A field of a section of xlalloc's own (presentation, run control), reused whole."""
    fi = model.model_fields[name]
    extra = dict(fi.json_schema_extra) if isinstance(fi.json_schema_extra, dict) else {}
    extra.update(section=model.__name__, field=name)
    return FieldInfo.merge_field_infos(fi, json_schema_extra=extra)


def _default(model: type[BaseModel], name: str) -> Any:
    """An engine model's default for a field (so the model states it only once)."""
    return model.model_fields[name].default


def _own(
    default: object, description: str, source: str = XLALLOC, percent: bool = False, **bounds: Any
) -> Any:
    return Field(
        default,
        description=description,
        json_schema_extra={"percent": percent, "source": source},
        **bounds,
    )


def _whole(v: object) -> object:
    """A whole number typed as 6.0 is 6; 1.5 stays an error (never cut)."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


#: What the ribbon button runs.
Action = Literal["run", "validate", "refresh", "packs"]
#: A yes-or-no choice on the sheet.
YesNo = Literal["yes", "no"]


class RunControl(BaseModel):
    """How a run is carried out from the ribbon, and where its packs go: not policy.

    The Policy sheet carries these beside the policy (:class:`ModelPolicy` reuses their
    definitions); they change no figure of the model.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action = _own("run", "what the ribbon button runs")
    pack_actuals: str | None = _own(None, "ledger extract for monthly packs (CSV or XLSX path)")
    pack_month: Annotated[int | None, BeforeValidator(_whole)] = _own(
        None, "month reported in packs (1 = April)", ge=1, le=12
    )
    pack_dir: str | None = _own(None, "folder the monthly packs are written to")
    pack_columns: str | None = _own(
        None,
        "the ledger's headers where they are not the fields' names, e.g. month=Period,"
        "cost_centre=Cost Centre,amount=Actual (blank: the names; Period and Actual are "
        "read as month and amount)",
    )
    pack_pdf: YesNo | None = _own(
        "no",
        "also print each pack to PDF beside its workbook: yes or no (blank: no); from the "
        "ribbon Excel prints them with its own export, elsewhere LibreOffice",
    )


_RC = RunControl
_PR = Presentation
_US = UncertaintySettings


class ModelPolicy(BaseModel):
    """Every named parameter of a model workbook's Policy sheet, one row each, in order.

    The sheet is flat; the policy is composed. Each row is a field of a section: the
    engine's settings (:class:`~xlalloc.engine.convergence.ConvergencePolicy`,
    :class:`~xlalloc.engine.apportionment.ApportionmentSettings`,
    :class:`~xlalloc.engine.equity.EquitySettings`,
    :class:`~xlalloc.engine.monitoring.PackSettings`,
    :class:`~xlalloc.engine.uncertainty.UncertaintySettings`), the model's own, or the
    run control (:class:`RunControl`) and presentation
    (:class:`~xlalloc.model.presentation.Presentation`) that are not policy. A row
    reuses its section's definition (type, bounds, meaning), naming it where the sheet's
    name differs (``convergence_method`` is the convergence policy's ``method``): the one
    place a rename is made. :meth:`section` builds any section from the rows.

    Growth rates, shares and thresholds are decimals: 0.01 is 1%.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Annotated[Action, _from(_RC, "action")] = _default(_RC, "action")
    financial_year: str = _own(
        "2026/27", "financial year of the budget, e.g. 2026/27", pattern=r"^\d{4}/\d{2}$"
    )
    icb_budget: float | None = _own(
        None, "ICB budget shared by target (£); blank: the budget lines' total", ge=0
    )
    target_component: Component = _own("core", "weighted population for target shares", TOOL)
    # The unit of the convergence policy and of the apportionment settings alike.
    rounding_unit: Literal[1, 1000] = _own(1, "rounding unit in £ (1 or 1000)")
    # From the engine's ConvergencePolicy (annex 2 principles; West Yorkshire's topslice).
    # A registered method's name: the engine's field carries its check and choices.
    convergence_method: Annotated[str, _engine(_CP, "method", str, ANNEX)] = _default(_CP, "method")
    min_growth: Annotated[Opt, _engine(_CP, "min_growth", Opt, ANNEX, True)] = 0.01
    max_growth: Annotated[Opt, _engine(_CP, "max_growth", Opt, ANNEX, True)] = _default(
        _CP, "max_growth"
    )
    band: Annotated[Opt, _engine(_CP, "band", Opt, ANNEX, True)] = _default(_CP, "band")
    over_target_floor: Annotated[Opt, _engine(_CP, "over_target_floor", Opt, ANNEX, True)] = (
        _default(_CP, "over_target_floor")
    )
    over_target_from: Annotated[Opt, _engine(_CP, "over_target_from", Opt, ANNEX, True)] = _default(
        _CP, "over_target_from"
    )
    over_target_to: Annotated[Opt, _engine(_CP, "over_target_to", Opt, ANNEX, True)] = _default(
        _CP, "over_target_to"
    )
    pace: Annotated[Opt, _engine(_CP, "pace", Opt, ANNEX, True)] = _default(_CP, "pace")
    topslice: Annotated[Opt, _engine(_CP, "topslice", Opt, WEST_YORKSHIRE, True)] = _default(
        _CP, "topslice"
    )
    # From the engine's ApportionmentSettings (Birmingham and Solihull, Appendix 1).
    coverage_threshold: Annotated[float, _engine(_AS, "coverage_threshold", float, BSOL, True)] = (
        _default(_AS, "coverage_threshold")
    )
    per_1000_component: Annotated[
        Component, _engine(_AS, "per_1000_component", Component, BSOL)
    ] = _default(_AS, "per_1000_component")
    # From the engine's EquitySettings (workshop report: targets accurate to ±5%).
    # Blank (or missing from a model made before it): the engine's default.
    equity_tolerance: Annotated[
        float | None, _engine(EquitySettings, "tolerance", float, TOLERANCE_SOURCE, True)
    ] = _default(EquitySettings, "tolerance")
    icb_name: str | None = _own(None, "the ICB's name, for reports")
    pack_actuals: Annotated[str | None, _from(_RC, "pack_actuals")] = _default(_RC, "pack_actuals")
    pack_month: Annotated[int | None, _from(_RC, "pack_month")] = _default(_RC, "pack_month")
    pack_dir: Annotated[str | None, _from(_RC, "pack_dir")] = _default(_RC, "pack_dir")
    pack_columns: Annotated[str | None, _from(_RC, "pack_columns")] = _default(_RC, "pack_columns")
    pack_threshold: Annotated[float, _engine(PackSettings, "threshold", float, XLALLOC, True)] = (
        _default(PackSettings, "threshold")
    )
    pack_pdf: Annotated[YesNo | None, _from(_RC, "pack_pdf")] = _default(_RC, "pack_pdf")
    # From the engine's UncertaintySettings. Blank U: no intervals, so blank is allowed
    # here where the engine's fields are not; the sheet says what blank means.
    target_uncertainty: Annotated[
        float | None,
        _engine(
            _US,
            "relative",
            float,
            UNCERTAINTY,
            True,
            description="U for target intervals: relative uncertainty of a 250,000 "
            "population's weighted population (2.55% is ±5% at 95%); blank: no intervals",
        ),
    ] = None
    uncertainty_draws: Annotated[
        int | None,
        _engine(
            _US,
            "draws",
            int,
            UNCERTAINTY,
            description="Monte Carlo draws for target intervals (blank: 2000)",
        ),
        BeforeValidator(_whole),
    ] = _default(_US, "draws")
    uncertainty_seed: Annotated[
        int | None,
        _engine(
            _US,
            "seed",
            int,
            UNCERTAINTY,
            description="random seed for target intervals: the same seed gives the same "
            "figures (blank: 1)",
        ),
        BeforeValidator(_whole),
    ] = _default(_US, "seed")
    money_unit: Annotated[MoneyUnit | None, _from(_PR, "money_unit")] = _default(_PR, "money_unit")
    paper_size: Annotated[PaperSize | None, _from(_PR, "paper_size")] = _default(_PR, "paper_size")
    protective_marking: Annotated[str | None, _from(_PR, "protective_marking")] = _default(
        _PR, "protective_marking"
    )

    @field_validator("rounding_unit", mode="before")
    @classmethod
    def _unit_number(cls, v: object) -> object:
        """A unit typed as text or as 1.0 is the number 1."""
        try:
            x = float(str(v))
        except ValueError:
            return v
        return int(x) if x.is_integer() else v

    @property
    def unit(self) -> float:
        """The rounding unit in £."""
        return float(self.rounding_unit)

    def section(self, model: type[S], **given: object) -> S:
        """A section of the policy, built from the sheet's rows that are its fields.

        Each row's value goes to its field in the section, by the names
        :func:`sheet_names` holds (a blank row is left out: the section's default).

        Args:
            model: The section (the engine's settings, :class:`RunControl` or
                :class:`~xlalloc.model.presentation.Presentation`).
            given: Values of the section's own, beyond the sheet's (a policy's ``source``).
        """
        return model(**{**self._rows_of(model), **given})

    def _rows_of(self, model: type[BaseModel]) -> dict[str, object]:
        """The section's fields from the sheet's rows (blank rows left out)."""
        values = {f: getattr(self, row) for f, row in sheet_names(model).items()}
        return {f: v for f, v in values.items() if v is not None}

    def convergence(self, source: str = "model workbook Policy sheet") -> ConvergencePolicy:
        """The engine's convergence policy.

        Raises:
            InputError: The parameters do not make a consistent policy (e.g. method
                ``pace`` without a pace).
        """
        return policy_from({**self._rows_of(ConvergencePolicy), "source": source}, where="Policy")

    def apportionment(self) -> ApportionmentSettings:
        """The engine's apportionment settings."""
        return self.section(ApportionmentSettings)

    def uncertainty(self) -> UncertaintySettings | None:
        """The engine's target-uncertainty settings (``None``: no intervals)."""
        if self.target_uncertainty is None:
            return None
        return self.section(UncertaintySettings)

    def packs(self) -> PackSettings:
        """The engine's monitoring settings."""
        return self.section(PackSettings)

    @property
    def presentation(self) -> Presentation:
        """How the output sheets show money and print."""
        return self.section(Presentation)

    @property
    def run_control(self) -> RunControl:
        """What the ribbon runs and where packs go."""
        return self.section(RunControl)

    @classmethod
    def build(
        cls,
        values: dict[str, object],
        where: str = "Policy",
        cells: dict[str, str] | None = None,
        rows: dict[str, int] | None = None,
    ) -> ModelPolicy:
        """Validate parameter values, reporting every problem at once.

        Args:
            values: Parameter name -> value (``None`` for blank).
            where: The sheet or option the values come from.
            cells: Parameter name -> the cell it was read from, for messages.
            rows: Parameter name -> its sheet row, for messages.

        Raises:
            InputError: One problem per bad parameter, naming it, its cell, the
                value found and what was expected.
        """
        try:
            return cls(**values)
        except ValidationError as e:
            problems = Problems()
            for err in e.errors():
                name = str(err["loc"][0]) if err["loc"] else "policy"
                p = PARAMETERS_BY_NAME.get(name)
                cell = f" (cell {cells[name]})" if cells and name in cells else ""
                found = values.get(name)
                shown = f"{found:g}" if isinstance(found, float) else repr(found)
                shown = shown if len(shown) <= 60 else shown[:57] + "..."
                expected = p.allowed if p is not None else err["msg"]
                hint = percent_hint(found) if p is not None and p.percent else ""
                text = f"{name}{cell} is {shown}; expected {expected}{hint}"
                # A validator's own words say what is wrong (a choice's: expected, as above).
                if err["type"] == "value_error" and not (p is not None and p.choices):
                    text = f"{name}{cell}: {err['msg'].removeprefix('Value error, ')}"
                problems.add(where, text, row=(rows or {}).get(name), column="value")
            raise InputError(problems.items) from None


class ParameterKind(StrEnum):
    """What a Policy parameter holds (from its field's type in :class:`ModelPolicy`)."""

    NUMBER = "number"
    WHOLE = "whole"  # a whole number
    TEXT = "text"
    LIST = "list"  # one of its choices


@dataclass(frozen=True)
class Parameter:
    """One Policy-sheet parameter, as derived from :class:`ModelPolicy`.

    Attributes:
        name: The parameter's name (column ``parameter`` and a defined name).
        kind: ``number``, ``whole`` (a whole number), ``text`` or ``list`` (one of ``choices``).
        default: The value a new model holds.
        description: What it means.
        source: The guidance it implements.
        choices: Allowed values of a ``list`` parameter.
        minimum: Lowest allowed value (inclusive), if any.
        maximum: Highest allowed value, if any.
        below_maximum: True when the maximum itself is not allowed.
        percent: Shown as a percentage on the sheet.
        blank_ok: May be left blank.
    """

    name: str
    kind: ParameterKind
    default: object
    description: str
    source: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    below_maximum: bool = False
    percent: bool = False
    blank_ok: bool = True

    @property
    def allowed(self) -> str:
        """What the parameter accepts, in words."""
        if self.choices:
            return "one of " + ", ".join(self.choices)
        blank = " or blank" if self.blank_ok else ""
        if self.kind in (ParameterKind.NUMBER, ParameterKind.WHOLE):
            what = "a whole number" if self.kind is ParameterKind.WHOLE else "a number"
            lo, hi = self.minimum, self.maximum
            if lo is not None and hi is not None:
                below = f" (below {hi:g})" if self.below_maximum else ""
                return f"between {lo:g} and {hi:g}{below}" + (
                    " (a whole number)" if self.kind is ParameterKind.WHOLE else ""
                )
            if lo is not None:
                return f"at least {lo:g}"
            return what + blank
        if self.name == "financial_year":
            return "a financial year such as 2026/27"
        return "text" + blank


def _parameter(name: str, fi: FieldInfo) -> Parameter:
    extra = fi.json_schema_extra if isinstance(fi.json_schema_extra, dict) else {}
    ann = fi.annotation
    blank_ok = get_origin(ann) is not Literal and type(None) in get_args(ann)
    if blank_ok:
        ann = next(a for a in get_args(ann) if a is not type(None))
    choices: tuple[str, ...] = ()
    if get_origin(ann) is Literal:
        choices = tuple(str(c) for c in get_args(ann))
    # A registry's names (a convergence method added as a module is one of them).
    choices = next((m() for m in fi.metadata if isinstance(m, Choices)), choices)
    kind = (
        ParameterKind.LIST
        if choices
        else ParameterKind.WHOLE
        if ann is int
        else ParameterKind.NUMBER
        if ann is float
        else ParameterKind.TEXT
    )
    lo = hi = None
    below = False
    for m in fi.metadata:
        lo = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else lo
        lo = getattr(m, "gt", None) if getattr(m, "gt", None) is not None else lo
        if getattr(m, "le", None) is not None:
            hi = m.le
        if getattr(m, "lt", None) is not None:
            hi, below = m.lt, True
    return Parameter(
        name,
        kind,
        fi.default,
        fi.description or "",
        str(extra.get("source")),
        choices,
        lo,
        hi,
        below,
        bool(extra.get("percent")),
        blank_ok,
    )


def parameters() -> tuple[Parameter, ...]:
    """Every Policy-sheet parameter, in sheet order."""
    return PARAMETERS


PARAMETERS: tuple[Parameter, ...] = tuple(
    _parameter(n, f) for n, f in ModelPolicy.model_fields.items()
)
PARAMETERS_BY_NAME = {p.name: p for p in PARAMETERS}


def sheet_names(model: type[BaseModel]) -> dict[str, str]:
    """A section's fields on the Policy sheet: field -> its row's name, in field order.

    Read from :class:`ModelPolicy`'s rows (each remembers its section and field), so a
    rename is made in one place: the row's definition; and ``rounding_unit``, the model's
    own row, is every section's ``unit`` (the convergence's and the apportionment's).
    """
    rows: dict[str, str] = {"unit": "rounding_unit"}  # every section's rounding unit
    for row, fi in ModelPolicy.model_fields.items():
        extra = fi.json_schema_extra if isinstance(fi.json_schema_extra, dict) else {}
        if extra.get("section") == model.__name__:
            rows[str(extra["field"])] = row
    return {f: rows[f] for f in model.model_fields if f in rows}


def sheet_rows(model: type[BaseModel]) -> tuple[str, ...]:
    """The Policy sheet's rows a section reads, in its fields' order (``policy_fields``)."""
    return tuple(sheet_names(model).values())
