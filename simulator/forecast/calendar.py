"""Month names for a forecast: the calendar month each simulated month stands for.

The model's months are ``DAYS_PER_MONTH`` days long from day 0, so they drift against the
calendar by a day or so a year. A simulated month is named after the calendar month its middle
falls in: from day 0 on 1 October 2017, months 1 to 12 are 2017-10 to 2018-09, never a month
named twice or skipped. A scenario without a start date numbers its months 1, 2, 3, ...
"""

from __future__ import annotations

import datetime as dt

from simulator.parameters import Parameters
from simulator.units import DAYS_PER_MONTH


def day0(parameters: Parameters) -> dt.date | None:
    """The calendar date of day 0, when the parameters carry one (the ``start`` section)."""
    start = getattr(parameters, "start", None)
    return getattr(start, "day0", None)


def month_names(first_day: dt.date | None, months: int) -> list[str | int]:
    """``2017-10``-style names of ``months`` simulated months from ``first_day``, or 1..N."""
    if first_day is None:
        return list(range(1, months + 1))
    middles = (first_day + dt.timedelta(days=(m + 0.5) * DAYS_PER_MONTH) for m in range(months))
    return [f"{d:%Y-%m}" for d in middles]
