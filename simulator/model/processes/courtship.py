"""The courtship: attraction -> qualification -> evaluation -> proposal -> decision, no stage
skipped, from the hunter's first call to the prospect's decision.

- Attraction: the first meeting. The lead's interest decays with every hour it waited for the
  call; when the meeting goes badly, the hunter may pitch an announced feature, and one used
  to the pitch may pitch it anyway; an account sold on it before turns down what ships
  (``pitch.py``).
- Stage durations scale with the prospect's perceived risk and shrink with our readiness to
  answer questions before they are asked.
- Discovery (qualification) finds, with chances set by qualification discipline, the executive
  sponsor, the economic buyer and part of the committee; the share met is how complete the
  business case is, which sets deal size and adds to our appeal. Disciplined hunters also screen
  out poor fits early, judging the product the prospect is buying (with a pitched feature, if
  it meets a need).
- Evaluation needs demos from the sales engineers (``capacity.py``). A premature proposal puts
  the prospect on the defensive: longer proposal stage, lower appeal.
- An executive sponsor shortens the evaluation: they clear obstacles and say which requirements
  are real.
- A pitched deal then waits for the release and for reference metrics. Another may be pulled
  into the current quota period, with a discount (``quota_period.py``).
- A deal open on day 0 in today's pipeline (``start.from_crm``) starts at its stage: the stages
  before take no time and their tests (first meeting, fit screen, demos, the group's pull-out) are
  behind it; its current stage lasts what is left given its age (``resume.py``).
- From the first meeting to the decision the buyer may go dark (``going_dark.py``): the deal
  stops there, stalled, and the hunter's time is free.
- A buyer with a critical date of its own (``critical_date.py``) must decide by it: the stages
  are squeezed to end there.
- A deal that replaces a process that works today needs the sponsor: without one it goes through
  every stage (unless its group pulls out), using the hunter's and the sales engineers' time, and
  ends in no decision (after a time-out from its opening, if the stages were quicker). Elsewhere
  the buyer decides (``decision.py``), a sponsor adding to our appeal.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from simulator.model.distributions import LogNormal, binomial_from_uniform
from simulator.model.entities import CHAMPION, NO_FEATURE, Opportunity
from simulator.model.events import Discovery, EventLog, Kind, Meeting, Outcome
from simulator.model.luck import U, Z
from simulator.model.processes.capacity import SalesEngineers
from simulator.model.processes.critical_date import CriticalDate
from simulator.model.processes.deal import Deal
from simulator.model.processes.decision import Decision
from simulator.model.processes.going_dark import GoingDark
from simulator.model.processes.market import Market
from simulator.model.processes.pitch import Pitch
from simulator.model.processes.quota_period import QuotaPeriod
from simulator.model.processes.resume import resumed_stage_days
from simulator.model.processes.roadmap import Roadmap
from simulator.model.processes.strategy_in_force import StrategyInForce
from simulator.model.switches import Switches
from simulator.parameters import STAGES, Process, Segment
from simulator.units import DAYS_PER_MONTH

ATTRACTION, QUALIFICATION, EVALUATION, PROPOSAL = (
    STAGES.index(stage) for stage in ("attraction", "qualification", "evaluation", "proposal")
)
# The kinds recorded for every deal, read off ``Kind`` once: before Python 3.12, reading a
# member off an enum class costs several times reading a global (as for ``U``).
STAGE, MEETING, COMMITTEE, QUALIFIED, DEMO_STARTED = (
    Kind.STAGE,
    Kind.MEETING,
    Kind.COMMITTEE,
    Kind.QUALIFIED,
    Kind.DEMO_STARTED,
)
FIRST_MEETING_ATTENDEES = 1.0
"""The first meeting is with the one contact who raised a hand or took the call."""
DEMO_ATTENDEES = 2.0
"""A demo is seen by two of the committee (more when a pitch drew more people in)."""


class Courtship:
    """Takes an opened opportunity through the stages; returns its outcome and the ACV won."""

    def __init__(
        self,
        env: simpy.Environment,
        process: Process,
        segments: tuple[Segment, ...],
        market: Market,
        roadmap: Roadmap,
        engineers: SalesEngineers,
        pitch: Pitch,
        decision: Decision,
        quota_period: QuotaPeriod,
        going_dark: GoingDark,
        strategy: StrategyInForce,
        log: EventLog,
        switches: Switches,
    ) -> None:
        self.env = env
        self.on = switches
        self.process = process
        self.strategy = strategy
        self.market = market
        self.roadmap = roadmap
        self.engineers = engineers
        self.pitch = pitch
        self.decision = decision
        self.quota_period = quota_period
        self.going_dark = going_dark
        self.critical_date = CriticalDate(process.critical_date)
        self.log = log
        # Our readiness to answer questions before they are asked shortens every stage.
        self.readiness = 1.0 - process.readiness_max_time_saving * process.answer_readiness
        self.stage_days_mean = tuple(segment.stage_days.as_tuple() for segment in segments)
        # Each stage lasts mean * risk * readiness times a mean-1 lognormal with the segment's
        # cv, drawn from the opportunity's pre-drawn normal z (a lognormal scales with its mean).
        for segment, means in zip(segments, self.stage_days_mean, strict=True):
            for mean in means:  # checks the parameters once
                LogNormal(mean * self.readiness, segment.stage_days_cv)
        self.stage_days_spread = tuple(LogNormal(1.0, s.stage_days_cv) for s in segments)
        self.stage_days_cv = tuple(s.stage_days_cv for s in segments)
        self.discipline = math.nan
        self._discovery_chances()
        quality = process.lead_quality
        self.lead_quality_by_source = (
            quality.inbound,
            quality.direct,
            quality.outbound,
            quality.open_at_start,
        )

    def _discovery_chances(self) -> None:
        """Discovery's chances, set by the qualification discipline in force: the same for
        every deal until a strategy switch changes the discipline."""
        discipline = self.strategy.qualification_discipline
        if discipline == self.discipline:
            return
        process = self.process
        self.discipline = discipline
        self.sponsor_found = process.sponsor_found.at(discipline)
        self.economic_buyer_engaged = process.economic_buyer_engaged.at(discipline)
        self.member_met = process.member_met.at(discipline)
        self.poor_fit_screened = process.poor_fit_screened.at(discipline)
        self.premature_proposal = process.premature_proposal.at(discipline)

    def run(self, opp: Opportunity) -> Generator[Any, Any, tuple[Outcome, float]]:
        """The stages, in order; returns (outcome, ACV won at full price less any quarter-end
        discount, 0 if lost)."""
        deal = self._plan(opp)
        ended = yield from self._attract(deal)
        if ended is None:
            ended = yield from self._qualify(deal)
        if ended is None:
            ended = yield from self._evaluate(deal)
        if ended is None:
            ended = yield from self._propose(deal)
        if ended is not None:
            return ended, 0.0
        return (yield from self._decide(deal))

    def _plan(self, opp: Opportunity) -> Deal:
        """The deal's stage lengths, scaled by the risk perceived today (a brand of higher
        standing lowers it) and squeezed to end by a buyer's critical date."""
        account = opp.account
        segment = self.market.accounts.segment[account]
        stage_days_mean = self.stage_days_mean[segment]
        spread = self.stage_days_spread[segment]
        scale = self.decision.perceived_risk(account) * self.readiness
        z = opp.z

        def stage_days(stage: int) -> float:
            return stage_days_mean[stage] * scale * spread.from_normal(z[stage])

        start_stage = opp.start_stage  # a deal open on day 0: the stages before it are done
        means = [mean * scale for mean in stage_days_mean]
        resumed = bool(start_stage or opp.elapsed_days)
        if resumed:
            stage_days = resumed_stage_days(start_stage, opp.elapsed_days, means, spread, z)
        days = [stage_days(Z.ATTRACTION), stage_days(Z.QUALIFICATION),
                stage_days(Z.EVALUATION), stage_days(Z.PROPOSAL)]  # fmt: skip
        left = days[0] + days[1] + days[2] + days[3]
        cv = self.stage_days_cv[segment]
        if resumed:
            pace = self.critical_date.resumed_pace(opp.elapsed_days, left, means, cv, z)
        else:
            pace = self.critical_date.pace(z, left)
        if pace < 1.0 and not self.on.critical_dates:
            pace = 1.0  # the buyer's date squeezes nothing
        return Deal(opp, days, means, cv, pace)

    def _attract(self, deal: Deal) -> Generator[Any, Any, Outcome | None]:
        """The first meeting. Interest fades with every hour the lead waited: a lead gone cold
        never takes the meeting (nothing to pitch to); one reached may still find it a poor use
        of their time (the source's lead quality). One uniform decides both, so the chance of a
        good first meeting is interest x quality. A deal open on day 0 past attraction had its
        first meeting before: no test. From the first meeting on, the buyer may go dark."""
        env, process, roadmap, pitch, record = (
            self.env, self.process, self.roadmap, self.pitch, self.log.record,
        )  # fmt: skip
        opp = deal.opp
        lead, account, hunter, u, z = opp.id, opp.account, opp.hunter.id, opp.u, opp.z
        start_stage = opp.start_stage
        record(env.now, STAGE, lead, account, hunter, code=ATTRACTION)
        yield env.timeout(deal.days[ATTRACTION] * deal.pace)
        now = env.now
        if start_stage == ATTRACTION:
            decay = 0.5 ** (opp.wait_hours / process.lead_interest_half_life_hours)
            floor = process.lead_interest_floor
            interest = floor + (1.0 - floor) * decay
            if u[U.INTEREST] >= interest:
                record(now, Kind.NOT_REACHED, lead, account, hunter, opp.wait_hours)
                return Outcome.DISQUALIFIED
            record(now, MEETING, lead, account, hunter, FIRST_MEETING_ATTENDEES, Meeting.FIRST)
            sold_on = pitch.wants(account)
            if sold_on != NO_FEATURE and roadmap.is_released(sold_on):
                opp.feature = sold_on  # it shipped: they will ask how it works for others
            elif sold_on != NO_FEATURE:
                pitch.turned_down(opp, sold_on)
                if not pitch.rescue(opp):
                    return Outcome.DISQUALIFIED
            elif u[U.INTEREST] / interest >= self.lead_quality_by_source[opp.source]:
                record(now, Kind.MEETING_WENT_BADLY, lead, account, hunter)
                if not pitch.rescue(opp):
                    return Outcome.DISQUALIFIED
            elif self.pitch.offers_beta and not opp.orphaned:
                wanted = roadmap.pitchable()
                if wanted != NO_FEATURE and roadmap.needs(account, wanted):
                    pitch.offer_beta(opp, wanted)
            else:
                pitch.out_of_habit(opp)
        # a deal open on day 0 past the first meeting may have gone dark already
        if start_stage > ATTRACTION:
            dark_at = self.going_dark.resumed_dark_at(
                opp.elapsed_days, deal.means, deal.cv, z[Z.DARK]
            )
        else:
            dark_at = self.going_dark.dark_at(now, z[Z.DARK])
        if dark_at < math.inf and not self.on.going_dark:
            dark_at = math.inf  # the buyer never goes quiet
        deal.dark_at = dark_at
        return Outcome.STALLED if dark_at <= now else None

    def _qualify(self, deal: Deal) -> Generator[Any, Any, Outcome | None]:
        """Discovery with the buying committee: who is found (the sponsor, the economic buyer,
        the members met), the screen of a poor fit, and the ACV at stake."""
        env, process, roadmap, record = self.env, self.process, self.roadmap, self.log.record
        opp = deal.opp
        lead, account, hunter, u = opp.id, opp.account, opp.hunter.id, opp.u
        accounts = self.market.accounts
        record(env.now, STAGE, lead, account, hunter, code=QUALIFICATION)
        if (yield from self._until(deal.days[QUALIFICATION] * deal.pace, deal.dark_at)):
            return Outcome.STALLED
        now = env.now
        committee = accounts.committee_size[account]
        self._discovery_chances()
        sponsor = accounts.sponsor_present[account] and u[U.SPONSOR] < self.sponsor_found
        economic_buyer = u[U.ECONOMIC_BUYER] < self.economic_buyer_engaged
        met = CHAMPION + binomial_from_uniform(committee - CHAMPION, self.member_met, u[U.MEMBERS])
        attendees = met + opp.attendee_bonus
        record(now, MEETING, lead, account, hunter, attendees, Meeting.DISCOVERY)
        record(now, COMMITTEE, lead, account, hunter, committee, met)
        # The screen judges the product the prospect is buying: today's, or with the pitched
        # feature, which adds fit only where it meets a need.
        fit = accounts.fit[account] - roadmap.missing_fit(account)
        wanted = opp.feature
        needs_wanted = wanted != NO_FEATURE and roadmap.needs(account, wanted)
        if needs_wanted and not roadmap.is_released(wanted):
            fit += roadmap.fit_gain(wanted)
        if (
            fit < process.poor_fit_threshold
            and opp.start_stage <= QUALIFICATION  # not passed yet
            and u[U.POOR_FIT_SCREEN] < self.poor_fit_screened
        ):
            return Outcome.DISQUALIFIED
        replaces = accounts.replaces_working_process[account]
        found = (
            (Discovery.SPONSOR if sponsor else 0)
            | (Discovery.ECONOMIC_BUYER if economic_buyer else 0)
            | (Discovery.REPLACES_WORKING_PROCESS if replaces else 0)
        )
        share = process.business_case_deal_share
        full_acv = accounts.deal_size_usd[account]
        qualified_acv = full_acv * (1.0 - share + share * met / committee)
        record(now, QUALIFIED, lead, account, hunter, qualified_acv, found)
        deal.committee, deal.met, deal.sponsor = committee, met, sponsor
        deal.economic_buyer, deal.replaces, deal.full_acv = economic_buyer, replaces, full_acv
        return None

    def _evaluate(self, deal: Deal) -> Generator[Any, Any, Outcome | None]:
        """Demos by the sales engineers, spread over the stage, while any member may pull the
        group off the purchase (priorities shift, a reorganisation, a veto): the group pulls
        out after an exponential time at the members' summed rate, so the more people must
        agree and the longer the evaluation takes (waits for a sales engineer included), the
        likelier it dies before a proposal."""
        env, process, record = self.env, self.process, self.log.record
        opp = deal.opp
        lead, account, hunter, u = opp.id, opp.account, opp.hunter.id, opp.u
        now = env.now
        record(now, STAGE, lead, account, hunter, code=EVALUATION)
        evaluation_days = deal.days[EVALUATION] * deal.pace
        if deal.sponsor:
            evaluation_days *= process.sponsor_evaluation_days_factor
        engineers = self.engineers
        demos = engineers.demos_per_evaluation if opp.start_stage <= EVALUATION else 0
        deal.demos = demos  # none when the evaluation was done before day 0
        deal.premature = u[U.PREMATURE] < self.premature_proposal
        pull_out_rate = process.member_pull_out_per_month * deal.committee / DAYS_PER_MONTH
        pull_out_at = (
            now - math.log1p(-u[U.STALL_EVALUATION]) / pull_out_rate
            if pull_out_rate > 0.0 and opp.start_stage <= EVALUATION
            else math.inf
        )
        # whichever comes first ends the evaluation: the group pulls out, or the buyer goes dark
        dark_at = deal.dark_at
        ends_at = min(pull_out_at, dark_at)
        ended = Outcome.NO_CONSENSUS if pull_out_at <= dark_at else Outcome.STALLED
        step = evaluation_days / (demos + 1)
        for _ in range(demos):
            if (yield from self._until(step, ends_at)):
                return ended
            requested = env.now
            handed_over = engineers.request()
            if handed_over is not None:
                yield handed_over
            now = env.now
            record(now, DEMO_STARTED, lead, account, hunter, now - requested)
            yield env.timeout(engineers.demo_days_of(account))
            engineers.release()
            attendees = DEMO_ATTENDEES + opp.attendee_bonus
            record(env.now, MEETING, lead, account, hunter, attendees, Meeting.DEMO)
            if env.now >= ends_at:  # it ended while the demo was waited for
                return ended
        if deal.premature:
            record(env.now, Kind.PREMATURE_PROPOSAL, lead, account, hunter)
        if (yield from self._until(step, ends_at)):
            return ended
        return None

    def _propose(self, deal: Deal) -> Generator[Any, Any, Outcome | None]:
        """The proposal (pulled in by the quarter-end push); a pitched deal then hangs on the
        release and on reference metrics."""
        env, process = self.env, self.process
        opp = deal.opp
        self.log.record(env.now, STAGE, opp.id, opp.account, opp.hunter.id, code=PROPOSAL)
        proposal_days = deal.days[PROPOSAL] * deal.pace
        proposal_days *= process.premature_cycle_factor if deal.premature else 1.0
        proposal_days = self.quota_period.pull_in(opp, proposal_days)  # the quarter-end push
        if (yield from self._until(proposal_days, deal.dark_at)):
            return Outcome.STALLED
        if opp.u[U.STALL_PROPOSAL] < process.stall_probability_proposal:
            return Outcome.STALLED
        if opp.feature != NO_FEATURE and not opp.beta:
            still_met = yield from self.pitch.wait(opp, deal.met, deal.committee)
            if env.now >= deal.dark_at:  # the buyer went quiet while it waited
                return Outcome.STALLED
            if still_met is None:
                return Outcome.LOST_NO_DECISION
            deal.met = still_met
        return None

    def _decide(self, deal: Deal) -> Generator[Any, Any, tuple[Outcome, float]]:
        """Replacing a working process takes a sponsor; elsewhere the buyer chooses."""
        env, process, opp = self.env, self.process, deal.opp
        if deal.replaces and not deal.sponsor:
            deadline = opp.opened_day + process.sponsorless_timeout_days
            if deadline > env.now and (yield from self._until(deadline - env.now, deal.dark_at)):
                return Outcome.STALLED, 0.0
            return Outcome.LOST_NO_DECISION, 0.0
        completeness = deal.met / deal.committee
        broken = self.pitch.broken_promises(opp)
        tested = deal.demos > 0 and not deal.premature  # the prospect's tests, passed in full
        outcome, chance = self.decision.decide(
            opp, completeness, deal.economic_buyer, deal.premature, deal.sponsor, broken, tested
        )
        share = process.business_case_deal_share
        acv = deal.full_acv * (1.0 - share + share * completeness) * (1.0 - opp.discount)
        won = outcome == Outcome.WON
        self.log.record(env.now, Kind.CHOICE_LUCK, opp.id, opp.account, value=acv * (won - chance))
        return outcome, acv if won else 0.0

    def _until(self, days: float, ends_at: float) -> Generator[Any, Any, bool]:
        """Spend ``days``, unless the deal ends first (the group pulls out, the buyer goes
        dark) at ``ends_at``: then stop on that day and say so."""
        env = self.env
        if env.now + days < ends_at:
            yield env.timeout(days)
            return False
        yield env.timeout(max(0.0, ends_at - env.now))
        return True
