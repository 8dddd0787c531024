"""The product roadmap: features announced for one date, planned for a later one, released when
ready; and the customers whose realised value with a feature makes them references for it.

A feature's release slips each time its planned date arrives, with the slip distribution of the
scenario, up to its maximum number of slips: the actual release never precedes the plan. A slip
moves the plan by whole months (at least one; geometric with the scenario's mean), as release
plans are made. The date told to prospects is public: when it passes with the feature unreleased,
the company tells them its current plan instead (``PROMISE_MOVED``), and each later slip moves it
again, so a hunter never pitches a date already past. Deals hanging on a feature wait on its
release; prospects asking for reference metrics wait on its first reference.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.model.entities import NO_FEATURE
from simulator.model.events import EventLog, Kind
from simulator.model.streams import Streams, block
from simulator.parameters import Feature, Pitching, Product, Slip
from simulator.units import DAYS_PER_MONTH


class Roadmap:
    """Release state of every announced feature, the beta partners and references each has."""

    def __init__(
        self,
        env: simpy.Environment,
        product: Product,
        pitching: Pitching,
        needs: tuple[tuple[bool, ...], ...],
        log: EventLog,
        streams: Streams,
    ) -> None:
        self.env = env
        self.pitching = pitching
        self.log = log
        self.features: list[Feature] = list(product.features)
        self._needs = needs
        self._rng = streams["roadmap"]
        self._announced = [False] * len(self.features)
        self._released = [env.event() for _ in self.features]
        self._first_reference = [env.event() for _ in self.features]
        self._references = [0] * len(self.features)
        self._beta_partners = [0] * len(self.features)
        self._planned_day = [f.planned_release_month * DAYS_PER_MONTH for f in self.features]
        # The date prospects are told today: the promise, then the plan once the promise passed.
        self._promised_day = [f.promised_release_month * DAYS_PER_MONTH for f in self.features]
        self._broken_promises = [0] * len(self.features)  # dates told that passed unreleased
        # (who needs it, fit gain) of each feature not yet shipped, in feature order: asked for
        # by every qualification and decision.
        self._unreleased = [
            (need, feature.fit_gain) for need, feature in zip(needs, self.features, strict=True)
        ]
        references = streams["references"]
        self._reference_draw = block(lambda n: references.random(n))

    def start(self) -> None:
        for index in range(len(self.features)):
            self.env.process(self._release(index))

    def is_released(self, feature: int) -> bool:
        return self._released[feature].triggered

    def released(self, feature: int) -> simpy.Event:
        """The event that succeeds when the feature ships."""
        return self._released[feature]

    def first_reference(self, feature: int) -> simpy.Event:
        """The event that succeeds when a customer first becomes a reference for the feature."""
        return self._first_reference[feature]

    def references(self, feature: int) -> int:
        return self._references[feature]

    def promised_day(self, feature: int) -> float:
        """The release day prospects are told today."""
        return self._promised_day[feature]

    def broken_promises(self, feature: int) -> int:
        """Release dates told to prospects for the feature that have passed unreleased so far:
        a prospect pitched when this was ``n`` has since seen ``broken_promises() - n`` lies."""
        return self._broken_promises[feature]

    def fit_gain(self, feature: int) -> float:
        return self.features[feature].fit_gain

    def pitchable(self) -> int:
        """The latest announced feature not yet released, or NO_FEATURE."""
        for index in reversed(range(len(self.features))):
            if self._announced[index] and not self.is_released(index):
                return index
        return NO_FEATURE

    def needs(self, account: int, feature: int) -> bool:
        return self._needs[feature][account]

    def missing_fit(self, account: int) -> float:
        """Fit the account lacks today: the gains of features it needs that have not shipped."""
        return sum([fit_gain for needs, fit_gain in self._unreleased if needs[account]])

    def needed_feature(self, account: int) -> int:
        """The first announced feature the account needs, or NO_FEATURE."""
        needs = self._needs
        for index in range(len(self.features)):
            if needs[index][account] and self._announced[index]:
                return index
        return NO_FEATURE

    def has_beta_place(self, feature: int) -> bool:
        """Whether a launch-partner place for the feature is left."""
        return self._beta_partners[feature] < self.pitching.beta_partner_slots

    def admit_beta_partner(self, feature: int) -> None:
        """A prospect takes one of the feature's launch-partner places."""
        self._beta_partners[feature] += 1

    def _release(self, index: int) -> Generator[Any, Any, None]:
        env, log = self.env, self.log
        feature = self.features[index]
        needs = self._needs[index]
        rng = self._rng
        slips = rng.random(feature.slip.max_slips).tolist()
        months = slip_months(feature.slip, rng.exponential(1.0, feature.slip.max_slips))
        log.record(env.now, Kind.ROADMAP_LUCK, index, value=slip_luck(feature.slip, slips, months))
        promised = feature.promised_release_month * DAYS_PER_MONTH
        yield env.timeout(feature.announced_month * DAYS_PER_MONTH)
        self._announced[index] = True
        log.record(env.now, Kind.FEATURE_ANNOUNCED, index, value=promised)
        if promised < self._planned_day[index]:
            yield env.timeout(max(0.0, promised - env.now))
            self._move_promise(index)  # the promise passes; prospects are told the plan
        for u, length in zip(slips, months, strict=True):
            yield env.timeout(max(0.0, self._planned_day[index] - env.now))
            if u >= feature.slip.probability:
                break
            self._planned_day[index] = env.now + length * DAYS_PER_MONTH
            log.record(env.now, Kind.RELEASE_SLIPPED, index, value=self._planned_day[index])
            self._move_promise(index)
        yield env.timeout(max(0.0, self._planned_day[index] - env.now))
        log.record(env.now, Kind.FEATURE_RELEASED, index, value=max(0.0, env.now - promised))
        self._unreleased = [entry for entry in self._unreleased if entry[0] is not needs]
        self._released[index].succeed()

    def _move_promise(self, index: int) -> None:
        """The date told to prospects passed unreleased: from now on they are told the plan."""
        if self.env.now >= self._promised_day[index]:
            self._broken_promises[index] += 1
        self._promised_day[index] = self._planned_day[index]
        self.log.record(self.env.now, Kind.PROMISE_MOVED, index, value=self._promised_day[index])

    def realise_value(self, account: int, feature: int, beta: bool) -> Generator[Any, Any, None]:
        """A customer gets the feature (beta partners early), realises value after the time to
        value, and may become a reference for it."""
        env, pitching = self.env, self.pitching
        early = pitching.beta_early_access_days if beta else 0.0
        if not self.is_released(feature):
            if not beta:
                yield self._released[feature]
            elif self._planned_day[feature] - early > env.now:
                yield env.timeout(self._planned_day[feature] - early - env.now)
        yield env.timeout(pitching.time_to_value_days)
        chance = pitching.beta_reference_probability if beta else pitching.reference_probability
        if self._reference_draw() < chance:
            self._references[feature] += 1
            self.log.record(env.now, Kind.FEATURE_REFERENCE, feature, account)
            if not self._first_reference[feature].triggered:
                self._first_reference[feature].succeed()


def slip_months(slip: Slip, exponentials: np.ndarray) -> list[int]:
    """Whole months each slip moves the plan, from standard exponential draws: geometric on
    1, 2, ... with mean ``slip.mean_months`` (every slip is one month when the mean is <= 1)."""
    if slip.mean_months <= 1.0:
        return [1] * len(exponentials)
    rate = -math.log1p(-1.0 / slip.mean_months)  # P(more than k months) = (1 - 1/mean)^k
    return [max(1, math.ceil(e / rate)) for e in exponentials.tolist()]


def slip_luck(slip: Slip, slips: list[float], months: list[int]) -> float:
    """Months the drawn slips move the plan, less their mean: each of the ``max_slips`` chances
    happens only if every one before it did (probability ``p``, ``p``², ...), and moves the plan
    by whole months of mean ``slip.mean_months`` (at least one)."""
    drawn = 0
    for u, length in zip(slips, months, strict=True):
        if u >= slip.probability:
            break
        drawn += length
    per_slip = max(1.0, slip.mean_months)
    expected = sum(slip.probability**k for k in range(1, slip.max_slips + 1)) * per_slip
    return drawn - expected
