"""A replication's state at the end of every month, from its event log: what one frame of the
replay shows for one variant.

- The team, seat by seat: who holds it, the quarter's bookings so far against the whole
  quarter's quota (it only grows within a quarter), on the plan (with the review's attainment
  that put them there), ramping up, leaving (the month of the exit) or empty until the
  replacement is hired.
- The open pipeline as counts that add up to the opportunities open in the log: deals orphaned
  by a hunter who left, fatigued deals (only the lowest-level contact still comes), deals
  waiting on a release (their proposal is in: they would be deciding now), and the rest, being
  worked; and, closed, the deals lost to the household name so far. The deals each exit
  orphaned that are still open at the month's end are what its caption counts.
- Bookings and ARR so far, from the ARR changes the revenue metrics use
  (``simulator.metrics.revenue.arr_changes``): bookings are the signatures and beta conversions.

Months are counted as the story counts them (``simulator.story.months``): an event on the
first day of month ``m + 1`` is in month ``m + 1``, so a release, the deals it frees and its
caption share a month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.metrics.revenue import arr_changes
from simulator.model.events import Kind, Outcome
from simulator.parameters import Parameters
from simulator.replay.hunters import HunterTrack, PlanSpell, hunter_tracks
from simulator.story.months import ROUNDING, month_of
from simulator.units import DAYS_PER_MONTH

STATUSES = ("working", "ramping", "plan", "leaving", "left")
GONE = frozenset({"leaving", "left"})  # a lane greyed out: its hunter has left
OPEN_KEYS = ("worked", "waiting", "fatigued", "orphaned")  # the open deals, split four ways
PIPELINE = (*OPEN_KEYS, "lost_household")  # and the closed losses to the household name


@dataclass(frozen=True)
class Lane:
    """One seat at a month's end."""

    seat: int
    hunter: int  # who holds it, or (status "left") who held it last
    name: str
    status: str  # one of STATUSES
    attainment: float | None  # the quarter's bookings so far against the quarter's quota
    left_month: int | None  # when the seat's last holder left, if they did
    plan: PlanSpell | None = None  # on the plan: the review that put them there


@dataclass(frozen=True)
class VariantMonth:
    month: int
    lanes: tuple[Lane, ...]
    pipeline: dict[str, int]  # by the keys of PIPELINE
    bookings_usd: float  # signed so far
    arr_usd: float  # at the month's end
    orphaned_by: dict[int, int]  # hunter -> deals their exit this month orphaned, still open

    @property
    def open_deals(self) -> int:
        return sum(self.pipeline[key] for key in OPEN_KEYS)


@dataclass(frozen=True)
class VariantReplay:
    """One variant's replication: its hunters and its state at every month's end."""

    name: str
    hunters: tuple[HunterTrack, ...]
    months: tuple[VariantMonth, ...]


def variant_replay(
    name: str, log: np.ndarray, parameters: Parameters, horizon_months: int
) -> VariantReplay:
    horizon_days = horizon_months * DAYS_PER_MONTH
    tracks = hunter_tracks(log, parameters, horizon_days)
    changes = arr_changes(log)
    signed = (changes.kind == Kind.CLOSED) | (changes.kind == Kind.BETA_CONVERTED)
    bookings = so_far(months_of(changes.day[signed]), changes.amount[signed], horizon_months)
    arr = so_far(months_of(changes.day), changes.amount, horizon_months)
    kind = log["kind"]
    lost_rows = (kind == Kind.CLOSED) & (log["code"] == Outcome.LOST_HOUSEHOLD_BRAND)
    lost = so_far(months_of(log["day"][lost_rows]), np.ones(int(lost_rows.sum())), horizon_months)
    stages = deal_months(log)
    exits = exit_orphans(tracks)
    months = []
    for month in range(1, horizon_months + 1):
        pipeline = {**open_pipeline(stages, month), "lost_household": round(lost[month - 1])}
        orphaned_by = {
            hunter: int(np.count_nonzero(stages["closed"][deals] > month))
            for hunter, (exit_month, deals) in exits.items()
            if exit_month == month
        }
        months.append(
            VariantMonth(
                month,
                lanes(tracks, month),
                pipeline,
                float(bookings[month - 1]),
                float(arr[month - 1]),
                orphaned_by,
            )
        )
    return VariantReplay(name, tuple(tracks), tuple(months))


