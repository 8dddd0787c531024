"""The ``post_sale`` section: after the order is signed, implementation, value, health, renewal,
expansion and churn."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from simulator.parameters.base import NonNegativeFloat, Number, PositiveFloat, Probability, Section

HandoffStrategy = Literal["hunter_only", "hunter_farmer", "transition_vision"]


class PerHandoff(Section):
    """A probability for each way of passing the account on after signature: nothing passed on
    (``hunter_only``) or handoff notes to a farmer (``hunter_farmer``, and ``transition_vision``,
    which hands over to a farmer too)."""

    hunter_only: Probability
    hunter_farmer: Probability

    def of(self, handoff: str) -> float:
        return self.hunter_only if handoff == "hunter_only" else self.hunter_farmer


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
        60.0,
        description="mean time from signature to go-live (days, lognormal); also the planned "
        "length a critical-date plan holds an implementation to",
    )
    implementation_days_cv: NonNegativeFloat = Field(
        0.5, description="coefficient of variation of implementation time"
    )
    expectation_gap_probability: PerHandoff = Field(
        PerHandoff(hunter_only=0.45, hunter_farmer=0.15),
        description="probability the implementation finds capabilities promised but not "
        "licensed (the expectation gap): with nothing passed on (hunter_only), or with handoff "
        "notes (hunter_farmer and transition_vision; a critical-date plan agreed before "
        "signature then catches the rest)",
    )
    gap_scale_back_share: Probability = Field(
        0.25,
        description="share of its ACV a customer hit by an expectation gap drops at its first "
        "renewal (the scaled-back implementation; counts against GRR)",
    )
    gap_free_work_share: Probability = Field(
        0.0,
        description="share of expectation gaps the vendor's professional services close by "
        "building what the hunter promised, for free: the customer gets it (no scale-back, no "
        "frustration, no delay), the vendor pays gap_free_work_days of services. 0 (the "
        "default) is off: every gap is scaled back",
    )
    gap_free_work_days: NonNegativeFloat = Field(
        10.0, description="services days one gap closed for free takes (days)"
    )
    services_day_cost_usd: NonNegativeFloat = Field(
        1500.0, description="what a day of professional services costs the vendor (USD)"
    )
    critical_date_probability: Probability = Field(
        0.8,
        description="under transition_vision, probability discovery finds the customer's "
        "critical date and both sides agree the plan back from it before signature (a mutual "
        "plan: the scope is checked against the licence, so no expectation gap; the "
        "implementation is tracked against the date, so it does not overrun its planned "
        "length; the value-realisation event is planned, so the vendor is there to ask for a "
        "reference)",
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
    planned_value_event_days: PositiveFloat = Field(
        60.0,
        description="from go-live to a planned value-realisation event (days): an early win "
        "the implementation aims at, not the full return (essay 003); only with a critical-date "
        "plan",
    )
    reference_probability: Probability = Field(
        0.35,
        description="probability a fully healthy customer agrees to be a reference when asked "
        "after its value-realisation event (scaled by health): at the event if it was planned, "
        "else at the next check-in after it (nobody asks a customer nobody visits)",
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
    hunter_check_in_interval_months: PositiveFloat = Field(
        3.0,
        description="under hunter_only, months between the hunters' check-ins with a customer; "
        "a check-in happens only if some hunter has a free opportunity slot then, else it waits "
        "for the next interval",
    )
    hunter_check_in_days: NonNegativeFloat = Field(
        5.0,
        description="days a hunter's check-in holds one of their opportunity slots (time not "
        "spent selling)",
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
