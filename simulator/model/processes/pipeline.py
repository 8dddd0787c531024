"""The pipeline: where leads come from, how they reach a hunter, and how opportunities end.

- Inbound: accounts come into the market at the in-market rate, and those that know us raise
  their hand. Direct-marketing campaigns bring leads too (``marketing.py``).
- Outbound: a hunter with a free slot opens outbound prospects at a steady rate, with no wait.
- Response time: an inbound or direct lead waits for a free hunter slot; its interest decays
  with the wait, and a lead nobody calls within the patience window is lost unanswered.
- Today's pipeline (``start.from_crm``): the export's open deals open on day 0 with their owners,
  on accounts of the market, at their stages and ages (``resume.py``).
- Once called, the opportunity goes through the courtship (``courtship.py``); when it ends, its
  slot goes back to the hunter (if still here), the account leaves the market (won) or cools off
  (lost), and a win signs a customer and books the deal towards the hunter's quota.

Arrivals are Poisson processes over the whole market, thinned at the arrival: a draw picks an
account, and the lead only happens if that account can buy now (aware, for inbound; not already
in a deal, not a customer, not cooling off after a loss). This keeps the cost proportional to
the number of arrivals, not to accounts x days.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from simulator.model.distributions import Exponential
from simulator.model.entities import NO_FEATURE, Hunter, Opportunity
from simulator.model.events import EventLog, Kind, Outcome, Source
from simulator.model.luck import OpportunityLuck
from simulator.model.processes.awareness import Awareness
from simulator.model.processes.capacity import Capacity
from simulator.model.processes.courtship import Courtship
from simulator.model.processes.customers import CustomerBase
from simulator.model.processes.market import Market
from simulator.model.processes.resume import place_closed, place_deals
from simulator.model.processes.roadmap import Roadmap
from simulator.model.processes.signals import either
from simulator.model.start_data import StartState
from simulator.model.streams import AccountDraws, Streams, block
from simulator.parameters import Process
from simulator.parameters import Team as TeamSection
from simulator.parameters.market import Market as MarketSection
from simulator.units import DAYS_PER_MONTH, HOURS_PER_DAY

MONTHS_PER_QUARTER = 3
# The kinds recorded and the outcome tested for every deal, read off their enums once: before
# Python 3.12, reading a member off an enum class costs several times reading a global.
LEAD, OPENED, CLOSED, WON = Kind.LEAD, Kind.OPENED, Kind.CLOSED, Outcome.WON
STALLED = Outcome.STALLED


class Pipeline:
    """Leads and opportunities: the open deals of each hunter, from first call to close."""

    def __init__(
        self,
        env: simpy.Environment,
        sections: tuple[MarketSection, TeamSection, Process],
        market: Market,
        awareness: Awareness,
        capacity: Capacity,
        courtship: Courtship,
        roadmap: Roadmap,
        customers: CustomerBase,
        log: EventLog,
        streams: Streams,
        luck: OpportunityLuck,
    ) -> None:
        self.env = env
        # its own sections: the market's accounts and segments, the team's lead response and
        # outbound rate, the process's lead patience and beta terms
        self.market_section, self.team, self.process = sections
        self.market = market
        self.awareness = awareness
        self.capacity = capacity
        self.courtship = courtship
        self.roadmap = roadmap
        self.customers = customers
        self.log = log
        self.streams = streams
        response = Exponential(self.team.lead_response_hours_mean / HOURS_PER_DAY)
        self._response_days = AccountDraws(streams["response"], response.sample)
        self._luck = luck
        self._opened = [0] * len(market)  # opportunities so far, by account
        self._open_of: dict[int, dict[int, Opportunity]] = {}  # by hunter id, then lead id
        self._leads = 0

    def inbound_leads(self) -> Generator[Any, Any, None]:
        """Aware accounts come into the market at the in-market rate and contact us."""
        market = self.market_section
        rate_per_day = (
            market.accounts
            * market.in_market_share_per_quarter
            / (MONTHS_PER_QUARTER * DAYS_PER_MONTH)
        )
        if rate_per_day == 0:
            return
        rng = self.streams["inbound"]
        gaps = Exponential(1.0 / rate_per_day)
        gap = block(lambda n: gaps.sample(rng, n))
        pick = block(lambda n: rng.integers(0, market.accounts, n))
        env, knows_us, is_available = self.env, self.awareness.knows_us, self.market.is_available
        while True:
            yield env.timeout(gap())
            account = int(pick())
            if knows_us(account) and is_available(account):
                self.lead(account, Source.INBOUND)

    def prospect(self, hunter: Hunter) -> Generator[Any, Any, None]:
        """A hunter with a free slot opens outbound prospects at a steady rate."""
        outbound_leads_per_hunter_month = self.team.outbound_leads_per_hunter_month
        if outbound_leads_per_hunter_month == 0:
            return
        rng = self.streams["outbound"]
        gaps = Exponential(DAYS_PER_MONTH / outbound_leads_per_hunter_month)
        gap = block(lambda n: gaps.sample(rng, n))
        accounts = self.market_section.accounts
        pick = block(lambda n: rng.integers(0, accounts, n))
        env, capacity = self.env, self.capacity
        while hunter.active:
            yield env.timeout(gap())
            account = int(pick())
            if capacity.has_free(hunter) and self.market.is_available(account):
                capacity.take_own(hunter)
                lead = self._new_lead(account, Source.OUTBOUND)
                opportunity = self._open(lead, account, hunter, Source.OUTBOUND, 0.0)
                env.process(self._court(opportunity))

    def resume(self, start: StartState, hunters: list[Hunter], customers: int) -> None:
        """Open today's deals on day 0 (before any other lead): deal ``i`` is lead ``i``, of
        hunter ``start.deal_owner[i]``, whose slot the team has already counted taken. The
        accounts of the export's closed deals are off the market as the export leaves them
        (``place_closed``): its wins (less the ``customers`` carried over, who hold accounts of
        their own) and its recent losses, still cooling off."""
        market = self.market_section
        rng = self.streams["start"]
        accounts, stages = place_deals(start, self.market.accounts, market, rng)
        ages = start.deal_age_days.tolist()
        for owner, account, stage, age in zip(
            start.deal_owner.tolist(), accounts, stages, ages, strict=True
        ):
            lead = self._new_lead(account, Source.OPEN_AT_START)
            opportunity = self._open(lead, account, hunters[owner], Source.OPEN_AT_START, 0.0)
            opportunity.start_stage = stage
            opportunity.elapsed_days = age
            opportunity.opened_day = -age  # its time-outs count from its creation in the CRM
            self.env.process(self._court(opportunity))
        free = self.market.available()
        closed, deals = place_closed(start, self.market.accounts, market, free, rng, customers)
        won, day = start.closed_won.tolist(), start.closed_day.tolist()
        for account, i in zip(closed, deals.tolist(), strict=True):
            self.market.closed_before_start(account, won[i], day[i])

    def lead(self, account: int, source: Source) -> None:
        """An inbound or direct lead arrives and waits for a hunter."""
        lead = self._new_lead(account, source)
        self.env.process(self._answer(lead, account, source))

    def orphan_deals_of(self, hunter: Hunter) -> None:
        """The hunter left: their open deals lose the relationship."""
        for opportunity in self._open_of.get(hunter.id, {}).values():
            opportunity.orphaned = True
            self.log.record(
                self.env.now, Kind.ORPHANED, opportunity.id, opportunity.account, hunter.id
            )

    def _new_lead(self, account: int, source: Source) -> int:
        """Record a lead and take its account off the market while it is being worked."""
        lead = self._leads
        self._leads += 1
        self.market.take_off(account)
        segment = self.market.accounts.segment[account]
        self.log.record(self.env.now, LEAD, lead, account, value=segment, code=source)
        return lead

    def _answer(self, lead: int, account: int, source: Source) -> Generator[Any, Any, None]:
        """Take a free slot at once if there is one (no event needed), else wait for one up to
        the patience window; then the hunter calls after their response time."""
        env, capacity = self.env, self.capacity
        arrived = env.now
        hunter = capacity.take()
        if hunter is None:
            called = capacity.wait()
            patience = env.timeout(self.process.lead_patience_days)
            yield either(env, called, patience)
            if not called.triggered:
                capacity.give_up(called)
                wait_hours = (env.now - arrived) * HOURS_PER_DAY
                self.log.record(env.now, Kind.LEAD_UNANSWERED, lead, account, value=wait_hours)
                self.market.release(account, won=False)
                self.customers.lead_unanswered(lead, account)
                return
            hunter = called.value
        yield env.timeout(self._response_days(account))
        wait_hours = (env.now - arrived) * HOURS_PER_DAY
        opportunity = self._open(lead, account, hunter, source, wait_hours)
        outcome, acv = yield from self.courtship.run(opportunity)
        self._settle(opportunity, outcome, acv)

    def _open(
        self, lead: int, account: int, hunter: Hunter, source: Source, wait_hours: float
    ) -> Opportunity:
        nth = self._opened[account]
        self._opened[account] = nth + 1
        u, z = self._luck.take(account, nth)
        now = self.env.now
        self.log.record(now, OPENED, lead, account, hunter.id, wait_hours, source)
        opportunity = Opportunity(lead, account, hunter, source, now, wait_hours, u, z)
        open_deals = self._open_of.get(hunter.id)
        if open_deals is None:
            open_deals = self._open_of[hunter.id] = {}
        open_deals[lead] = opportunity
        if not hunter.active:  # the hunter left between taking the lead and calling it
            opportunity.orphaned = True
            self.log.record(now, Kind.ORPHANED, lead, account, hunter.id)
        return opportunity

    def _court(self, opp: Opportunity) -> Generator[Any, Any, None]:
        """An outbound prospect's courtship (an inbound lead's follows its wait for a hunter)."""
        outcome, acv = yield from self.courtship.run(opp)
        self._settle(opp, outcome, acv)

    def _settle(self, opp: Opportunity, outcome: Outcome, acv: float) -> None:
        """Close the deal; a won beta partner pays the rest at the release, and a win may
        realise value with the feature the customer needed, and make a reference."""
        if outcome != WON:
            self._close(opp, outcome)
            return
        if opp.beta:
            beta_acv_share = self.process.pitching.beta_acv_share
            self._close(opp, outcome, acv * beta_acv_share)
            self.env.process(self._convert_beta(opp, acv * (1.0 - beta_acv_share)))
        else:
            self._close(opp, outcome, acv)
        roadmap = self.roadmap
        feature = opp.feature if opp.feature != NO_FEATURE else roadmap.needed_feature(opp.account)
        if feature != NO_FEATURE:
            self.env.process(roadmap.realise_value(opp.account, feature, opp.beta))

    def _close(self, opp: Opportunity, outcome: Outcome, acv: float = 0.0) -> None:
        env, hunter = self.env, opp.hunter
        self.log.record(env.now, CLOSED, opp.id, opp.account, hunter.id, acv, outcome)
        del self._open_of[hunter.id][opp.id]
        if hunter.active:
            if opp.holds_slot:
                self.capacity.put(hunter)
            if acv > 0:
                hunter.book(env.now, acv)
        won = outcome == WON
        self.market.release(opp.account, won=won)
        if won:
            self.customers.sign(opp.id, opp.account, acv, opp.mutual_plan)
        elif outcome == STALLED:  # open in the CRM until its cleanup
            self.courtship.going_dark.clean_up(opp)

    def _convert_beta(self, opp: Opportunity, remaining_acv: float) -> Generator[Any, Any, None]:
        """A beta partner pays the full price once the feature ships."""
        yield self.roadmap.released(opp.feature)
        if not self.customers.add_arr(opp.id, remaining_acv):
            return
        hunter = opp.hunter
        self.log.record(
            self.env.now, Kind.BETA_CONVERTED, opp.id, opp.account, hunter.id, remaining_acv
        )
        hunter.book(self.env.now, remaining_acv)
