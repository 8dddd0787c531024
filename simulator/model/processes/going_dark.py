"""Deals that go dark: the buyer stops answering, the hunter stops working the deal (it ends
stalled and frees their time), and the CRM still shows it open under its owner until a cleanup
closes it lost, ``cleanup_days`` after it was opened. A real export's backlog is full of them.

- The buyer goes dark at a constant rate from the first meeting until the decision, so the
  longer a deal takes, the likelier it goes quiet: the time is an exponential drawn from the
  deal's own normal (``Z.DARK``), so a variant keeps the pairing.
- A deal open on day 0 in today's pipeline (``start.from_crm``), aged ``a``, may already be
  dark: the chance is about what the mechanism gives a deal still open at that age, the share
  of deals open at ``a`` that went dark before it (an approximation: it counts the dark clock
  from the opening and lets a deal go dark after it would have ended, a few points high),
  ``(1 - e^(-r a)) / ((1 - e^(-r a)) + e^(-r a) S(a))``, where ``S(a)`` is the chance a live
  deal's stages take longer than ``a`` (the sum of
  its stage durations, each a lognormal, taken as one lognormal of the same mean and variance:
  Fenton-Wilkinson). A deal older than the cleanup age contradicts the fitted company either
  way (a dark one would have been closed, a live one so slow is rare): the export shows a
  cleanup laxer than the fit's, so it takes the same share (the cleanup rule aside), and a dark
  one is closed by the cleanup at once. Taking every such deal as live, as before, sold deals
  a year old and dead in the export as if they were still being worked. A live one goes dark
  later at the same rate.
- The cleanup is an event at the day the CRM closes the deal (``Kind.CLEANED_UP``); a deal not
  cleaned up by the horizon is open in the simulated export.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import simpy

from simulator.model.entities import Opportunity
from simulator.model.events import EventLog, Kind
from simulator.parameters.process import GoingDark as GoingDarkSection
from simulator.units import DAYS_PER_MONTH

SQRT2 = math.sqrt(2.0)


def normal_survival(z: float) -> float:
    """``1 - Phi(z)``, accurate far in the upper tail."""
    return 0.5 * math.erfc(z / SQRT2)


def stages_survival(age: float, means: Sequence[float], cv: float) -> float:
    """The chance that stages of mean durations ``means`` (days), each a lognormal with
    coefficient of variation ``cv``, take longer than ``age`` in all: their sum as the lognormal
    of the same mean and variance (Fenton-Wilkinson)."""
    total = sum(means)
    if total <= 0.0:
        return 0.0
    variance = sum((cv * mean) ** 2 for mean in means)
    sigma2 = math.log1p(variance / (total * total))
    if sigma2 == 0.0:
        return 1.0 if age < total else 0.0
    mu = math.log(total) - 0.5 * sigma2
    return normal_survival((math.log(age) - mu) / math.sqrt(sigma2)) if age > 0 else 1.0


class GoingDark:
    """When each deal's buyer goes quiet, and the CRM's cleanup of the deals that did."""

    def __init__(self, env: simpy.Environment, dark: GoingDarkSection, log: EventLog) -> None:
        self.env = env
        self.log = log
        self.rate = dark.rate_per_month / DAYS_PER_MONTH  # per day
        self.cleanup_days = dark.cleanup_days

    def dark_at(self, start: float, z: float) -> float:
        """The day the buyer goes dark, the clock starting at ``start`` (the first meeting),
        for the deal's normal ``z``; infinite when nobody does."""
        if self.rate == 0.0:
            return math.inf
        return start - math.log(normal_survival(z)) / self.rate

    def resumed_dark_at(self, age: float, means: Sequence[float], cv: float, z: float) -> float:
        """For a deal past its first meeting, open on day 0 at ``age`` days: today when it has
        already gone dark, else the day it will (see the module docstring); ``means`` are its
        stages' mean durations (days), ``cv`` their spread."""
        if self.rate == 0.0:
            return math.inf
        now = self.env.now
        went = -math.expm1(-self.rate * age)
        if went == 0.0:
            already = 0.0
        else:
            live = math.exp(-self.rate * age) * stages_survival(age, means, cv)
            already = went / (went + live)
        u = 1.0 - normal_survival(z)
        if u < already:
            return now
        later = (u - already) / (1.0 - already)  # uniform again, beyond the share dark already
        if later >= 1.0:
            return math.inf
        return now - math.log1p(-later) / self.rate

    def clean_up(self, opp: Opportunity) -> None:
        """A deal that went dark is closed lost by the CRM's cleanup at its age
        ``cleanup_days`` (today if older): recorded then, unless the run ends first."""
        env = self.env
        day = max(env.now, opp.opened_day + self.cleanup_days)
        if day == env.now:
            self._record(opp)
        else:
            env.timeout(day - env.now).callbacks.append(lambda _: self._record(opp))

    def _record(self, opp: Opportunity) -> None:
        self.log.record(self.env.now, Kind.CLEANED_UP, opp.id, opp.account, opp.hunter.id)
