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
from simulator.entities import ENTERPRISE, MID_MARKET, Hunter, Opportunity, U, Z
from simulator.events import DetractorReason, Discovery, Kind, Meeting, Outcome, Source
from simulator.parameters import STAGES, Parameters
from simulator.processes import either
from simulator.processes.roadmap import NO_FEATURE
from simulator.units import DAYS_PER_MONTH, HOURS_PER_DAY

if TYPE_CHECKING:
    from simulator.model import World

EVALUATION, PROPOSAL = STAGES.index("evaluation"), STAGES.index("proposal")
# The kinds and codes recorded at every stage, bound once (an enum lookup is not free).
STAGE, MEETING, DEMO_STARTED = Kind.STAGE, Kind.MEETING, Kind.DEMO_STARTED
FIRST, DISCOVERY, DEMO = Meeting.FIRST, Meeting.DISCOVERY, Meeting.DEMO
WENT_BADLY, QUALIFIED, PREMATURE = Kind.MEETING_WENT_BADLY, Kind.QUALIFIED, Kind.PREMATURE_PROPOSAL
LOST_COMPETITOR, LOST_HOUSEHOLD_BRAND = Outcome.LOST_COMPETITOR, Outcome.LOST_HOUSEHOLD_BRAND


class Terms:
    """The courtship's constants, worked out once per world instead of once per opportunity."""

    def __init__(self, p: Parameters) -> None:
        process, discipline = p.process, p.strategy.qualification_discipline
        segments = (p.market.enterprise, p.market.mid_market)
        self.readiness = 1.0 - process.readiness_max_time_saving * process.answer_readiness
        self.stage_mean = tuple(segment.stage_days.as_tuple() for segment in segments)
        # Each stage lasts mean * risk * readiness times a mean-1 lognormal with the segment's
        # cv, drawn from the opportunity's pre-drawn normal z (a lognormal scales with its mean).
        for segment, means in zip(segments, self.stage_mean, strict=True):
            for mean in means:  # checks the parameters once
                LogNormal(mean * self.readiness, segment.stage_days_cv)
        self.stage_spread = tuple(LogNormal(1.0, s.stage_days_cv) for s in segments)
        self.interest_half_life_hours = process.lead_interest_half_life_hours
        self.interest_floor = process.lead_interest_floor
        self.interest_span = 1.0 - process.lead_interest_floor
        quality = process.lead_quality
        self.source_quality = (quality.inbound, quality.direct, quality.outbound)
        self.beta_partner = p.strategy.pitch == "beta_partner"
        self.sponsor_found = process.sponsor_found.at(discipline)
        self.economic_buyer_engaged = process.economic_buyer_engaged.at(discipline)
        self.member_met = process.member_met.at(discipline)
        self.poor_fit_threshold = process.poor_fit_threshold
        self.poor_fit_screened = process.poor_fit_screened.at(discipline)
        self.business_case_share = process.business_case_deal_share
        self.demos = p.team.demos_per_evaluation
        self.premature_proposal = process.premature_proposal.at(discipline)
        self.stall_evaluation = process.stall_probability_evaluation
        self.stall_proposal = process.stall_probability_proposal
        self.premature_cycle_factor = process.premature_cycle_factor
        self.sponsorless_timeout_days = process.sponsorless_timeout_days
        self.beta_acv_share = process.pitching.beta_acv_share

        # The buyer's choice: weights without (index 0) and with (1) the economic buyer engaged.
        w, pitching, competitors = p.market.choice, process.pitching, p.competitors
        engaged = (False, True)
        self.fit_weight = tuple(
            w.fit_weight * (1.0 if eb else w.economic_buyer_alone_fit_factor) for eb in engaged
        )
        self.reference_weight = tuple(
            w.sector_reference_weight * (1.0 if eb else w.economic_buyer_reference_factor)
            for eb in engaged
        )
        self.brand_weight = tuple(
            w.brand_weight * (1.0 if eb else w.economic_buyer_alone_brand_factor) for eb in engaged
        )
        self.price_utility = w.price_weight * p.product.price_index
        self.premature_utility_penalty = process.premature_utility_penalty
        self.fatigue_utility_penalty = pitching.fatigue_utility_penalty
        self.reference_utility = pitching.reference_utility
        self.missing_reference_penalty = pitching.missing_reference_penalty
        self.orphan_utility_penalty = p.team.quota.orphan_utility_penalty
        # (uniform slot, presence probability, utility, outcome) of each incumbent competitor,
        # by [economic buyer][segment].
        incumbents = [(U.HOUSEHOLD_PRESENT, competitors.household_name, LOST_HOUSEHOLD_BRAND)]
        incumbents += [
            (U.RIVAL_PRESENT + index, rival, LOST_COMPETITOR)
            for index, rival in enumerate(competitors.rivals)
        ]
        self.competitors = tuple(
            tuple(
                [
                    (
                        slot,
                        rival.presence_probability.of(segment),
                        fit_w * rival.fit.of(segment)
                        + brand_w * rival.brand
                        - w.price_weight * rival.price_index,
                        outcome,
                    )
                    for slot, rival, outcome in incumbents
                ]
                for segment in (ENTERPRISE, MID_MARKET)
            )
            for fit_w, brand_w in zip(self.fit_weight, self.brand_weight, strict=True)
        )
        entrants = competitors.entrants
        self.first_entrant_slot = U.RIVAL_PRESENT + len(competitors.rivals)
        self.entrant_presence = tuple(
            entrants.presence_probability.of(s) for s in (ENTERPRISE, MID_MARKET)
        )
        self.entrant_fit = tuple(entrants.fit.of(s) for s in (ENTERPRISE, MID_MARKET))
        self.entrant_brand_utility = tuple(b * entrants.brand for b in self.brand_weight)
        self.entrant_price_utility = w.price_weight * entrants.price_index


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
    """Take a free slot at once if there is one (no event needed), else wait for one up to the
    patience window; then the hunter calls after their response time."""
    env = world.env
    arrived = env.now
    slots = world.free_slots
    hunter = slots.take()
    if hunter is None:
        called = slots.wait()
        yield either(env, called, env.timeout(world.parameters.process.lead_patience_days))
        if not called.triggered:
            slots.cancel(called)
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
        hunter = called.value
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
    now = world.env.now
    world.log.record(now, Kind.OPENED, lead, account, hunter, wait_hours, source)
    opportunity = Opportunity(lead, account, hunter, source, now, wait_hours, u, z)
    owner = world.hunters[hunter]
    owner.open[lead] = opportunity
    if not owner.active:  # the hunter left between taking the lead and calling it
        opportunity.orphaned = True
        world.log.record(now, Kind.ORPHANED, lead, account, hunter)
    return opportunity


