"""Waiting on simpy events the cheap way: the first of two events, and a broadcast that re-arms.

Both are on the hot path of every wait, so they avoid a ``simpy.Condition``'s bookkeeping while
resuming the waiting process at the same point in the schedule as ``first | second`` would.
"""

from __future__ import annotations

import simpy


def either(env: simpy.Environment, first: simpy.Event, second: simpy.Event) -> simpy.Event:
    """An event that succeeds with whichever of two events happens first."""
    woken = env.event()

    def wake(event: simpy.Event) -> None:
        if not woken.triggered:
            woken.succeed(event)

    for event in (first, second):
        if event.callbacks is None:  # already processed
            wake(event)
        else:
            event.callbacks.append(wake)
    return woken


class Signal:
    """A broadcast: everyone waiting on ``next()`` wakes when it ``fire()``s, and later waiters
    wait for the following one (hazards that changed, say, so their next time is drawn again)."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._next = env.event()

    def next(self) -> simpy.Event:
        """The event of the next firing."""
        return self._next

    def fire(self) -> None:
        self._next.succeed()
        self._next = self.env.event()
