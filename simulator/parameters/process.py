"""The ``process`` section: how our sales process works, from lead handling and discovery to
proposals, time-outs and what pitching an unshipped feature does."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from simulator.parameters.base import (
    Count,
    NonNegativeFloat,
    Number,
    PositiveFloat,
    Probability,
    Section,
)


class LeadSourceQuality(Section):
    """How likely a lead from each source is to be a real buying project (probability)."""

    inbound: Probability = 0.8
    direct: Probability = 0.45
    outbound: Probability = 0.35
    open_at_start: Probability = Field(
        0.4,
        description="a deal open at attraction (its first meeting ahead) in the CRM export the "
        "simulation starts from (`start.from_crm`): the export does not say where it came "
        "from, so between outbound's and inbound's (probability)",
    )


class DisciplineEffect(Section):
    """A probability that rises linearly with qualification discipline, from 0 to 1."""

    at_zero_discipline: Probability
    at_full_discipline: Probability

    def at(self, discipline: float) -> float:
        lo, hi = self.at_zero_discipline, self.at_full_discipline
        return lo + (hi - lo) * discipline


class Pitching(Section):
    """What pitching an announced, unshipped feature does to a deal (the death spiral)."""

    vaporware_pitch_probability: Probability = Field(
        0.9,
        description="probability a `vaporware` hunter pitches the announced feature when a first "
        "meeting goes badly",
    )
    desperate_pitch_probability: Probability = Field(
        0.4,
        description="probability a hunter on the plan pitches it, whatever the strategy",
    )
    revival_probability: Probability = Field(
        0.85, description="probability the pitch revives a prospect who was losing interest"
    )
    habit_per_revival: Probability = Field(
        0.1,
        description="how much a hunter's habit of pitching the announced feature also in "
        "meetings that are going fine grows each time the pitch revives a meeting (probability "
        "points); a `vaporware` hunter, or any hunter on the plan, pitches out of habit",
    )
    habit_max: Probability = Field(
        0.9, description="the most that habit reaches (probability of pitching out of habit)"
    )
    switch_probability: Probability = Field(
        0.85,
        description="probability a prospect who needs the pitched feature, pitched it while "
        "the meeting was going fine, wants it instead of the product that ships (the Osborne "
        "effect); no published figure: an assumption, varied 0.5–0.95 by `salesim sensitivity`",
    )
    switch_probability_without_need: Probability = Field(
        0.5,
        description="the same for a prospect who does not need the feature: novelty, not a gap "
        "it fills. No published figure: MODEL.md 2.5 says such prospects switch rarely, and "
        "its 4.1.1 asks the spiral to hold at every hunter capacity; 0.5 is the least tenth at "
        "which it holds at capacity 40 (at 0.15 vaporware's extra attrition there vanishes); "
        "varied 0.1–0.7 by `salesim sensitivity`",
    )
    broken_promise_penalty: NonNegativeFloat = Field(
        0.3,
        description="utility a pitched prospect takes off us for each release date it was told "
        "that passed without the release (utility units; assumption, varied 0–0.6): the date "
        "was a lie, and waiting annoys",
    )
    attendee_jump: NonNegativeFloat = Field(
        3.0, description="extra attendees at meetings after the pitch, before fatigue (people)"
    )
    retelling_interval_days: PositiveFloat = Field(
        91.0, description="a deal waiting on a release gets a follow-up meeting this often (days)"
    )
    new_faces_per_month: NonNegativeFloat = Field(
        0.2,
        description="committee members replaced per month a deal waits (people a month); each "
        "new face must be won again, lowering the business case",
    )
    fatigue_retellings: Annotated[Count, Field(ge=1, le=100)] = Field(
        3,
        description="retellings of the same story after which only the lowest-level contact "
        "still attends (count, at most 100)",
    )
    fatigue_utility_penalty: NonNegativeFloat = Field(
        0.25, description="utility lost per retelling (utility units)"
    )
    reference_wait_days: PositiveFloat = Field(
        120.0,
        description="after the release, how long a prospect who asked for reference metrics "
        "waits for them before deciding without (days)",
    )
    missing_reference_penalty: NonNegativeFloat = Field(
        0.8,
        description="utility lost when a prospect who was pitched the feature decides without "
        "the reference metrics it asked for (utility units)",
    )
    waiting_timeout_days: PositiveFloat = Field(
        540.0,
        description="a deal waiting on a release ends in no decision after this long (days)",
    )
    reference_utility: NonNegativeFloat = Field(
        0.8,
        description="utility of reference metrics for the feature to a prospect who needs it",
    )
    time_to_value_days: PositiveFloat = Field(
        120.0,
        description="from a customer getting the feature to realising value with it (days)",
    )
    reference_probability: Probability = Field(
        0.3,
        description="probability a customer who realised value with the feature becomes a "
        "reference for it",
    )
    beta_acceptance_probability: Probability = Field(
        0.6,
        description="probability a prospect who wants the feature accepts an open beta / "
        "launch-partner deal",
    )
    beta_acv_share: Probability = Field(
        0.5, description="share of the full ACV a beta partner pays until the release"
    )
    beta_partner_slots: Annotated[Count, Field(ge=0, le=1000)] = Field(
        8, description="beta / launch partners taken per feature (count, at most 1,000)"
    )
    beta_early_access_days: NonNegativeFloat = Field(
        60.0, description="days before the release that beta partners start using the feature"
    )
    beta_reference_probability: Probability = Field(
        0.7,
        description="probability a beta partner who realised value becomes a reference "
        "(success metrics were agreed up front)",
    )


MAX_CLEANUP_DAYS = 3650.0
"""The latest a CRM's cleanup may close a dark deal (days since it was opened)."""


