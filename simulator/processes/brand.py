"""Brand: our advertising builds an adstock (each month carries over what its half-life leaves,
plus the month's spend) against the competitors'; our share of voice sets the brand's strength
in the buyer's choice and drives awareness. The adstock starts at the steady state of the
opening budgets.
"""

from __future__ import annotations

from simulator.parameters import BrandAdvertising
from simulator.parameters import Marketing as MarketingSection


class Brand:
    """Our advertising adstock against the competitors': share of voice and brand strength."""

    def __init__(self, marketing: MarketingSection) -> None:
        brand: BrandAdvertising = marketing.brand
        self.brand = brand
        self.carry_over = 0.5 ** (1.0 / brand.half_life_months)  # what a month leaves
        steady = 1.0 / (1.0 - self.carry_over)
        start_spend, _ = marketing.spend_at(0.0)
        self.adstock = start_spend * steady
        self.competitor_adstock = brand.competitor_spend_usd_per_month * steady

    def advertise(self, spend_usd: float) -> None:
        self.adstock = self.carry_over * self.adstock + spend_usd

    @property
    def share_of_voice(self) -> float:
        total = self.adstock + self.competitor_adstock
        return self.adstock / total if total > 0 else 0.0

    @property
    def strength(self) -> float:
        return self.brand.base_strength + self.brand.strength_at_full_voice * self.share_of_voice
