"""The ``post_sale`` section: after the order is signed, implementation, value, health, renewal,
expansion and churn."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from simulator.parameters.base import NonNegativeFloat, Number, PositiveFloat, Probability, Section

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