class GoingDark(Section):
    """Opportunities whose buyer stops answering: the hunter stops working the deal (it ends
    stalled), but the CRM shows it open, under its owner, until a cleanup closes it lost. The
    backlog of a real export: deals that went quiet, not deals still being sold."""

    rate_per_month: NonNegativeFloat = Field(
        0.0,
        description="rate at which a buyer goes dark, from the first meeting until the decision "
        "(per deal-month): the longer a deal takes, the likelier it goes quiet. 0 (the default) "
        "is off; a calibration fits it from the export's backlog",
    )
    cleanup_days: Annotated[Number, Field(gt=0.0, le=MAX_CLEANUP_DAYS)] = Field(
        180.0,
        description="age (days since the deal was opened) at which the CRM's cleanup closes a "
        "dark deal lost; it sits open in the CRM until then (days, at most 3,650)",
    )


class CriticalDate(Section):
    """Buyers with a date of their own (a contract ending, a launch, a regulation): such a
    buyer must decide by it, so the deal's stages are squeezed to end there when they would run
    past it. Their deals close quickly, won or lost, and spend less time exposed to a pull-out
    or the buyer going dark; the others take the process's own pace. A real export's cycles
    often show the two: a hump of quick closes, then the long ones."""

    probability: Probability = Field(
        0.0,
        description="share of buyers with their own critical date (probability). 0 (the "
        "default) is off; a calibration fits it from the share of quick wins in the export",
    )
    days_mean: PositiveFloat = Field(
        30.0,
        description="mean time from the opportunity's opening to the buyer's critical date "
        "(days); a calibration fits it from the cycle of the export's quick wins",
    )
    days_cv: NonNegativeFloat = Field(
        0.6, description="spread of that time (coefficient of variation of a lognormal)"
    )


