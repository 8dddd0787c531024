"""The ``team`` section: hunters, sales engineers, farmers, their costs, quota pressure and
turnover."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from simulator.parameters.base import Count, NonNegativeFloat, PositiveFloat, Probability, Section


class Quota(Section):
    """Quota pressure: trailing bookings reviewed against quota; the plan; exits; replacements."""

    usd_per_month: NonNegativeFloat = Field(
        32_000, description="new ACV a fully ramped hunter is expected to book (USD a month)"
    )
    review_interval_months: PositiveFloat = Field(
        3.0, description="how often bookings are reviewed against quota (months)"
    )
    first_review_month: NonNegativeFloat = Field(
        9.0,
        description="month of the first review; the simulation starts with an empty pipeline, "
        "so earlier reviews would judge the start-up rather than the hunters. With "
        "`start.from_crm` it starts from today's pipeline and the hunters' bookings before, "
        "and the first review is at the end of month 1",
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


class QuarterEnd(Section):
    """The quarter-end push: quota periods end on calendar period ends counted from the date of
    day 0 (``start.date``), and a hunter may pull a deal whose decision would fall just after
    one into the period, with a discount (``processes/quota_period.py``). Off by default; its
    size is what a calibration fits to a CRM export's quarter-end pattern."""

    pull_in_probability: Probability = Field(
        0.0,
        description="probability that a hunter pulls in a deal whose decision would fall within "
        "`window_days` after the end of the current quota period, offering `discount_share` to "
        "sign on the period's last day (probability; 0 = off). Deals waiting on an unreleased "
        "pitched feature and deals whose hunter left are never pulled in",
    )
    window_days: Annotated[PositiveFloat, Field(le=366)] = Field(
        30.0,
        description="how far after a period end a decision can be pulled in (days, at most 366)",
    )
    discount_share: Annotated[Probability, Field(lt=1)] = Field(
        0.1,
        description="discount a hunter gives to sign by the period end (share of ACV): the ACV "
        "booked is lower by it, and the buyer's utility of our offer rises by price_weight x "
        "price_index x this. An assumption: Larkin (2014, Journal of Labor Economics 32(2)) "
        "found deals timed to quarter ends at an enterprise software vendor mispriced by enough "
        "to cost it 6-8% of revenue",
    )
    period_months: Annotated[Count, Field(ge=1, le=12)] = Field(
        3,
        description="length of a quota period (calendar months, at most 12, dividing the year: "
        "1 = months, 3 = quarters, 12 = years); periods are aligned to the calendar year",
    )

    @field_validator("period_months")
    @classmethod
    def _divides_the_year(cls, months: int) -> int:
        if 12 % months:
            raise ValueError(f"given {months}; allowed: 1, 2, 3, 4, 6 or 12 (dividing the year)")
        return months


class Turnover(Section):
    """Hunters who leave of their own accord (or are let go outside the plan), more often when
    they miss quota; the replacement follows the hiring delay and ramps up as any new hunter.

    Each hunter's hazard of leaving is ``base + shortfall * max(0, 1 - attainment)`` a year,
    with the attainment of their latest quota review (the base alone before their first).
    Defaults put a default team's turnover, plan exits included, at about a third a year:
    account-executive turnover ~30-35% a year, voluntary and involuntary (The Bridge Group, SaaS
    AE metrics reports 2018-2022)."""

    base_exits_per_year: NonNegativeFloat = Field(
        0.17,
        description="hazard of a hunter at or above quota leaving of their own accord "
        "(exits per hunter-year)",
    )
    shortfall_exits_per_year: NonNegativeFloat = Field(
        0.9,
        description="extra hazard per unit of attainment below quota: a hunter at 50% of quota "
        "leaves at base + 0.5 x this (exits per hunter-year)",
    )


class Hire(Section):
    """A step of a hiring plan: ``count`` new hunters start at the beginning of ``month``."""

    month: Annotated[Count, Field(ge=1, le=240)] = Field(
        description="simulated month the new hunters start in (1 = the first month; with "
        "`start.from_crm`, the month after `start.as_of`; at most 240, and within the scenario's "
        "horizon)"
    )
    count: Annotated[Count, Field(ge=1, le=10_000)] = Field(
        description="hunters who start then (count, at most 10,000); each ramps up like any new "
        "hire and is replaced like any other when they leave"
    )


class Team(Section):
    """The sales team: hunters with capacity, ramp-up, skill and quota; sales engineers."""

    hunters: Annotated[Count, Field(ge=1, le=10_000)] = Field(
        6,
        description="new-business reps on day 0 (count, at most 10,000). With `start.from_crm` "
        "the team on day 0 is the export's owners active on `start.as_of` (an open deal, or a "
        "deal created in the trailing `quota.trailing_months`), and this is the headcount to "
        "reach: more hunters are hired after `quota.hiring_delay_months` and ramp up; fewer "
        "means the least recently active owners leave at the end of month 1, their open deals "
        "orphaned, not replaced. Left out with `from_crm`, it is the number of those owners",
    )
    hires: list[Hire] = Field(
        default_factory=list,
        description="a hiring plan: hunters who join the team on top of `hunters`, e.g. "
        "[{month: 3, count: 5}] for five new hunters starting in month 3",
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
        0.25,
        description="mean time a hunter with free capacity takes to call a new lead (hours); "
        "a quarter of an hour: a team that works its leads at once (HBR 2011 found the average "
        "firm took 42 hours)",
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
    turnover: Turnover = Turnover()
    quarter_end: QuarterEnd = QuarterEnd()
    hunter_cost_usd_per_year: NonNegativeFloat = Field(
        300_000,
        description="fully loaded cost of a hunter employed (USD a year: on-target earnings "
        "about $150-200k plus benefits, payroll taxes, tools, travel and management); counts "
        "in CAC",
    )
    sales_engineer_cost_usd_per_year: NonNegativeFloat = Field(
        216_000,
        description="fully loaded cost of a sales engineer (USD a year); counts in CAC",
    )
    farmer_cost_usd_per_year: NonNegativeFloat = Field(
        180_000,
        description="fully loaded cost of a farmer (account manager) employed (USD a year: "
        "on-target earnings about $110-130k plus overheads); counts in the cost to serve, not "
        "in CAC",
    )

    @model_validator(mode="after")
    def _demos_need_engineers(self) -> Team:
        if self.demos_per_evaluation > 0 and self.sales_engineers == 0:
            raise ValueError("demos_per_evaluation > 0 needs at least one sales engineer")
        return self
