"""Competitors entering over time: a Poisson process per segment.

An entrant arrives, needs some months to be ready, and from then on may be present in the
evaluations of its segment. Many claim the feature we announced latest: for prospects who want
that feature, the claim counts as fit, whether or not the product has it.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.distributions import Exponential
from simulator.entities import ENTERPRISE, MID_MARKET
from simulator.events import Kind
from simulator.units import DAYS_PER_MONTH, DAYS_PER_YEAR

if TYPE_CHECKING:
    from simulator.model import World


@dataclass(frozen=True)
class Entrant:
    index: int
    segment: int
    ready_day: float
    claimed_feature: int  # -1: no claim


def start(world: World) -> None:
    rate = world.parameters.competitors.entrants.rate_per_year
    for segment, per_year in ((ENTERPRISE, rate.enterprise), (MID_MARKET, rate.mid_market)):
        if per_year > 0:
            world.env.process(entries(world, segment, per_year))


def entries(world: World, segment: int, per_year: float) -> Generator[Any, Any, None]:
    entrants = world.parameters.competitors.entrants
    rng = world.streams["entrants"]
    gap = Exponential(DAYS_PER_YEAR / per_year)
    env = world.env
    while len(world.entrants) < entrants.max_entrants:
        yield env.timeout(float(gap.sample(rng, 1)[0]))
        claims = rng.random() < entrants.claims_feature_probability
        claimed = world.roadmap.pitchable() if claims else -1
        entrant = Entrant(
            len(world.entrants),
            segment,
            env.now + entrants.readiness_months * DAYS_PER_MONTH,
            claimed,
        )
        world.entrants.append(entrant)
        world.log.record(
            env.now, Kind.COMPETITOR_ENTERED, entrant.index, value=entrant.ready_day, code=segment
        )
        env.process(readiness(world, entrant))


def readiness(world: World, entrant: Entrant) -> Generator[Any, Any, None]:
    yield world.env.timeout(entrant.ready_day - world.env.now)
    world.log.record(
        world.env.now,
        Kind.COMPETITOR_READY,
        entrant.index,
        value=entrant.segment,
        code=entrant.claimed_feature,
    )
