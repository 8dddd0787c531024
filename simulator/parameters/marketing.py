"""The ``marketing`` section: brand advertising, direct marketing, budgets over time, and
awareness (Bass diffusion and forgetting)."""

from __future__ import annotations

from pydantic import Field, StrictBool

from simulator.parameters.base import NonNegativeFloat, Number, PositiveFloat, Probability, Section


class BrandAdvertising(Section):
    """Brand advertising: spend builds an adstock (geometric carry-over with a half-life); our
    share of voice against competitors' brand spend sets awareness growth at once, and moves the
    brand's *standing* (familiarity and credibility, 0-1) toward it slowly. The standing sets
    brand strength in the buyer's choice, and, as it rises above where it stood at the start, a
    champion's willingness to advocate us and a lower perceived risk (essay 002)."""

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
        description="brand familiarity added at a standing of 1 (a 100% share of voice held "
        "for years), pro rata below (utility units)",
    )
    spend_before_start_usd_per_month: NonNegativeFloat | None = Field(
        None,
        description="our brand spend in the years before day 0 (USD a month): the adstock and "
        "the standing start at its steady state; left out, the opening budget, as if it had "
        "always been spent (set it to compare moving a budget that was spent before)",
    )
    standing_half_life_months: PositiveFloat = Field(
        12.0,
        description="half-life of the brand's standing (months): in this time it closes half "
        "its gap to our share of voice, so brand builds over months to years and fades as "
        "slowly when spend stops (Binet & Field, The Long and the Short of It, 2013)",
    )
    champion_advocacy_per_standing: NonNegativeFloat = Field(
        1.0,
        description="share of the business case a champion carries to the committee members "
        "the hunter did not meet, per unit rise of our standing since day 0 (share per unit "
        "standing): proud to advocate a known brand; after a fall, embarrassed, so the share "
        "turns negative (essay 002)",
    )
    perceived_risk_log_per_standing: NonNegativeFloat = Field(
        1.0,
        description="fall in the prospects' log perceived risk per unit rise of our standing "
        "since day 0 (log units per unit standing): a known brand is the safer choice, so "
        "doing nothing appeals less",
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
    voices / accounts`` (per year), where ``voices = aware_voice_weight * aware +
    customer_voice_weight * customers + references - detractor_weight * detractors`` (word of
    mouth from accounts that know us, more from customers, most from references, less the
    detractors'); an aware one forgets at ``forgetting * (1 - share_of_voice)``. With a 100%
    share of voice, no forgetting, and every aware account counted once (``instant_conversion``),
    this is the Bass (1969) model.
    """

    innovation: NonNegativeFloat = Field(
        0.06,
        description="Bass innovation coefficient p at a 100% share of voice (per year); at the "
        "default 50% share this is the published p ~0.03 (Sultan, Farley & Lehmann 1990)",
    )
    imitation: NonNegativeFloat = Field(
        0.38,
        description="Bass imitation coefficient q: word of mouth per voice (per year); "
        "published q ~0.38 (Sultan, Farley & Lehmann 1990)",
    )
    aware_voice_weight: NonNegativeFloat = Field(
        1.0,
        description="word of mouth of an account that knows us, in voices (a reference is 1); "
        "buyers mention the vendors they know, so awareness itself diffuses (Bass on awareness, "
        "as in Dodson & Muller 1978)",
    )
    customer_voice_weight: NonNegativeFloat = Field(
        1.0,
        description="word of mouth a customer adds on top of knowing us, in voices (a reference "
        "adds 1 more)",
    )
    detractor_weight: NonNegativeFloat = Field(
        2.0, description="how many voices one detractor's word of mouth cancels (voices)"
    )
    forgetting: NonNegativeFloat = Field(
        0.06, description="rate at which aware accounts forget us with no advertising (per year)"
    )
    instant_conversion: StrictBool = Field(
        False,
        description="check mode for the Bass limit: word of mouth is the aware accounts alone, "
        "one voice each (customers, references and detractors ignored)",
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
