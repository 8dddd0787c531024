"""The ``product`` section: the product that ships today and the roadmap of announced features,
with how their releases slip."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from simulator.parameters.base import (
    Count,
    NonNegativeFloat,
    PerSegmentProbability,
    PositiveFloat,
    Probability,
    Section,
)


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
