"""The sales team: hunters join, ramp up, face quota reviews, go on the plan, leave, and are
replaced.

A hunter's capacity is a number of tokens carrying the hunter's id in the world's free-slot
store: a lead waits for any token (the hunter who freed a slot first takes the oldest lead), an
opportunity holds its token until it closes. A new hunter gets a share of the tokens at once and
the rest one by one over the ramp-up.

Quota pressure: every review, each hunter past ramp-up is measured on trailing bookings against
quota (pro rata when the window reaches back before the start of the simulation). Under the
threshold, the hunter goes on the plan; still under it at the first review after
the plan's term, the hunter leaves: their free slots vanish, their open deals lose the
relationship, and a replacement starts after the hiring delay, ramping up from scratch.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.entities import Hunter
from simulator.events import Kind
from simulator.processes import demand
from simulator.units import DAYS_PER_MONTH

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
    hired_day = -team.initial_tenure_months * DAYS_PER_MONTH
    skills = world.streams["hunters"].normal(0.0, team.hunter_skill_sd, team.hunters).tolist()
    hunters = [hire(world, hired_day, skill) for skill in skills]
    schedules = [_schedule(world, hunter) for hunter in hunters]
    for k in range(team.hunter_capacity_opportunities):
        for hunter, days in zip(hunters, schedules, strict=True):
            if days[k] <= world.env.now:
                world.free_slots.items.append(hunter.id)
    for hunter, days in zip(hunters, schedules, strict=True):
        later = [day for day in days if day > world.env.now]
        if later:
            world.env.process(release_tokens(world, hunter, later))
    if team.quota.usd_per_month > 0:
        world.env.process(quota_reviews(world))


def hire(world: World, hired_day: float, skill: float) -> Hunter:
    """Add a hunter to the team and start their outbound prospecting (tokens come separately)."""
    hunter = Hunter(
        id=len(world.hunters),
        hired_day=hired_day,
        skill=skill,
        capacity=world.parameters.team.hunter_capacity_opportunities,
    )
    world.hunters.append(hunter)
    world.log.record(
        world.env.now, Kind.HUNTER_HIRED, hunter.id, actor=hunter.id, value=hunter.capacity
    )
    world.env.process(demand.outbound_prospecting(world, hunter))
    return hunter


def _schedule(world: World, hunter: Hunter) -> list[float]:
    team = world.parameters.team
    return token_days(hunter, team.ramp_months * DAYS_PER_MONTH, team.ramp_start_capacity_share)


def release_tokens(world: World, hunter: Hunter, days: list[float]) -> Generator[Any, Any, None]:
    """Ramp-up: add the hunter's remaining capacity tokens on their days."""
    for day in days:
        yield world.env.timeout(day - world.env.now)
        if not hunter.active:
            return
        world.free_slots.put(hunter.id)


def quota_reviews(world: World) -> Generator[Any, Any, None]:
    team = world.parameters.team
    quota = team.quota
    env = world.env
    trailing_days = quota.trailing_months * DAYS_PER_MONTH
    exempt_days = (team.ramp_months + quota.trailing_months) * DAYS_PER_MONTH
    plan_days = quota.plan_term_months * DAYS_PER_MONTH
    yield env.timeout(quota.first_review_month * DAYS_PER_MONTH)
    while True:
        for hunter in [h for h in world.hunters if h.active]:
            if env.now - hunter.hired_day < exempt_days:
                continue
            since = max(env.now - trailing_days, hunter.hired_day, 0.0)
            months = (env.now - since) / DAYS_PER_MONTH
            if months <= 0:
                continue
            attainment = hunter.booked_since(since) / (quota.usd_per_month * months)
            world.log.record(
                env.now, Kind.QUOTA_REVIEW, hunter.id, actor=hunter.id, value=attainment
            )
            below = attainment < quota.plan_threshold
            if hunter.on_plan_since is None:
                if below:
                    hunter.on_plan_since = env.now
                    world.log.record(
                        env.now, Kind.PLAN_STARTED, hunter.id, actor=hunter.id, value=attainment
                    )
            elif not below:
                hunter.on_plan_since = None
                world.log.record(
                    env.now, Kind.PLAN_ENDED, hunter.id, actor=hunter.id, value=attainment
                )
            elif env.now - hunter.on_plan_since >= plan_days:
                leave(world, hunter, attainment)
        yield env.timeout(quota.review_interval_months * DAYS_PER_MONTH)


def leave(world: World, hunter: Hunter, attainment: float) -> None:
    """The hunter exits: free slots vanish, open deals are orphaned, a replacement is sought."""
    env = world.env
    hunter.active = False
    hunter.on_plan_since = None
    world.free_slots.items[:] = [h for h in world.free_slots.items if h != hunter.id]
    world.log.record(env.now, Kind.HUNTER_LEFT, hunter.id, actor=hunter.id, value=attainment)
    for opportunity in hunter.open.values():
        opportunity.orphaned = True
        world.log.record(env.now, Kind.ORPHANED, opportunity.id, opportunity.account, hunter.id)
    env.process(replace(world))


def replace(world: World) -> Generator[Any, Any, None]:
    team = world.parameters.team
    yield world.env.timeout(team.quota.hiring_delay_months * DAYS_PER_MONTH)
    skill = float(world.streams["hunters"].normal(0.0, team.hunter_skill_sd))
    hunter = hire(world, world.env.now, skill)
    days = _schedule(world, hunter)
    for _ in [day for day in days if day <= world.env.now]:
        world.free_slots.put(hunter.id)
    later = [day for day in days if day > world.env.now]
    if later:
        world.env.process(release_tokens(world, hunter, later))
