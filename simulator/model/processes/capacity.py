"""The two resources deals wait for: a hunter's free capacity, and a sales engineer for a demo.

A hunter's capacity is a number of tokens: a lead waits for any hunter's token, first come,
first served, and the token freed first goes to the oldest waiting lead; an opportunity holds
its token until it closes. The team adds tokens as hunters ramp up and withdraws them when a
hunter leaves; a hunter prospecting outbound takes one of their own.

Sales engineers are a count of busy ones and a first-come, first-served queue of demos waiting
for one. Neither is a ``simpy.Store`` or ``simpy.Resource``, which schedule an event for every
put, get, request and release.
"""

from __future__ import annotations

from collections import defaultdict, deque

import numpy as np
import simpy

from simulator.model.distributions import Gamma
from simulator.model.entities import Hunter
from simulator.model.streams import AccountDraws
from simulator.parameters import Team as TeamSection

FALLBACK_DEMO_GIVERS = 1
"""With no sales engineer on the team, someone (a founder) still gives the demos, one at a time."""
DEMOS_PER_ACCOUNT = 4
"""Demo times drawn at once for each account (more are drawn when an account needs them)."""
COMPACT_AFTER_WITHDRAWN = 64
"""Withdrawn tokens left in the free queue before it is rebuilt without them (amortised O(1))."""


class Capacity:
    """The hunters' free capacity tokens and the leads waiting for one.

    Every step costs the same however large the team. The free tokens are one queue of hunters
    in the order freed, as if it were a list of hunter ids from which a hunter taking their own
    token removes the first of their ids: instead of searching the queue, the hunter's first
    free token is marked withdrawn (a count per hunter: withdrawn tokens are always a hunter's
    first ones in the queue) and skipped when it reaches the front."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._free: deque[Hunter] = deque()
        self._free_of: defaultdict[Hunter, int] = defaultdict(int)  # free tokens in the queue
        self._withdrawn_of: defaultdict[Hunter, int] = defaultdict(int)  # withdrawn ones
        self._withdrawn = 0
        self._waiting: deque[simpy.Event] = deque()
        self._gave_up: set[simpy.Event] = set()
        self._owed: dict[Hunter, int] = {}  # tokens freed that a hunter over capacity keeps

    def take(self) -> Hunter | None:
        """The hunter of the oldest free token, or None when every slot is taken."""
        free = self._free
        while free:
            hunter = free.popleft()
            if self._withdrawn_of[hunter]:
                self._withdrawn_of[hunter] -= 1
                self._withdrawn -= 1
                continue
            self._free_of[hunter] -= 1
            return hunter
        return None

    def wait(self) -> simpy.Event:
        """An event that succeeds with the hunter of the next token freed."""
        event = self.env.event()
        self._waiting.append(event)
        return event

    def give_up(self, event: simpy.Event) -> None:
        """Stop waiting (the lead gave up before a token came). The event stays in the queue,
        marked, and is skipped when its turn comes: removing it would cost a scan of the queue."""
        self._gave_up.add(event)

    def put(self, hunter: Hunter) -> None:
        """A token is freed (or added): it goes to the oldest waiting lead, else to the queue
        (unless the hunter is still over capacity: then it is kept, see ``owe``)."""
        if self._owed and hunter in self._owed:
            self._repay(hunter)
            return
        while self._waiting:
            event = self._waiting.popleft()
            if event in self._gave_up:
                self._gave_up.remove(event)
                continue
            event.succeed(hunter)
            return
        self._free.append(hunter)
        self._free_of[hunter] += 1

    def owe(self, hunter: Hunter, tokens: int) -> None:
        """The hunter starts over capacity (today's pipeline, ``start.from_crm``): the next
        ``tokens`` slots they free are not handed out, so they take no new lead until below."""
        if tokens > 0:
            self._owed[hunter] = tokens

    def _repay(self, hunter: Hunter) -> None:
        left = self._owed[hunter] - 1
        if left:
            self._owed[hunter] = left
        else:
            del self._owed[hunter]

    def has_free(self, hunter: Hunter) -> bool:
        return self._free_of[hunter] > 0

    def take_own(self, hunter: Hunter) -> None:
        """The hunter takes their own oldest free token (call after ``has_free``)."""
        self._free_of[hunter] -= 1
        self._withdraw(hunter, 1)

    def withdraw(self, hunter: Hunter) -> None:
        """The hunter left: their free tokens vanish."""
        self._owed.pop(hunter, None)
        self._withdraw(hunter, self._free_of.pop(hunter, 0))

    def _withdraw(self, hunter: Hunter, tokens: int) -> None:
        self._withdrawn_of[hunter] += tokens
        self._withdrawn += tokens
        if self._withdrawn > COMPACT_AFTER_WITHDRAWN and 2 * self._withdrawn > len(self._free):
            self._compact()

    def _compact(self) -> None:
        """Rebuild the queue without its withdrawn tokens (each hunter's first ones)."""
        skip = self._withdrawn_of
        kept: deque[Hunter] = deque()
        for hunter in self._free:
            if skip[hunter]:
                skip[hunter] -= 1
            else:
                kept.append(hunter)
        self._free = kept
        self._withdrawn_of = defaultdict(int)
        self._withdrawn = 0


class SalesEngineers:
    """The sales engineers who give the demos of an evaluation, and how long a demo lasts."""

    def __init__(self, env: simpy.Environment, team: TeamSection, rng: np.random.Generator) -> None:
        self.env = env
        self.capacity = max(FALLBACK_DEMO_GIVERS, team.sales_engineers)
        self.demos_per_evaluation = team.demos_per_evaluation
        demo_days = Gamma(team.demo_days_mean, team.demo_days_cv)
        self.demo_days_of = AccountDraws(rng, demo_days.sample, per_account=DEMOS_PER_ACCOUNT)
        """How long the account's next demo lasts (days): each account's own sequence, so it
        gets the same demo times in every variant, whatever the queue's order."""
        self._busy = 0
        self._waiting: deque[simpy.Event] = deque()

    def request(self) -> simpy.Event | None:
        """Take a free engineer now (None), or an event that succeeds when one is handed over."""
        if self._busy < self.capacity:
            self._busy += 1
            return None
        event = self.env.event()
        self._waiting.append(event)
        return event

    def release(self) -> None:
        """The demo is over: the engineer goes to the oldest waiting demo, else is free."""
        if self._waiting:
            self._waiting.popleft().succeed()
        else:
            self._busy -= 1
