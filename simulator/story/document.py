"""``Story``: the one source of a story's text, its web page and its JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.story.beats import NO_DEAL
from simulator.story.items import Event, Quarter
from simulator.story.months import MONTHS_NOTE, MONTHS_RULE, month_of
from simulator.story.typicality import Typicality
from simulator.story.wording import WIDTH, wrap
from simulator.units import DAYS_PER_MONTH

FORMAT = "salesim-story/1"
MONTH_COLUMN = 2  # digits of the month in front of each line of the text
INDENT = " " * len(f"Month {0:>{MONTH_COLUMN}}  ")  # the wrapped lines under it
BEFORE_ANY_EVENT = -1  # a quarter's line comes before the events of the day it ends


@dataclass(frozen=True)
class Story:
    scenario: str
    variant: str
    seed: int
    replication: int
    hunter: int
    hunter_name: str
    how_chosen: str
    typicality: Typicality
    events: tuple[Event, ...]
    quarters: tuple[Quarter, ...]
    log: np.ndarray
    quota_usd_per_month: float
    plan_threshold: float
    horizon_days: float
    deal: int  # the featured opportunity, or NO_DEAL
    left_day: float | None  # when the hunter left, if they did

    def lines(self) -> list[tuple[int, str, Event | Quarter]]:
        """(month, text, item) of every line of the story, events and quarters, in order."""
        keyed: list[tuple[tuple[float, int], int, str, Event | Quarter]] = [
            ((event.day, event.seq), event.month, event.text, event) for event in self.events
        ]
        keyed += [((q.end_day, BEFORE_ANY_EVENT), q.last_month, q.text, q) for q in self.quarters]
        keyed.sort(key=lambda item: item[0])
        return [(month, text, item) for _, month, text, item in keyed]

    def title(self) -> str:
        return (
            f"{self.scenario}, variant {self.variant!r}: the story of {self.hunter_name} "
            f"(hunter {self.hunter}), replication {self.replication} of seed {self.seed}."
        )

    def text(self, width: int = WIDTH) -> str:
        """The story as text: paragraphs wrapped at ``width``, one dated line per event."""
        header = [
            *wrap(self.title(), width),
            *wrap(self.how_chosen, width),
            *self.typicality.lines(self.variant, width),
            *wrap(MONTHS_NOTE, width),
        ]
        body = [
            "\n".join(wrap(text, width, f"Month {month:>{MONTH_COLUMN}}  ", INDENT))
            for month, text, _ in self.lines()
        ]
        return "\n".join([*header, "", *body])

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "scenario": self.scenario,
            "variant": self.variant,
            "seed": self.seed,
            "replication": self.replication,
            "hunter": self.hunter,
            "hunter_name": self.hunter_name,
            "how_chosen": self.how_chosen,
            "typicality": self.typicality.to_json(),
            "months": MONTHS_RULE,
            "horizon_months": round(self.horizon_days / DAYS_PER_MONTH),
            "quota_usd_per_month": self.quota_usd_per_month,
            "plan_threshold": self.plan_threshold,
            "deal": None if self.deal == NO_DEAL else self.deal,
            "left_month": None if self.left_day is None else month_of(self.left_day),
            "quarters": [quarter.to_json() for quarter in self.quarters],
            "events": [event.to_json() for event in self.events],
        }
