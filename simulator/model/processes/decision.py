"""The buyer's decision: a multinomial-logit choice among us, the household name, the rivals and
entrants present in the evaluation, and doing nothing.

Our utility adds product fit today (less the gains of features not yet shipped, unless the
prospect is a beta partner), brand strength, same-sector references less detractors, the
hunter's skill, how complete the business case is (and the part of it a champion carries to
the members not met, the more willingly the more our brand's standing rose), an executive
sponsor (less perceived risk, a stronger case against doing nothing), and the marks the
courtship left: a premature proposal, fatigue from retold stories, release dates told that
passed unreleased, references for a pitched feature or their absence, a deal orphaned by its
hunter. Doing nothing appeals more with a
larger committee and a riskier purchase; a rise in our brand's standing lowers the risk. If
the economic buyer was never engaged, they decide alone, weighing brand over fit: the household
name's pull, which our brand strength and same-sector references counter. A prospect whose tests
we passed may evaluate us alone (exclusivity): no rival or entrant is weighed, and the household
name only by an economic buyer kept out of the tests. Under a transition vision, a mutual plan
back from the buyer's critical date, agreed before signature, shows the path to value. An
entrant claiming the feature the prospect wants gets that feature's fit.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from simulator.model.choice import choose, logit_probabilities
from simulator.model.entities import (
    CHAMPION,
    ENTERPRISE,
    MID_MARKET,
    NO_FEATURE,
    SMB,
    Opportunity,
)
from simulator.model.events import Outcome
from simulator.model.luck import COMPETITOR_PRESENT, U
from simulator.model.processes.brand import Brand
from simulator.model.processes.competition import Competition
from simulator.model.processes.customers import CustomerBase
from simulator.model.processes.market import Market
from simulator.model.processes.roadmap import Roadmap
from simulator.model.streams import AccountDraws
from simulator.model.switches import Switches
from simulator.parameters import (
    Choice,
    Competitor,
    Competitors,
    PostSale,
    Process,
    Product,
    Quota,
)

SEGMENTS = (ENTERPRISE, MID_MARKET, SMB)


def weights(w: Choice, economic_buyer: bool) -> tuple[float, float, float]:
    """(fit, brand, same-sector reference) weights of the buyer: the committee's, or the
    economic buyer's deciding alone."""
    if economic_buyer:
        return w.fit_weight, w.brand_weight, w.sector_reference_weight
    return (
        w.fit_weight * w.economic_buyer_alone_fit_factor,
        w.brand_weight * w.economic_buyer_alone_brand_factor,
        w.sector_reference_weight * w.economic_buyer_reference_factor,
    )


