"""Awareness: which accounts know us, by a Bass diffusion driven by share of voice (innovation
from advertising, imitation from the word of mouth of accounts that know us, more from customers
and references, less that of detractors) and eroded by forgetting.

Event-driven: the time to the next account learning of us, or forgetting us, is drawn from the
current total hazard; whenever the hazard changes (a month's advertising, a new reference or
detractor) the draw is made again, which the exponential's lack of memory allows. A customer
signing or leaving does not signal; its voice counts from the next awareness event or signal.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import numpy as np
import simpy

from simulator.model.events import NO_ONE, EventLog, Kind
from simulator.model.processes.brand import Brand
from simulator.model.processes.customers import CustomerBase
from simulator.model.processes.signals import Signal
from simulator.model.streams import block
from simulator.model.switches import Switches
from simulator.parameters import Awareness as AwarenessSection
from simulator.units import DAYS_PER_YEAR


class AwarenessPool:
    """Which accounts know us, as two swap-remove lists for O(1) random picks."""

    def __init__(self, aware: tuple[bool, ...]) -> None:
        self.flags = list(aware)
        self.members: tuple[list[int], list[int]] = ([], [])  # (unaware, aware)
        self.position = [0] * len(aware)
        for account, known in enumerate(aware):
            group = self.members[int(known)]
            self.position[account] = len(group)
            group.append(account)

    def count(self, aware: bool) -> int:
        return len(self.members[int(aware)])

    def flip(self, aware: bool, pick: float) -> int:
        """Move a random account of group ``aware`` to the other group; return it."""
        source, target = self.members[int(aware)], self.members[int(not aware)]
        account = source[int(pick * len(source))]
        last = source.pop()
        if last != account:
            source[self.position[account]] = last
            self.position[last] = self.position[account]
        self.position[account] = len(target)
        target.append(account)
        self.flags[account] = not aware
        return account


class Awareness:
    """Who knows us, and the diffusion that changes it."""

    def __init__(
        self,
        env: simpy.Environment,
        awareness: AwarenessSection,
        aware_at_start: tuple[bool, ...],
        brand: Brand,
        customers: CustomerBase,
        rates_changed: Signal,
        log: EventLog,
        rng: np.random.Generator,
        switches: Switches,
    ) -> None:
        self.env = env
        self.on = switches
        self.awareness = awareness
        self.brand = brand
        self.customers = customers
        self.rates_changed = rates_changed
        self.log = log
        self.rng = rng
        self._pool = AwarenessPool(aware_at_start)
        self.knows_us: Callable[[int], bool] = self._pool.flags.__getitem__
        """Whether the account knows us (a bound lookup: every inbound arrival asks)."""

    def diffusion(self) -> Generator[Any, Any, None]:
        env, log, params, pool = self.env, self.log, self.awareness, self._pool
        accounts = len(pool.flags)
        log.record(env.now, Kind.AWARE_AT_START, NO_ONE, value=pool.count(True))
        rng = self.rng
        unit_gap = block(lambda n: rng.exponential(1.0, n))
        uniform = block(lambda n: rng.random(n))
        customers = self.customers
        me = env.active_process
        waiting: simpy.Timeout | None = None  # the next flip's timer, while waiting for it
        watched: simpy.Event | None = None  # the signal's event ``on_change`` waits on

        def on_change(_: simpy.Event) -> None:
            """The rates changed: if waiting for a flip, draw again. The wait is interrupted
            from an event of its own, scheduled now, so the new draw comes after what is
            already due now, where waking on the signal would put it (and a flip, the common
            case, pays for no first-of-two event)."""
            if waiting is not None:
                woken = env.event()
                woken.callbacks.append(partial(draw_again, waiting))
                woken.succeed()

        def draw_again(timer: simpy.Timeout, _: simpy.Event) -> None:
            if waiting is timer:  # still waiting for that flip
                me.interrupt()

        while True:
            share = self.brand.share_of_voice
            aware = pool.count(True)
            if params.instant_conversion:
                voices = float(aware)
            else:
                voices = (
                    params.aware_voice_weight * aware
                    + params.customer_voice_weight * customers.active
                    + customers.references
                    - params.detractor_weight * customers.detractors
                )
            heard = max(0.0, voices) if self.on.word_of_mouth else 0.0
            learn = params.innovation * share + params.imitation * heard / accounts
            forget = params.forgetting * (1.0 - share)
            up = pool.count(False) * learn / DAYS_PER_YEAR
            down = aware * forget / DAYS_PER_YEAR
            total = up + down
            changed = self.rates_changed.next()
            if total <= 0:
                yield changed
                continue
            if changed is not watched:
                changed.callbacks.append(on_change)
                watched = changed
            waiting = env.timeout(unit_gap() / total)
            try:
                yield waiting
            except simpy.Interrupt:  # the rates changed first: draw again
                continue
            finally:
                waiting = None
            if uniform() * total < up:
                account = pool.flip(False, uniform())
                log.record(env.now, Kind.BECAME_AWARE, NO_ONE, account)
            else:
                account = pool.flip(True, uniform())
                log.record(env.now, Kind.FORGOT, NO_ONE, account)
