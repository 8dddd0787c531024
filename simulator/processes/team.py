"""The sales team: hunters join, ramp up to full capacity, and work leads through free slots.

A hunter's capacity is a number of tokens carrying the hunter's id in the world's free-slot
store: a lead waits for any token (the hunter who freed a slot first takes the oldest lead), an
opportunity holds its token until it closes. A new hunter gets a share of the tokens at once and
the rest one by one over the ramp-up.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.entities import Hunter
from simulator.events import Kind
from simulator.scenario import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simulator.model import World


def token_days(hunter: Hunter, ramp_days: float, start_share: float) -> list[float]:
    """Day on which each of the hunter's capacity tokens becomes available."""
    days = []
    for k in range(1, hunter.capacity + 1):
        share = k / hunter.capacity
        if share <= start_share or ramp_days == 0 or start_share >= 1.0:
            days.append(hunter.hired_day)
        else:
            days.append(hunter.hired_day + ramp_days * (share - start_share) / (1 - start_share))
    return days


def staff(world: World) -> None:
    """Hire the day-0 team and hand out their tokens interleaved (leads spread over hunters)."""
    team = world.parameters.team
    rng = world.streams["hunters"]
    hired_day = -team.initial_tenure_months * DAYS_PER_MONTH
    skills = rng.normal(0.0, team.hunter_skill_sd, team.hunters).tolist()
    schedules = []
    for skill in skills:
        hunter = hire(world, hired_day, skill)
        schedules.append(
            token_days(
                hunter,
                team.ramp_months * DAYS_PER_MONTH,
                team.ramp_start_capacity_share,
            )
        )
    for k in range(team.hunter_capacity_opportunities):
        for hunter, days in zip(world.hunters, schedules, strict=True):
            if days[k] <= world.env.now:
                world.free_slots.items.append(hunter.id)
    for hunter, days in zip(world.hunters, schedules, strict=True):
        later = [day for day in days if day > world.env.now]
        if later:
            world.env.process(release_tokens(world, hunter, later))


def hire(world: World, hired_day: float, skill: float) -> Hunter:
    hunter = Hunter(
        id=len(world.hunters),
        hired_day=hired_day,
        skill=skill,
        capacity=world.parameters.team.hunter_capacity_opportunities,
    )
    world.hunters.append(hunter)
    world.log.record(
        world.env.now,
        Kind.HUNTER_HIRED,
        hunter.id,
        actor=hunter.id,
        value=hunter.capacity,
    )
    return hunter


def release_tokens(world: World, hunter: Hunter, days: list[float]) -> Generator[Any, Any, None]:
    """Ramp-up: add the hunter's remaining capacity tokens on their days."""
    for day in days:
        yield world.env.timeout(day - world.env.now)
        world.free_slots.put(hunter.id)
