"""Every hunter of one replication, told by the story's own functions, and the seat each holds.

A replay shows the team as seats (lanes): the day-0 hunters hold seats 1..n, and a replacement
takes the seat of the hunter it replaces. Replacements are hired a fixed delay after each exit,
so the k-th replacement hired fills the k-th seat emptied. What happens to a hunter (joining,
the plan, leaving) and their quarter-to-date attainment come from ``simulator.story``, so the
replay and ``salesim story`` agree by construction.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from simulator.events import Kind
from simulator.parameters import Parameters
from simulator.story.hunter import hired_event, hunter_events
from simulator.story.items import Event
from simulator.story.months import MONTHS_PER_QUARTER, month_of
from simulator.story.quarters import quarters
from simulator.story.tenure import Tenure
from simulator.units import DAYS_PER_MONTH

PLAN_ENDS = ("off_plan", "leaves")  # story kinds that end a spell on the plan


@dataclass(frozen=True)
class HunterTrack:
    """One hunter: who, which seat, when on the team and on the plan, and the story's events."""

    hunter: int
    name: str
    seat: int
    hired_day: float
    left_day: float | None
    ramp_end_day: float
    plan_spells: tuple[tuple[float, float], ...]  # (start, end) days on the plan
    events: tuple[Event, ...]  # the story's: joining, quota reviews, the plan, leaving
    own_log: np.ndarray  # the hunter's own records, for their quarters

    def joined_by(self, month: int) -> bool:
        return month_of(self.hired_day) <= month

    def left_by(self, month: int) -> bool:
        return self.left_day is not None and month_of(self.left_day) <= month

    def on_plan(self, month: int) -> bool:
        """On the plan at the end of ``month``."""
        return any(month_of(start) <= month < month_of(end) for start, end in self.plan_spells)

    def ramping(self, month: int) -> bool:
        """Still ramping up at the end of ``month`` (the day-0 team never is)."""
        return self.hired_day > 0 and month < month_of(self.ramp_end_day)

    def attainment(self, month: int, parameters: Parameters) -> float | None:
        """Bookings against quota in the quarter so far, as the story's quarter line counts
        them (the quota pro rata for the days on the team); None without a quota or tenure."""
        month_end = month * DAYS_PER_MONTH
        tenure = Tenure(self.own_log, self.hunter, parameters, month_end)
        current = (month - 1) // MONTHS_PER_QUARTER + 1
        lines = [q for q in quarters(tenure) if q.quarter == current]
        return lines[0].attainment if lines else None


def own_records(log: np.ndarray, hunter: int) -> np.ndarray:
    """The hunter's own records (their hire, deals, reviews, exit), in log order."""
    return log[log["actor"] == hunter]


def hunter_tracks(
    log: np.ndarray, parameters: Parameters, horizon_days: float
) -> list[HunterTrack]:
    """Every hunter hired in the replication, in hiring order, each in their seat."""
    kind = log["kind"]
    hires = log[kind == Kind.HUNTER_HIRED]
    seat_of: dict[int, int] = {}
    emptied: deque[int] = deque()
    changes = log[(kind == Kind.HUNTER_HIRED) | (kind == Kind.HUNTER_LEFT)]
    for day, logged, actor in zip(
        changes["day"].tolist(), changes["kind"].tolist(), changes["actor"].tolist(), strict=True
    ):
        if logged == Kind.HUNTER_LEFT:
            emptied.append(seat_of[actor])
        elif day > 0 and emptied:
            seat_of[actor] = emptied.popleft()
        else:  # the day-0 team, or a hire into a new seat
            seat_of[actor] = len(set(seat_of.values()))
    ramp_days = parameters.team.ramp_months * DAYS_PER_MONTH
    tracks = []
    for hunter in hires["actor"].tolist():
        own = own_records(log, hunter)
        tenure = Tenure(own, hunter, parameters, horizon_days)
        events = [hired_event(tenure), *hunter_events(tenure)]
        tracks.append(
            HunterTrack(
                hunter,
                tenure.name,
                seat_of[hunter],
                tenure.hired_day,
                tenure.left_day,
                tenure.hired_day + ramp_days,
                plan_spells(events, horizon_days),
                tuple(events),
                own,
            )
        )
    return tracks


def plan_spells(events: list[Event], horizon_days: float) -> tuple[tuple[float, float], ...]:
    """The spells on the plan, from the story's plan events to the next off-plan or exit."""
    spells, start = [], None
    for event in events:
        if event.kind == "plan":
            start = event.day
        elif event.kind in PLAN_ENDS and start is not None:
            spells.append((start, event.day))
            start = None
    if start is not None:
        spells.append((start, horizon_days))
    return tuple(spells)
