"""How a workbook is presented: its money unit, its paper and its protective marking.

Not policy: how figures are shown and printed, never what they are. The model's Policy
sheet carries these three beside its parameters (:class:`Presentation`, whose fields
:class:`~xlalloc.model.policy.ModelPolicy` reuses), and every command that writes a
workbook takes them as options (:class:`~xlalloc.request.Written`, with these choices and
defaults). This module imports nothing of the engine, so a command's options are built
without it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "HEADER_LIMIT",
    "MARKING",
    "MARKING_SOURCE",
    "MONEY_UNIT",
    "MoneyUnit",
    "PAPER_SIZE",
    "PaperSize",
    "Presentation",
    "checked_marking",
]

#: Excel's limit on a page header's text, codes included.
HEADER_LIMIT = 255

#: The codes around the marking in a sheet's header (``&C&"-,Bold"``: centred, bold).
MARKING_CODES = len('&C&"-,Bold"')


def checked_marking(value: str | None) -> str | None:
    """A protective marking that fits Excel's page header (255 characters, codes included).

    Raises:
        ValueError: A marking too long for the header, with its length and the limit.
    """
    if value is None:
        return value
    length = len(value.replace("&", "&&")) + MARKING_CODES
    if length > HEADER_LIMIT:
        most = HEADER_LIMIT - MARKING_CODES
        raise ValueError(
            f"the protective marking is {len(value)} characters; a page header holds at most "
            f"{most} (Excel's limit of {HEADER_LIMIT}, less its formatting; each & counts "
            "twice): shorten it, e.g. OFFICIAL-SENSITIVE"
        )
    return value


#: How money is shown on a workbook's sheets (the figures stay in pounds).
MoneyUnit = Literal["£", "£000", "£m"]


#: Paper the output sheets print on.
PaperSize = Literal["A4", "A3"]

#: The defaults: whole pounds, A4, and OFFICIAL at the top of every page.
MONEY_UNIT: MoneyUnit = "£"
PAPER_SIZE: PaperSize = "A4"
MARKING = "OFFICIAL"

#: Where the default marking comes from.
MARKING_SOURCE = "Government Security Classifications (Cabinet Office): OFFICIAL"


class Presentation(BaseModel):
    """How a model's output sheets show money and print: its own model, not policy.

    The Policy sheet carries these three beside the policy
    (:class:`~xlalloc.model.policy.ModelPolicy` reuses their definitions); blank is the
    default.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    money_unit: MoneyUnit | None = Field(
        MONEY_UNIT,
        description="money shown on output sheets in £, £000 or £m (figures stay in pounds; "
        "blank: £)",
        json_schema_extra={"percent": False, "source": "xlalloc"},
    )
    paper_size: PaperSize | None = Field(
        PAPER_SIZE,
        description="paper the output sheets print on: A4, or A3 for board papers (landscape "
        "sheets then fit more columns at a legible size; blank: A4)",
        json_schema_extra={"percent": False, "source": "xlalloc"},
    )
    protective_marking: Annotated[str | None, AfterValidator(checked_marking)] = Field(
        MARKING,
        description="protective marking printed at the top of every page (blank: none)",
        json_schema_extra={"percent": False, "source": MARKING_SOURCE},
    )
