"""Quota periods: the quarter-end push.

Hunters are judged on what they book by the end of each quota period, and periods end on
calendar dates (quarter ends by default) counted from the calendar date of day 0. A deal whose
decision would fall just after the end of the current period is worth more to its hunter
before it: when the deal enters its proposal stage and its decision would land within
``window_days`` after the period end, the hunter may offer a discount to sign by the period's
last day. The buyer then weighs a lower price (``decision.py``), and a win books the ACV less
the discount. Closes bunch in the last month of each period and thin out in the month after:
the pattern CRM exports show (crm-maven: 1.44 times the wins a month in Mar, Jun, Sep and Dec).

A deal waiting on a pitched feature not yet released cannot sign before it ships, and a deal
whose hunter left has nobody to push it: both are left alone.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterator

import simpy

from simulator.model.entities import NO_FEATURE, Opportunity
from simulator.model.events import EventLog, Kind
from simulator.model.luck import U
from simulator.model.switches import Switches
from simulator.parameters import QuarterEnd
from simulator.units import MONTHS_PER_YEAR

PULLED_IN_BEFORE_END_DAYS = 0.5
"""A pulled-in decision lands in the middle of the period's last day: its close date is that
day, whatever the time of day (a CRM records dates, not hours)."""


def period_end_dates(day0: dt.date, period_months: int) -> Iterator[dt.date]:
    """The first day of each period after ``day0``, in order and without end: a period ends
    as the next begins. Periods are aligned to the calendar year (``period_months`` divides
    12: a quarter begins on 1 January, 1 April, 1 July or 1 October)."""
    month = day0.year * MONTHS_PER_YEAR + day0.month - 1  # months since January of year 0
    boundary = (month // period_months + 1) * period_months
    while True:
        year, month_of_year = divmod(boundary, MONTHS_PER_YEAR)
        yield dt.date(year, month_of_year + 1, 1)
        boundary += period_months


def period_end_days(day0: dt.date, period_months: int, horizon_days: float) -> list[int]:
    """Simulated days on which a period ends, up to ``horizon_days``: day ``d`` of a calendar
    date is ``(date - day0).days``, so day ``e`` here is the first day of the next period and
    ``[e - 1, e)`` the last day of the one ending."""
    ends = []
    for date in period_end_dates(day0, period_months):
        day = (date - day0).days
        if day > horizon_days:
            return ends
        ends.append(day)
    raise AssertionError("unreachable: period_end_dates never ends")  # pragma: no cover


class QuotaPeriod:
    """The calendar's quota period ends, and the hunter's push to close a deal before one."""

    def __init__(
        self,
        env: simpy.Environment,
        params: QuarterEnd,
        day0: dt.date,
        log: EventLog,
        switches: Switches,
    ) -> None:
        self.env = env
        self.on = switches
        self.params = params
        self.log = log
        self._dates = period_end_dates(day0, params.period_months)
        self._day0 = day0
        self._ends: list[int] = []

    def next_end(self, day: float) -> int:
        """The simulated day the current period ends: the first period end after ``day``."""
        ends = self._ends
        while not ends or ends[-1] <= day:
            ends.append((next(self._dates) - self._day0).days)
        return ends[bisect.bisect_right(ends, day)]

    def pull_in(self, opp: Opportunity, decision_days: float) -> float:
        """Days from now to the deal's decision: as drawn, or, when the hunter pulls it into
        the current period, to the period's last day (the deal then carries the discount).
        Draws nothing: the chance comes from the opportunity's own pre-drawn uniform."""
        params = self.params
        probability = params.pull_in_probability
        if probability == 0.0:
            return decision_days
        if opp.orphaned or not opp.hunter.active:
            return decision_days
        if opp.feature != NO_FEATURE and not opp.beta:  # it waits for the release
            return decision_days
        now = self.env.now
        end = self.next_end(now)
        decision = now + decision_days
        if not end < decision <= end + params.window_days:
            return decision_days
        if opp.u[U.PULL_IN] >= probability or not self.on.quarter_end_push:
            return decision_days
        pulled_days = max(end - PULLED_IN_BEFORE_END_DAYS - now, 0.0)
        opp.discount = params.discount_share
        self.log.record(
            now, Kind.PULLED_IN, opp.id, opp.account, opp.hunter.id, decision_days - pulled_days
        )
        return pulled_days
