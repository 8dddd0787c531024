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
- The pitch (the death spiral): when the first meeting goes badly, a ``vaporware`` hunter (or any
  hunter on the plan, out of desperation) pitches the announced feature. Interest jumps and more
  people attend, but the deal now waits for the release, which slips. While it waits, committee
  members are replaced by new faces, each retelling adds fatigue until only the lowest-level
  contact attends, competitors arrive claiming the same thing, and after the release the prospect
  asks for reference metrics nobody has yet. A ``beta_partner`` hunter instead offers the feature
  openly as a beta / launch-partner deal: less revenue now, agreed success metrics, early
  references.
- Without an executive sponsor nothing closes won: the deal ends in no decision after a time-out.
- The decision is a multinomial-logit draw among us, the household name, rivals, entrants and
  doing nothing. If the economic buyer was never engaged, they decide alone, weighing brand over
  fit.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.choice import choose
from simulator.distributions import LogNormal, binomial_from_uniform
from simulator.entities import Hunter, Opportunity, U, Z
from simulator.events import DetractorReason, Discovery, Kind, Meeting, Outcome, Source
from simulator.parameters import STAGES
from simulator.processes.roadmap import NO_FEATURE
from simulator.scenario import DAYS_PER_MONTH, HOURS_PER_DAY

if TYPE_CHECKING:
    from simulator.model import World

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
        world.customers.maybe_detractor(
            lead,
            account,
            world.parameters.post_sale.unanswered_lead_detractor_probability,
            DetractorReason.UNANSWERED_LEAD,
        )
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
    opportunity = Opportunity(lead, account, hunter, source, world.env.now, wait_hours, u, z)
    owner = world.hunters[hunter]
    owner.open[lead] = opportunity
    if not owner.active:  # the hunter left between taking the lead and calling it
        opportunity.orphaned = True
        world.log.record(world.env.now, Kind.ORPHANED, lead, account, hunter)
    return opportunity


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

    def meeting(attendees: float, kind: Meeting) -> None:
        log.record(env.now, Kind.MEETING, opp.id, account, opp.hunter, attendees, kind)

    # Attraction: the first meeting. Interest fades with every hour the lead waited.
    stage(0)
    yield env.timeout(stage_days(Z.ATTRACTION))
    meeting(1.0, Meeting.FIRST)
    decay = 0.5 ** (opp.wait_hours / process.lead_interest_half_life_hours)
    interest = process.lead_interest_floor + (1.0 - process.lead_interest_floor) * decay
    quality = process.lead_quality
    source_quality = (quality.inbound, quality.direct, quality.outbound)[opp.source]
    if u[U.INTEREST] >= source_quality * interest:
        log.record(env.now, Kind.MEETING_WENT_BADLY, opp.id, account, opp.hunter)
        if not rescue_with_pitch(world, opp):
            close(world, opp, Outcome.DISQUALIFIED)
            return
    elif p.strategy.pitch == "beta_partner":
        wanted = world.roadmap.pitchable()
        if wanted != NO_FEATURE and accounts.needs[wanted][account]:
            offer_beta(world, opp, wanted)

    # Qualification: discovery with the buying committee.
    stage(1)
    yield env.timeout(stage_days(Z.QUALIFICATION))
    committee = accounts.committee_size[account]
    sponsor = accounts.sponsor_present[account] and u[U.SPONSOR] < process.sponsor_found.at(
        discipline
    )
    economic_buyer = u[U.ECONOMIC_BUYER] < process.economic_buyer_engaged.at(discipline)
    met = 1 + binomial_from_uniform(committee - 1, process.member_met.at(discipline), u[U.MEMBERS])
    meeting(met + opp.attendee_bonus, Meeting.DISCOVERY)
    fit_today = accounts.fit[account] - world.roadmap.missing_fit(account)
    poor_fit = opp.feature == NO_FEATURE and fit_today < process.poor_fit_threshold
    if poor_fit and u[U.POOR_FIT_SCREEN] < process.poor_fit_screened.at(discipline):
        close(world, opp, Outcome.DISQUALIFIED)
        return
    found = (Discovery.SPONSOR if sponsor else 0) | (
        Discovery.ECONOMIC_BUYER if economic_buyer else 0
    )
    share = process.business_case_deal_share
    full_acv = accounts.deal_size_usd[account]
    log.record(
        env.now,
        Kind.QUALIFIED,
        opp.id,
        account,
        opp.hunter,
        full_acv * (1.0 - share + share * met / committee),
        found,
    )

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
            log.record(env.now, Kind.DEMO_STARTED, opp.id, account, opp.hunter, env.now - requested)
            yield env.timeout(world.demo_days())
        meeting(2.0 + opp.attendee_bonus, Meeting.DEMO)
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

    # A pitched deal hangs on the release, then on reference metrics.
    if opp.feature != NO_FEATURE and not opp.beta:
        met = yield from wait_for_release(world, opp, met, committee)
        if met is None:
            return
        if world.roadmap.references[opp.feature] == 0:
            yield from wait_for_references(world, opp)

    # Decision.
    if not sponsor:
        deadline = opp.opened_day + process.sponsorless_timeout_days
        if deadline > env.now:
            yield env.timeout(deadline - env.now)
        close(world, opp, Outcome.LOST_NO_DECISION)
        return
    completeness = met / committee
    outcome = decide(world, opp, completeness, economic_buyer, premature)
    if outcome != Outcome.WON:
        close(world, opp, outcome)
        return
    acv = full_acv * (1.0 - share + share * completeness)
    if opp.beta:
        pitching = process.pitching
        close(world, opp, outcome, acv * pitching.beta_acv_share)
        env.process(convert_beta(world, opp, acv * (1.0 - pitching.beta_acv_share)))
    else:
        close(world, opp, outcome, acv)
    feature = opp.feature if opp.feature != NO_FEATURE else world.roadmap.needed_feature(account)
    if feature != NO_FEATURE:
        env.process(world.roadmap.realise_value(account, feature, opp.beta))


