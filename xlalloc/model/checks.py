"""The overall check status: one value, written the same way everywhere it is shown.

A run's Summary sheet, its provenance, the ``targets`` output and every pack state it;
the words are defined here once, and code compares :attr:`CheckStatus.ok`, never text.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL_ZERO", "NOT_ZERO", "CheckStatus"]

#: The status when every check reads 0.
ALL_ZERO = "all checks 0"
#: Follows the number of checks that do not read 0 (``2 check(s) not 0``).
NOT_ZERO = " check(s) not 0"


@dataclass(frozen=True)
class CheckStatus:
    """Which checks do not read 0 (none when all is well).

    Attributes:
        failures: One plain-English line per check that is not 0.
    """

    failures: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every check reads 0."""
        return not self.failures

    def __str__(self) -> str:
        """``all checks 0``, or how many checks are not 0."""
        return ALL_ZERO if self.ok else f"{len(self.failures)}{NOT_ZERO}"

    def detail(self) -> str:
        """The status with each check that is not 0, e.g. ``1 check(s) not 0: ...``."""
        return str(self) if self.ok else f"{self}: " + "; ".join(self.failures)

    def listed(self) -> str:
        """``all checks 0``, or each check that is not 0, separated by semicolons."""
        return ALL_ZERO if self.ok else "; ".join(self.failures)

    @staticmethod
    def formula(count: str) -> str:
        """The sheet formula stating the status from a cell counting checks not 0."""
        return f'=IF({count}=0,"{ALL_ZERO}",{count}&"{NOT_ZERO}")'