def courtship(world: World, opp: Opportunity) -> Generator[Any, Any, None]:
    """Take an opened opportunity through the stages to its outcome."""
    env, t = world.env, world.selling
    record = world.log.record
    lead, account, hunter, u, z = opp.id, opp.account, opp.hunter, opp.u, opp.z
    accounts = world.accounts
    segment = accounts.segment[account]
    stage_mean, spread = t.stage_mean[segment], t.stage_spread[segment]
    scale = accounts.perceived_risk[account] * t.readiness

    def stage_days(stage: int) -> float:
        return stage_mean[stage] * scale * spread.from_normal(z[stage])

    # Attraction: the first meeting. Interest fades with every hour the lead waited.
    record(env.now, STAGE, lead, account, hunter, 0.0, 0)
    yield env.timeout(stage_days(Z.ATTRACTION))
    record(env.now, MEETING, lead, account, hunter, 1.0, FIRST)
    decay = 0.5 ** (opp.wait_hours / t.interest_half_life_hours)
    interest = t.interest_floor + t.interest_span * decay
    if u[U.INTEREST] >= t.source_quality[opp.source] * interest:
        record(env.now, WENT_BADLY, lead, account, hunter, 0.0, 0)
        if not rescue_with_pitch(world, opp):
            close(world, opp, Outcome.DISQUALIFIED)
            return
    elif t.beta_partner and not opp.orphaned:
        wanted = world.roadmap.pitchable()
        if wanted != NO_FEATURE and accounts.needs[wanted][account]:
            offer_beta(world, opp, wanted)

    # Qualification: discovery with the buying committee.
    record(env.now, STAGE, lead, account, hunter, 0.0, 1)
    yield env.timeout(stage_days(Z.QUALIFICATION))
    committee = accounts.committee_size[account]
    sponsor = accounts.sponsor_present[account] and u[U.SPONSOR] < t.sponsor_found
    economic_buyer = u[U.ECONOMIC_BUYER] < t.economic_buyer_engaged
    met = 1 + binomial_from_uniform(committee - 1, t.member_met, u[U.MEMBERS])
    record(env.now, MEETING, lead, account, hunter, met + opp.attendee_bonus, DISCOVERY)
    fit_today = accounts.fit[account] - world.roadmap.missing_fit(account)
    poor_fit = opp.feature == NO_FEATURE and fit_today < t.poor_fit_threshold
    if poor_fit and u[U.POOR_FIT_SCREEN] < t.poor_fit_screened:
        close(world, opp, Outcome.DISQUALIFIED)
        return
    found = (Discovery.SPONSOR if sponsor else 0) | (
        Discovery.ECONOMIC_BUYER if economic_buyer else 0
    )
    share = t.business_case_share
    full_acv = accounts.deal_size_usd[account]
    qualified_acv = full_acv * (1.0 - share + share * met / committee)
    record(env.now, QUALIFIED, lead, account, hunter, qualified_acv, found)

    # Evaluation: demos by the sales engineers, spread over the stage.
    record(env.now, STAGE, lead, account, hunter, 0.0, EVALUATION)
    evaluation_days = stage_days(Z.EVALUATION)
    demos = t.demos
    premature = u[U.PREMATURE] < t.premature_proposal
    engineers = world.sales_engineers
    for _ in range(demos):
        yield env.timeout(evaluation_days / (demos + 1))
        requested = env.now
        handed_over = engineers.request()
        if handed_over is not None:
            yield handed_over
        record(env.now, DEMO_STARTED, lead, account, hunter, env.now - requested, 0)
        yield env.timeout(world.demo_days())
        engineers.release()
        record(env.now, MEETING, lead, account, hunter, 2.0 + opp.attendee_bonus, DEMO)
    if premature:
        record(env.now, PREMATURE, lead, account, hunter, 0.0, 0)
    yield env.timeout(evaluation_days / (demos + 1))
    if u[U.STALL_EVALUATION] < t.stall_evaluation:
        close(world, opp, Outcome.STALLED)
        return

    # Proposal.
    record(env.now, STAGE, lead, account, hunter, 0.0, PROPOSAL)
    proposal_days = stage_days(Z.PROPOSAL)
    yield env.timeout(proposal_days * (t.premature_cycle_factor if premature else 1.0))
    if u[U.STALL_PROPOSAL] < t.stall_proposal:
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
        deadline = opp.opened_day + t.sponsorless_timeout_days
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
        close(world, opp, outcome, acv * t.beta_acv_share)
        env.process(convert_beta(world, opp, acv * (1.0 - t.beta_acv_share)))
    else:
        close(world, opp, outcome, acv)
    feature = opp.feature if opp.feature != NO_FEATURE else world.roadmap.needed_feature(account)
    if feature != NO_FEATURE:
        env.process(world.roadmap.realise_value(account, feature, opp.beta))


