"""Builds one simulated world from a variant's parameters and runs it to the horizon.

The world owns the shared state (accounts, team, sales engineers, event log); the mechanisms
live in ``processes/`` as simpy processes that read and change that state. Nothing here polls:
every process sleeps until its next event.
"""

from __future__ import annotations

from collections import deque

import simpy

from simulator.distributions import Exponential, Gamma
from simulator.entities import Accounts, Hunter, OpportunityDraws
from simulator.events import EventLog, Kind
from simulator.parameters import Parameters
from simulator.processes import competition, demand, marketing, selling, team
from simulator.processes.competition import Entrant
from simulator.processes.customers import CustomerBase
from simulator.processes.marketing import Voice
from simulator.processes.roadmap import Roadmap
from simulator.streams import Streams, block
from simulator.units import DAYS_PER_MONTH, HOURS_PER_DAY


class Slots:
    """The hunters' free capacity tokens (hunter ids); a lead waiting for one queues first come,
    first served, and the hunter who frees a slot hands it to the oldest waiting lead.

    A plain list and a queue instead of a ``simpy.Store``, which schedules an event for every
    put and get.
    """

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.items: list[int] = []
        self.waiting: deque[simpy.Event] = deque()
        self.cancelled: set[simpy.Event] = set()

    def take(self) -> int | None:
        """The oldest free token, or None when every slot is taken."""
        return self.items.pop(0) if self.items else None

    def wait(self) -> simpy.Event:
        """An event that succeeds with the next token freed."""
        event = self.env.event()
        self.waiting.append(event)
        return event

    def cancel(self, event: simpy.Event) -> None:
        """Stop waiting (the lead gave up before a token came). The event stays in the queue,
        marked, and is skipped when its turn comes: removing it would cost a scan of the queue,
        which grows with the market."""
        self.cancelled.add(event)

    def put(self, hunter: int) -> None:
        while self.waiting:
            event = self.waiting.popleft()
            if event in self.cancelled:
                self.cancelled.remove(event)
                continue
            event.succeed(hunter)
            return
        self.items.append(hunter)


class Engineers:
    """The sales engineers: a count of busy ones and a first-come, first-served queue of demos
    waiting for one (cheaper than a ``simpy.Resource``'s request and release events)."""

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.busy = 0
        self.waiting: deque[simpy.Event] = deque()

    def request(self) -> simpy.Event | None:
        """Take a free engineer now (None), or an event that succeeds when one is handed over."""
        if self.busy < self.capacity:
            self.busy += 1
            return None
        event = self.env.event()
        self.waiting.append(event)
        return event

    def release(self) -> None:
        if self.waiting:
            self.waiting.popleft().succeed()
        else:
            self.busy -= 1


class World:
    """Everything one replication shares: clock, market, team, log and random streams."""

    def __init__(self, parameters: Parameters, horizon_days: float, streams: Streams) -> None:
        self.parameters = parameters
        self.horizon_days = horizon_days
        self.streams = streams
        self.env = simpy.Environment()
        self.log = EventLog()
        p = parameters
        self.accounts = Accounts.draw(p.market, p.product, streams["accounts"])
        self.draws = OpportunityDraws(len(self.accounts), streams["opportunities"])
        self.hunters: list[Hunter] = []
        self.free_slots = Slots(self.env)
        self.sales_engineers = Engineers(self.env, max(1, p.team.sales_engineers))
        self.selling = selling.Terms(p)
        response = Exponential(p.team.lead_response_hours_mean / HOURS_PER_DAY)
        self.response_days = block(lambda n: response.sample(streams["response"], n))
        demo = Gamma(p.team.demo_days_mean, p.team.demo_days_cv)
        self.demo_days = block(lambda n: demo.sample(streams["demos"], n))
        self.roadmap = Roadmap(self)
        self.voice = Voice(self)
        self.customers = CustomerBase(self)
        self.rate_change = self.env.event()
        self.entrants: list[Entrant] = []
        self._next_id = 0

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def new_lead(self, account: int, source: int) -> int:
        """Record a lead and take its account off the market while it is being worked."""
        lead = self.next_id()
        self.accounts.available_from_day[account] = float("inf")
        segment = self.accounts.segment[account]
        self.log.record(self.env.now, Kind.LEAD, lead, account, value=segment, code=source)
        return lead

    def release_account(self, account: int, won: bool) -> None:
        """A won account leaves the new-logo market; a lost one returns after a cool-down."""
        cooldown_days = self.parameters.market.cooldown_after_loss_months * DAYS_PER_MONTH
        self.accounts.available_from_day[account] = (
            float("inf") if won else self.env.now + cooldown_days
        )

    def rates_changed(self) -> None:
        """Wake whatever waits on hazards that depend on references, detractors or adstock."""
        self.rate_change.succeed()
        self.rate_change = self.env.event()

    def start(self) -> None:
        self.roadmap.start()
        competition.start(self)
        team.staff(self)
        self.env.process(marketing.monthly_marketing(self))
        self.env.process(marketing.awareness(self))
        self.env.process(demand.inbound_leads(self))


def simulate(parameters: Parameters, horizon_days: float, streams: Streams) -> EventLog:
    """Run one replication and return its event log."""
    world = World(parameters, horizon_days, streams)
    world.start()
    world.env.run(until=horizon_days)
    return world.log
