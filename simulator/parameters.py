"""The scenario's parameter tree: every number the model reads, with its unit and default.

Each section is a frozen pydantic model with ``extra="forbid"``, so a typo in a scenario file is
an error, never a silently ignored key. Units live in the field names (``_days``, ``_usd``,
``_per_month``) or, for unitless quantities, in the description ("probability", "utility units").
Defaults come from ``MODEL.md``; published figures are cited next to the field they set.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    field_validator,
    model_validator,
)

# Strict, so that `hunters: true` or `share: "0.5"` is an error rather than 1 or 0.5; a whole
# number is still a number, and a count given as `2.0` is taken as 2 (see Section).
Number = Annotated[float, Strict()]
Count = Annotated[int, Strict()]

Probability = Annotated[Number, Field(ge=0.0, le=1.0)]
PositiveFloat = Annotated[Number, Field(gt=0.0)]
NonNegativeFloat = Annotated[Number, Field(ge=0.0)]
LogSpread = Annotated[Number, Field(ge=0.0, le=3.0)]  # sd of a log: 3 is a 20x spread already

SEGMENTS: tuple[str, ...] = ("enterprise", "mid_market")
STAGES: tuple[str, ...] = ("attraction", "qualification", "evaluation", "proposal")


class Section(BaseModel):
    """Base of every parameter section: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _whole_counts(cls, data: Any) -> Any:
        """YAML reads ``2.0`` as a float: a count takes it as 2, while ``0.5`` stays an error.

        Done here rather than in the field's type, so the JSON schema keeps its bounds.
        """
        if not isinstance(data, dict):
            return data
        whole = {
            name: int(value)
            for name, value in data.items()
            if isinstance(value, float)
            and value.is_integer()
            and name in cls.model_fields
            and cls.model_fields[name].annotation is int
        }
        return {**data, **whole} if whole else data


class PerSegment(Section):
    """One value for each market segment."""

    enterprise: NonNegativeFloat
    mid_market: NonNegativeFloat

    def of(self, segment: int) -> float:
        """The value for segment index ``segment`` (0 enterprise, 1 mid-market)."""
        return self.enterprise if segment == 0 else self.mid_market


class PerSegmentProbability(PerSegment):
    """A probability for each market segment."""

    enterprise: Probability
    mid_market: Probability


class StageDays(Section):
    """Mean duration of each courtship stage, in days, before risk and readiness scale it."""

    attraction: PositiveFloat = Field(description="first contact to first meeting (days)")
    qualification: PositiveFloat = Field(description="discovery with the committee (days)")
    evaluation: PositiveFloat = Field(description="evaluation, demos and proofs (days)")
    proposal: PositiveFloat = Field(description="proposal to signature (days)")

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.attraction, self.qualification, self.evaluation, self.proposal)


class Segment(Section):
    """What prospects of one segment look like and how long they take to buy."""

    deal_size_median_usd: PositiveFloat = Field(
        description="median annual contract value (ACV) of a full deal (USD)"
    )
    deal_size_log_sd: LogSpread = Field(
        0.6, description="spread of deal sizes: standard deviation of log ACV"
    )
    committee_size_mean: Annotated[Number, Field(ge=1.0)] = Field(
        description="mean number of people in the buying committee (people)"
    )
    sponsor_present_probability: Probability = Field(
        description="probability that the account has an executive who could sponsor the deal"
    )
    perceived_risk_log_sd: LogSpread = Field(
        description="spread of perceived risk (time, manpower, momentum): sd of its log; mean 1"
    )
    stage_days: StageDays
    stage_days_cv: NonNegativeFloat = Field(
        0.5, description="coefficient of variation of each stage's duration (lognormal)"
    )


