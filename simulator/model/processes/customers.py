"""After the sale: implementation, the expectation gap, go-live, the value-realisation event,
references, relationship health, expansion, renewal and churn.

Handoff decides who looks after a new customer. With ``hunter_only`` the hunter moves on:
nothing promised is passed on (expectation gaps are common), and the hunters keep only a little
contact: a check-in now and then, when some hunter has a free opportunity slot, which it holds
for a few days (time taken from selling); otherwise health decays by neglect. With
``hunter_farmer`` a farmer takes the account with handoff notes, which catch most gaps; a
farmer's check-ins restore health, their rhythm slowing when the farmers have more customers
than capacity. With ``transition_vision`` discovery also looks for the customer's critical date
and, when there is one, both sides agree a plan back from it before signature: the scope is
checked against the licence (no expectation gap), the implementation is tracked against the
date (it does not overrun its planned length), and an early value-realisation event is planned,
which the implementation aims at and the vendor is there for. Nothing else distinguishes it.

An expectation gap costs health, delays value, can make a detractor, and the customer drops
part of the scope at its first renewal (the scaled-back implementation). A customer that leaves
is logged with the reason a customer-success team would write (``ChurnReason``): features after
an expectation gap, support when its health had fallen below ``detractor_health`` (neglect),
otherwise a reason outside the account (budget, price, a competitor). A customer is asked to
be a reference after its value-realisation event: at the event when it was planned, else at
the next check-in after it (nobody asks a customer nobody visits). Health sets the chance of an
upsell and of leaving at renewal; unhappy leavers, frustrated customers and unanswered leads can
become detractors. References and detractors feed back into selling (same-sector voices in the
buyer's choice) and into awareness (word of mouth).

A simulation that starts from an export carries today's customers over (``carry_over``): each
on an account of the segment nearest its ARR, signed on its day before day 0, renewing every
contract term from then. One whose implementation would have ended by day 0 is live already:
what happened before is not in the export, so its past is the model's own, with nothing logged
before day 0: whether its implementation hit an expectation gap (a draw: the health it cost,
the scope dropped at a first renewal still to come, the reason it would give for leaving), its
health today after the neglect and the check-ins since its go-live (at today's rhythm), and
whether its value event is behind it (no reference: the export does not say). One still
implementing carries on as a new customer would.

A customer's luck belongs to its account, not to the order of events: each chance (the
critical date and the expectation gap of each life, the implementation time, leaving at each
renewal, each upsell, each reference asked for, each detractor) is the account's next draw from
its own sequence for that chance (``AccountDraws``), so an account that becomes a customer in two
variants lives the same luck in both, however differently the rest of the market went.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from simulator.model.distributions import LogNormal
from simulator.model.entities import Hunter
from simulator.model.events import ChurnReason, DetractorReason, EventLog, Kind
from simulator.model.processes.capacity import Capacity
from simulator.model.processes.expectation_gaps import ExpectationGaps
from simulator.model.processes.market import Market
from simulator.model.processes.signals import Changing
from simulator.model.streams import AccountDraws, Streams
from simulator.parameters import PostSale
from simulator.parameters import Team as TeamSection
from simulator.units import DAYS_PER_MONTH

LIFE, IMPLEMENTATION, RENEWAL, EXPANSION, REFERENCE = range(5)
"""Uses of the customers stream, each an account's own sequence: per life, a critical date
then an expectation gap; the implementation time's normal; leaving at each renewal; each upsell;
each reference asked for. (Detractors use the detractors stream, one sequence per reason.)"""
LIVES_PER_ACCOUNT = 1
"""Customer lives whose draws are drawn at once for each account (a second life, after a
churn, is rare: it draws its own)."""
EXPANSIONS_PER_ACCOUNT = 24
"""Upsell chances drawn at once for an account (one at each check-in and renewal: ~20 in
three years of bimonthly check-ins)."""
CARRIED_IDS_FROM = 2**40
"""Ids of customers carried over from an export: far above any lead id (a new customer's id is
its won lead's)."""


def _uniforms(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.random(size)


def _normals(rng: np.random.Generator, size: int) -> np.ndarray:
    return rng.standard_normal(size)


@dataclass(slots=True)
class Customer:
    id: int
    account: int
    sector: int
    arr: float
    active: bool = True
    term_days: float = math.nan  # its contract's; NaN: the scenario's


class CustomerBase:
    """Customers, and the references and detractors each sector hears from."""

    def __init__(
        self,
        env: simpy.Environment,
        post_sale: PostSale,
        team: TeamSection,
        market: Market,
        capacity: Capacity,
        changing: Changing,
        log: EventLog,
        streams: Streams,
    ) -> None:
        self.env = env
        self.post_sale = post_sale
        self.market = market
        self.capacity = capacity
        self.changing = changing  # warned before the voices awareness hears change
        self.log = log
        self._references_by_sector = [0] * market.sectors
        self._detractors_by_sector = [0] * market.sectors
        self.references = 0
        self.detractors = 0
        self.active = 0
        self._by_id: dict[int, Customer] = {}
        rng = streams["customers"]
        lives = LIVES_PER_ACCOUNT
        self._life_draw = AccountDraws(rng, _uniforms, LIFE, lives)
        self._implementation_z = AccountDraws(rng, _normals, IMPLEMENTATION, lives)
        self._renewal_draw = AccountDraws(rng, _uniforms, RENEWAL)
        self._expansion_draw = AccountDraws(rng, _uniforms, EXPANSION, EXPANSIONS_PER_ACCOUNT)
        self._reference_draw = AccountDraws(rng, _uniforms, REFERENCE, lives)
        voices = streams["detractors"]
        self._detractor_draw = {
            reason: AccountDraws(voices, _uniforms, int(reason), 1) for reason in DetractorReason
        }
        post, handoff = post_sale, post_sale.handoff
        self.implementation_days = LogNormal(
            post.implementation_days_mean, post.implementation_days_cv
        )
        self.gaps = ExpectationGaps(env, post, log, self._maybe_detractor)
        self.farmed = handoff != "hunter_only" and team.farmers > 0
        self.hunters_check_in = handoff == "hunter_only"
        self.check_in_interval_days = post.check_in_interval_months * DAYS_PER_MONTH
        self.hunter_check_in_interval_days = post.hunter_check_in_interval_months * DAYS_PER_MONTH
        self.farmer_capacity = team.farmers * team.farmer_accounts_capacity
        self.harvest = post.harvest_reference_factor if post.comp_plan_rewards_references else 1.0

    def sign(self, opportunity_id: int, account: int, acv: float, planned: bool) -> None:
        """A new customer; ``planned``: a mutual plan was agreed in the sale (decision.py)."""
        sector = self.market.accounts.sector[account]
        customer = Customer(opportunity_id, account, sector, acv)
        self._by_id[opportunity_id] = customer
        self.changing()
        self.active += 1
        if planned:
            self.log.record(self.env.now, Kind.CRITICAL_DATE_AGREED, customer.id, account)
        self.env.process(self._life(customer, planned))

    def carry_over(
        self,
        arr_usd: np.ndarray,
        signed_day: np.ndarray,
        term_months: np.ndarray,
        accounts: list[int],
    ) -> None:
        """Today's customers from an export: each on its account (taken off the new-logo
        market), its ARR recorded on day 0, its life resumed from its signature, renewing
        every term of its contract (NaN: the scenario's)."""
        default = self.post_sale.contract_term_months
        for k, (account, arr, signed, months) in enumerate(
            zip(accounts, arr_usd.tolist(), signed_day.tolist(), term_months.tolist(), strict=True)
        ):
            sector = self.market.accounts.sector[account]
            term = (default if math.isnan(months) else months) * DAYS_PER_MONTH
            customer = Customer(CARRIED_IDS_FROM + k, account, sector, arr, term_days=term)
            self._by_id[customer.id] = customer
            self.changing()
            self.active += 1
            self.market.take_off(account)
            self.market.release(account, won=True)
            self.log.record(
                self.env.now, Kind.CUSTOMER_AT_START, customer.id, account, value=arr, code=sector
            )
            self.env.process(self._life(customer, False, signed))

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
        self.changing()
        self.references += change
        self._references_by_sector[customer.sector] += change
        kind = Kind.REFERENCE_GAINED if gained else Kind.REFERENCE_LOST
        self.log.record(self.env.now, kind, customer.id, customer.account, code=customer.sector)

    def _maybe_detractor(
        self, subject: int, account: int, chance: float, reason: DetractorReason
    ) -> None:
        if self._detractor_draw[reason](account) < chance:
            sector = self.market.accounts.sector[account]
            self.changing()
            self.detractors += 1
            self._detractors_by_sector[sector] += 1
            self.log.record(
                self.env.now, Kind.DETRACTOR, subject, account, value=reason, code=sector
            )

    def _life(
        self, customer: Customer, planned: bool, signed: float | None = None
    ) -> Generator[Any, Any, None]:
        """From signature to churn. ``planned``: a critical-date plan was agreed before
        signature (transition vision). ``signed``: the day of signature, when it was before
        now (a customer carried over from an export)."""
        env, log, post = self.env, self.log, self.post_sale
        carried = signed is not None
        signed = env.now if signed is None else signed
        health = post.initial_health

        account = customer.account
        z = self._implementation_z(account)
        implementation_days = self.implementation_days.from_normal(z)
        if planned:
            implementation_days = min(implementation_days, post.implementation_days_mean)
        live = signed + implementation_days
        gap = False
        if not carried or live > env.now:
            yield env.timeout(implementation_days - (env.now - signed))
            live = env.now
            gap = self.gaps.at_go_live(customer.id, account, self._life_draw(account), planned)
            if gap:
                health = max(0.0, health - post.gap_health_loss)
            log.record(live, Kind.GO_LIVE, customer.id, customer.account, value=live - signed)
        else:  # live before day 0: its past drawn, not logged
            gap = self.gaps.before_day0(self._life_draw(account), planned)
            health = max(0.0, health - post.gap_health_loss) if gap else health

        value_days = post.planned_value_event_days if planned else post.time_to_value_days
        value_day = live + value_days + (post.gap_delay_days if gap else 0.0)
        if value_day < env.now:
            value_day = math.inf  # realised before the export's day: not in it
        term_days = post.contract_term_months * DAYS_PER_MONTH
        if not math.isnan(customer.term_days):
            term_days = customer.term_days
        renewal_day = signed + term_days * max(1, math.ceil((env.now - signed) / term_days))
        check_in_day = math.inf
        neglect_decay_per_month = post.neglect_decay_per_month
        if self.farmed or self.hunters_check_in:
            check_in_day = live + self._check_in_gap()
        if live < env.now:  # before day 0: its health as the mechanism would have left it
            health, check_in_day = self._health_by_now(health, live, check_in_day)
        reference = False
        to_ask = False  # value realised, and nobody has asked for a reference yet
        scale_back = gap and renewal_day == signed + term_days  # a first renewal to come
        last = max(live, env.now)
        reason = ChurnReason.FEATURES if gap else ChurnReason.OTHER
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
                if planned:
                    reference = self._ask_for_reference(customer, health)
                else:
                    to_ask = True
            elif upcoming == check_in_day:
                if self.farmed or self._hunter_checks_in(customer):
                    health += post.check_in_health_gain * (1.0 - health)
                    self._maybe_expand(customer, health)
                    if to_ask:
                        to_ask = False
                        reference = self._ask_for_reference(customer, health)
                check_in_day = now + self._check_in_gap()
            else:
                leave = post.churn_probability_at_zero_health * (1.0 - health)
                leave += post.churn_probability_at_full_health * health
                if self._renewal_draw(account) < leave:
                    if reason != ChurnReason.FEATURES and health < post.detractor_health:
                        reason = ChurnReason.SUPPORT
                    self._churn(customer, health, reference, reason)
                    return
                if scale_back:
                    scale_back = False
                    dropped = customer.arr * post.gap_scale_back_share
                    customer.arr -= dropped
                    log.record(now, Kind.CONTRACTED, customer.id, customer.account, value=dropped)
                log.record(now, Kind.RENEWED, customer.id, customer.account, value=health)
                self._maybe_expand(customer, health)
                renewal_day = now + term_days

    def _health_by_now(
        self, health: float, live: float, check_in_day: float
    ) -> tuple[float, float]:
        """A customer live before day 0: its health today after the neglect and the check-ins
        (at today's rhythm) since its go-live, none of them logged; and its next check-in."""
        post, now = self.post_sale, self.env.now
        decay = post.neglect_decay_per_month / DAYS_PER_MONTH
        last = live
        if math.isfinite(check_in_day):
            rhythm = check_in_day - live
            while check_in_day <= now:
                health *= math.exp(-decay * (check_in_day - last))
                health += post.check_in_health_gain * (1.0 - health)
                last, check_in_day = check_in_day, check_in_day + rhythm
        return health * math.exp(-decay * (now - last)), check_in_day

    def _check_in_gap(self) -> float:
        """Days to a customer's next check-in: the farmers' rhythm, slower when overloaded;
        under hunter_only, the hunters' slower one."""
        if not self.farmed:
            return self.hunter_check_in_interval_days
        return self.check_in_interval_days * max(1.0, self.active / self.farmer_capacity)

    def _hunter_checks_in(self, customer: Customer) -> bool:
        """A hunter with a free slot checks in, holding the slot a few days; False if every
        slot is taken (selling comes first)."""
        hunter = self.capacity.take()
        if hunter is None:
            return False
        self.log.record(
            self.env.now, Kind.HUNTER_CHECK_IN, customer.id, customer.account, actor=hunter.id
        )
        self.env.process(self._hold_slot(hunter))
        return True

    def _hold_slot(self, hunter: Hunter) -> Generator[Any, Any, None]:
        yield self.env.timeout(self.post_sale.hunter_check_in_days)
        if hunter.active:
            self.capacity.put(hunter)

    def _ask_for_reference(self, customer: Customer, health: float) -> bool:
        """Asked after its value event, the customer agrees (or not) to be a reference."""
        chance = min(1.0, self.post_sale.reference_probability * health * self.harvest)
        if self._reference_draw(customer.account) < chance:
            self._reference(customer, gained=True)
            return True
        return False

    def _maybe_expand(self, customer: Customer, health: float) -> None:
        post = self.post_sale
        if self._expansion_draw(customer.account) < post.expansion_probability * health:
            added = customer.arr * post.expansion_share
            customer.arr += added
            self.log.record(self.env.now, Kind.EXPANDED, customer.id, customer.account, value=added)

    def _churn(
        self, customer: Customer, health: float, reference: bool, reason: ChurnReason
    ) -> None:
        post = self.post_sale
        customer.active = False
        self.changing()
        self.active -= 1
        self.log.record(
            self.env.now,
            Kind.CHURNED,
            customer.id,
            customer.account,
            value=customer.arr,
            code=reason,
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
