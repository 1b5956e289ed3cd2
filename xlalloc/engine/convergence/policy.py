"""The convergence policy: every parameter named, bounded and explained."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from ..errors import checked
from ..registry import Choices

__all__ = ["METHOD_NAMES", "ConvergencePolicy", "Method", "floors", "policy_from"]

Array = npt.NDArray[np.float64]

#: Every registered convergence method's name, in registration order (its module's
#: :func:`~.methods.base.register` adds it; ``level``, ``pace``, ``topslice`` and any
#: method added as a module of :mod:`.methods`).
METHOD_NAMES: list[str] = []

_METHODS = Choices(lambda: METHOD_NAMES)

#: A convergence method's name: one registered.
Method = Annotated[str, AfterValidator(_METHODS.check), _METHODS]


class ConvergencePolicy(BaseModel):
    """A convergence policy, every parameter named and bounded.

    Growth figures are decimals (0.025 = 2.5%). Distances from target are
    decimals too (0.05 = 5% above target).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Method = Field(
        "level", description="level (water-filling), pace, or topslice (local convergence)"
    )
    min_growth: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.01],
        description="minimum growth for every organisation (floor)",
    )
    max_growth: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.06],
        description="maximum growth for the furthest under target (cap)",
    )
    band: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        examples=[0.01],
        description="|DfT| within which organisations get core growth",
    )
    over_target_floor: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.0],
        description="reduced minimum growth for those far above target",
    )
    over_target_from: float | None = Field(
        None, ge=0.0, lt=1.0, examples=[0.05], description="DfT at which the floor starts to reduce"
    )
    over_target_to: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        examples=[0.15],
        description="DfT from which the reduced floor applies in full",
    )
    pace: float | None = Field(
        None, ge=0.0, le=1.0, examples=[0.5], description="pace of change p (pace method)"
    )
    topslice: float | None = Field(
        None,
        ge=0.0,
        lt=1.0,
        examples=[0.0025],
        description="share of core-grown baseline top-sliced (topslice)",
    )
    unit: float = Field(1.0, gt=0, examples=[1000], description="rounding unit in £ (1 or 1000)")
    hcdd_growth: float | None = Field(
        None, ge=-1.0, lt=1.0, examples=[0.10], description="HCDD growth rate q"
    )
    cost_uplift: float | None = Field(
        None,
        ge=-1.0,
        lt=1.0,
        examples=[0.03],
        description="gross cost uplift factor u (cap on growth of the remaining allocation "
        "for over-target organisations)",
    )
    source: str = Field("user", description="where this policy comes from")

    @model_validator(mode="after")
    def _consistent(self) -> ConvergencePolicy:
        trio = (self.over_target_floor, self.over_target_from, self.over_target_to)
        if any(v is not None for v in trio) and any(v is None for v in trio):
            raise ValueError("over_target_floor, over_target_from and over_target_to go together")
        if self.over_target_floor is not None and self.min_growth is None:
            raise ValueError("an over-target floor reduces min_growth: set min_growth too")
        if (
            self.over_target_from is not None
            and self.over_target_to is not None
            and (self.over_target_to < self.over_target_from)
        ):
            raise ValueError("over_target_to must not be below over_target_from")
        if (
            self.min_growth is not None
            and self.max_growth is not None
            and self.max_growth < self.min_growth
        ):
            raise ValueError(f"max_growth {self.max_growth} is below min_growth {self.min_growth}")
        if self.method == "pace" and self.pace is None:
            raise ValueError("method 'pace' needs pace (0 to 1)")
        if self.method == "topslice" and self.topslice is None:
            raise ValueError("method 'topslice' needs topslice (e.g. 0.0025)")
        if (self.hcdd_growth is None) != (self.cost_uplift is None):
            raise ValueError("hcdd_growth and cost_uplift go together")
        return self


def policy_from(values: Mapping[str, object], where: str = "policy") -> ConvergencePolicy:
    """Build a policy, turning validation errors into an :class:`InputError`."""
    return checked(ConvergencePolicy, values, where)


def floors(baseline: Array, dft_before: Array, policy: ConvergencePolicy) -> Array:
    """Minimum growth per organisation: ``min_growth``, reduced for those far over target.

    With ``over_target_floor`` f from ``over_target_from`` x1 to ``over_target_to``
    x2, the floor moves linearly from ``min_growth`` (at DfT x1) to f (at x2
    and above).
    """
    base = float(policy.min_growth or 0.0)
    mg = np.full(baseline.shape, base, dtype=np.float64)
    if policy.over_target_floor is not None:
        x1, x2 = float(policy.over_target_from or 0), float(policy.over_target_to or 0)
        f = policy.over_target_floor
        if x2 > x1:
            w = np.clip((dft_before - x1) / (x2 - x1), 0.0, 1.0)
        else:
            w = (dft_before >= x2).astype(np.float64)
        mg = mg + w * (f - base)
    return mg