class Choice(Section):
    """Weights of the buyer's multinomial-logit choice among the options in an evaluation.

    Utility of an option = fit_weight * fit + brand_weight * brand - price_weight * price_index
    (+ our extras: hunter skill, business case, premature-proposal penalty). The do-nothing
    option's utility grows with committee size and perceived risk (consensus is harder).
    """

    fit_weight: NonNegativeFloat = Field(4.0, description="utility units per unit product fit")
    brand_weight: NonNegativeFloat = Field(1.0, description="utility units per unit brand")
    price_weight: NonNegativeFloat = Field(1.0, description="utility units per unit price index")
    business_case_weight: NonNegativeFloat = Field(
        1.0,
        description="utility units for a complete business case (share of committee met)",
    )
    do_nothing_utility: Number = Field(
        -1.0,
        description="utility of the status quo with a one-person committee (utility units)",
    )
    do_nothing_per_extra_member: NonNegativeFloat = Field(
        0.3,
        description="added status-quo utility per committee member beyond the first "
        "(CEB: purchase likelihood 81% with one decision maker, ~31% with six)",
    )
    do_nothing_per_log_risk: NonNegativeFloat = Field(
        1.0, description="added status-quo utility per unit of log perceived risk"
    )
    economic_buyer_alone_fit_factor: NonNegativeFloat = Field(
        0.3,
        description="multiplier on fit weight when the economic buyer, never engaged, "
        "decides alone (the boss does not see the technical fit)",
    )
    sector_reference_weight: NonNegativeFloat = Field(
        0.15, description="utility per reference from the prospect's own sector (utility units)"
    )
    sector_detractor_weight: NonNegativeFloat = Field(
        0.15, description="utility lost per detractor in the prospect's sector (utility units)"
    )
    sector_voices_cap: Annotated[Count, Field(ge=0, le=100)] = Field(
        3,
        description="most references (and detractors) of one sector a prospect hears of "
        "(count, at most 100)",
    )
    economic_buyer_reference_factor: NonNegativeFloat = Field(
        2.0,
        description="multiplier on reference utility when the economic buyer decides alone "
        "(references counter the household name's familiarity)",
    )
    economic_buyer_alone_brand_factor: NonNegativeFloat = Field(
        2.5,
        description="multiplier on brand weight when the economic buyer decides alone "
        "(familiarity and legitimacy of the household name)",
    )


class Market(Section):
    """The prospects: how many, which segments, how they become leads and how they choose."""

    accounts: Annotated[Count, Field(ge=1, le=1_000_000)] = Field(
        2000,
        description="accounts in the market (count, at most 1,000,000: each is simulated)",
    )
    enterprise_share: Probability = Field(0.3, description="share of accounts that are enterprise")
    sectors: Annotated[Count, Field(ge=1, le=1000)] = Field(
        8, description="number of industry sectors accounts belong to (count, at most 1,000)"
    )
    aware_share: Probability = Field(
        0.5, description="share of accounts that know our brand on day 0"
    )
    in_market_share_per_quarter: Probability = Field(
        0.05,
        description="share of aware accounts that raise their hand in a quarter "
        "(LinkedIn B2B Institute / Ehrenberg-Bass '95:5')",
    )
    cooldown_after_loss_months: NonNegativeFloat = Field(
        6.0,
        description="months before a lost or disqualified account can become a lead again",
    )
    enterprise: Segment = Segment(
        deal_size_median_usd=120_000,
        committee_size_mean=6.8,  # CEB 2016
        sponsor_present_probability=0.95,
        perceived_risk_log_sd=0.4,
        stage_days=StageDays(attraction=14, qualification=30, evaluation=70, proposal=35),
    )
    mid_market: Segment = Segment(
        deal_size_median_usd=25_000,
        committee_size_mean=4.0,
        sponsor_present_probability=0.97,
        perceived_risk_log_sd=0.3,
        stage_days=StageDays(attraction=5, qualification=12, evaluation=32, proposal=16),
    )
    choice: Choice = Choice()

    def segment(self, index: int) -> Segment:
        return self.enterprise if index == 0 else self.mid_market


