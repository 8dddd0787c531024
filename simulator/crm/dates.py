"""Dates as CRMs write them, to days (``datetime64[D]``).

ISO (``2017-03-01``, ``2017-03-01T10:15:00.000+0000``, ``2017-03-01 10:15``), US slashes
(``3/1/2017``, ``03/01/2017 10:15 AM``, two-digit years as 20YY), dotted European
(``01.03.2017``) and HubSpot's epoch milliseconds. A time of day is dropped: cycle times are
counted in calendar days, as the CRM shows them. Slashed dates are month first unless a column
shows a day over 12 in front and none behind (a report from a day-first locale).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

import numpy as np

NOT_A_DATE = np.datetime64("NaT", "D")

_ISO = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ].*)?$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?:[ ,T].*)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T].*)?$")
_EPOCH_MS = re.compile(r"^\d{12,13}$")


def day_first(values: Iterable[str | None]) -> bool:
    """Whether slashed dates in these values are day/month/year: some first part over 12
    and no second part over 12."""
    first_big = second_big = False
    for value in values:
        match = _SLASH.match(value.strip()) if value else None
        if match:
            first_big |= int(match[1]) > 12
            second_big |= int(match[2]) > 12
    return first_big and not second_big


def parse_date(text: str, days_first: bool = False) -> date | None:
    """One date, or None when the text is not one of the forms above (or not a real day)."""
    text = text.strip()
    try:
        if match := _ISO.match(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _SLASH.match(text):
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            year += 2000 if year < 100 else 0
            day, month = (first, second) if days_first else (second, first)
            return date(year, month, day)
        if match := _DOTTED.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        if _EPOCH_MS.match(text):
            return datetime.fromtimestamp(int(text) / 1000, UTC).date()
    except (ValueError, OverflowError, OSError):
        return None
    return None


def parse_dates(
    values: list[str | None], days_first: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Dates (NaT where blank or unreadable) and a mask of the unreadable ones (not blank)."""
    parsed: dict[str, date | None] = {}
    out = np.full(len(values), NOT_A_DATE)
    unreadable = np.zeros(len(values), bool)
    for index, value in enumerate(values):
        if value is None or not value.strip():
            continue
        if value not in parsed:
            parsed[value] = parse_date(value, days_first)
        day = parsed[value]
        if day is None:
            unreadable[index] = True
        else:
            out[index] = np.datetime64(day, "D")
    return out, unreadable


def iso(day: np.datetime64) -> str | None:
    """``2017-03-01``, or None for NaT."""
    return None if np.isnat(day) else str(day.astype("datetime64[D]"))


def month_end(day: np.datetime64) -> bool:
    """Whether ``day`` is the last day of its month."""
    return (day + 1).astype("datetime64[M]") != day.astype("datetime64[M]")