def exit_orphans(tracks: list[HunterTrack]) -> dict[int, tuple[int, np.ndarray]]:
    """For every hunter who left: the month of the exit and the deals it orphaned (those
    logged with it; a lead called on only after the exit is orphaned when it opens)."""
    return {
        track.hunter: (month_of(track.left_day), track.orphaned_at_exit)
        for track in tracks
        if track.left_day is not None
    }


def lanes(tracks: list[HunterTrack], month: int) -> tuple[Lane, ...]:
    """Each seat's holder at the end of ``month``: the last hired into it by then."""
    holders: dict[int, HunterTrack] = {}
    for track in tracks:
        if track.joined_by(month):
            holders[track.seat] = track  # tracks are in hiring order: the last one wins
    result = []
    for seat in sorted(holders):
        track = holders[seat]
        left_month = month_of(track.left_day) if track.left_by(month) else None
        plan = track.plan_at(month)
        if left_month is not None:
            status = "leaving" if left_month == month else "left"
        elif track.ramping(month):
            status = "ramping"
        elif plan is not None:
            status = "plan"
        else:
            status = "working"
        attainment = None if status == "left" else track.attainment(month)
        shown_plan = plan if status == "plan" else None
        result.append(
            Lane(seat, track.hunter, track.name, status, attainment, left_month, shown_plan)
        )
    return tuple(result)


def months_of(days: np.ndarray) -> np.ndarray:
    """The month of each day, counted from 1 as the story counts (``month_of``)."""
    return (days / DAYS_PER_MONTH + ROUNDING).astype(np.int64) + 1


def so_far(months: np.ndarray, amounts: np.ndarray, horizon_months: int) -> np.ndarray:
    """The running total of ``amounts`` at the end of each month 1 .. horizon."""
    per_month = np.bincount(
        np.clip(months - 1, 0, horizon_months - 1), weights=amounts, minlength=horizon_months
    )
    return np.cumsum(per_month)


DealMonths = dict[str, np.ndarray]


def deal_months(log: np.ndarray) -> DealMonths:
    """For every opportunity (by its id), the month of each step of its life (a month past any
    horizon when not reached)."""
    kind = log["kind"]
    size = int(log["subject"][kind == Kind.OPENED].max(initial=-1)) + 1
    never = int(months_of(log["day"]).max(initial=0)) + 1
    steps = {
        "opened": Kind.OPENED,
        "closed": Kind.CLOSED,
        "waiting": Kind.WAITING_STARTED,
        "waited": Kind.WAITING_ENDED,
        "fatigued": Kind.FATIGUED,
        "orphaned": Kind.ORPHANED,
    }
    months = {}
    for step, logged in steps.items():
        rows = log[(kind == logged) & (log["subject"] < size)]
        first = np.full(size, never, dtype=np.int64)
        np.minimum.at(first, rows["subject"], months_of(rows["day"]))
        months[step] = first
    return months


def open_pipeline(months: DealMonths, month: int) -> dict[str, int]:
    """The open opportunities at the end of ``month`` split four ways, each counted once (in
    this order): orphaned (what a hunter's exit leaves behind shows at once), fatigued, waiting
    on a release, being worked."""
    is_open = (months["opened"] <= month) & (months["closed"] > month)
    orphaned = is_open & (months["orphaned"] <= month)
    fatigued = is_open & ~orphaned & (months["fatigued"] <= month)
    waiting = (
        is_open & ~orphaned & ~fatigued & (months["waiting"] <= month) & (months["waited"] > month)
    )
    worked = is_open & ~fatigued & ~waiting & ~orphaned
    return {
        "worked": int(worked.sum()),
        "waiting": int(waiting.sum()),
        "fatigued": int(fatigued.sum()),
        "orphaned": int(orphaned.sum()),
    }
