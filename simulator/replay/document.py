"""``Replay``: one replication of two or three variants, month by month, with its captions and
how it was chosen. The one source of the page's charts, its words and its embedded JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.replay.captions import PER_MONTH, Caption
from simulator.replay.frames import PIPELINE, VariantReplay
from simulator.replay.select import USD_DIGITS, Selection, signed_money
from simulator.story.months import MONTHS_RULE

FORMAT = "salesim-replay/1"


@dataclass(frozen=True)
class Replay:
    scenario: str
    variants: tuple[VariantReplay, ...]
    selection: Selection
    captions: tuple[Caption, ...]
    horizon_months: int
    why: str = ""  # which mechanisms carry the verdict (`salesim explain`), when given
    branch_at: int | None = None  # a branch replay: the month the third variant stops
    facilitator: bool = False  # pause at the key beats with a question each

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variants)

    def same(self, month: int) -> tuple[str, str] | None:
        """In a branch replay, until the branch: the kept variant and its stopped copy, which
        are one and the same run so far."""
        if self.branch_at is None or month > self.branch_at:
            return None
        return self.names[1], self.names[2]

    def tag(self, caption: Caption) -> str:
        """The variants a caption names (none when it happens in all of them)."""
        return caption.tag(self.names, self.same(caption.month))

    def branch_line(self) -> str:
        """What stopping did on average over the replications searched (one replication is
        one story; the room should hear the average too)."""
        if self.branch_at is None:
            return ""
        selection = self.selection
        kept, stopped = (np.asarray(g) for g in selection.gaps_usd)
        effect = stopped - kept
        ahead = int(np.count_nonzero(effect > 0))
        return (
            f"Over those {selection.searched}, {self.names[2]} booked "
            f"{signed_money(float(effect.mean()))} against {self.names[1]} by month "
            f"{selection.months} on average, ahead in {ahead} of {selection.searched}."
        )

    def title(self) -> str:
        return f"{self.scenario}: {' vs '.join(self.names)}"

    def shown(self, month: int) -> list[Caption]:
        """The captions on screen at ``month``: the latest ones up to then (this month's first)."""
        return [c for c in self.captions if c.month <= month][-PER_MONTH:]

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "scenario": self.scenario,
            "variants": list(self.names),
            "horizon_months": self.horizon_months,
            "months_rule": MONTHS_RULE,
            "selection": self.selection.to_json(),
            "why": self.why,
            "branch_at": self.branch_at,
            "branch": self.branch_line(),
            "captions": [c.to_json(self.names, self.same(c.month)) for c in self.captions],
            "months": [
                {
                    "month": month,
                    "variants": [
                        {
                            "variant": v.name,
                            "bookings_usd": round(v.months[month - 1].bookings_usd, USD_DIGITS),
                            "arr_usd": round(v.months[month - 1].arr_usd, USD_DIGITS),
                            "pipeline": {
                                key: v.months[month - 1].pipeline[key] for key in PIPELINE
                            },
                            "lanes": [
                                {
                                    "seat": lane.seat + 1,
                                    "hunter": lane.hunter,
                                    "name": lane.name,
                                    "status": lane.status,
                                    "attainment": lane.attainment,
                                }
                                for lane in v.months[month - 1].lanes
                            ],
                        }
                        for v in self.variants
                    ],
                }
                for month in range(1, self.horizon_months + 1)
            ],
        }
