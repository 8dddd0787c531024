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
from typing import Any

import simpy

from simulator.distributions import LogNormal
from simulator.events import DetractorReason, EventLog, Kind
from simulator.parameters import PostSale
from simulator.parameters import Team as TeamSection
from simulator.processes.market import Market
from simulator.processes.signals import Signal
from simulator.streams import Streams, block
from simulator.units import DAYS_PER_MONTH


@dataclass(slots=True)
class Customer:
    id: int
    account: int
    sector: int
    arr: float
    active: bool = True


class CustomerBase:
    """Customers, and the references and detractors each sector hears from."""

    def __init__(
        self,
        env: simpy.Environment,
        post_sale: PostSale,
        team: TeamSection,
        market: Market,
        rates_changed: Signal,
        log: EventLog,
        streams: Streams,
    ) -> None:
        self.env = env
        self.post_sale = post_sale
        self.market = market
        self.rates_changed = rates_changed
        self.log = log
        self._references_by_sector = [0] * market.sectors
        self._detractors_by_sector = [0] * market.sectors
        self.references = 0
        self.detractors = 0
        self._active = 0
        self._by_id: dict[int, Customer] = {}
        rng = streams["customers"]
        self._uniform = block(lambda n: rng.random(n))
        self._normal = block(lambda n: rng.standard_normal(n))
        voices = streams["detractors"]
        self._detractor_draw = block(lambda n: voices.random(n))
        post, handoff = post_sale, post_sale.handoff
        self.implementation_days = LogNormal(
            post.implementation_days_mean, post.implementation_days_cv
        )
        self.time_to_value_days = post.time_to_value_days * (
            post.transition_vision_time_to_value_factor if handoff == "transition_vision" else 1.0
        )
        self.farmed = handoff != "hunter_only" and team.farmers > 0
        self.check_in_interval_days = post.check_in_interval_months * DAYS_PER_MONTH
        self.farmer_capacity = team.farmers * team.farmer_accounts_capacity
        self.harvest = post.harvest_reference_factor if post.comp_plan_rewards_references else 1.0

    def sign(self, opportunity_id: int, account: int, acv: float) -> None:
        sector = self.market.accounts.sector[account]
        customer = Customer(opportunity_id, account, sector, acv)
        self._by_id[opportunity_id] = customer
        self._active += 1
        self.env.process(self._life(customer))

    def add_arr(self, customer_id: int, acv: float) -> bool:
        """A customer pays more (a beta partner's full price); False if they have left."""
        customer = self._by_id[customer_id]
        if not customer.active:
            return False
        customer.arr += acv
        return True

    def sector_voices(self, sector: int) -> tuple[int, int]:
        """(references, detractors) a prospect of the sector hears from."""
        return self._references_by_sector[sector], self._detractors_by_sector[sector]

    def lead_unanswered(self, lead: int, account: int) -> None:
        """A lead nobody called may speak against us."""
        self._maybe_detractor(
            lead,
            account,
            self.post_sale.unanswered_lead_detractor_probability,
            DetractorReason.UNANSWERED_LEAD,
        )

    def _reference(self, customer: Customer, gained: bool) -> None:
        """The customer starts (or, leaving, stops) speaking for us."""
        change = 1 if gained else -1
        self.references += change
        self._references_by_sector[customer.sector] += change
        kind = Kind.REFERENCE_GAINED if gained else Kind.REFERENCE_LOST
        self.log.record(self.env.now, kind, customer.id, customer.account, code=customer.sector)
        self.rates_changed.fire()

    def _maybe_detractor(
        self, subject: int, account: int, chance: float, reason: DetractorReason
    ) -> None:
        if self._detractor_draw() < chance:
            sector = self.market.accounts.sector[account]
            self.detractors += 1
            self._detractors_by_sector[sector] += 1
            self.log.record(
                self.env.now, Kind.DETRACTOR, subject, account, value=reason, code=sector
            )
            self.rates_changed.fire()

    def _life(self, customer: Customer) -> Generator[Any, Any, None]:
        env, log, post = self.env, self.log, self.post_sale
        signed = env.now
        health = post.initial_health

        yield env.timeout(self.implementation_days.from_normal(self._normal()))
        live = env.now
        gap = self._uniform() < post.expectation_gap_probability.of(post.handoff)
        if gap:
            health = max(0.0, health - post.gap_health_loss)
            log.record(live, Kind.EXPECTATION_GAP, customer.id, customer.account)
            self._maybe_detractor(
                customer.id,
                customer.account,
                post.gap_detractor_probability,
                DetractorReason.EXPECTATION_GAP,
            )
        log.record(live, Kind.GO_LIVE, customer.id, customer.account, value=live - signed)

        value_day = live + self.time_to_value_days + (post.gap_delay_days if gap else 0.0)
        term_days = post.contract_term_months * DAYS_PER_MONTH
        renewal_day = signed + term_days
        check_in_day = live + self._check_in_gap() if self.farmed else math.inf
        neglect_decay_per_month = post.neglect_decay_per_month
        reference = False
        last = live
        while True:
            upcoming = min(value_day, check_in_day, renewal_day)
            yield env.timeout(max(0.0, upcoming - last))
            now = env.now
            health *= math.exp(-neglect_decay_per_month * (now - last) / DAYS_PER_MONTH)
            last = now
            if upcoming == value_day:
                value_day = math.inf
                log.record(
                    now, Kind.VALUE_REALISED, customer.id, customer.account, value=now - signed
                )
                if self._uniform() < min(1.0, post.reference_probability * health * self.harvest):
                    reference = True
                    self._reference(customer, gained=True)
            elif upcoming == check_in_day:
                health += post.check_in_health_gain * (1.0 - health)
                self._maybe_expand(customer, health)
                check_in_day = now + self._check_in_gap()
            else:
                leave = post.churn_probability_at_zero_health * (1.0 - health)
                leave += post.churn_probability_at_full_health * health
                if self._uniform() < leave:
                    self._churn(customer, health, reference)
                    return
                log.record(now, Kind.RENEWED, customer.id, customer.account, value=health)
                self._maybe_expand(customer, health)
                renewal_day = now + term_days

    def _check_in_gap(self) -> float:
        """Days to a customer's next check-in: the farmers' rhythm, slower when overloaded."""
        return self.check_in_interval_days * max(1.0, self._active / self.farmer_capacity)

    def _maybe_expand(self, customer: Customer, health: float) -> None:
        post = self.post_sale
        if self._uniform() < post.expansion_probability * health:
            added = customer.arr * post.expansion_share
            customer.arr += added
            self.log.record(self.env.now, Kind.EXPANDED, customer.id, customer.account, value=added)

    def _churn(self, customer: Customer, health: float, reference: bool) -> None:
        post = self.post_sale
        customer.active = False
        self._active -= 1
        self.log.record(
            self.env.now,
            Kind.CHURNED,
            customer.id,
            customer.account,
            value=customer.arr,
            code=customer.sector,
        )
        if reference:
            self._reference(customer, gained=False)
        if health < post.detractor_health:
            self._maybe_detractor(
                customer.id,
                customer.account,
                post.detractor_probability,
                DetractorReason.CHURNED_UNHAPPY,
            )
        self.market.release(customer.account, won=False)
