"""Builds one simulated market from a variant's parameters and runs it to the horizon.

``build`` makes each mechanism (``processes/``), handing it the few collaborators whose methods
it calls, then starts their processes; nothing polls: every process sleeps until its next
event. Each is built after those it calls, so there is no cycle:

    market       the accounts, and which can buy now
    roadmap      releases, launch partners, feature references     (the accounts' needs)
    competition  entrants                                          roadmap
    capacity     hunters' free slots; sales engineers for demos
    customers    life after the sale, references and detractors    market, capacity
    brand        adstock, share of voice, brand strength
    awareness    who knows us (Bass diffusion)                     brand, customers
    decision     the buyer's choice                                market, roadmap, brand,
                                                                   customers, competition
    pitch        pitching features, waiting on releases            roadmap
    quota_period quota period ends, the quarter-end push
    courtship    the stages of a deal                              market, roadmap, engineers,
                                                                   pitch, decision, quota_period
    pipeline     leads in, deals closed                            market, awareness, capacity,
                                                                   courtship, roadmap, customers
    team         hires, ramp-up, quota reviews, exits              capacity, pipeline
    marketing    budgets and campaigns                             brand, market, pipeline, team

Customers and marketing fire, and awareness waits on, one signal: awareness's rates changed.
A scenario that starts from today's pipeline (``start.from_crm``) staffs the team with the
export's owners and opens its open deals on day 0, before any other lead (``start_state.py``);
one that starts from an export carries today's customers over on accounts left free
(``start_customers.py``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import simpy

from simulator.model.entities import ENTERPRISE, MID_MARKET, SMB
from simulator.model.events import EventLog
from simulator.model.luck import OpportunityLuck
from simulator.model.processes.awareness import Awareness
from simulator.model.processes.brand import Brand
from simulator.model.processes.capacity import Capacity, SalesEngineers
from simulator.model.processes.competition import Competition
from simulator.model.processes.courtship import Courtship
from simulator.model.processes.customers import CustomerBase
from simulator.model.processes.decision import Decision
from simulator.model.processes.going_dark import GoingDark
from simulator.model.processes.market import Market
from simulator.model.processes.marketing import Marketing
from simulator.model.processes.pipeline import Pipeline
from simulator.model.processes.pitch import Pitch
from simulator.model.processes.quota_period import QuotaPeriod
from simulator.model.processes.resume import pick_accounts
from simulator.model.processes.roadmap import Roadmap
from simulator.model.processes.signals import Changing
from simulator.model.processes.strategy_in_force import StrategyInForce
from simulator.model.processes.team import Team
from simulator.model.start_data import StartingPoint
from simulator.model.streams import Streams
from simulator.model.switches import Switches
from simulator.parameters import Parameters


@dataclass(frozen=True)
class Model:
    """One replication's mechanisms, built and started, and the log they write."""

    env: simpy.Environment
    log: EventLog
    market: Market
    roadmap: Roadmap
    competition: Competition
    customers: CustomerBase
    awareness: Awareness
    pipeline: Pipeline
    team: Team
    marketing: Marketing
    switches: Switches


def build(env: simpy.Environment, p: Parameters, streams: Streams, start: StartingPoint) -> Model:
    """Make every mechanism with its collaborators, then start their processes (the order
    of starts is part of the schedule: events at the same time run in the order made)."""
    log = EventLog()
    switches = Switches(p.mechanisms)
    changing = Changing()
    market = Market(env, p.market, p.product, streams["accounts"])
    roadmap = Roadmap(env, p.product, p.process.pitching, market.accounts.needs, log, streams)
    # SMB entrants only where there are small businesses: a market without them draws as before
    segments = (ENTERPRISE, MID_MARKET, SMB) if p.market.smb_share > 0 else (ENTERPRISE, MID_MARKET)
    competition = Competition(
        env, p.competitors.entrants, roadmap, log, streams["entrants"], segments
    )
    capacity = Capacity(env)
    customers = CustomerBase(env, p.post_sale, p.team, market, capacity, changing, log, streams)
    brand = Brand(p.marketing, switches)
    awareness = Awareness(
        env,
        p.marketing.awareness,
        len(market.accounts),
        market.accounts.aware_at_start,
        brand,
        customers,
        changing,
        log,
        streams["awareness"],
        switches,
    )
    engineers = SalesEngineers(env, p.team, streams["demos"])
    sections = (
        p.market.choice, p.process, p.product, p.team.quota, p.competitors, p.post_sale
    )  # fmt: skip
    decision = Decision(
        env, sections, market, roadmap, brand, customers, competition, switches, streams["decision"]
    )
    strategy = StrategyInForce(env, p.strategy, log)
    pitch = Pitch(
        env,
        p.process.pitching,
        strategy,
        roadmap,
        capacity,
        log,
        streams["waiting"],
        switches,
    )
    quota_period = QuotaPeriod(env, p.team.quarter_end, p.start.day0, log, switches)
    going_dark = GoingDark(env, p.process.going_dark, log)
    courtship = Courtship(
        env,
        p.process,
        p.market.segments,
        market,
        roadmap,
        engineers,
        pitch,
        decision,
        quota_period,
        going_dark,
        strategy,
        log,
        switches,
    )
    pipeline = Pipeline(
        env,
        (p.market, p.team, p.process),
        market,
        awareness,
        capacity,
        courtship,
        roadmap,
        customers,
        log,
        streams,
        OpportunityLuck(streams["opportunities"], decision.presence_draws),
    )
    state = start.state
    team = Team(env, p.team, capacity, pipeline, log, streams["hunters"], state, switches)
    marketing = Marketing(
        env, p.marketing, brand, market, pipeline, team, changing, log, streams["direct"]
    )

    roadmap.start()
    competition.start()
    team.staff()
    carried = start.customers
    if state is not None:
        pipeline.resume(state, team.hunters, 0 if carried is None else len(carried))
    if carried is not None and len(carried):
        accounts = pick_accounts(
            carried.arr_usd, market.accounts, p.market, streams["start_customers"],
            free=market.available(),
        )  # fmt: skip
        customers.carry_over(carried.arr_usd, carried.signed_day, carried.term_months, accounts)
    env.process(marketing.monthly())
    env.process(pipeline.inbound_leads())
    return Model(
        env,
        log,
        market,
        roadmap,
        competition,
        customers,
        awareness,
        pipeline,
        team,
        marketing,
        switches,
    )


def simulate(
    parameters: Parameters, horizon_days: float, streams: Streams, start: StartingPoint
) -> EventLog:
    """Run one replication from ``start`` and return its event log."""
    return run_model(parameters, horizon_days, streams, start).log


def run_model(
    parameters: Parameters, horizon_days: float, streams: Streams, start: StartingPoint
) -> Model:
    """Run one replication and return the model as it ended (its log, the switches it read)."""
    with collector_paused():
        env = simpy.Environment()
        model = build(env, parameters, streams, start)
        env.run(until=horizon_days)
        model.awareness.settle(horizon_days)
        return model


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a replication is built and run.

    A run makes no cyclic garbage (an object is freed when its last reference goes, or lives to
    the end), so the collector's passes during it free nothing, yet each scans the live
    processes, events and deals: about a tenth of a replication's time. It runs as before once
    the run is over, when the model, a cycle of objects nothing refers to any more, is garbage
    that its next pass frees in one go."""
    if not gc.isenabled():  # paused by the caller: leave it so
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
