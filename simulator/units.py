"""Time units: the model's clock runs in days; scenarios speak in months, hours and years."""

from __future__ import annotations

DAYS_PER_MONTH = 30.4
"""A calendar month of the simulation (days): 365 / 12, rounded as scenarios are written."""
MONTHS_PER_YEAR = 12
DAYS_PER_YEAR = MONTHS_PER_YEAR * DAYS_PER_MONTH
HOURS_PER_DAY = 24.0
