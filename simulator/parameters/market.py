"""The ``market`` section: the prospects, their segments, how long each stage of the courtship
takes, and the weights of the buyer's choice."""

from __future__ import annotations

import itertools
from typing import Annotated

from pydantic import Field, model_validator

from simulator.parameters.base import (
    Count,
    LogSpread,
    NonNegativeFloat,
    Number,
    PositiveFloat,
    Probability,
    Section,
)


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
    replaces_working_process_share: Probability = Field(
        description="share of accounts whose deal would replace a process that works today "
        "(share): such a deal needs an executive sponsor to close won, and without one ends "
        "in no decision; elsewhere a sponsor only helps"
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
    (+ our extras: hunter skill, business case, an executive sponsor, premature-proposal
    penalty). The do-nothing option's utility grows with committee size and perceived risk
    (consensus is harder).
    """

    fit_weight: NonNegativeFloat = Field(4.0, description="utility units per unit product fit")
    brand_weight: NonNegativeFloat = Field(1.0, description="utility units per unit brand")
    price_weight: NonNegativeFloat = Field(1.0, description="utility units per unit price index")
    business_case_weight: NonNegativeFloat = Field(
        1.0,
        description="utility units for a complete business case (share of committee met)",
    )
    our_constant: Number = Field(
        0.0,
        description="utility of our offer beyond what the mechanisms explain (utility units): "
        "the alternative-specific constant a logit choice is calibrated with (Train, Discrete "
        "Choice Methods with Simulation, 2009, section 2.8); `salesim calibrate` fits it to a "
        "CRM export's CRM win rate, 0 elsewhere",
    )
    sponsor_utility: NonNegativeFloat = Field(
        0.15,
        description="utility an executive sponsor adds to our option: less perceived risk, a "
        "stronger case against doing nothing (utility units)",
    )
    do_nothing_utility: Number = Field(
        0.62,
        description="utility of the status quo with a one-person committee (utility units); "
        "with the sponsor rule, no decision ends ~20-25% of forecast deals at baseline (CSO "
        "Insights 2011), most of it the buyer's choice",
    )
    do_nothing_per_extra_member: NonNegativeFloat = Field(
        0.3,
        description="added status-quo utility per committee member beyond the first "
        "(utility units): a larger group is harder to move off what works today",
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


class DealSizes(Section):
    """Deal sizes as an export showed them: its won deals' ACVs as evenly spaced quantiles,
    each standing for an equal share of the deals. An account's full deal size is one of them,
    drawn at random, scaled so that their median is its segment's ``deal_size_median_usd``:
    the export's shape (a staircase of list prices, a long tail) with the segments' levels, in
    place of the lognormal of ``deal_size_log_sd``."""

    source: str = Field(min_length=1, description="where the sizes came from (export, date)")
    quantiles_usd: list[PositiveFloat] = Field(
        min_length=10,
        max_length=1000,
        description="the won ACVs' quantiles at (k + 1/2) / n for k = 0..n-1, ascending (USD; "
        "10 to 1,000 of them)",
    )

    @model_validator(mode="after")
    def _ascending(self) -> DealSizes:
        values = self.quantiles_usd
        if any(b < a for a, b in itertools.pairwise(values)):
            raise ValueError("quantiles_usd: must be in ascending order")
        return self


class Market(Section):
    """The prospects: how many, which segments, how they become leads and how they choose."""

    accounts: Annotated[Count, Field(ge=1, le=1_000_000)] = Field(
        2000,
        description="accounts in the market (count, at most 1,000,000: each is simulated)",
    )
    enterprise_share: Probability = Field(0.3, description="share of accounts that are enterprise")
    smb_share: Probability = Field(
        0.0,
        description="share of accounts that are small businesses (SMB); the rest, after "
        "enterprise and SMB, are mid-market",
    )
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
    deal_sizes: DealSizes | None = Field(
        None,
        description="deal sizes taken from an export's won deals (written by `salesim "
        "calibrate` when the export has amounts); left out, each segment's sizes are "
        "lognormal around its median",
    )
    enterprise: Segment = Segment(
        deal_size_median_usd=120_000,
        committee_size_mean=6.8,  # CEB 2016
        sponsor_present_probability=0.95,
        replaces_working_process_share=0.6,  # MODEL.md 2.4: most enterprise deals
        perceived_risk_log_sd=0.4,
        stage_days=StageDays(attraction=14, qualification=30, evaluation=70, proposal=45),
    )
    mid_market: Segment = Segment(
        deal_size_median_usd=25_000,
        committee_size_mean=4.0,
        sponsor_present_probability=0.97,
        replaces_working_process_share=0.3,  # fewer below enterprise
        perceived_risk_log_sd=0.3,
        stage_days=StageDays(attraction=5, qualification=12, evaluation=32, proposal=16),
    )
    smb: Segment = Segment(
        deal_size_median_usd=6_000,
        committee_size_mean=1.8,  # an owner and one more, often the owner alone
        sponsor_present_probability=0.99,  # the owner is the sponsor
        replaces_working_process_share=0.1,
        perceived_risk_log_sd=0.2,
        stage_days=StageDays(attraction=2, qualification=4, evaluation=10, proposal=5),
    )
    choice: Choice = Choice()

    @model_validator(mode="after")
    def _shares_fit(self) -> Market:
        if self.enterprise_share + self.smb_share > 1.0:
            raise ValueError(
                f"enterprise_share + smb_share is {self.enterprise_share + self.smb_share:g}; "
                "allowed: at most 1 (the rest are mid-market)"
            )
        return self

    @property
    def segments(self) -> tuple[Segment, Segment, Segment]:
        """The segments by index: enterprise, mid-market, SMB."""
        return (self.enterprise, self.mid_market, self.smb)

    def segment(self, index: int) -> Segment:
        return self.segments[index]
