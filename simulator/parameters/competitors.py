"""The ``competitors`` section: the household-name incumbent, the other rivals, and entrants."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from simulator.parameters.base import (
    Count,
    NonNegativeFloat,
    Number,
    PerSegment,
    PerSegmentProbability,
    Probability,
    Section,
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
    # pydantic copies a default per instance; ruff cannot see that Section is a pydantic model
    rivals: Annotated[list[Competitor], Field(max_length=8)] = [  # noqa: RUF012
        Competitor(
            name="Challenger",
            brand=0.3,
            fit=PerSegmentProbability(enterprise=0.5, mid_market=0.65),
            price_index=0.9,
            presence_probability=PerSegmentProbability(enterprise=0.7, mid_market=0.8),
        )
    ]
    entrants: Entrants = Entrants()
