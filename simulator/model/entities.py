"""The things the simulation is about: accounts, hunters and opportunities.

Accounts are many and simple, so they are held as columns (one tuple per attribute) drawn in one
vectorised pass: facts about the market, read by every mechanism and changed by none (what
changes about an account, such as whether it can buy now, belongs to the mechanism that changes
it). Hunters and opportunities are small objects the mechanisms pass around.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from simulator.parameters import Market, PerSegmentProbability, Product

ENTERPRISE, MID_MARKET, SMB = 0, 1, 2
NO_FEATURE = -1
"""Index standing for "no announced feature" (an opportunity hanging on none, a claim of none)."""
CHAMPION = 1
"""The contact who took the first meeting: always met in discovery, and never replaced."""


@dataclass(frozen=True)
class Accounts:
    """The market's accounts as read-only columns; index = account id.

    Tuples rather than lists: nothing may change them, and the garbage collector stops scanning
    a tuple of plain numbers, a cost that would otherwise grow with the market."""

    segment: tuple[int, ...]
    sector: tuple[int, ...]
    deal_size_usd: tuple[float, ...]
    committee_size: tuple[int, ...]
    sponsor_present: tuple[bool, ...]
    replaces_working_process: tuple[bool, ...]  # the deal needs a sponsor to close won
    perceived_risk: tuple[float, ...]
    fit: tuple[float, ...]
    aware_at_start: int  # how many know us on day 0 (which ones is drawn when asked)
    needs: tuple[tuple[bool, ...], ...]  # needs[feature][account]: the need includes the feature

    @classmethod
    def draw(cls, market: Market, product: Product, rng: np.random.Generator) -> Accounts:
        n = market.accounts
        u = rng.random(n)
        segment = np.where(
            u < market.enterprise_share,
            ENTERPRISE,
            np.where(u >= 1.0 - market.smb_share, SMB, MID_MARKET),
        )
        segments = market.segments

        def per_segment(attr: str) -> np.ndarray:
            return np.array([getattr(s, attr) for s in segments])[segment]

        def per_segment_value(need: PerSegmentProbability) -> np.ndarray:
            return np.array([need.of(index) for index in range(len(segments))])[segment]

        median = per_segment("deal_size_median_usd")
        if market.deal_sizes is None:
            deal_sd = per_segment("deal_size_log_sd")
            deal_size = median * np.exp(deal_sd * rng.standard_normal(n))
        else:  # the export's shape, at each segment's level
            shape = np.array(market.deal_sizes.quantiles_usd)
            shape /= np.median(shape)
            deal_size = median * shape[(rng.random(n) * shape.size).astype(np.int64)]
        committee = 1 + rng.poisson(per_segment("committee_size_mean") - 1.0)
        sponsor = rng.random(n) < per_segment("sponsor_present_probability")
        risk_sd = per_segment("perceived_risk_log_sd")
        risk = np.exp(risk_sd * rng.standard_normal(n) - 0.5 * risk_sd * risk_sd)
        base_fit = per_segment_value(product.fit)
        fit = np.clip(base_fit + product.fit_sd * rng.standard_normal(n), 0.0, 1.0)
        aware = int(rng.binomial(n, market.aware_share))
        needs = tuple(
            tuple((rng.random(n) < per_segment_value(feature.need_probability)).tolist())
            for feature in product.features
        )
        sector = rng.integers(0, market.sectors, n)
        replaces = rng.random(n) < per_segment("replaces_working_process_share")
        return cls(
            segment=tuple(segment.tolist()),
            sector=tuple(sector.tolist()),
            deal_size_usd=tuple(deal_size.tolist()),
            committee_size=tuple(committee.tolist()),
            sponsor_present=tuple(sponsor.tolist()),
            replaces_working_process=tuple(replaces.tolist()),
            perceived_risk=tuple(risk.tolist()),
            fit=tuple(fit.tolist()),
            aware_at_start=aware,
            needs=needs,
        )

    def __len__(self) -> int:
        return len(self.segment)


@dataclass(eq=False)
class Hunter:
    """A new-business rep: who they are, whether they are still here, and what they booked."""

    id: int
    hired_day: float
    skill: float
    capacity: int
    active: bool = True
    on_plan_since: float | None = None
    pitch_habit: float = 0.0  # chance of pitching the announced feature in a meeting going fine
    bookings: deque[tuple[float, float]] = field(default_factory=deque)  # (day, ACV USD)

    def book(self, day: float, acv_usd: float) -> None:
        """A deal (or a beta partner's conversion) counts towards quota while the hunter stays."""
        if self.active:
            self.bookings.append((day, acv_usd))

    def booked_since(self, day: float) -> float:
        """ACV booked on or after ``day``. Reviews ask for ever later days, so older bookings
        are dropped as they fall out of the window: the sum costs the window, not the tenure."""
        bookings = self.bookings
        while bookings and bookings[0][0] < day:
            bookings.popleft()
        return sum(acv for _, acv in bookings)


@dataclass(slots=True, eq=False)
class Opportunity:
    """A lead a hunter has called, on its way through the courtship stages."""

    id: int
    account: int
    hunter: Hunter
    source: int
    opened_day: float
    wait_hours: float
    u: list[float] = field(repr=False)
    z: list[float] = field(repr=False)
    feature: int = NO_FEATURE  # the announced feature the deal now hangs on (pitched or beta)
    beta: bool = False
    attendee_bonus: float = 0.0
    revived: bool = False  # its interest, lost at the first meeting, came back with a pitch
    fatigue: int = 0
    orphaned: bool = False
    start_stage: int = 0  # open on day 0 (start.from_crm): the stage it was in, those before done
    elapsed_days: float = 0.0  # its age on day 0: days since it was created in the CRM
    discount: float = 0.0  # share of ACV given to sign by a quota period end (quota_period.py)
    mutual_plan: bool = False  # a plan back from the buyer's critical date, agreed in the sale
    holds_slot: bool = True  # keeps one of its hunter's capacity slots until it closes
    broken_promises: int = 0  # dates told for features it no longer hangs on, passed unmet
    broken_at_pitch: int = 0  # the roadmap's broken dates of ``feature`` when it was pitched
