"""Expectation gaps: at go-live the implementation finds capabilities the hunter promised but
the customer did not license (no critical-date plan caught them). Either the customer scales
back (frustrated: health lost, value later, less ARR at renewal, perhaps a detractor), or the
vendor's professional services build what was promised, for free: the customer gets it and the
vendor pays the services days (``post_sale.gap_free_work_share``). One uniform of the
customer's life decides both, so a variant that changes the share keeps the pairing.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from simulator.model.events import DetractorReason, EventLog, Kind
from simulator.parameters import PostSale

Detractor = Callable[[int, int, float, DetractorReason], None]


class ExpectationGaps:
    """Whether a new customer lives with an expectation gap, and what closing one costs."""

    def __init__(
        self, env: simpy.Environment, post_sale: PostSale, log: EventLog, detractor: Detractor
    ) -> None:
        self.env = env
        self.post_sale = post_sale
        self.log = log
        self.detractor = detractor
        self.probability = post_sale.expectation_gap_probability.of(post_sale.handoff)
        self.free = self.probability * post_sale.gap_free_work_share

    def before_day0(self, u: float, planned: bool) -> bool:
        """The gap of a customer live before day 0: drawn, not logged (nor its cost)."""
        return not planned and self.free <= u < self.probability

    def at_go_live(self, customer: int, account: int, u: float, planned: bool) -> bool:
        """Whether the customer lives with a gap; a gap closed for free logs its cost."""
        if planned or u >= self.probability:
            return False
        post, log, now = self.post_sale, self.log, self.env.now
        if u < self.free:
            cost = post.gap_free_work_days * post.services_day_cost_usd
            log.record(now, Kind.SERVICE_COST, customer, account, value=cost)
            return False
        log.record(now, Kind.EXPECTATION_GAP, customer, account)
        self.detractor(customer, account, post.gap_detractor_probability,
                       DetractorReason.EXPECTATION_GAP)  # fmt: skip
        return True
