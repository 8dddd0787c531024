"""Inputs a calibration counts in the export rather than searches for: the hunters, how many
deals one holds at once, sales engineers for their demos, and a market large enough for the
flow of new deals. Each is a rule written down here and in the scenario's header. Quota is not
in an export: it stays the base scenario's (``--set team.quota.usd_per_month=...``)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from simulator.calibrate.moments import Window
from simulator.crm.subscriptions import Customers
from simulator.crm.table import Deals
from simulator.parameters.knobs import Tree
from simulator.units import DAYS_PER_MONTH

CAPACITY_HEADROOM = 1.25
"""A hunter can hold this many times the most open deals any owner held on ``as_of``: the
export shows what owners carried, not the most they could."""
DEMO_HEADROOM = 1.25
"""Sales engineers enough for every new opportunity's demos, with this much to spare: an export
does not show demo capacity, and a queue for demos would stretch every cycle."""
MARKET_TURNS = 4.0
"""Accounts in the simulated market per new opportunity over the run: enough that the
market is not used up (won accounts leave it, lost ones cool off)."""


@dataclass(frozen=True)
class Counted:
    path: str
    label: str
    value: float
    unit: str
    rule: str


def hunters_at_work(deals: Deals, window: Window) -> int:
    """The mean, over the window's whole months, of the owners who opened a deal that month:
    the team at work (an owner who left keeps their open deals in a CRM, so counting owners of
    open deals would count the departed too)."""
    months = window.full_months()
    created = deals.created.astype("datetime64[M]")
    counts = [len({o for o in deals.owner[created == m].tolist() if o}) for m in months]
    return max(1, round(float(np.mean(counts)))) if counts else 1


def counted_inputs(deals: Deals, window: Window, horizon_months: int, base: Tree) -> list[Counted]:
    """The counted inputs of ``deals`` (seen on their ``as_of``) over ``window``."""
    hunters = hunters_at_work(deals, window)
    open_owners = deals.owner[deals.open].tolist()
    held = [open_owners.count(o) for o in set(open_owners)] or [0]
    capacity = max(
        int(base["team"]["hunter_capacity_opportunities"]),
        math.ceil(CAPACITY_HEADROOM * max(held)),
    )
    new = ((deals.created >= window.first) & (deals.created <= window.last)).sum()
    accounts = max(
        int(base["market"]["accounts"]),
        math.ceil(MARKET_TURNS * float(new) / window.months * horizon_months),
    )
    team = base["team"]
    demo_days = new / window.months * team["demos_per_evaluation"] * team["demo_days_mean"]
    engineers = max(
        int(team["sales_engineers"]), math.ceil(DEMO_HEADROOM * demo_days / DAYS_PER_MONTH)
    )
    counted = [
        Counted(
            "team.hunters", "hunters", hunters, "hunters",
            f"owners who opened a deal in a month, on average over {window.first} to "
            f"{window.last}",
        ),
        Counted(
            "team.hunter_capacity_opportunities", "open deals a hunter can hold", capacity,
            "deals", f"{CAPACITY_HEADROOM:g} x the most any owner held open on {deals.as_of} "
            f"({max(held)})",
        ),
        Counted(
            "team.sales_engineers", "sales engineers", engineers, "engineers",
            f"enough for every new opportunity's demos with {DEMO_HEADROOM - 1:.0%} to spare",
        ),
        Counted(
            "market.accounts", "accounts in the market", accounts, "accounts",
            f"{MARKET_TURNS:g} x the new opportunities over the run, so the market is not used up",
        ),
    ]  # fmt: skip
    return counted


def customer_inputs(customers: Customers, day: dt.date, base: Tree) -> list[Counted]:
    """What a subscription export fixes by rule, for the customers paying on ``day``: farmers
    enough to check in on each at the full rhythm (an export does not show the team that looks
    after them), and a market with room for them and for new business beside them (each takes
    an account of its own); each only where the base's is fewer."""
    team = base["team"]
    paying = int(np.count_nonzero(customers.arr_on(np.datetime64(day, "D")) > 0))
    farmers = math.ceil(paying / team["farmer_accounts_capacity"])
    accounts = math.ceil(MARKET_TURNS * paying)
    counted = []
    if farmers > int(team["farmers"]):
        counted.append(Counted(
            "team.farmers", "farmers", farmers, "farmers",
            f"enough for the {paying:,} customers paying on {day} at "
            f"{team['farmer_accounts_capacity']} each (team.farmer_accounts_capacity)",
        ))  # fmt: skip
    if accounts > int(base["market"]["accounts"]):
        counted.append(Counted(
            "market.accounts", "accounts in the market", accounts, "accounts",
            f"{MARKET_TURNS:g} x the {paying:,} customers paying on {day}, so new business has "
            "room beside them",
        ))  # fmt: skip
    return counted


def set_counted(tree: Tree, counted: list[Counted]) -> None:
    """Write the counted inputs into ``tree``."""
    for item in counted:
        *parents, leaf = item.path.split(".")
        node = tree
        for name in parents:
            node = node[name]
        node[leaf] = int(item.value) if float(item.value).is_integer() else item.value
