"""The courtship: a lead waits for a hunter, then attraction -> qualification -> evaluation ->
proposal -> decision, no stage skipped.

- Response time: a lead waits for a free hunter slot; its interest decays with the wait, and a
  lead nobody calls within the patience window is lost unanswered.
- Stage durations scale with the prospect's perceived risk and shrink with our readiness to
  answer questions before they are asked.
- Discovery (qualification) finds, with chances set by qualification discipline, the executive
  sponsor, the economic buyer and part of the committee; the share met is how complete the
  business case is, which sets deal size and adds to our appeal. Disciplined hunters also screen
  out poor fits early.
- Evaluation needs demos from the sales engineers (a shared ``simpy.Resource``). A premature
  proposal puts the prospect on the defensive: longer proposal stage, lower appeal.
- Without an executive sponsor nothing closes won: the deal ends in no decision after a time-out.
- The decision is a multinomial-logit draw among us, the household name, rivals and doing
  nothing. If the economic buyer was never engaged, they decide alone, weighing brand over fit.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.choice import choose
from simulator.distributions import LogNormal, binomial_from_uniform
from simulator.entities import Hunter, Opportunity, U, Z
from simulator.events import Discovery, Kind, Meeting, Outcome, Source
from simulator.parameters import STAGES

if TYPE_CHECKING:
    from simulator.model import World

HOURS_PER_DAY = 24.0
EVALUATION, PROPOSAL = STAGES.index("evaluation"), STAGES.index("proposal")


def start_lead(world: World, account: int, source: int) -> None:
    """An inbound or direct lead arrives and waits for a hunter."""
    lead = world.new_lead(account, source)
    world.env.process(answer_lead(world, lead, account, source))


def start_outbound(world: World, account: int, hunter: Hunter) -> None:
    """A hunter who already holds a free slot opens an outbound prospect: no wait."""
    lead = world.new_lead(account, Source.OUTBOUND)
    opportunity = open_opportunity(world, lead, account, hunter.id, Source.OUTBOUND, 0.0)
    world.env.process(courtship(world, opportunity))


def answer_lead(world: World, lead: int, account: int, source: int) -> Generator[Any, Any, None]:
    env = world.env
    arrived = env.now
    slot = world.free_slots.get()
    yield slot | env.timeout(world.parameters.process.lead_patience_days)
    if not slot.triggered:
        slot.cancel()
        wait_hours = (env.now - arrived) * HOURS_PER_DAY
        world.log.record(env.now, Kind.LEAD_UNANSWERED, lead, account, value=wait_hours)
        world.release_account(account, won=False)
        return
    hunter = slot.value
    yield env.timeout(world.response_days())
    wait_hours = (env.now - arrived) * HOURS_PER_DAY
    opportunity = open_opportunity(world, lead, account, hunter, source, wait_hours)
    yield from courtship(world, opportunity)


def open_opportunity(
    world: World, lead: int, account: int, hunter: int, source: int, wait_hours: float
) -> Opportunity:
    accounts = world.accounts
    nth = accounts.opportunities_opened[account]
    accounts.opportunities_opened[account] = nth + 1
    u, z = world.draws.take(account, nth)
    world.log.record(world.env.now, Kind.OPENED, lead, account, hunter, wait_hours, source)
    return Opportunity(lead, account, hunter, source, world.env.now, wait_hours, u, z)


def courtship(world: World, opp: Opportunity) -> Generator[Any, Any, None]:
    """Take an opened opportunity through the stages to its outcome."""
    env, log, p = world.env, world.log, world.parameters
    process, discipline = p.process, p.strategy.qualification_discipline
    account, u, z = opp.account, opp.u, opp.z
    accounts = world.accounts
    segment = p.market.segment(accounts.segment[account])
    readiness = 1.0 - process.readiness_max_time_saving * process.answer_readiness
    scale = accounts.perceived_risk[account] * readiness
    stage_mean = segment.stage_days.as_tuple()

    def stage_days(stage: int) -> float:
        return LogNormal(stage_mean[stage] * scale, segment.stage_days_cv).from_normal(z[stage])

    def stage(index: int) -> None:
        log.record(env.now, Kind.STAGE, opp.id, account, opp.hunter, code=index)

    # Attraction: the first meeting. Interest fades with every hour the lead waited.
    stage(0)
    yield env.timeout(stage_days(Z.ATTRACTION))
    log.record(env.now, Kind.MEETING, opp.id, account, opp.hunter, 1.0, Meeting.FIRST)
    decay = 0.5 ** (opp.wait_hours / process.lead_interest_half_life_hours)
    interest = process.lead_interest_floor + (1.0 - process.lead_interest_floor) * decay
    quality = (
        process.lead_quality.inbound,
        process.lead_quality.direct,
        process.lead_quality.outbound,
    )
    if u[U.INTEREST] >= quality[opp.source] * interest:
        close(world, opp, Outcome.DISQUALIFIED)
        return

    # Qualification: discovery with the buying committee.
    stage(1)
    yield env.timeout(stage_days(Z.QUALIFICATION))
    committee = accounts.committee_size[account]
    sponsor = accounts.sponsor_present[account] and u[U.SPONSOR] < process.sponsor_found.at(
        discipline
    )
    economic_buyer = u[U.ECONOMIC_BUYER] < process.economic_buyer_engaged.at(discipline)
    others_met = binomial_from_uniform(
        committee - 1, process.member_met.at(discipline), u[U.MEMBERS]
    )
    completeness = (1 + others_met) / committee
    log.record(
        env.now,
        Kind.MEETING,
        opp.id,
        account,
        opp.hunter,
        1.0 + others_met,
        Meeting.DISCOVERY,
    )
    poor_fit = accounts.fit[account] < process.poor_fit_threshold
    if poor_fit and u[U.POOR_FIT_SCREEN] < process.poor_fit_screened.at(discipline):
        close(world, opp, Outcome.DISQUALIFIED)
        return
    found = (Discovery.SPONSOR if sponsor else 0) | (
        Discovery.ECONOMIC_BUYER if economic_buyer else 0
    )
    share = process.business_case_deal_share
    acv = accounts.deal_size_usd[account] * (1.0 - share + share * completeness)
    log.record(env.now, Kind.QUALIFIED, opp.id, account, opp.hunter, acv, found)

    # Evaluation: demos by the sales engineers, spread over the stage.
    stage(EVALUATION)
    evaluation_days = stage_days(Z.EVALUATION)
    demos = p.team.demos_per_evaluation
    premature = u[U.PREMATURE] < process.premature_proposal.at(discipline)
    for _ in range(demos):
        yield env.timeout(evaluation_days / (demos + 1))
        requested = env.now
        with world.sales_engineers.request() as engineer:
            yield engineer
            log.record(
                env.now,
                Kind.DEMO_STARTED,
                opp.id,
                account,
                opp.hunter,
                env.now - requested,
            )
            yield env.timeout(world.demo_days())
        log.record(env.now, Kind.MEETING, opp.id, account, opp.hunter, 2.0, Meeting.DEMO)
    if premature:
        log.record(env.now, Kind.PREMATURE_PROPOSAL, opp.id, account, opp.hunter)
    yield env.timeout(evaluation_days / (demos + 1))
    if u[U.STALL_EVALUATION] < process.stall_probability_evaluation:
        close(world, opp, Outcome.STALLED)
        return

    # Proposal.
    stage(PROPOSAL)
    proposal_days = stage_days(Z.PROPOSAL)
    yield env.timeout(proposal_days * (process.premature_cycle_factor if premature else 1.0))
    if u[U.STALL_PROPOSAL] < process.stall_probability_proposal:
        close(world, opp, Outcome.STALLED)
        return

    # Decision.
    if not sponsor:
        deadline = opp.opened_day + process.sponsorless_timeout_days
        if deadline > env.now:
            yield env.timeout(deadline - env.now)
        close(world, opp, Outcome.LOST_NO_DECISION)
        return
    outcome = decide(world, opp, completeness, economic_buyer, premature)
    close(world, opp, outcome, acv if outcome == Outcome.WON else 0.0)


def decide(
    world: World,
    opp: Opportunity,
    completeness: float,
    economic_buyer: bool,
    premature: bool,
) -> Outcome:
    """Multinomial-logit choice among us, competitors present and doing nothing."""
    p = world.parameters
    w = p.market.choice
    accounts = world.accounts
    account, u = opp.account, opp.u
    segment = accounts.segment[account]
    fit_w = w.fit_weight * (1.0 if economic_buyer else w.economic_buyer_alone_fit_factor)
    brand_w = w.brand_weight * (1.0 if economic_buyer else w.economic_buyer_alone_brand_factor)

    ours = (
        fit_w * accounts.fit[account]
        + brand_w * p.marketing.brand_strength
        - w.price_weight * p.product.price_index
        + world.hunters[opp.hunter].skill
        + w.business_case_weight * completeness
        - (p.process.premature_utility_penalty if premature else 0.0)
    )
    committee = accounts.committee_size[account]
    status_quo = (
        w.do_nothing_utility
        + w.do_nothing_per_extra_member * (committee - 1)
        + w.do_nothing_per_log_risk * math.log(accounts.perceived_risk[account])
    )
    utilities = [ours, status_quo]
    outcomes = [Outcome.WON, Outcome.LOST_NO_DECISION]
    household = p.competitors.household_name
    if u[U.HOUSEHOLD_PRESENT] < household.presence_probability.of(segment):
        utilities.append(
            fit_w * household.fit.of(segment)
            + brand_w * household.brand
            - w.price_weight * household.price_index
        )
        outcomes.append(Outcome.LOST_HOUSEHOLD_BRAND)
    for index, rival in enumerate(p.competitors.rivals):
        if u[U.RIVAL_PRESENT + index] < rival.presence_probability.of(segment):
            utilities.append(
                fit_w * rival.fit.of(segment)
                + brand_w * rival.brand
                - w.price_weight * rival.price_index
            )
            outcomes.append(Outcome.LOST_COMPETITOR)
    return outcomes[choose(utilities, u[U.CHOICE])]


def close(world: World, opp: Opportunity, outcome: Outcome, acv: float = 0.0) -> None:
    world.log.record(world.env.now, Kind.CLOSED, opp.id, opp.account, opp.hunter, acv, outcome)
    world.free_slots.put(opp.hunter)
    world.release_account(opp.account, won=outcome == Outcome.WON)
