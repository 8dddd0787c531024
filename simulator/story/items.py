"""The two kinds of line a story tells: a dated ``Event`` and a ``Quarter`` of the hunter's
tenure, each with its data as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.model.events import Kind
from simulator.story.months import last_month_before, month_of

DAY_DIGITS = 3  # JSON rounding
USD_DIGITS = 2
MONTHS_DIGITS = 2
NOT_LOGGED = -1  # subject and seq of a line that tells no logged event


@dataclass(frozen=True)
class Event:
    """One dated beat of the story. ``facts`` are the kind's own data; ``hunter`` is None for
    what happens to nobody on our side (the roadmap, competitors, and the deal once its hunter
    has left)."""

    day: float
    kind: str
    text: str
    hunter: int | None = None
    account: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    logged: Kind | None = None  # the logged event told (None for narration)
    subject: int = NOT_LOGGED
    seq: int = NOT_LOGGED  # position in the log: the order of events on the same day

    @property
    def month(self) -> int:
        return month_of(self.day)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": round(self.day, DAY_DIGITS),
            "month": self.month,
            "kind": self.kind,
            "hunter": self.hunter,
            "account": self.account,
            "text": self.text,
            **self.facts,
        }


@dataclass(frozen=True)
class Quarter:
    """One calendar quarter of the hunter's tenure (quarter 1 is months 1 to 3)."""

    quarter: int
    start_day: float  # the part of the quarter the hunter was on the team
    end_day: float
    quota_usd: float
    bookings_usd: float
    attainment: float | None  # bookings / quota; None without a quota
    won: int
    pitched: int
    waiting: int  # deals waiting on a release at the quarter's end
    ramping: bool
    text: str

    @property
    def first_month(self) -> int:
        return month_of(self.start_day)

    @property
    def last_month(self) -> int:
        return last_month_before(self.end_day)

    def to_json(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "first_month": self.first_month,
            "last_month": self.last_month,
            "quota_usd": round(self.quota_usd, USD_DIGITS),
            "bookings_usd": round(self.bookings_usd, USD_DIGITS),
            "attainment": self.attainment,  # unrounded: the text and page format this number
            "deals_won": self.won,
            "pitches": self.pitched,
            "deals_waiting_on_release": self.waiting,
            "ramping_up": self.ramping,
            "text": self.text,
        }
