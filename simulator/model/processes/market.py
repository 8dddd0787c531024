"""The market: the accounts we sell to, and which of them can buy from us now.

An account is off the market while a deal is being worked with it; a won account stays off (it is
a customer), a lost one comes back after the cool-down, and so does a customer who churned.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from simulator.model.entities import Accounts
from simulator.parameters import Market as MarketSection
from simulator.parameters import Product
from simulator.units import DAYS_PER_MONTH


class Market:
    """The accounts (drawn once, read-only) and the day from which each can buy again."""

    def __init__(
        self,
        env: simpy.Environment,
        market: MarketSection,
        product: Product,
        rng: np.random.Generator,
    ) -> None:
        self.env = env
        self.accounts = Accounts.draw(market, product, rng)
        self.sectors = market.sectors
        self.cooldown_after_loss_days = market.cooldown_after_loss_months * DAYS_PER_MONTH
        self._available_from_day = [0.0] * len(self.accounts)

    def __len__(self) -> int:
        return len(self.accounts)

    def is_available(self, account: int) -> bool:
        """Not in a deal, not a customer, not cooling off after a loss."""
        return self._available_from_day[account] <= self.env.now

    def available(self) -> np.ndarray:
        """Which accounts can buy now (a mask)."""
        return np.asarray(self._available_from_day) <= self.env.now

    def closed_before_start(self, account: int, won: bool, closed_day: float) -> None:
        """A deal of the export's closed before day 0: a won account is a customer, a lost one
        cools off from its close, as ``release`` would have left them."""
        self._available_from_day[account] = (
            math.inf if won else closed_day + self.cooldown_after_loss_days
        )

    def take_off(self, account: int) -> None:
        """A deal is being worked with the account."""
        self._available_from_day[account] = math.inf

    def release(self, account: int, won: bool) -> None:
        """A won account leaves the new-logo market; a lost one returns after a cool-down."""
        self._available_from_day[account] = (
            math.inf if won else self.env.now + self.cooldown_after_loss_days
        )
