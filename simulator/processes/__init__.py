"""One module per mechanism; each exposes simpy process functions taking the world."""

from __future__ import annotations

import simpy


def either(env: simpy.Environment, first: simpy.Event, second: simpy.Event) -> simpy.Event:
    """An event that succeeds with whichever of two events happens first.

    Resumes a waiting process at the same point in the schedule as ``first | second`` would,
    without a ``simpy.Condition``'s bookkeeping (this is on the hot path of every wait).
    """
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
