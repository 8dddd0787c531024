"""Marketing and awareness: brand advertising builds an adstock, share of voice drives the Bass
diffusion of awareness (innovation from advertising, imitation from references, less the word
of mouth of detractors) and its forgetting; direct-marketing campaigns bring leads each month.

Awareness is event-driven: the time to the next account learning of us, or forgetting us, is
drawn from the current total hazard; whenever the hazard changes (a month's advertising, a new
reference or detractor) the draw is made again, which the exponential's lack of memory allows.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.distributions import Exponential
from simulator.events import Channel, Kind, Source
from simulator.processes import either, selling
from simulator.streams import block
from simulator.units import DAYS_PER_MONTH, DAYS_PER_YEAR

if TYPE_CHECKING:
    from simulator.model import World


class Voice:
    """Our advertising adstock against the competitors': share of voice and brand strength."""

    def __init__(self, world: World) -> None:
        brand = world.parameters.marketing.brand
        self.brand = brand
        self.carry_over = 0.5 ** (1.0 / brand.half_life_months)
        steady = 1.0 / (1.0 - self.carry_over)
        start_spend, _ = world.parameters.marketing.spend_at(0.0)
        self.adstock = start_spend * steady
        self.competitor_adstock = brand.competitor_spend_usd_per_month * steady

    def advertise(self, spend_usd: float) -> None:
        self.adstock = self.carry_over * self.adstock + spend_usd

    @property
    def share(self) -> float:
        total = self.adstock + self.competitor_adstock
        return self.adstock / total if total > 0 else 0.0

    @property
    def strength(self) -> float:
        return self.brand.base_strength + self.brand.strength_at_full_voice * self.share


def monthly_marketing(world: World) -> Generator[Any, Any, None]:
    """At each month's start: spend the month's budgets, update the adstock, send a campaign,
    and book the month's cost of the selling team (for CAC)."""
    env, log = world.env, world.log
    marketing = world.parameters.marketing
    direct = marketing.direct
    rng = world.streams["direct"]
    delays = Exponential(direct.response_window_days)
    while True:
        brand_usd, direct_usd = marketing.spend_at(env.now / DAYS_PER_MONTH + 1e-9)
        world.voice.advertise(brand_usd)
        log.record(env.now, Kind.MARKETING_SPENT, -1, value=brand_usd, code=Channel.BRAND)
        log.record(env.now, Kind.MARKETING_SPENT, -1, value=direct_usd, code=Channel.DIRECT)
        share_percent = round(100 * world.voice.share)
        log.record(env.now, Kind.BRAND_ADSTOCK, -1, value=world.voice.adstock, code=share_percent)
        team = world.parameters.team
        hunters = sum(1 for hunter in world.hunters if hunter.active)
        cost = hunters * team.hunter_cost_usd_per_month
        cost += team.sales_engineers * team.sales_engineer_cost_usd_per_month
        log.record(env.now, Kind.SALES_COST, -1, value=cost)
        world.rates_changed()
        responses = int(
            rng.poisson(direct_usd / direct.cost_per_contact_usd * direct.response_rate)
        )
        if responses:
            days = sorted(delays.sample(rng, responses).tolist())
            accounts = rng.integers(0, world.parameters.market.accounts, responses).tolist()
            env.process(campaign_responses(world, days, accounts))
        yield env.timeout(DAYS_PER_MONTH)


def campaign_responses(
    world: World, days: list[float], accounts: list[int]
) -> Generator[Any, Any, None]:
    sent = world.env.now
    for day, account in zip(days, accounts, strict=True):
        yield world.env.timeout(sent + day - world.env.now)
        if world.accounts.is_available(account, world.env.now):
            selling.start_lead(world, account, Source.DIRECT)


class AwarenessPool:
    """Which accounts know us, as two swap-remove lists for O(1) random picks."""

    def __init__(self, aware: list[bool]) -> None:
        self.flags = aware
        self.members: tuple[list[int], list[int]] = ([], [])  # (unaware, aware)
        self.position = [0] * len(aware)
        for account, known in enumerate(aware):
            group = self.members[int(known)]
            self.position[account] = len(group)
            group.append(account)

    def count(self, aware: bool) -> int:
        return len(self.members[int(aware)])

    def flip(self, aware: bool, pick: float) -> int:
        """Move a random account of group ``aware`` to the other group; return it."""
        source, target = self.members[int(aware)], self.members[int(not aware)]
        account = source[int(pick * len(source))]
        last = source.pop()
        if last != account:
            source[self.position[account]] = last
            self.position[last] = self.position[account]
        self.position[account] = len(target)
        target.append(account)
        self.flags[account] = not aware
        return account


def awareness(world: World) -> Generator[Any, Any, None]:
    env, log = world.env, world.log
    params = world.parameters.marketing.awareness
    accounts = world.parameters.market.accounts
    pool = AwarenessPool(world.accounts.aware)
    log.record(env.now, Kind.AWARE_AT_START, -1, value=pool.count(True))
    rng = world.streams["awareness"]
    unit_gap = block(lambda n: rng.exponential(1.0, n))
    uniform = block(lambda n: rng.random(n))
    customers = world.customers
    while True:
        share = world.voice.share
        aware = pool.count(True)
        if params.instant_conversion:
            voices = float(aware)
        else:
            voices = customers.references - params.detractor_weight * customers.detractors
        learn = params.innovation * share + params.imitation * max(0.0, voices) / accounts
        forget = params.forgetting * (1.0 - share)
        up = pool.count(False) * learn / DAYS_PER_YEAR
        down = aware * forget / DAYS_PER_YEAR
        total = up + down
        changed = world.rate_change
        if total <= 0:
            yield changed
            continue
        timer = env.timeout(unit_gap() / total)
        yield either(env, timer, changed)
        if not timer.processed:  # the rates changed first: draw again
            continue
        if uniform() * total < up:
            account = pool.flip(False, uniform())
            log.record(env.now, Kind.BECAME_AWARE, -1, account)
        else:
            account = pool.flip(True, uniform())
            log.record(env.now, Kind.FORGOT, -1, account)