class Process(Section):
    """How our sales process works: lead handling, discovery, proposals, time-outs."""

    lead_patience_days: PositiveFloat = Field(
        7.0,
        description="a lead not called within this many days is lost unanswered (days)",
    )
    lead_interest_half_life_hours: PositiveFloat = Field(
        0.35,
        description="half-life of a lead's interest while it waits for a call (hours); about "
        "21 minutes makes a lead called within the first hour ~7x likelier to qualify than one "
        "called in the second (Oldroyd, McElheran & Elkington, HBR 2011)",
    )
    lead_interest_floor: Probability = Field(
        0.005,
        description="share of interest left after a long wait (share); near 0, so a lead called "
        "within the first hour is >60x likelier to qualify than one called after a day (HBR "
        "2011). A lead whose interest is gone never takes the meeting",
    )
    lead_quality: LeadSourceQuality = LeadSourceQuality()
    answer_readiness: Probability = Field(
        0.4,
        description="share of a prospect's questions answered before they are asked",
    )
    readiness_max_time_saving: Probability = Field(
        0.4, description="share of stage time saved at full answer readiness"
    )
    sponsor_found: DisciplineEffect = Field(
        DisciplineEffect(at_zero_discipline=0.6, at_full_discipline=0.99),
        description="probability discovery finds the executive sponsor, when there is one",
    )
    economic_buyer_engaged: DisciplineEffect = Field(
        DisciplineEffect(at_zero_discipline=0.25, at_full_discipline=0.9),
        description="probability the hunter engages the economic buyer",
    )
    member_met: DisciplineEffect = Field(
        DisciplineEffect(at_zero_discipline=0.3, at_full_discipline=0.85),
        description="probability the hunter meets each other committee member in discovery",
    )
    business_case_deal_share: Probability = Field(
        0.4,
        description="share of a full deal's ACV that depends on how complete the business case "
        "is (share of the committee met in discovery)",
    )
    poor_fit_threshold: Probability = Field(
        0.4, description="product fit below which a prospect is a poor fit (fit units)"
    )
    poor_fit_screened: DisciplineEffect = Field(
        DisciplineEffect(at_zero_discipline=0.0, at_full_discipline=0.9),
        description="probability a poor-fit prospect is disqualified in qualification",
    )
    premature_proposal: DisciplineEffect = Field(
        DisciplineEffect(at_zero_discipline=0.4, at_full_discipline=0.05),
        description="probability the hunter proposes before the evaluation is done",
    )
    premature_cycle_factor: Annotated[Number, Field(ge=1.0)] = Field(
        1.6, description="proposal-stage duration multiplier after a premature proposal"
    )
    premature_utility_penalty: NonNegativeFloat = Field(
        0.7,
        description="utility lost by a premature proposal (the prospect turns defensive)",
    )
    exclusivity_probability: Probability = Field(
        0.0,
        description="probability a prospect whose tests we passed (a full evaluation, no "
        "premature proposal) drops the other vendors and evaluates us alone; an economic buyer "
        "kept out of the tests may still pick the household name. 0 (the default) is off: no "
        "published rate; the courtship essay says 'more likely than not'",
    )
    mutual_plan_utility: NonNegativeFloat = Field(
        0.3,
        description="utility a buyer gives a mutual plan back from its critical date, agreed "
        "before signature (post_sale.handoff transition_vision, with "
        "post_sale.critical_date_probability): it sees the path to value, which lowers the "
        "risk of buying (utility units; no published figure, an assumption)",
    )
    member_pull_out_per_month: NonNegativeFloat = Field(
        0.08,
        description="rate at which one committee member pulls the buying group off the purchase "
        "during evaluation (pull-outs per member-month): the deal ends in no consensus before a "
        "proposal, the likelier the more people must agree and the longer they take",
    )
    stall_probability_proposal: Probability = Field(
        0.02,
        description="probability the prospect goes dark after the proposal (it then sits open "
        "in the CRM until going_dark.cleanup_days)",
    )
    going_dark: GoingDark = GoingDark()
    critical_date: CriticalDate = CriticalDate()
    pitching: Pitching = Pitching()
    sponsorless_timeout_days: PositiveFloat = Field(
        150.0,
        description="an opportunity that replaces a working process and has no executive "
        "sponsor ends in no decision this many days after it was opened, or at its decision "
        "if later (days)",
    )
    sponsor_evaluation_days_factor: Annotated[Number, Field(gt=0.0, le=1.0)] = Field(
        0.8,
        description="evaluation-stage duration multiplier with an executive sponsor, who "
        "clears obstacles and says which requirements are real (factor, at most 1)",
    )
