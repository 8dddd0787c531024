"""How the story counts months: from 1, as in the report's tables (month 1 is days 0 to 30.4 of
the simulation), so a date the scenario gives as ``m`` months from the start is the first day of
month ``m + 1``."""

from __future__ import annotations

from simulator.units import DAYS_PER_MONTH

MONTHS_PER_QUARTER = 3
QUARTER_DAYS = MONTHS_PER_QUARTER * DAYS_PER_MONTH
ROUNDING = 1e-9  # float error when counting whole months or quarters
JUST_BEFORE_DAYS = 1e-6  # the last moment of a span that ends at a month's first day
MONTHS_NOTE = (
    "Month 1 is the first month of the simulation, as in the report's tables; a date the "
    "scenario gives as month m (m months from the start) is the start of month m+1 here."
)
MONTHS_RULE = (
    f"month 1 is days 0 to {DAYS_PER_MONTH:g} of the simulation; day d is in "
    f"month floor(d / {DAYS_PER_MONTH:g}) + 1"
)


def month_of(day: float) -> int:
    """The month a day falls in, counting from 1."""
    return int(day / DAYS_PER_MONTH + ROUNDING) + 1


def last_month_before(day: float) -> int:
    """The last month of a span that ends (exclusive) at ``day``."""
    return month_of(day - JUST_BEFORE_DAYS)
