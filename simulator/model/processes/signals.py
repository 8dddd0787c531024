"""Waiting on simpy events the cheap way (the first of two events), and a warning that inputs
are about to change.

``either`` is on the hot path of every wait, so it avoids a ``simpy.Condition``'s bookkeeping
while resuming the waiting process at the same point in the schedule as ``first | second`` would.
"""

from __future__ import annotations

from collections.abc import Callable

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


class Changing:
    """Called just before something others' rates read is changed (a customer signs, a brand
    month is spent): those who listen bring their own state up to now under the old values,
    then read the new ones from here on."""

    def __init__(self) -> None:
        self.listeners: list[Callable[[], None]] = []

    def __call__(self) -> None:
        for listener in self.listeners:
            listener()
