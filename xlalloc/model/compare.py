"""Two runs of a model side by side: what changed, and why (``xlalloc compare``).

Pure: two :class:`~xlalloc.model.runner.ModelResult` in, tables out. The split of
each change is :func:`xlalloc.engine.changes.explain_change`'s:

* **apportionment**: per care programme and place, the change from budget line
  amounts (``from_amounts``) and from shares (``from_shares``: new data, methods or
  need); lines are named by budget line and care programme;
* **targets**: per year and place, the change from the ICB budget (``from_budget``)
  and from weighted-population shares (``from_need``);
* **convergence**: per year and organisation, the change in allocation and the rule
  that set it in each run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..engine.changes import convergence_changes, explain_change
from .runner import ModelResult

__all__ = ["Comparison", "compare_results", "ICB"]

#: The row of the places summary that holds the whole ICB.
ICB = "ICB total"


@dataclass
class Comparison:
    """What changed between two runs.

    Attributes:
        programmes: ``programme, place, old, new, change, from_amounts, from_shares``.
        places: The same summed over programmes: the ICB first, then each place.
        targets: ``year, place, old, new, change, from_budget, from_need``.
        convergence: ``year, org, old, new, change, ...`` with the rule of each run.
        notes: What a reader should know (e.g. a part only one run has).
        written: The file the changes were written to (``xlalloc.compare(..., output)``).
    """

    programmes: pd.DataFrame
    places: pd.DataFrame
    targets: pd.DataFrame
    convergence: pd.DataFrame | None
    notes: list[str] = field(default_factory=list)
    written: Path | None = None
    policy: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["parameter", "old_value", "new_value"])
    )

    def summary(self) -> str:
        """A line per part: the policy, the targets, convergence and the apportionment.

        A run that changed only convergence used to read "£+0 from budget line amounts,
        £+0 from shares", as if nothing had changed.
        """
        lines = []
        if len(self.policy):
            lines.append(
                "policy: "
                + "; ".join(
                    f"{r.parameter} {_shown(r.old_value)} → {_shown(r.new_value)}"
                    for r in self.policy.itertuples(index=False)
                )
            )
        lines.append("targets: " + _moved(self.targets, "place"))
        if self.convergence is not None:
            text = _moved(self.convergence, "org")
            rules = int((self.convergence["rule_changed"] != "").sum())
            if rules:
                text += f"; {rules} rule(s) changed"
            lines.append("convergence: " + text)
        icb = self.places.iloc[0]
        if round(icb["old"]) == round(icb["new"]) and self._apportionment_unchanged():
            lines.append(f"apportionment: unchanged (ICB total £{icb['new']:,.0f})")
        else:
            lines.append(
                f"apportionment: ICB total £{icb['old']:,.0f} to £{icb['new']:,.0f}: "
                f"{_signed(icb['from_amounts'])} from budget line amounts, "
                f"{_signed(icb['from_shares'])} from shares"
            )
        return "\n".join(lines)

    def _apportionment_unchanged(self) -> bool:
        """Whether no place's apportioned figure moved by a pound or more."""
        return bool((self.places["change"].abs() < 0.5).all())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name (the first is the CSV's; the others are written beside it)."""
        out = {"Changes": self.programmes, "Places": self.places, "Targets": self.targets}
        if self.convergence is not None:
            out["Convergence"] = self.convergence
        out["Policy"] = self.policy
        return out


def _signed(amount: float) -> str:
    """A change in pounds as finance writes it: +£1,234, -£1,234 or £0."""
    pounds = round(float(amount))
    if pounds == 0:
        return "£0"
    return f"{'+' if pounds > 0 else '-'}£{abs(pounds):,.0f}"


def _shown(value: object) -> str:
    """A Policy value as the sheet shows it: blank, a number, or the text."""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return "(blank)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _moved(table: pd.DataFrame, who: str) -> str:
    """How many figures of a change table moved, and the largest move, in words."""
    changed = table[table["change"].abs() >= 0.005]
    if not len(changed):
        return "unchanged"
    top = changed.loc[changed["change"].abs().idxmax()]
    when = f" in {top['year']}" if "year" in changed.columns else ""
    return (
        f"{len(changed)} of {len(table)} changed; the largest £{top['change']:+,.0f} "
        f"({top[who]}{when})"
    )


def policy_changes(old: ModelResult, new: ModelResult) -> pd.DataFrame:
    """The Policy parameters whose values differ: ``parameter, old_value, new_value``."""
    a, b = old.inputs.policy, new.inputs.policy
    rows = [
        {"parameter": name, "old_value": getattr(a, name), "new_value": getattr(b, name)}
        for name in type(a).model_fields
        if getattr(a, name) != getattr(b, name)
    ]
    return pd.DataFrame(rows, columns=["parameter", "old_value", "new_value"])


def _cells(result: ModelResult) -> pd.DataFrame:
    if result.apportionment is None:
        return pd.DataFrame(columns=["line", "programme", "place", "amount"])
    c = result.apportionment.cells
    return c.groupby(["line", "programme", "place"], as_index=False, dropna=False)["amount"].sum()


def compare_results(old: ModelResult, new: ModelResult) -> Comparison:
    """Explain every change from ``old`` to ``new``.

    Returns:
        The :class:`Comparison`; its tables reconcile exactly: ``old + from_amounts +
        from_shares = new`` in every row, to the penny.
    """
    notes: list[str] = []
    a_icb, b_icb = old.inputs.policy.icb_name, new.inputs.policy.icb_name
    a_codes = set(old.inputs.practices["practice_code"])
    b_codes = set(new.inputs.practices["practice_code"])
    shared = len(a_codes & b_codes) / max(1, min(len(a_codes), len(b_codes)))
    if (a_icb and b_icb and a_icb != b_icb) or shared < 0.5:
        notes.append(
            f"the two runs are of different ICBs ({a_icb or 'unnamed'}: {len(a_codes)} "
            f"practices; {b_icb or 'unnamed'}: {len(b_codes)}; {len(a_codes & b_codes)} in "
            "both): their changes are differences between ICBs, not between runs"
        )
    by = ["programme", "place"]
    programmes = explain_change(_cells(old), _cells(new), by, ["line", "programme"], ["programme"])
    money = ["old", "new", "change", "from_amounts", "from_shares"]
    cents = (
        programmes[money].mul(100).round().astype("int64").assign(place=programmes["place"])
    )  # summed in whole pennies: exact
    per_place = cents.groupby("place", as_index=False)[money].sum()
    total = pd.DataFrame([{"place": ICB, **cents[money].sum().to_dict()}])
    places = pd.concat([total, per_place], ignore_index=True)
    places[money] = places[money] / 100
    for name, r in (("old", old), ("new", new)):
        if r.apportionment is None:
            notes.append(f"the {name} run apportions no budget: its Budget sheet is empty")
    t_old, t_new = (r.targets[["year", "place", "target"]] for r in (old, new))
    targets = explain_change(
        t_old, t_new, ["year", "place"], ["year"], ["year"], amount="target"
    ).rename(columns={"from_amounts": "from_budget", "from_shares": "from_need"})
    convergence = None
    if old.convergence is not None and new.convergence is not None:
        convergence = convergence_changes(
            *(
                pd.concat([t.table.assign(year=y) for y, t in c.years.items()], ignore_index=True)
                for c in (old.convergence, new.convergence)
            )
        )
    elif old.convergence is not None or new.convergence is not None:
        notes.append(
            "only one run has convergence (Baselines and Totals sheets): it is not compared"
        )
    return Comparison(
        programmes, places, targets, convergence, notes, policy=policy_changes(old, new)
    )