class Decision:
    """The buyer's choice at the end of a courtship."""

    def __init__(
        self,
        env: simpy.Environment,
        sections: tuple[Choice, Process, Product, Quota, Competitors, PostSale],
        market: Market,
        roadmap: Roadmap,
        brand: Brand,
        customers: CustomerBase,
        competition: Competition,
        switches: Switches,
        rng: np.random.Generator,
    ) -> None:
        self.env = env
        # its own sections: the buyer's choice weights, the sales process, our product, the
        # quota plan (an orphaned deal's penalty), the competitors, and the handoff (whether
        # critical dates are planned before signature)
        self.choice, self.process, self.product, self.quota, competitors, post_sale = sections
        self.entrants = competitors.entrants
        self.on = switches
        self._exclusive_draw = AccountDraws(rng, lambda g, n: g.random(n))
        self._plan_draw = AccountDraws(rng, lambda g, n: g.random(n), use=1)
        self.plans_critical_dates = post_sale.handoff == "transition_vision"
        self.critical_date_found = post_sale.critical_date_probability
        self.market = market
        self.roadmap = roadmap
        self.brand = brand
        self.customers = customers
        self.competition = competition
        # The incumbents' utilities never change: (uniform slot, presence probability, utility,
        # outcome) of each, by [economic buyer engaged][segment].
        incumbents = [
            (U.HOUSEHOLD_PRESENT, competitors.household_name, Outcome.LOST_HOUSEHOLD_BRAND)
        ]
        incumbents += [
            (COMPETITOR_PRESENT + index, rival, Outcome.LOST_COMPETITOR)
            for index, rival in enumerate(competitors.rivals)
        ]
        self.first_entrant_slot = COMPETITOR_PRESENT + len(competitors.rivals)
        self.presence_draws = len(competitors.rivals) + competition.most_entrants
        """Competitor presence draws each opportunity needs (``OpportunityLuck``)."""
        self.incumbents = tuple(
            tuple(self._incumbents(incumbents, engaged, segment) for segment in SEGMENTS)
            for engaged in (False, True)
        )

    def _incumbents(
        self, incumbents: list[tuple[int, Competitor, Outcome]], engaged: bool, segment: int
    ) -> tuple[tuple[int, float, float, Outcome], ...]:
        w = self.choice
        fit_weight, brand_weight, _ = weights(w, engaged)
        return tuple(
            (
                slot,
                rival.presence_probability.of(segment),
                fit_weight * rival.fit.of(segment)
                + brand_weight * rival.brand
                - w.price_weight * rival.price_index,
                outcome,
            )
            for slot, rival, outcome in incumbents
        )

    def perceived_risk(self, account: int) -> float:
        """The account's perceived risk of buying from us now: its draw on day 0, lowered as our
        brand's standing rose since (raised as it fell). The status quo's appeal grows with
        it."""
        return self.brand.perceived_risk(self.market.accounts.perceived_risk[account])

    def decide(
        self,
        opp: Opportunity,
        completeness: float,
        economic_buyer: bool,
        premature: bool,
        sponsor: bool,
        broken_promises: int = 0,
        tested: bool = False,
    ) -> tuple[Outcome, float]:
        """Multinomial-logit choice among us, competitors present and doing nothing, and the
        chance we had of winning it; ``broken_promises``: release dates told to the prospect
        that passed unreleased; ``tested``: we passed the prospect's tests, who may then
        evaluate us alone."""
        w, pitching, roadmap = self.choice, self.process.pitching, self.roadmap
        accounts = self.market.accounts
        account, u = opp.account, opp.u
        segment = accounts.segment[account]
        references, detractors = self.customers.sector_voices(accounts.sector[account])
        if (references or detractors) and not self.on.sector_voices:
            references = detractors = 0  # nobody in the sector speaks for or against us
        cap = w.sector_voices_cap
        fit_weight, brand_weight, reference_weight = weights(w, economic_buyer)

        wanted = opp.feature if opp.feature != NO_FEATURE else roadmap.needed_feature(account)
        proven = wanted != NO_FEATURE and roadmap.references(wanted) > 0
        # Proof the feature works is worth something to a prospect who needs it; to one who
        # was only sold on it, it merely answers the question they asked.
        referenced = proven and roadmap.needs(account, wanted)
        unproven = opp.feature != NO_FEATURE and not opp.beta and not proven
        unproven = unproven and self.on.missing_references
        fit = accounts.fit[account] - (0.0 if opp.beta else roadmap.missing_fit(account))
        if self.plans_critical_dates:  # the transition vision: a plan to value, before signing
            opp.mutual_plan = self._plan_draw(account) < self.critical_date_found
        ours = (
            fit_weight * fit
            + brand_weight * self.brand.strength
            + reference_weight * min(cap, references)
            - w.sector_detractor_weight * min(cap, detractors)
            - w.price_weight * self.product.price_index * (1.0 - opp.discount)
            + (0.0 if opp.orphaned else opp.hunter.skill)
            + w.business_case_weight * completeness
            + w.business_case_weight * self.brand.advocacy * (1.0 - completeness)
            + (w.sponsor_utility if sponsor else 0.0)
            + w.our_constant
            - (self.process.premature_utility_penalty if premature else 0.0)
            - pitching.fatigue_utility_penalty * opp.fatigue
            + (pitching.reference_utility if referenced else 0.0)
            - (pitching.missing_reference_penalty if unproven else 0.0)
            - pitching.broken_promise_penalty * broken_promises
            + (self.process.mutual_plan_utility if opp.mutual_plan and self.on.mutual_plan else 0.0)
            - (self.quota.orphan_utility_penalty if opp.orphaned else 0.0)
        )
        committee = accounts.committee_size[account]
        status_quo = (
            w.do_nothing_utility
            + w.do_nothing_per_extra_member * (committee - CHAMPION)
            + w.do_nothing_per_log_risk * math.log(self.perceived_risk(account))
        )
        utilities = [ours, status_quo]
        outcomes = [Outcome.WON, Outcome.LOST_NO_DECISION]
        exclusive = tested and self._exclusive_draw(account) < self.process.exclusivity_probability
        exclusive = exclusive and self.on.exclusivity
        for slot, presence, utility, outcome in self.incumbents[economic_buyer][segment]:
            # the economic buyer, kept out of the tests, may still reach for the household name
            kept = not exclusive or (outcome == Outcome.LOST_HOUSEHOLD_BRAND and not economic_buyer)
            if u[slot] < presence and kept:
                utilities.append(utility)
                outcomes.append(outcome)
        entrants = self.entrants
        ready = () if exclusive else self.competition.ready_in(segment)
        if ready and not self.on.entrants:
            ready = ()  # no entrant is weighed
        for entrant in ready:
            if u[self.first_entrant_slot + entrant.index] >= entrants.presence_probability.of(
                segment
            ):
                continue
            claim = entrant.claimed_feature != NO_FEATURE and entrant.claimed_feature == wanted
            claim = claim and self.on.competitor_claims
            gain = roadmap.fit_gain(wanted) if claim else 0.0
            utilities.append(
                fit_weight * (entrants.fit.of(segment) + gain)
                + brand_weight * entrants.brand
                - w.price_weight * entrants.price_index
            )
            outcomes.append(Outcome.LOST_COMPETITOR)
        probabilities = logit_probabilities(utilities)
        return outcomes[choose(probabilities, u[U.CHOICE])], probabilities[0]