class Quota(Section):
    """Quota pressure: trailing bookings reviewed against quota; the plan; exits; replacements."""

    usd_per_month: NonNegativeFloat = Field(
        45_000, description="new ACV a fully ramped hunter is expected to book (USD a month)"
    )
    review_interval_months: PositiveFloat = Field(
        3.0, description="how often bookings are reviewed against quota (months)"
    )
    first_review_month: NonNegativeFloat = Field(
        9.0,
        description="month of the first review; the simulation starts with an empty pipeline, "
        "so earlier reviews would judge the start-up rather than the hunters",
    )
    trailing_months: PositiveFloat = Field(
        6.0, description="window of bookings a review looks at (months)"
    )
    plan_threshold: Probability = Field(
        0.5,
        description="attainment (trailing bookings / quota) below which a hunter goes on the plan",
    )
    plan_term_months: PositiveFloat = Field(
        3.0,
        description="term of the plan (performance improvement plan); a hunter still under the "
        "threshold at the first review after it leaves (months)",
    )
    hiring_delay_months: NonNegativeFloat = Field(
        3.0, description="months from a hunter leaving to the replacement starting"
    )
    orphan_utility_penalty: NonNegativeFloat = Field(
        0.8,
        description="utility an open deal loses when its hunter leaves (the relationship is gone)",
    )


class Team(Section):
    """The sales team: hunters with capacity, ramp-up, skill and quota; sales engineers."""

    hunters: Annotated[Count, Field(ge=1, le=10_000)] = Field(
        6, description="new-business reps (count, at most 10,000)"
    )
    hunter_capacity_opportunities: Annotated[Count, Field(ge=1, le=100_000)] = Field(
        10,
        description="open opportunities and leads one fully ramped hunter can work at once "
        "(count, at most 100,000; engine checks set it high to take capacity out of play)",
    )
    ramp_months: NonNegativeFloat = Field(
        4.0, description="months for a new hunter to reach full capacity"
    )
    ramp_start_capacity_share: Probability = Field(
        0.25, description="share of full capacity a new hunter starts with"
    )
    initial_tenure_months: NonNegativeFloat = Field(
        12.0,
        description="tenure of the hunters on day 0 (months); ramp applies while below",
    )
    hunter_skill_sd: NonNegativeFloat = Field(
        0.3,
        description="spread of selling skill between hunters (utility units, mean 0)",
    )
    lead_response_hours_mean: PositiveFloat = Field(
        2.0,
        description="mean time a hunter with free capacity takes to call a new lead (hours)",
    )
    outbound_leads_per_hunter_month: NonNegativeFloat = Field(
        2.0, description="outbound prospects a hunter with free capacity opens a month"
    )
    sales_engineers: Annotated[Count, Field(ge=0, le=10_000)] = Field(
        3, description="sales engineers running demos and proofs of concept (count, at most 10,000)"
    )
    demos_per_evaluation: Annotated[Count, Field(ge=0, le=100)] = Field(
        2,
        description="demos or proof-of-concept sessions each evaluation needs (count, at most 100)",
    )
    demo_days_mean: PositiveFloat = Field(
        1.5,
        description="mean sales-engineer time per demo, preparation included (days)",
    )
    demo_days_cv: NonNegativeFloat = Field(
        0.5,
        description="coefficient of variation of demo time (gamma; 1 = exponential)",
    )
    quota: Quota = Quota()
    farmers: Annotated[Count, Field(ge=0, le=10_000)] = Field(
        3, description="farmers (account managers) looking after customers (count, at most 10,000)"
    )
    farmer_accounts_capacity: Annotated[Count, Field(ge=1, le=10_000)] = Field(
        60,
        description="customers one farmer can check in on at the full rhythm "
        "(count, at most 10,000)",
    )
    hunter_cost_usd_per_month: NonNegativeFloat = Field(
        25_000, description="fully loaded cost of a hunter (USD a month), for CAC"
    )
    sales_engineer_cost_usd_per_month: NonNegativeFloat = Field(
        18_000, description="fully loaded cost of a sales engineer (USD a month), for CAC"
    )

    @model_validator(mode="after")
    def _demos_need_engineers(self) -> Team:
        if self.demos_per_evaluation > 0 and self.sales_engineers == 0:
            raise ValueError("demos_per_evaluation > 0 needs at least one sales engineer")
        return self


class Slip(Section):
    """How a feature's release slips: each time its planned date arrives it may slip again."""

    probability: Probability = Field(
        0.6, description="probability the release slips when its planned date arrives"
    )
    mean_months: PositiveFloat = Field(
        2.5, description="mean length of one slip (months; whole months, at least one)"
    )
    max_slips: Annotated[Count, Field(ge=0, le=100)] = Field(
        3, description="most times one release can slip (count, at most 100)"
    )


