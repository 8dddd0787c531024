"""Brand: our advertising builds an adstock (each month carries over what its half-life leaves,
plus the month's spend) against the competitors'. Our share of voice reaches buyers at once (it
drives awareness); the brand's *standing* (familiarity and credibility, 0-1) follows it slowly,
closing each month a share of the gap set by its own, longer half-life. So brand builds over
months to years and, when spend stops, fades as slowly: the direct campaigns' leads, by
contrast, arrive within weeks of the spend and stop with it.

The standing is the brand's strength in the buyer's choice. Its rise since day 0 also makes a
champion willing to carry the case to the committee members the hunter did not meet, and lowers
the perceived risk of buying from us (a fall does the opposite). The market's view of us on day
0 is already in the accounts' drawn perceived risk and in the calibrated business case, so
these act on the change; a budget that does not change leaves them at nought. The adstock and
the standing start at the steady state of the spend before day 0.
"""

from __future__ import annotations

import math

from simulator.model.switches import Switches
from simulator.parameters import BrandAdvertising
from simulator.parameters import Marketing as MarketingSection

HALF = 0.5


class Brand:
    """Our advertising adstock against the competitors': share of voice, and the standing that
    follows it slowly."""

    def __init__(self, marketing: MarketingSection, switches: Switches) -> None:
        self.on = switches
        brand: BrandAdvertising = marketing.brand
        self.brand = brand
        self.carry_over = HALF ** (1.0 / brand.half_life_months)  # what a month leaves
        self.standing_step = 1.0 - HALF ** (1.0 / brand.standing_half_life_months)
        steady = 1.0 / (1.0 - self.carry_over)
        before = brand.spend_before_start_usd_per_month
        if before is None:
            before, _ = marketing.spend_at(0.0)
        self.adstock = before * steady
        self.competitor_adstock = brand.competitor_spend_usd_per_month * steady
        self.standing = self.share_of_voice
        self.standing_at_start = self.standing

    def advertise(self, spend_usd: float) -> None:
        """A month's spend: the adstock carries over and adds it; the standing moves toward the
        new share of voice."""
        self.adstock = self.carry_over * self.adstock + spend_usd
        moved = self.standing + self.standing_step * (self.share_of_voice - self.standing)
        if moved != self.standing and self.on.brand_standing:  # off: it stays at day 0's
            self.standing = moved

    @property
    def share_of_voice(self) -> float:
        total = self.adstock + self.competitor_adstock
        return self.adstock / total if total > 0 else 0.0

    @property
    def strength(self) -> float:
        """Brand familiarity in the buyer's choice (utility units before the brand weight)."""
        return self.brand.base_strength + self.brand.strength_at_full_voice * self.standing

    @property
    def advocacy(self) -> float:
        """Share of the business case the champion carries to the members the hunter did not
        meet: positive as our standing rose since day 0, negative as it fell."""
        return self.brand.champion_advocacy_per_standing * (self.standing - self.standing_at_start)

    def perceived_risk(self, drawn: float) -> float:
        """An account's perceived risk of buying from us now, from its draw on day 0."""
        rise = self.standing - self.standing_at_start
        return drawn * math.exp(-self.brand.perceived_risk_log_per_standing * rise)
