"""Typed requests: what a use case asks for, validated once at the front door.

Every command's request is a frozen pydantic model built by :meth:`Request.of`; a bad
value is reported by its field's name, marked as an option (see
:func:`~xlalloc.engine.errors.option`), so the command line shows its flag and the
Python API its keyword. Requests that write a file share :class:`Written`: the output,
whether it may be replaced, and how money and the protective marking are shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from .engine.errors import InputError, Problems, option, percent_hint
from .model.presentation import (
    MARKING,
    MONEY_UNIT,
    PAPER_SIZE,
    MoneyUnit,
    PaperSize,
    checked_marking,
)

__all__ = [
    "ExtractColumns",
    "Month",
    "Request",
    "Written",
    "checked_month",
    "extract_headers",
]

R = TypeVar("R", bound="Request")


def extract_headers(value: object) -> object:
    """``line=Contract,practice_code=GP,amount=Cost`` (as typed) read as the mapping.

    Raises:
        ValueError: Every bad part, in one message.
    """
    if isinstance(value, str):
        from .readers.activity import parse_columns

        try:
            return parse_columns(value)
        except InputError as e:  # every bad part, in the request's one problem for the field
            raise ValueError("; ".join(p.message for p in e.problems)) from None
    return value


def checked_month(value: int, typed: str | None = None) -> int:
    """A financial-year month: 1 (April) to 12 (March).

    Args:
        value: The month.
        typed: The text it was read from, named in the message (default: the number).

    Raises:
        ValueError: Another number, in words.
    """
    if not 1 <= value <= 12:
        raise ValueError(
            f"{typed if typed is not None else str(value)!r} is not a month 1 (April) to 12 (March)"
        )
    return value


#: A financial-year month, 1 (April) to 12 (March).
Month = Annotated[int, AfterValidator(checked_month)]


#: An activity extract's headers by field (``line``, ``practice_code``, ``amount``), given
#: as a mapping or as typed: ``line=Contract,practice_code=GP,amount=Cost``.
ExtractColumns = Annotated[
    dict[str, str] | None,
    BeforeValidator(extract_headers),
    Field(
        description="the extracts' headers, where they are not line, practice_code and "
        "amount, e.g. line=Contract,practice_code=GP,amount=Cost",
        json_schema_extra={"metavar": "line=H,practice_code=H,amount=H"},
    ),
]


class Request(BaseModel):
    """A use case's request: frozen, no unknown fields, every bad value named."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Fields that are rates: a value of 5 gets "did you mean 0.05 for 5%?".
    rates: ClassVar[tuple[str, ...]] = ()
    #: The fields taken by position, in order: the Python API's positional parameters.
    #: On the command line those before ``output`` are its arguments; every other field
    #: is an option.
    arguments: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def fields_in_order(cls) -> list[str]:
        """Its fields as a reader meets them: its arguments, its own, then those it shares.

        The order of the API's parameters and docstring and of the command's options.
        """
        shared = [n for base in cls.__mro__[1:] for n in getattr(base, "model_fields", {})]
        own = [n for n in cls.model_fields if n not in shared and n not in cls.arguments]
        rest = [n for n in cls.model_fields if n in shared and n not in cls.arguments]
        return [*cls.arguments, *own, *dict.fromkeys(rest)]

    @classmethod
    def of(cls: type[R], **values: Any) -> R:
        """A request from its fields' values.

        Raises:
            InputError: Every bad value, each named by its field (the command line
                shows its flag).
        """
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            problems = Problems()
            for err in e.errors():
                name = str(err["loc"][0]) if err["loc"] else "request"
                value = values.get(name, "")
                got = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
                problems.add(
                    option(name),
                    f"{err['msg'].removeprefix('Value error, ')}"
                    + (f" (got {got})" if value not in ("", None) else "")
                    + (percent_hint(value) if name in cls.rates else ""),
                )
            raise InputError(problems.items) from None


class Written(Request):
    """A request that writes one file: CSV (full pounds) or a workbook."""

    #: The extensions the output may have (a workbook's shows money and prints as asked).
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".xlsx")

    output: Path = Field(description="the file written: .csv or .xlsx")
    overwrite: bool = Field(False, description="replace the output if it exists")
    # The presentation's choices and defaults, defined once (the Policy sheet's too).
    money_unit: MoneyUnit = Field(
        MONEY_UNIT, description="money shown in £, £000 or £m (workbooks)"
    )
    marking: str = Field(
        MARKING, description="protective marking printed on every page ('' for none)"
    )
    paper_size: PaperSize = Field(PAPER_SIZE, description="paper the workbook prints on: A4 or A3")

    @field_validator("marking")
    @classmethod
    def _marking_fits(cls, v: str) -> str:
        """A marking that fits the printed page header (:func:`checked_marking`)."""
        return checked_marking(v) or ""

    def checked_output(
        self,
        *inputs: object,
        sidecars: tuple[str, ...] = (),
    ) -> Path:
        """The output, checked by the one rule (and the CSVs beside it, ``OUT-NAME.csv``).

        Raises:
            InputError: An unknown extension, an existing file without ``overwrite``, or
                an input named as the output.
        """
        from .workbook.files import check_output

        named = [str(i) for i in inputs if i]
        out = check_output(self.output, named, self.overwrite, self.suffixes)
        if out.suffix.lower() == ".csv":
            for name in sidecars:
                check_output(
                    out.with_name(f"{out.stem}-{name}.csv"), named, self.overwrite, (".csv",)
                )
        return out

    def look(self) -> Any:
        """The workbook look asked for, stamped with the run time and version."""
        from .model.runner import run_time
        from .workbook.sheetspec import Look

        return Look.of(run_time(), self.money_unit, self.marking, self.paper_size)
