"""Awareness: which accounts know us, by a Bass diffusion driven by share of voice (innovation
from advertising, imitation from the word of mouth of accounts that know us, more from customers
and references, less that of detractors) and eroded by forgetting.

A continuous-time chain whose rates change only at its own flips and when one of its inputs
changes (a month's advertising, a customer signing or leaving, a reference or detractor). It is
run lazily, outside simpy's schedule: its flips are drawn in turn when someone asks whether an
account knows us, and just before an input changes (``Changing``), so each flip's rates are the
ones in force at its time, and a draw made again when the inputs change is the same chain (the
exponential has no memory). A market's flips grow with its accounts; as events in the schedule
they were most of a large market's cost, drawn here they are a few operations each.
``settle`` draws the last ones, up to the horizon.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from simulator.model.events import NO_ONE, EventLog, Kind
from simulator.model.processes.brand import Brand
from simulator.model.processes.customers import CustomerBase
from simulator.model.processes.signals import Changing
from simulator.model.streams import AccountDraws, block
from simulator.model.switches import Switches
from simulator.parameters import Awareness as AwarenessSection
from simulator.units import DAYS_PER_YEAR

BECAME_AWARE, FORGOT = int(Kind.BECAME_AWARE), int(Kind.FORGOT)


class AwarenessPool:
    """Which accounts know us. Accounts nobody has asked about are alike (each knew us on day 0
    with the same chance, and every flip since picked at random), so only their counts are
    kept; an account asked about is named, its state drawn from the unnamed ones' share, and
    kept from then on in swap-remove lists for O(1) random picks. Flips pick among all accounts
    of a state, named or not, so the chain and every named account's path are what they would
    be if every account were named from day 0; a market's cost no longer grows with the
    accounts nobody asks about."""

    def __init__(self, accounts: int, aware: int, reveal: AccountDraws) -> None:
        self.unnamed = [accounts - aware, aware]  # by state: (unaware, aware)
        self.named: tuple[list[int], list[int]] = ([], [])  # likewise, the named accounts
        self.position: dict[int, int] = {}  # a named account's place in its list
        self.knows: dict[int, bool] = {}  # a named account's state
        self._reveal = reveal

    def count(self, aware: bool) -> int:
        return self.unnamed[aware] + len(self.named[aware])

    def name(self, account: int) -> bool:
        """Whether an account not yet asked about knows us: one of the unnamed, at random."""
        unaware, aware = self.unnamed
        knows = self._reveal(account) * (unaware + aware) < aware
        self.unnamed[knows] -= 1
        group = self.named[knows]
        self.position[account] = len(group)
        group.append(account)
        self.knows[account] = knows
        return knows


class Awareness:
    """Who knows us, and the diffusion that changes it."""

    def __init__(
        self,
        env: simpy.Environment,
        awareness: AwarenessSection,
        accounts: int,
        aware_at_start: int,
        brand: Brand,
        customers: CustomerBase,
        changing: Changing,
        log: EventLog,
        rng: np.random.Generator,
        switches: Switches,
    ) -> None:
        self.env = env
        self.on = switches
        self.awareness = awareness
        self.brand = brand
        self.customers = customers
        self.log = log
        reveal = AccountDraws(rng, lambda draw, n: draw.random(n), per_account=1)
        self._pool = AwarenessPool(accounts, aware_at_start, reveal)
        self._accounts = accounts
        self._unit_gap = block(lambda n: rng.exponential(1.0, n))
        self._uniform = block(lambda n: rng.random(n))
        self._since = 0.0  # the day the next flip's draw counts from
        self._due = math.nan  # the next flip's day; NaN: to be drawn (from _since)
        self._up_share = 0.0  # of the total rate the next flip was drawn with: learning
        changing.listeners.append(self._inputs_changing)
        log.record(env.now, Kind.AWARE_AT_START, NO_ONE, value=self._pool.count(True))

    def knows_us(self, account: int) -> bool:
        """Whether the account knows us now."""
        now = self.env.now
        if not self._due > now:  # due, or to be drawn
            self._run_until(now)
        knows = self._pool.knows.get(account)
        return self._pool.name(account) if knows is None else knows

    def settle(self, horizon_days: float) -> None:
        """Draw the flips due before the horizon (the run is over: nobody asks any more)."""
        self._run_until(math.nextafter(horizon_days, -math.inf))

    def _inputs_changing(self) -> None:
        """An input is about to change: flips up to now keep the old rates, the next is drawn
        with the new ones, from now."""
        now = self.env.now
        self._run_until(now)
        self._since, self._due = now, math.nan

    def _run_until(self, day: float) -> None:
        """Flip accounts, one after another, until the next flip falls after ``day``. The
        inputs are fixed meanwhile (a change comes through ``_inputs_changing``), so only the
        counts move from flip to flip: the aware count is kept in a local, the rates are a few
        operations on it (``_next_flip``'s, written out: a call per flip costs a fifth of the
        loop), and the flip (an unnamed account's, or a named one's moved between
        ``AwarenessPool``'s lists) is done here, on the hottest loop of a large market. Each
        flip draws its direction, its account and the gap to the next flip, in that order."""
        due = self._due
        if due > day:  # NaN (to be drawn) compares False
            return
        since, up_share = self._since, self._up_share
        uniform, unit_gap = self._uniform, self._unit_gap
        pool, accounts = self._pool, self._accounts
        named, position, knows, unnamed = pool.named, pool.position, pool.knows, pool.unnamed
        aware = unnamed[1] + len(named[1])
        record = self.log.values.extend
        rates = innovation, imitation, forgetting, voices, weight = self._rates()
        if math.isnan(due):
            due, up_share = self._next_flip(since, aware, rates)
        while due <= day:
            learns = uniform() < up_share
            was = not learns
            pick = int(uniform() * (accounts - aware if learns else aware)) - unnamed[was]
            if pick < 0:  # an unnamed account
                unnamed[was] -= 1
                unnamed[learns] += 1
                account = NO_ONE
            else:
                account = _move(named[was], named[learns], pick, position)
                knows[account] = learns
            aware += 1 if learns else -1
            record((due, BECAME_AWARE if learns else FORGOT, NO_ONE, account, NO_ONE, 0.0, 0))
            since = due
            heard = weight * aware + voices
            up = (accounts - aware) * (innovation + imitation * (heard if heard > 0.0 else 0.0))
            total = up + aware * forgetting
            if total > 0:
                due, up_share = since + unit_gap() / total, up / total
            else:
                due, up_share = math.inf, 0.0
        self._due, self._since, self._up_share = due, since, up_share

    def _next_flip(
        self, since: float, aware: int, rates: tuple[float, float, float, float, float]
    ) -> tuple[float, float]:
        """The next flip's day counted from ``since``, and the learning share of its rate (the
        draw ``_run_until`` writes out after each flip)."""
        innovation, imitation, forgetting, voices, weight = rates
        heard = max(0.0, weight * aware + voices)
        up = (self._accounts - aware) * (innovation + imitation * heard)
        total = up + aware * forgetting
        if total > 0:
            return since + self._unit_gap() / total, up / total
        return math.inf, 0.0

    def _rates(self) -> tuple[float, float, float, float, float]:
        """Per day, from the inputs in force now: learning per unaware account is
        ``innovation + imitation * max(0, weight * aware + voices)``, forgetting per aware
        account ``forgetting``."""
        params, customers = self.awareness, self.customers
        share = self.brand.share_of_voice
        if not self.on.word_of_mouth:
            weight, voices = 0.0, 0.0
        elif params.instant_conversion:
            weight, voices = 1.0, 0.0
        else:
            weight = params.aware_voice_weight
            voices = (
                params.customer_voice_weight * customers.active
                + customers.references
                - params.detractor_weight * customers.detractors
            )
        accounts = self._accounts
        return (
            params.innovation * share / DAYS_PER_YEAR,
            params.imitation / accounts / DAYS_PER_YEAR,
            params.forgetting * (1.0 - share) / DAYS_PER_YEAR,
            voices,
            weight,
        )


def _move(source: list[int], target: list[int], pick: int, position: dict[int, int]) -> int:
    """Move the named account at ``source[pick]`` to ``target`` (swap-remove: O(1)); return it."""
    account = source[pick]
    last = source.pop()
    if last != account:
        source[pick] = last
        position[last] = pick
    position[account] = len(target)
    target.append(account)
    return account
