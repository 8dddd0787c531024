"""Marketing: each month's budgets go into brand advertising (the adstock of ``brand.py``, and
through it the brand's slow standing) and direct-marketing campaigns, whose responses arrive as
leads over the following weeks and stop when the spend stops. The month's start is also when
the month's costs are booked: the budgets spent, the selling team employed (for CAC) and the
farmers employed (the cost to serve).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.model.distributions import Exponential
from simulator.model.events import NO_ONE, Channel, EventLog, Kind, Source
from simulator.model.processes.brand import Brand
from simulator.model.processes.market import Market
from simulator.model.processes.pipeline import Pipeline
from simulator.model.processes.signals import Changing
from simulator.model.processes.team import Team
from simulator.parameters import Marketing as MarketingSection
from simulator.units import DAYS_PER_MONTH

PERCENT = 100
MONTH_START_TOLERANCE = 1e-9
"""Months of slack when reading the budget at a month's start, so a start that floating point
puts a hair before the month boundary still gets that month's budget."""


class Marketing:
    """The budgets: each month's brand spend into the adstock, direct campaigns into leads."""

    def __init__(
        self,
        env: simpy.Environment,
        marketing: MarketingSection,
        brand: Brand,
        market: Market,
        pipeline: Pipeline,
        team: Team,
        changing: Changing,
        log: EventLog,
        rng: np.random.Generator,
    ) -> None:
        self.env = env
        self.marketing = marketing
        self.brand = brand
        self.market = market
        self.pipeline = pipeline
        self.team = team
        self.changing = changing
        self.log = log
        self.rng = rng

    def monthly(self) -> Generator[Any, Any, None]:
        """At each month's start: spend the month's budgets, update the adstock and the
        standing, book the selling team's and the farmers' cost, and send a campaign."""
        env, log, rng = self.env, self.log, self.rng
        direct = self.marketing.direct
        delays = Exponential(direct.response_window_days)
        while True:
            month = env.now / DAYS_PER_MONTH + MONTH_START_TOLERANCE
            brand_usd, direct_usd = self.marketing.spend_at(month)
            self.changing()  # the share of voice awareness hears is about to move
            self.brand.advertise(brand_usd)
            log.record(env.now, Kind.MARKETING_SPENT, NO_ONE, value=brand_usd, code=Channel.BRAND)
            log.record(env.now, Kind.MARKETING_SPENT, NO_ONE, value=direct_usd, code=Channel.DIRECT)
            share_percent = round(PERCENT * self.brand.share_of_voice)
            log.record(
                env.now, Kind.BRAND_ADSTOCK, NO_ONE, value=self.brand.adstock, code=share_percent
            )
            log.record(env.now, Kind.SALES_COST, NO_ONE, value=self.team.monthly_cost_usd())
            log.record(
                env.now, Kind.SERVICE_COST, NO_ONE, value=self.team.monthly_service_cost_usd()
            )
            responses = int(
                rng.poisson(direct_usd / direct.cost_per_contact_usd * direct.response_rate)
            )
            if responses:
                days = sorted(delays.sample(rng, responses).tolist())
                accounts = rng.integers(0, len(self.market), responses).tolist()
                env.process(self._campaign_responses(days, accounts))
            yield env.timeout(DAYS_PER_MONTH)

    def _campaign_responses(
        self, days: list[float], accounts: list[int]
    ) -> Generator[Any, Any, None]:
        env = self.env
        sent = env.now
        for day, account in zip(days, accounts, strict=True):
            yield env.timeout(sent + day - env.now)
            if self.market.is_available(account):
                self.pipeline.lead(account, Source.DIRECT)