def rescue_with_pitch(world: World, opp: Opportunity) -> bool:
    """A first meeting went badly: does the hunter pitch the announced feature, and does it work?

    ``vaporware`` hunters pitch it; any hunter on the plan may, out of desperation; a
    ``beta_partner`` hunter offers it openly as a beta while launch-partner places remain. The
    date pitched is the one prospects are told today. Nobody pitches for a hunter who has left.
    """
    roadmap, pitching = world.roadmap, world.parameters.process.pitching
    feature = roadmap.pitchable()
    if feature == NO_FEATURE or opp.orphaned:
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
    promised = roadmap.promised_day[feature]
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
    """Wait for the pitched feature to ship, retelling the story at follow-up meetings (while
    the deal's hunter is still there: an orphaned deal gets no follow-ups, and its committee
    keeps changing).

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
        yield either(env, released, env.timeout(min(interval, give_up)))
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
        if opp.orphaned:
            continue  # nobody is left to tell the story again
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
    yield either(env, first, env.timeout(world.parameters.process.pitching.reference_wait_days))


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
    t = world.selling
    w = world.parameters.market.choice
    accounts, roadmap = world.accounts, world.roadmap
    account, u = opp.account, opp.u
    segment = accounts.segment[account]
    buyer = 1 if economic_buyer else 0
    customers = world.customers
    sector = accounts.sector[account]
    cap = w.sector_voices_cap

    wanted = opp.feature if opp.feature != NO_FEATURE else roadmap.needed_feature(account)
    referenced = wanted != NO_FEATURE and roadmap.references[wanted] > 0
    unproven = opp.feature != NO_FEATURE and not opp.beta and not referenced
    fit = accounts.fit[account] - (0.0 if opp.beta else roadmap.missing_fit(account))
    ours = (
        t.fit_weight[buyer] * fit
        + t.brand_weight[buyer] * world.voice.strength
        + t.reference_weight[buyer] * min(cap, customers.references_by_sector[sector])
        - w.sector_detractor_weight * min(cap, customers.detractors_by_sector[sector])
        - t.price_utility
        + (0.0 if opp.orphaned else world.hunters[opp.hunter].skill)
        + w.business_case_weight * completeness
        - (t.premature_utility_penalty if premature else 0.0)
        - t.fatigue_utility_penalty * opp.fatigue
        + (t.reference_utility if referenced else 0.0)
        - (t.missing_reference_penalty if unproven else 0.0)
        - (t.orphan_utility_penalty if opp.orphaned else 0.0)
    )
    committee = accounts.committee_size[account]
    status_quo = (
        w.do_nothing_utility
        + w.do_nothing_per_extra_member * (committee - 1)
        + w.do_nothing_per_log_risk * math.log(accounts.perceived_risk[account])
    )
    utilities = [ours, status_quo]
    outcomes = [Outcome.WON, Outcome.LOST_NO_DECISION]
    for slot, presence, utility, outcome in t.competitors[buyer][segment]:
        if u[slot] < presence:
            utilities.append(utility)
            outcomes.append(outcome)
    now = world.env.now
    for entrant in world.entrants:
        if entrant.segment != segment or entrant.ready_day > now:
            continue
        if u[t.first_entrant_slot + entrant.index] >= t.entrant_presence[segment]:
            continue
        claim = entrant.claimed_feature != NO_FEATURE and entrant.claimed_feature == wanted
        gain = roadmap.features[wanted].fit_gain if claim else 0.0
        utilities.append(
            t.fit_weight[buyer] * (t.entrant_fit[segment] + gain)
            + t.entrant_brand_utility[buyer]
            - t.entrant_price_utility
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
