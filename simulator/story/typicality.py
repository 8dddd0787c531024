"""How typical a story's pattern is: counted over the same replications of every variant, and
said as text and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.model.events import Kind
from simulator.scenario.resolve import Scenario
from simulator.story.beats import BEATS, beats_by_hunter
from simulator.story.logs import ReplicationLogs
from simulator.story.wording import WIDTH, replications_span, share, wrap

SHARE_DIGITS = 4  # JSON rounding
MEAN_DIGITS = 3
SHARE_COLUMN = 13  # text columns
COLUMNS = ("these beats*", "on the plan", "leaves")
MEAN_COLUMN = "hunters who left, mean"


@dataclass(frozen=True)
class VariantCount:
    """How often a pattern happened in one variant, over the replications searched."""

    variant: str
    replications: int
    with_pattern: int  # replications in which some hunter shows all of the story's beats
    with_plan: int  # replications in which some hunter was put on the plan
    with_leaver: int  # replications in which some hunter left
    hunters_left: int  # in all of them
    pitches: int  # in all of them
    seats: int  # hunters on the team

    def to_json(self) -> dict[str, Any]:
        n = self.replications
        return {
            "variant": self.variant,
            "replications": n,
            "with_pattern": self.with_pattern,
            "share_with_pattern": round(self.with_pattern / n, SHARE_DIGITS),
            "with_hunter_on_plan": self.with_plan,
            "share_with_hunter_on_plan": round(self.with_plan / n, SHARE_DIGITS),
            "with_hunter_leaving": self.with_leaver,
            "share_with_hunter_leaving": round(self.with_leaver / n, SHARE_DIGITS),
            "hunters_left_per_replication": round(self.hunters_left / n, MEAN_DIGITS),
            "pitches_per_replication": round(self.pitches / n, MEAN_DIGITS),
            "team_seats": self.seats,
        }


@dataclass(frozen=True)
class Typicality:
    seed: int
    replications: int  # replications 0 .. replications - 1 of each variant
    pattern: tuple[str, ...]  # the beats the story shows (keys of BEATS)
    variants: tuple[VariantCount, ...]

    def lines(self, told: str, width: int = WIDTH) -> list[str]:
        n = self.replications
        name_width = max(len("variant"), *(len(count.variant) for count in self.variants))
        lines = [
            *wrap(
                f"How typical: of {replications_span(0, n - 1)} of seed {self.seed} (the same "
                f"ones in every variant), how many have a hunter who ...",
                width,
            ),
            f"  {'variant':<{name_width}}  " + "  ".join(f"{c:>{SHARE_COLUMN}}" for c in COLUMNS)
            + f"  {MEAN_COLUMN}",
        ]  # fmt: skip
        for count in self.variants:
            mark = "  <- this story" if count.variant == told else ""
            shares = (count.with_pattern, count.with_plan, count.with_leaver)
            lines.append(
                f"  {count.variant:<{name_width}}  "
                + "  ".join(f"{share(k, n):>{SHARE_COLUMN}}" for k in shares)
                + f"  {count.hunters_left / n:>{len(MEAN_COLUMN)}.1f}{mark}"
            )
        lines.append("  * every beat of the spiral this story shows (listed above).")
        lines += wrap(
            f"Hunters who left: per replication, over the whole run; the team has "
            f"{' or '.join(map(str, self.seats()))} seats, and replacements can leave too.",
            width,
            "  ",
            "  ",
        )
        return lines

    def seats(self) -> list[int]:
        """The team sizes of the variants, each once."""
        return sorted({count.seats for count in self.variants})

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "replications_searched": self.replications,
            "pattern": list(self.pattern),
            "variants": [count.to_json() for count in self.variants],
        }


def count_typicality(
    scenario: Scenario, logs: ReplicationLogs, search: int, pattern: set[str]
) -> Typicality:
    """Count ``pattern`` and the spiral's end points in replications 0 .. search - 1 of every
    variant."""
    counts = []
    for v, spec in enumerate(scenario.variants):
        with_pattern = with_plan = with_leaver = left = pitches = 0
        for r in range(search):
            log = logs.get(v, r)
            kind = log["kind"]
            beats = beats_by_hunter(log)
            with_pattern += any(pattern <= found for found in beats.values())
            with_plan += bool(np.any(kind == Kind.PLAN_STARTED))
            n_left = int(np.count_nonzero(kind == Kind.HUNTER_LEFT))
            with_leaver += n_left > 0
            left += n_left
            pitches += int(np.count_nonzero(kind == Kind.PITCHED))
            logs.done(v, r)
        counts.append(
            VariantCount(
                spec.name,
                search,
                with_pattern,
                with_plan,
                with_leaver,
                left,
                pitches,
                spec.parameters.team.hunters,
            )
        )
    return Typicality(
        logs.seed, search, tuple(key for key, _ in BEATS if key in pattern), tuple(counts)
    )
