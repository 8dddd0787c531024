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

from simulator.model.events import Kind
from simulator.parameters import Parameters
from simulator.story.hunter import hired_event, hunter_events
from simulator.story.items import Event
from simulator.story.months import MONTHS_PER_QUARTER, month_of
from simulator.story.quarters import quarters
from simulator.story.tenure import Tenure
from simulator.units import DAYS_PER_MONTH

PLAN_ENDS = ("off_plan", "leaves")  # story kinds that end a spell on the plan


@dataclass(frozen=True)
class PlanSpell:
    """A spell on the plan, from the quota review that started it to the next off-plan or exit,
    with the attainment that review judged (trailing bookings against quota)."""

    start: float
    end: float
    attainment: float
    trailing_months: float


@dataclass(frozen=True)
class HunterTrack:
    """One hunter: who, which seat, when on the team and on the plan, and the story's events."""

    hunter: int
    name: str
    seat: int
    hired_day: float
    left_day: float | None
    ramp_end_day: float
    plan_spells: tuple[PlanSpell, ...]
    events: tuple[Event, ...]  # the story's: joining, quota reviews, the plan, leaving
    own_log: np.ndarray  # the hunter's own records, for their quarters
    parameters: Parameters
    quotas: dict[int, float]  # each quarter of the tenure's whole quota
    orphaned_at_exit: np.ndarray  # the deals the exit orphaned (the story's count)

    def joined_by(self, month: int) -> bool:
        return month_of(self.hired_day) <= month

    def left_by(self, month: int) -> bool:
        return self.left_day is not None and month_of(self.left_day) <= month

    def plan_at(self, month: int) -> PlanSpell | None:
        """The spell on the plan the hunter is in at the end of ``month``, if any."""
        for spell in self.plan_spells:
            if month_of(spell.start) <= month < month_of(spell.end):
                return spell
        return None

    def ramping(self, month: int) -> bool:
        """Still ramping up at the end of ``month`` (the day-0 team never is)."""
        return self.hired_day > 0 and month < month_of(self.ramp_end_day)

    def attainment(self, month: int) -> float | None:
        """The quarter's bookings so far against the whole quarter's quota (pro rata for the
        days on the team in it, as the story's quarter line counts it): it only grows within
        a quarter, and at the quarter's last month it is the story's quarter line. None without
        a quota or tenure."""
        current = quarter_of(month)
        quota = self.quotas.get(current, 0.0)
        if not quota:
            return None
        tenure = Tenure(self.own_log, self.hunter, self.parameters, month * DAYS_PER_MONTH)
        lines = [q for q in quarters(tenure) if q.quarter == current]
        return (lines[0].bookings_usd if lines else 0.0) / quota


def quarter_of(month: int) -> int:
    """The calendar quarter of ``month``, from 1."""
    return (month - 1) // MONTHS_PER_QUARTER + 1


def month_in_quarter(month: int) -> int:
    """1, 2 or 3."""
    return (month - 1) % MONTHS_PER_QUARTER + 1


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
                plan_spells(events, horizon_days, parameters.team.quota.trailing_months),
                tuple(events),
                own,
                parameters,
                {q.quarter: q.quota_usd for q in quarters(tenure)},
                tenure.orphaned_at_exit,
            )
        )
    return tracks


def plan_spells(
    events: list[Event], horizon_days: float, trailing_months: float
) -> tuple[PlanSpell, ...]:
    """The spells on the plan, from the story's plan events to the next off-plan or exit."""
    spells, started = [], None
    for event in events:
        if event.kind == "plan":
            started = event
        elif event.kind in PLAN_ENDS and started is not None:
            spells.append(_spell(started, event.day, trailing_months))
            started = None
    if started is not None:
        spells.append(_spell(started, horizon_days, trailing_months))
    return tuple(spells)


def _spell(started: Event, end: float, trailing_months: float) -> PlanSpell:
    return PlanSpell(started.day, end, started.facts["attainment"], trailing_months)
