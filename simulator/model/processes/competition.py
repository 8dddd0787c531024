"""Competitors entering over time: a Poisson process per segment.

An entrant arrives, needs some months to be ready, and from then on may be present in the
evaluations of its segment. Many claim the feature we announced latest: for prospects who want
that feature, the claim counts as fit, whether or not the product has it.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from simulator.model.distributions import Exponential
from simulator.model.entities import NO_FEATURE
from simulator.model.events import EventLog, Kind
from simulator.model.processes.roadmap import Roadmap
from simulator.parameters import Entrants
from simulator.units import DAYS_PER_MONTH, DAYS_PER_YEAR


@dataclass(frozen=True)
class Entrant:
    index: int
    segment: int
    ready_day: float
    claimed_feature: int  # NO_FEATURE: no claim


class Competition:
    """The entrants so far, in order of entry (their index picks their presence draw)."""

    def __init__(
        self,
        env: simpy.Environment,
        entrants: Entrants,
        roadmap: Roadmap,
        log: EventLog,
        rng: np.random.Generator,
        segments: tuple[int, ...],
    ) -> None:
        self.env = env
        self.segments = segments  # the segments entrants enter (``model.build`` says which)
        self.params = entrants
        self.roadmap = roadmap
        self.log = log
        self.rng = rng
        self._entrants: list[Entrant] = []

    @property
    def most_entrants(self) -> int:
        """Entrants there can ever be: each segment's entries stop at ``max_entrants``, but
        the others' may each add one while they wait."""
        return self.params.max_entrants + len(self.segments) - 1

    def start(self) -> None:
        rate = self.params.rate_per_year
        for segment in self.segments:
            per_year = rate.of(segment)
            if per_year > 0:
                self.env.process(self._entries(segment, per_year))

    def ready_in(self, segment: int) -> list[Entrant]:
        """The entrants of the segment ready to compete today, in order of entry."""
        now = self.env.now
        return [e for e in self._entrants if e.segment == segment and e.ready_day <= now]

    def _entries(self, segment: int, per_year: float) -> Generator[Any, Any, None]:
        entrants, rng, env = self.params, self.rng, self.env
        gap = Exponential(DAYS_PER_YEAR / per_year)
        while len(self._entrants) < entrants.max_entrants:
            yield env.timeout(float(gap.sample(rng, 1)[0]))
            claims = rng.random() < entrants.claims_feature_probability
            claimed = self.roadmap.pitchable() if claims else NO_FEATURE
            entrant = Entrant(
                len(self._entrants),
                segment,
                env.now + entrants.readiness_months * DAYS_PER_MONTH,
                claimed,
            )
            self._entrants.append(entrant)
            self.log.record(
                env.now,
                Kind.COMPETITOR_ENTERED,
                entrant.index,
                value=entrant.ready_day,
                code=segment,
            )
            env.process(self._readiness(entrant))

    def _readiness(self, entrant: Entrant) -> Generator[Any, Any, None]:
        yield self.env.timeout(entrant.ready_day - self.env.now)
        self.log.record(
            self.env.now,
            Kind.COMPETITOR_READY,
            entrant.index,
            value=entrant.segment,
            code=entrant.claimed_feature,
        )