def rescue_with_pitch(world: World, opp: Opportunity) -> bool:
    """A first meeting went badly: does the hunter pitch the announced feature, and does it work?

    ``vaporware`` hunters pitch it; any hunter on the plan may, out of desperation; a
    ``beta_partner`` hunter offers it openly as a beta while launch-partner places remain.
    """
    roadmap, pitching = world.roadmap, world.parameters.process.pitching
    feature = roadmap.pitchable()
    if feature == NO_FEATURE:
        return False
    hunter = world.hunters[opp.hunter]
    strategy = world.parameters.strategy.pitch
    desperate = hunter.on_plan_since is not None
    u = opp.u
    log, now = world.log, world.env.now
    if strategy == "beta_partner" and roadmap.beta_partners[feature] < pitching.beta_partner_slots:
        return offer_beta(world, opp, feature)
    chance = pitching.vaporware_pitch_probability if strategy == "vaporware" else 0.0
    if desperate:
        chance = max(chance, pitching.desperate_pitch_probability)
    if u[U.PITCH] >= chance:
        return False
    promised = roadmap.features[feature].promised_release_month * DAYS_PER_MONTH
    log.record(now, Kind.PITCHED, opp.id, opp.account, opp.hunter, promised, feature)
    if u[U.REVIVAL] >= pitching.revival_probability:
        return False
    opp.feature = feature
    opp.attendee_bonus = pitching.attendee_jump
    return True


def offer_beta(world: World, opp: Opportunity, feature: int) -> bool:
    """Offer the announced feature openly as a beta / launch-partner deal, while places last;
    return whether the prospect took it."""
    roadmap, pitching = world.roadmap, world.parameters.process.pitching
    if roadmap.beta_partners[feature] >= pitching.beta_partner_slots:
        return False
    if opp.u[U.REVIVAL] >= pitching.beta_acceptance_probability:
        return False
    roadmap.beta_partners[feature] += 1
    opp.feature, opp.beta = feature, True
    world.log.record(
        world.env.now, Kind.BETA_OFFERED, opp.id, opp.account, opp.hunter, code=feature
    )
    return True


def wait_for_release(
    world: World, opp: Opportunity, met: int, committee: int
) -> Generator[Any, Any, int | None]:
    """Wait for the pitched feature to ship, retelling the story at follow-up meetings.

    Returns the committee members still won over, or None if the prospect gave up (closed).
    """
    env, log = world.env, world.log
    pitching = world.parameters.process.pitching
    released = world.roadmap.released[opp.feature]
    if released.triggered:
        return met
    log.record(env.now, Kind.WAITING_STARTED, opp.id, opp.account, opp.hunter, code=opp.feature)
    started = env.now
    interval = pitching.retelling_interval_days
    new_face_mean = pitching.new_faces_per_month * interval / DAYS_PER_MONTH
    rng = world.streams["waiting"]
    while not released.triggered:
        give_up = started + pitching.waiting_timeout_days - env.now
        yield released | env.timeout(min(interval, give_up))
        if released.triggered:
            break
        if env.now >= started + pitching.waiting_timeout_days:
            log.record(
                env.now, Kind.WAITING_ENDED, opp.id, opp.account, opp.hunter, code=opp.feature
            )
            close(world, opp, Outcome.LOST_NO_DECISION)
            return None
        replaced = min(int(rng.poisson(new_face_mean)), committee)
        if replaced:
            met = max(1, met - replaced)
            log.record(env.now, Kind.NEW_FACES, opp.id, opp.account, opp.hunter, replaced)
        opp.fatigue += 1
        log.record(env.now, Kind.RETELLING, opp.id, opp.account, opp.hunter, opp.fatigue)
        fatigued = opp.fatigue >= pitching.fatigue_retellings
        if opp.fatigue == pitching.fatigue_retellings:
            log.record(env.now, Kind.FATIGUED, opp.id, opp.account, opp.hunter)
        attendees = 1.0 if fatigued else met + opp.attendee_bonus
        log.record(
            env.now, Kind.MEETING, opp.id, opp.account, opp.hunter, attendees, Meeting.FOLLOW_UP
        )
    log.record(env.now, Kind.WAITING_ENDED, opp.id, opp.account, opp.hunter, code=opp.feature)
    return met


