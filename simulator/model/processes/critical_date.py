"""Buyers with a critical date of their own (a contract ending, a launch, a regulation): such a
buyer must decide by it, so the deal's stages are squeezed to end there when they would run
past it. Nothing else changes: the quicker deal is simply exposed for less time to what ends
deals early (a pull-out while it evaluates, the buyer going dark), so it ends in no decision
less often, and the export shows the two paces as two humps of cycle times.

- Whether a buyer has one, and how far ahead of the opportunity's opening it lies (a
  lognormal), come from the deal's own normals (``Z.HAS_DATE``, ``Z.DATE_DAYS``), so a variant
  keeps the pairing.
- The squeeze is one factor on every stage (as drawn at the process's own pace): the date over
  their sum, at most 1. Demos take a sales engineer's time whatever the date; a sponsor still
  shortens the evaluation.
- A deal open on day 0 in today's pipeline (``start.from_crm``), aged ``a``, has a date still
  ahead with about the share of deals open at ``a`` that do,
  ``p S_D(a) / (p S_D(a) + (1 - p) S(a))``, where ``S_D`` is the chance a date lies beyond
  ``a`` and ``S`` the chance the process's own stages take longer
  (``going_dark.stages_survival``); the date is then drawn given that it lies beyond ``a``.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.model.distributions import LogNormal
from simulator.model.luck import Z
from simulator.model.processes.going_dark import normal_survival, stages_survival
from simulator.model.processes.resume import remaining_days
from simulator.parameters.process import CriticalDate as CriticalDateSection


class CriticalDate:
    """Which buyers must decide by a date of their own, and how much it squeezes their deal."""

    def __init__(self, date: CriticalDateSection) -> None:
        self.probability = date.probability
        self.days = LogNormal(date.days_mean, date.days_cv)

    def pace(self, z: Sequence[float], stages_left: float) -> float:
        """The factor on a new deal's stages (``stages_left`` days in all at the process's own
        pace): below 1 when the buyer's date comes first."""
        # Phi(z), a uniform from the deal's normal, decides whether it has a date
        if self.probability == 0.0 or normal_survival(-z[Z.HAS_DATE]) >= self.probability:
            return 1.0
        return _squeeze(self.days.from_normal(z[Z.DATE_DAYS]), stages_left)

    def resumed_pace(
        self,
        age: float,
        stages_left: float,
        means: Sequence[float],
        cv: float,
        z: Sequence[float],
    ) -> float:
        """``pace`` for a deal open on day 0 at ``age`` days, its stages of mean durations
        ``means`` (days) and spread ``cv`` (see the module docstring)."""
        if self.probability == 0.0:
            return 1.0
        p, days = self.probability, self.days
        ahead = p * stages_survival(age, (days.mean,), days.cv)  # one lognormal: exact
        live = (1.0 - p) * stages_survival(age, means, cv)
        if ahead == 0.0 or normal_survival(-z[Z.HAS_DATE]) >= ahead / (ahead + live):
            return 1.0
        z_days = z[Z.DATE_DAYS]
        if age > 0:
            return _squeeze(remaining_days(days.mean, days.sigma, z_days, age), stages_left)
        return _squeeze(days.from_normal(z_days), stages_left)


def _squeeze(until_date: float, stages_left: float) -> float:
    return min(1.0, until_date / stages_left) if stages_left > 0.0 else 1.0