class Feature(Section):
    """An announced feature: told to prospects for one date, planned for a later one, released
    when it is ready (Bayus, Jain & Rao 2001: pre-announced dates are strategic and often missed).
    """

    name: str = Field(min_length=1)
    announced_month: NonNegativeFloat = Field(
        description="month the feature is announced; hunters can pitch it from then"
    )
    promised_release_month: NonNegativeFloat = Field(
        description="release date hunters tell prospects (months from the start)"
    )
    planned_release_month: NonNegativeFloat = Field(
        description="internal planned release date (months from the start)"
    )
    slip: Slip = Slip()
    need_probability: PerSegmentProbability = Field(
        description="share of prospects whose need includes this feature, per segment"
    )
    fit_gain: Probability = Field(
        description="product fit a prospect who needs the feature gains once it ships (fit units)"
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Feature:
        if not self.announced_month <= self.promised_release_month <= self.planned_release_month:
            raise ValueError(
                "dates must satisfy announced_month <= promised_release_month <= "
                f"planned_release_month; given {self.announced_month}, "
                f"{self.promised_release_month}, {self.planned_release_month}"
            )
        return self


class Product(Section):
    """The product that ships today, and the roadmap of announced features."""

    fit: PerSegmentProbability = Field(
        PerSegmentProbability(enterprise=0.55, mid_market=0.7),
        description="how well today's product fits a typical prospect's need (0-1)",
    )
    fit_sd: NonNegativeFloat = Field(
        0.15, description="prospect-to-prospect spread of product fit (fit units)"
    )
    price_index: NonNegativeFloat = Field(
        1.0,
        description="our price relative to the market's typical price (1 = typical)",
    )
    features: Annotated[list[Feature], Field(max_length=6)] = Field(
        default_factory=lambda: [
            Feature(
                name="AI insights",
                announced_month=1,
                promised_release_month=4,
                planned_release_month=7,
                need_probability=PerSegmentProbability(enterprise=0.3, mid_market=0.2),
                fit_gain=0.25,
            ),
            Feature(
                name="Real-time sync",
                announced_month=15,
                promised_release_month=18,
                planned_release_month=21,
                need_probability=PerSegmentProbability(enterprise=0.2, mid_market=0.15),
                fit_gain=0.2,
            ),
        ],
        description="announced features, in the order they are announced",
    )


class Competitor(Section):
    """A competing vendor that can be present in an evaluation."""

    name: str = Field(min_length=1)
    brand: Number = Field(description="brand familiarity (utility units before brand_weight)")
    fit: PerSegmentProbability = Field(description="product fit per segment (0-1)")
    price_index: NonNegativeFloat = Field(1.0, description="price relative to the market's")
    presence_probability: PerSegmentProbability = Field(
        description="probability the competitor is in a given evaluation, per segment"
    )


class Entrants(Section):
    """New competitors entering over time: a Poisson process per segment."""

    rate_per_year: PerSegment = Field(
        PerSegment(enterprise=0.6, mid_market=0.9),
        description="new competitors entering each segment (per year)",
    )
    readiness_months: NonNegativeFloat = Field(
        3.0, description="months from a competitor's entry until it can compete in evaluations"
    )
    claims_feature_probability: Probability = Field(
        0.7,
        description="probability an entrant claims the feature we announced latest "
        "(same claim, with or without the product)",
    )
    brand: Number = Field(0.1, description="an entrant's brand familiarity (utility units)")
    fit: PerSegmentProbability = Field(
        PerSegmentProbability(enterprise=0.45, mid_market=0.55),
        description="an entrant's product fit per segment (0-1)",
    )
    price_index: NonNegativeFloat = Field(0.85, description="an entrant's relative price")
    presence_probability: PerSegmentProbability = Field(
        PerSegmentProbability(enterprise=0.35, mid_market=0.35),
        description="probability an entrant is in a given evaluation once ready",
    )
    max_entrants: Annotated[Count, Field(ge=0, le=12)] = Field(
        8, description="most entrants over the horizon (count, at most 12)"
    )


class Competitors(Section):
    """The household-name incumbent, the other rivals and entrants; do-nothing is always an
    option."""

    household_name: Competitor = Competitor(
        name="Household Name",
        brand=1.2,
        fit=PerSegmentProbability(enterprise=0.55, mid_market=0.55),
        price_index=1.3,
        presence_probability=PerSegmentProbability(enterprise=0.85, mid_market=0.5),
    )
    rivals: Annotated[list[Competitor], Field(max_length=8)] = [
        Competitor(
            name="Challenger",
            brand=0.3,
            fit=PerSegmentProbability(enterprise=0.5, mid_market=0.65),
            price_index=0.9,
            presence_probability=PerSegmentProbability(enterprise=0.5, mid_market=0.5),
        )
    ]
    entrants: Entrants = Entrants()


class BrandAdvertising(Section):
    """Brand advertising: spend builds an adstock (geometric carry-over with a half-life); our
    share of voice against competitors' brand spend sets awareness growth and brand strength."""

    spend_usd_per_month: NonNegativeFloat = Field(
        20_000, description="our brand-advertising spend (USD a month)"
    )
    half_life_months: PositiveFloat = Field(
        3.0, description="half-life of advertising's carry-over effect (adstock) (months)"
    )
    competitor_spend_usd_per_month: NonNegativeFloat = Field(
        20_000, description="competitors' brand spend, together (USD a month)"
    )
    base_strength: Number = Field(
        0.1, description="our brand familiarity with no advertising (utility units)"
    )
    strength_at_full_voice: Number = Field(
        0.4,
        description="brand familiarity added at a 100% share of voice, pro rata below "
        "(utility units)",
    )


class DirectMarketing(Section):
    """Direct-marketing campaigns: one a month; responses are leads of lower quality."""

    spend_usd_per_month: NonNegativeFloat = Field(
        10_000, description="direct-marketing spend (USD a month)"
    )
    cost_per_contact_usd: PositiveFloat = Field(
        50.0, description="cost of reaching one contact by direct marketing (USD)"
    )
    response_rate: Probability = Field(
        0.04, description="probability a contacted account answers a campaign"
    )
    response_window_days: PositiveFloat = Field(
        30.0, description="mean delay between a campaign and a response (days, exponential)"
    )


class BudgetChange(Section):
    """From ``month`` on, spend these amounts (a field left out keeps its previous level)."""

    month: NonNegativeFloat = Field(description="month the new budget starts")
    brand_usd_per_month: NonNegativeFloat | None = Field(
        None, description="new brand spend (USD a month)"
    )
    direct_usd_per_month: NonNegativeFloat | None = Field(
        None, description="new direct-marketing spend (USD a month)"
    )


class Awareness(Section):
    """How accounts learn of us (Bass diffusion) and forget us again.

    An unaware account becomes aware at hazard ``innovation * share_of_voice + imitation *
    (references - detractor_weight * detractors) / accounts`` (per year); an aware one forgets
    at ``forgetting * (1 - share_of_voice)``. With a 100% share of voice, no forgetting, and
    every aware account a referencing customer at once, this is the Bass (1969) model.
    """

    innovation: NonNegativeFloat = Field(
        0.06,
        description="Bass innovation coefficient p at a 100% share of voice (per year); "
        "published p ~0.03 (Sultan, Farley & Lehmann 1990)",
    )
    imitation: NonNegativeFloat = Field(
        0.38,
        description="Bass imitation coefficient q: word of mouth from references (per year); "
        "published q ~0.38 (Sultan, Farley & Lehmann 1990)",
    )
    detractor_weight: NonNegativeFloat = Field(
        2.0, description="how many references one detractor's word of mouth cancels"
    )
    forgetting: NonNegativeFloat = Field(
        0.06, description="rate at which aware accounts forget us with no advertising (per year)"
    )
    instant_conversion: StrictBool = Field(
        False,
        description="check mode for the Bass limit: every aware account counts at once as a "
        "referencing customer in word of mouth",
    )


class Marketing(Section):
    """Brand advertising, direct marketing, their budgets over time, and awareness."""

    brand: BrandAdvertising = BrandAdvertising()
    direct: DirectMarketing = DirectMarketing()
    budget_changes: list[BudgetChange] = Field(
        default_factory=list, description="budget changes over time, e.g. brand spend stops"
    )
    awareness: Awareness = Awareness()

    def spend_at(self, month: float) -> tuple[float, float]:
        """(brand, direct) spend in USD a month in force at ``month``."""
        brand, direct = self.brand.spend_usd_per_month, self.direct.spend_usd_per_month
        for change in sorted(self.budget_changes, key=lambda c: c.month):
            if change.month <= month:
                if change.brand_usd_per_month is not None:
                    brand = change.brand_usd_per_month
                if change.direct_usd_per_month is not None:
                    direct = change.direct_usd_per_month
        return brand, direct


class LeadSourceQuality(Section):
    """How likely a lead from each source is to be a real buying project (probability)."""

    inbound: Probability = 0.8
    direct: Probability = 0.45
    outbound: Probability = 0.35


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
        0.5,
        description="probability a hunter on the plan pitches it, whatever the strategy",
    )
    revival_probability: Probability = Field(
        0.85, description="probability the pitch revives a prospect who was losing interest"
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


class Process(Section):
    """How our sales process works: lead handling, discovery, proposals, time-outs."""

    lead_patience_days: PositiveFloat = Field(
        7.0,
        description="a lead not called within this many days is lost unanswered (days)",
    )
    lead_interest_half_life_hours: PositiveFloat = Field(
        4.0,
        description="half-life of a lead's interest while it waits for a call (hours)",
    )
    lead_interest_floor: Probability = Field(
        0.1,
        description="share of interest left after a long wait; with the half-life this makes a "
        "lead called within an hour ~7x likelier to qualify than one called after a day "
        "(Oldroyd, McElheran & Elkington, HBR 2011)",
    )
    lead_quality: LeadSourceQuality = LeadSourceQuality()
    answer_readiness: Probability = Field(
        0.5,
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
    stall_probability_evaluation: Probability = Field(
        0.025, description="probability the prospect goes dark during evaluation"
    )
    stall_probability_proposal: Probability = Field(
        0.02, description="probability the prospect goes dark after the proposal"
    )
    pitching: Pitching = Pitching()
    sponsorless_timeout_days: PositiveFloat = Field(
        150.0,
        description="an opportunity without executive sponsor ends in no decision this many "
        "days after it was opened, or at its decision if later (days)",
    )


PitchStrategy = Literal["available_only", "vaporware", "beta_partner"]


class Strategy(Section):
    """How the team chooses to sell."""

    pitch: PitchStrategy = Field(
        "available_only",
        description="available_only: sell what ships; vaporware: pitch the announced feature "
        "when a meeting goes badly; beta_partner: offer it openly as a beta / launch-partner deal",
    )
    qualification_discipline: Probability = Field(
        0.75,
        description="how thoroughly hunters qualify (0-1): finding the sponsor, the economic "
        "buyer and the committee, and screening poor fits",
    )


HandoffStrategy = Literal["hunter_only", "hunter_farmer", "transition_vision"]


class PerHandoff(Section):
    """A probability for each handoff strategy."""

    hunter_only: Probability
    hunter_farmer: Probability
    transition_vision: Probability

    def of(self, handoff: str) -> float:
        return float(getattr(self, handoff))


class PostSale(Section):
    """After the order is signed: implementation, value, health, renewal, expansion, churn."""

    handoff: HandoffStrategy = Field(
        "hunter_farmer",
        description="hunter_only: the hunter moves on, nobody looks after the customer; "
        "hunter_farmer: a farmer takes the account with handoff notes; transition_vision: "
        "critical dates and a value-realisation event are planned in discovery, then a farmer",
    )
    contract_term_months: PositiveFloat = Field(12.0, description="contract length (months)")
    implementation_days_mean: PositiveFloat = Field(
        60.0, description="mean time from signature to go-live (days, lognormal)"
    )
    implementation_days_cv: NonNegativeFloat = Field(
        0.5, description="coefficient of variation of implementation time"
    )
    expectation_gap_probability: PerHandoff = Field(
        PerHandoff(hunter_only=0.45, hunter_farmer=0.15, transition_vision=0.05),
        description="probability the implementation finds capabilities promised but not "
        "licensed (the expectation gap), per handoff strategy",
    )
    gap_delay_days: NonNegativeFloat = Field(
        90.0, description="delay to value an expectation gap causes (days)"
    )
    gap_health_loss: Probability = Field(
        0.3, description="health an expectation gap costs (health units, 0-1)"
    )
    time_to_value_days: PositiveFloat = Field(
        120.0, description="from go-live to the value-realisation event (days)"
    )
    transition_vision_time_to_value_factor: Probability = Field(
        0.6,
        description="time-to-value multiplier when the value-realisation event was planned "
        "in discovery (transition_vision)",
    )
    reference_probability: Probability = Field(
        0.35,
        description="probability a fully healthy customer becomes a reference at its "
        "value-realisation event (scaled by health)",
    )
    comp_plan_rewards_references: StrictBool = Field(
        False, description="whether the comp plan pays for harvested references"
    )
    harvest_reference_factor: Annotated[Number, Field(ge=1.0)] = Field(
        1.8, description="reference probability multiplier when the comp plan rewards them"
    )
    initial_health: Probability = Field(0.8, description="relationship health at signature (0-1)")
    neglect_decay_per_month: NonNegativeFloat = Field(
        0.06,
        description="health lost to neglect: health decays as exp(-rate * months) between "
        "farmer check-ins (per month)",
    )
    check_in_interval_months: PositiveFloat = Field(
        2.0, description="months between a farmer's check-ins, with capacity to spare"
    )
    check_in_health_gain: Probability = Field(
        0.3, description="share of the missing health a check-in restores"
    )
    expansion_probability: Probability = Field(
        0.15,
        description="probability of an upsell at a check-in or renewal, at full health "
        "(scaled by health; low health means fewer expansion signals)",
    )
    expansion_share: NonNegativeFloat = Field(
        0.2, description="size of an upsell as a share of the current ACV"
    )
    churn_probability_at_zero_health: Probability = Field(
        0.3, description="probability a customer with health 0 leaves at renewal"
    )
    churn_probability_at_full_health: Probability = Field(
        0.02, description="probability a customer with health 1 leaves at renewal"
    )
    detractor_health: Probability = Field(
        0.4, description="health below which a leaving customer can become a detractor"
    )
    detractor_probability: Probability = Field(
        0.5, description="probability an unhappy leaving customer becomes a detractor"
    )
    gap_detractor_probability: Probability = Field(
        0.1, description="probability an expectation gap makes the customer a detractor"
    )
    unanswered_lead_detractor_probability: Probability = Field(
        0.1,
        description="probability a lead nobody answered becomes a detractor (bad first impression)",
    )
    gross_margin: Probability = Field(0.8, description="gross margin on ARR, for LTV")
    ltv_churn_floor: Annotated[Number, Field(gt=0.0, le=1.0)] = Field(
        0.05, description="lowest annual logo churn used in LTV (avoids infinite lifetimes)"
    )


class Parameters(Section):
    """The full parameter tree one variant of a scenario runs with."""

    market: Market = Market()
    team: Team = Team()
    product: Product = Product()
    competitors: Competitors = Competitors()
    marketing: Marketing = Marketing()
    process: Process = Process()
    strategy: Strategy = Strategy()
    post_sale: PostSale = PostSale()


PARAMETER_SECTIONS: tuple[str, ...] = tuple(Parameters.model_fields)


class VariantSpec(Parameters):
    """A variant as written in the file: a name, a description and overrides of the base."""

    name: str = Field(min_length=1, description="free-text name shown in tables and charts")
    description: str = ""


class ScenarioFile(Parameters):
    """A scenario file: the base parameter tree plus the variants to compare."""

    name: str = Field(min_length=1)
    description: str = Field(min_length=1, description="one line, shown by `salesim scenarios`")
    horizon_months: Annotated[Count, Field(ge=1, le=240)] = Field(
        36, description="simulated time (calendar months of 30.4 days; at most 240)"
    )
    variants: list[VariantSpec] = Field(
        default_factory=list,
        description="variants to compare; the first is the baseline. Empty means one variant, "
        "the base itself, named 'baseline'",
    )

    @field_validator("variants")
    @classmethod
    def _unique_variant_names(cls, variants: list[VariantSpec]) -> list[VariantSpec]:
        names = [v.name for v in variants]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"variant names must be unique; repeated: {', '.join(duplicates)}")
        return variants