def wait_for_references(world: World, opp: Opportunity) -> Generator[Any, Any, None]:
    """The feature shipped; the prospect wants reference metrics from a customer using it and
    waits for them, up to a limit; then decides with or without them."""
    env = world.env
    world.log.record(
        env.now, Kind.REFERENCE_REQUESTED, opp.id, opp.account, opp.hunter, code=opp.feature
    )
    first = world.roadmap.first_reference[opp.feature]
    yield first | env.timeout(world.parameters.process.pitching.reference_wait_days)


def convert_beta(world: World, opp: Opportunity, remaining_acv: float) -> Generator[Any, Any, None]:
    """A beta partner pays the full price once the feature ships."""
    yield world.roadmap.released[opp.feature]
    customer = world.customers.by_id[opp.id]
    if not customer.active:
        return
    customer.arr += remaining_acv
    hunter = world.hunters[opp.hunter]
    world.log.record(
        world.env.now, Kind.BETA_CONVERTED, opp.id, opp.account, opp.hunter, remaining_acv
    )
    if hunter.active:
        hunter.bookings.append((world.env.now, remaining_acv))


def decide(
    world: World, opp: Opportunity, completeness: float, economic_buyer: bool, premature: bool
) -> Outcome:
    """Multinomial-logit choice among us, competitors present and doing nothing."""
    p = world.parameters
    w = p.market.choice
    pitching = p.process.pitching
    accounts, roadmap = world.accounts, world.roadmap
    account, u = opp.account, opp.u
    segment = accounts.segment[account]
    fit_w = w.fit_weight * (1.0 if economic_buyer else w.economic_buyer_alone_fit_factor)
    reference_w = w.sector_reference_weight * (
        1.0 if economic_buyer else w.economic_buyer_reference_factor
    )
    customers = world.customers
    sector = accounts.sector[account]
    brand_w = w.brand_weight * (1.0 if economic_buyer else w.economic_buyer_alone_brand_factor)

    wanted = opp.feature if opp.feature != NO_FEATURE else roadmap.needed_feature(account)
    referenced = wanted != NO_FEATURE and roadmap.references[wanted] > 0
    unproven = opp.feature != NO_FEATURE and not opp.beta and not referenced
    fit = accounts.fit[account] - (0.0 if opp.beta else roadmap.missing_fit(account))
    ours = (
        fit_w * fit
        + brand_w * world.voice.strength
        + reference_w * min(w.sector_voices_cap, customers.references_by_sector[sector])
        - w.sector_detractor_weight
        * min(w.sector_voices_cap, customers.detractors_by_sector[sector])
        - w.price_weight * p.product.price_index
        + (0.0 if opp.orphaned else world.hunters[opp.hunter].skill)
        + w.business_case_weight * completeness
        - (p.process.premature_utility_penalty if premature else 0.0)
        - pitching.fatigue_utility_penalty * opp.fatigue
        + (pitching.reference_utility if referenced else 0.0)
        - (pitching.missing_reference_penalty if unproven else 0.0)
        - (p.team.quota.orphan_utility_penalty if opp.orphaned else 0.0)
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
    entrants = p.competitors.entrants
    first_slot = U.RIVAL_PRESENT + len(p.competitors.rivals)
    now = world.env.now
    for entrant in world.entrants:
        if entrant.segment != segment or entrant.ready_day > now:
            continue
        if u[first_slot + entrant.index] >= entrants.presence_probability.of(segment):
            continue
        claim = entrant.claimed_feature != NO_FEATURE and entrant.claimed_feature == wanted
        gain = roadmap.features[wanted].fit_gain if claim else 0.0
        utilities.append(
            fit_w * (entrants.fit.of(segment) + gain)
            + brand_w * entrants.brand
            - w.price_weight * entrants.price_index
        )
        outcomes.append(Outcome.LOST_COMPETITOR)
    return outcomes[choose(utilities, u[U.CHOICE])]


def close(world: World, opp: Opportunity, outcome: Outcome, acv: float = 0.0) -> None:
    env = world.env
    world.log.record(env.now, Kind.CLOSED, opp.id, opp.account, opp.hunter, acv, outcome)
    hunter = world.hunters[opp.hunter]
    del hunter.open[opp.id]
    if hunter.active:
        world.free_slots.put(opp.hunter)
        if acv > 0:
            hunter.bookings.append((env.now, acv))
    world.release_account(opp.account, won=outcome == Outcome.WON)
    if outcome == Outcome.WON:
        world.customers.sign(opp.id, opp.account, acv)
