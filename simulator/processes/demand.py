"""Where leads come from: aware accounts raising their hand, and hunters' own outbound
prospecting (direct-marketing campaigns live with the rest of marketing).

Arrivals are Poisson processes over the whole market, thinned at the arrival: a draw picks an
account, and the lead only happens if that account can buy now (aware, for inbound; not already
in a deal, not a customer, not cooling off after a loss). This keeps the cost proportional to
the number of arrivals, not to accounts x days.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.distributions import Exponential
from simulator.entities import Hunter
from simulator.events import Source
from simulator.processes import selling
from simulator.streams import block
from simulator.units import DAYS_PER_MONTH

if TYPE_CHECKING:
    from simulator.model import World

DAYS_PER_QUARTER = 3 * DAYS_PER_MONTH


def inbound_leads(world: World) -> Generator[Any, Any, None]:
    """Aware accounts come into the market at the in-market rate and contact us."""
    market = world.parameters.market
    rate_per_day = market.accounts * market.in_market_share_per_quarter / DAYS_PER_QUARTER
    if rate_per_day == 0:
        return
    rng = world.streams["inbound"]
    gaps = Exponential(1.0 / rate_per_day)
    gap = block(lambda n: gaps.sample(rng, n))
    pick = block(lambda n: rng.integers(0, market.accounts, n))
    accounts = world.accounts
    while True:
        yield world.env.timeout(gap())
        account = int(pick())
        if accounts.aware[account] and accounts.is_available(account, world.env.now):
            selling.start_lead(world, account, Source.INBOUND)


def outbound_prospecting(world: World, hunter: Hunter) -> Generator[Any, Any, None]:
    """A hunter with a free slot opens outbound prospects at a steady rate."""
    team = world.parameters.team
    if team.outbound_leads_per_hunter_month == 0:
        return
    rng = world.streams["outbound"]
    gaps = Exponential(DAYS_PER_MONTH / team.outbound_leads_per_hunter_month)
    gap = block(lambda n: gaps.sample(rng, n))
    pick = block(lambda n: rng.integers(0, world.parameters.market.accounts, n))
    while hunter.active:
        yield world.env.timeout(gap())
        account = int(pick())
        if hunter.id in world.free_slots.items and world.accounts.is_available(
            account, world.env.now
        ):
            world.free_slots.items.remove(hunter.id)
            selling.start_outbound(world, account, hunter)
