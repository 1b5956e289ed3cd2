"""The settings of an apportionment run (what the methods and the rounding read)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..capitation import Component
from ..rounding import MIN_UNIT

__all__ = ["ApportionmentSettings"]


class ApportionmentSettings(BaseModel):
    """Settings for an apportionment run."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    coverage_threshold: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="minimum share of a line's data attributed to practices or places for "
        "practice_data or scale to be used",
    )
    unit: float = Field(
        1.0, ge=MIN_UNIT, description="rounding unit in £ (0.01 for pence, 1, or 1000 for £000)"
    )
    per_1000_component: Component = Field(
        "core", description="weighted population used for Table 2 (cost per 1,000)"
    )
    source: str = Field(
        "Birmingham and Solihull apportionment paper, Appendix 1",
        description="where these settings come from",
    )
