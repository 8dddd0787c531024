"""After the sale: implementation, the expectation gap, go-live, the value-realisation event,
references, relationship health, expansion, renewal and churn.

Handoff decides who looks after a new customer. With ``hunter_only`` the hunter moves on:
nothing promised is passed on (expectation gaps are common) and nobody checks in, so health
decays by neglect. With ``hunter_farmer`` a farmer takes the account with handoff notes; with
``transition_vision`` the value-realisation event was planned in discovery, so value comes
soonest and gaps are rarest. A farmer's check-ins restore health; their rhythm slows when the
farmers have more customers than capacity. Health sets the chance of an upsell and of leaving at
renewal; unhappy leavers, frustrated customers and unanswered leads can become detractors.
References and detractors feed back into selling (same-sector voices in the buyer's choice) and
into awareness (word of mouth).
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from simulator.distributions import LogNormal
from simulator.events import DetractorReason, Kind
from simulator.streams import block
from simulator.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simulator.model import World


@dataclass
class Customer:
    id: int
    account: int
    sector: int
    arr: float
    active: bool = True


class CustomerBase:
    """Customers, and the references and detractors each sector hears from."""

    def __init__(self, world: World) -> None:
        self.world = world
        sectors = world.parameters.market.sectors
        self.references_by_sector = [0] * sectors
        self.detractors_by_sector = [0] * sectors
        self.references = 0
        self.detractors = 0
        self.active = 0
        self.by_id: dict[int, Customer] = {}
        rng = world.streams["customers"]
        self.uniform = block(lambda n: rng.random(n))
        self.normal = block(lambda n: rng.standard_normal(n))
        voices = world.streams["detractors"]
        self.detractor_draw = block(lambda n: voices.random(n))
        # Every customer's life reads these: worked out once.
        p = world.parameters
        post, team, handoff = p.post_sale, p.team, p.post_sale.handoff
        self.implementation = LogNormal(post.implementation_days_mean, post.implementation_days_cv)
        self.expectation_gap_probability = post.expectation_gap_probability.of(handoff)
        self.time_to_value = post.time_to_value_days * (
            post.transition_vision_time_to_value_factor if handoff == "transition_vision" else 1.0
        )
        self.farmed = handoff != "hunter_only" and team.farmers > 0
        self.check_in_days = post.check_in_interval_months * DAYS_PER_MONTH
        self.farmer_capacity = team.farmers * team.farmer_accounts_capacity
        self.harvest = post.harvest_reference_factor if post.comp_plan_rewards_references else 1.0

    def sign(self, opportunity_id: int, account: int, acv: float) -> None:
        sector = self.world.accounts.sector[account]
        customer = Customer(opportunity_id, account, sector, acv)
        self.by_id[opportunity_id] = customer
        self.active += 1
        self.world.env.process(life(self.world, customer))

    def reference(self, customer: Customer, gained: bool) -> None:
        """The customer starts (or, leaving, stops) speaking for us."""
        change = 1 if gained else -1
        self.references += change
        self.references_by_sector[customer.sector] += change
        kind = Kind.REFERENCE_GAINED if gained else Kind.REFERENCE_LOST
        self.world.log.record(
            self.world.env.now, kind, customer.id, customer.account, code=customer.sector
        )
        self.world.rates_changed()

    def add_detractor(self, subject: int, account: int, reason: DetractorReason) -> None:
        sector = self.world.accounts.sector[account]
        self.detractors += 1
        self.detractors_by_sector[sector] += 1
        self.world.log.record(
            self.world.env.now, Kind.DETRACTOR, subject, account, value=reason, code=sector
        )
        self.world.rates_changed()

    def maybe_detractor(
        self, subject: int, account: int, chance: float, reason: DetractorReason
    ) -> None:
        if self.detractor_draw() < chance:
            self.add_detractor(subject, account, reason)


def life(world: World, customer: Customer) -> Generator[Any, Any, None]:
    env, log, base = world.env, world.log, world.customers
    post = world.parameters.post_sale
    signed = env.now
    health = post.initial_health

    yield env.timeout(base.implementation.from_normal(base.normal()))
    gap = base.uniform() < base.expectation_gap_probability
    if gap:
        health = max(0.0, health - post.gap_health_loss)
        log.record(env.now, Kind.EXPECTATION_GAP, customer.id, customer.account)
        base.maybe_detractor(
            customer.id,
            customer.account,
            post.gap_detractor_probability,
            DetractorReason.EXPECTATION_GAP,
        )
    log.record(env.now, Kind.GO_LIVE, customer.id, customer.account, value=env.now - signed)

    value_day = env.now + base.time_to_value + (post.gap_delay_days if gap else 0.0)
    term_days = post.contract_term_months * DAYS_PER_MONTH
    renewal_day = signed + term_days
    check_in_day = env.now + _check_in_gap(world) if base.farmed else math.inf
    decay_per_month = post.neglect_decay_per_month
    reference = False
    last = env.now
    while True:
        upcoming = min(value_day, check_in_day, renewal_day)
        yield env.timeout(max(0.0, upcoming - env.now))
        now = env.now
        health *= math.exp(-decay_per_month * (now - last) / DAYS_PER_MONTH)
        last = now
        if upcoming == value_day:
            value_day = math.inf
            log.record(now, Kind.VALUE_REALISED, customer.id, customer.account, value=now - signed)
            if base.uniform() < min(1.0, post.reference_probability * health * base.harvest):
                reference = True
                base.reference(customer, gained=True)
        elif upcoming == check_in_day:
            health += post.check_in_health_gain * (1.0 - health)
            _maybe_expand(world, customer, health)
            check_in_day = now + _check_in_gap(world)
        else:
            leave = post.churn_probability_at_zero_health * (1.0 - health)
            leave += post.churn_probability_at_full_health * health
            if base.uniform() < leave:
                _churn(world, customer, health, reference)
                return
            log.record(now, Kind.RENEWED, customer.id, customer.account, value=health)
            _maybe_expand(world, customer, health)
            renewal_day = now + term_days


def _check_in_gap(world: World) -> float:
    """Days to a customer's next check-in: the farmers' rhythm, slower when overloaded."""
    base = world.customers
    return base.check_in_days * max(1.0, base.active / base.farmer_capacity)


def _maybe_expand(world: World, customer: Customer, health: float) -> None:
    post = world.parameters.post_sale
    if world.customers.uniform() < post.expansion_probability * health:
        added = customer.arr * post.expansion_share
        customer.arr += added
        world.log.record(world.env.now, Kind.EXPANDED, customer.id, customer.account, value=added)


def _churn(world: World, customer: Customer, health: float, reference: bool) -> None:
    post = world.parameters.post_sale
    base = world.customers
    customer.active = False
    base.active -= 1
    world.log.record(
        world.env.now,
        Kind.CHURNED,
        customer.id,
        customer.account,
        value=customer.arr,
        code=customer.sector,
    )
    if reference:
        base.reference(customer, gained=False)
    if health < post.detractor_health:
        base.maybe_detractor(
            customer.id,
            customer.account,
            post.detractor_probability,
            DetractorReason.CHURNED_UNHAPPY,
        )
    world.release_account(customer.account, won=False)
