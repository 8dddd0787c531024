"""The things the simulation is about: accounts, hunters and opportunities.

Accounts are many and simple, so they are held as columns (one list per attribute) drawn in one
vectorised pass; hunters and opportunities are small objects processes pass around.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from simulator.parameters import Market, PerSegmentProbability, Product

ENTERPRISE, MID_MARKET = 0, 1
NEVER = math.inf


class U(IntEnum):
    """Slots of the uniforms each opportunity draws (one per decision: common random numbers)."""

    INTEREST = 0
    SPONSOR = 1
    ECONOMIC_BUYER = 2
    MEMBERS = 3
    POOR_FIT_SCREEN = 4
    PREMATURE = 5
    STALL_EVALUATION = 6
    STALL_PROPOSAL = 7
    CHOICE = 8
    HOUSEHOLD_PRESENT = 9
    PITCH = 10
    REVIVAL = 11
    RIVAL_PRESENT = 12  # one slot per rival, then per entrant, from here on


class Z(IntEnum):
    """Slots of the standard normals each opportunity draws: one per stage duration."""

    ATTRACTION = 0
    QUALIFICATION = 1
    EVALUATION = 2
    PROPOSAL = 3


UNIFORM_SLOTS = 32
NORMAL_SLOTS = 8
PREDRAWN_OPPORTUNITIES_PER_ACCOUNT = 3


@dataclass
class Accounts:
    """The market's accounts as columns; index = account id."""

    segment: list[int]
    sector: list[int]
    deal_size_usd: list[float]
    committee_size: list[int]
    sponsor_present: list[bool]
    perceived_risk: list[float]
    fit: list[float]
    aware: list[bool]
    needs: list[list[bool]]  # needs[feature][account]: the prospect's need includes the feature
    available_from_day: list[float]
    opportunities_opened: list[int]

    @classmethod
    def draw(cls, market: Market, product: Product, rng: np.random.Generator) -> Accounts:
        n = market.accounts
        segment = np.where(rng.random(n) < market.enterprise_share, ENTERPRISE, MID_MARKET)
        seg = (market.enterprise, market.mid_market)

        def per_segment(attr: str) -> np.ndarray:
            return np.where(segment == ENTERPRISE, getattr(seg[0], attr), getattr(seg[1], attr))

        def per_feature_need(need: PerSegmentProbability) -> np.ndarray:
            return np.where(segment == ENTERPRISE, need.enterprise, need.mid_market)

        median = per_segment("deal_size_median_usd")
        deal_sd = per_segment("deal_size_log_sd")
        deal_size = median * np.exp(deal_sd * rng.standard_normal(n))
        committee = 1 + rng.poisson(per_segment("committee_size_mean") - 1.0)
        sponsor = rng.random(n) < per_segment("sponsor_present_probability")
        risk_sd = per_segment("perceived_risk_log_sd")
        risk = np.exp(risk_sd * rng.standard_normal(n) - 0.5 * risk_sd * risk_sd)
        base_fit = np.where(segment == ENTERPRISE, product.fit.enterprise, product.fit.mid_market)
        fit = np.clip(base_fit + product.fit_sd * rng.standard_normal(n), 0.0, 1.0)
        aware = rng.random(n) < market.aware_share
        needs = [
            (rng.random(n) < per_feature_need(feature.need_probability)).tolist()
            for feature in product.features
        ]
        return cls(
            segment=segment.tolist(),
            sector=rng.integers(0, market.sectors, n).tolist(),
            deal_size_usd=deal_size.tolist(),
            committee_size=committee.tolist(),
            sponsor_present=sponsor.tolist(),
            perceived_risk=risk.tolist(),
            fit=fit.tolist(),
            aware=aware.tolist(),
            needs=needs,
            available_from_day=[0.0] * n,
            opportunities_opened=[0] * n,
        )

    def __len__(self) -> int:
        return len(self.segment)

    def is_available(self, account: int, day: float) -> bool:
        return self.available_from_day[account] <= day


class OpportunityDraws:
    """Pre-drawn random numbers for each account's first opportunities.

    An account's n-th opportunity gets the same uniforms and normals in every variant, so a
    strategy change alters outcomes only through its mechanism, not through reshuffled luck.
    Opportunities beyond the pre-drawn few take fresh draws from the same stream.
    """

    def __init__(self, accounts: int, rng: np.random.Generator) -> None:
        k = PREDRAWN_OPPORTUNITIES_PER_ACCOUNT
        self._uniforms = rng.random((accounts, k, UNIFORM_SLOTS))
        self._normals = rng.standard_normal((accounts, k, NORMAL_SLOTS))
        self._rng = rng

    def take(self, account: int, nth: int) -> tuple[list[float], list[float]]:
        if nth < PREDRAWN_OPPORTUNITIES_PER_ACCOUNT:
            return (
                self._uniforms[account, nth].tolist(),
                self._normals[account, nth].tolist(),
            )
        return self._rng.random(UNIFORM_SLOTS).tolist(), self._rng.standard_normal(
            NORMAL_SLOTS
        ).tolist()


@dataclass
class Hunter:
    """A new-business rep. Capacity is held as tokens in the team's free-slot store."""

    id: int
    hired_day: float
    skill: float
    capacity: int
    active: bool = True
    on_plan_since: float | None = None
    bookings: list[tuple[float, float]] = field(default_factory=list)  # (day, ACV USD)
    open: dict[int, Opportunity] = field(default_factory=dict)

    def booked_since(self, day: float) -> float:
        return sum(acv for booked, acv in self.bookings if booked >= day)


@dataclass(slots=True)
class Opportunity:
    """A lead a hunter has called, on its way through the courtship stages."""

    id: int
    account: int
    hunter: int
    source: int
    opened_day: float
    wait_hours: float
    u: list[float] = field(repr=False)
    z: list[float] = field(repr=False)
    feature: int = -1  # the announced feature the deal now hangs on (pitched or beta), if any
    beta: bool = False
    attendee_bonus: float = 0.0
    fatigue: int = 0
    orphaned: bool = False
