"""Which replication a replay plays: by default a typical one, not the most dramatic.

The variants' replications ``0 .. search - 1`` are simulated (replication ``i`` of every variant
shares the market, leads and people: common random numbers) and each is measured by the run's
own bookings metric (``bookings_24m``, or ``bookings_12m`` for a horizon under two years).
The typical replication is the one whose gap, second variant minus first, is the median of the
searched gaps (the lower median for an even count, so it is a real replication). The page says
so, with how often the second variant ends up on the same side of the first as in the replay.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.metrics.measure import BOOKINGS_HORIZONS_MONTHS, summarise
from simulator.scenario.resolve import Scenario
from simulator.story.logs import ReplicationLogs
from simulator.story.wording import money, replications_span
from simulator.units import DAYS_PER_MONTH

PREFERRED_MONTHS = 24  # the bookings horizon the gap is measured at, when the run is that long
USD_DIGITS = 2  # JSON rounding
MINUS = "\u2212"


def signed_money(usd: float) -> str:
    """``+$1.2M`` / ``−$350k`` (a minus sign, not a hyphen): a gap with its direction."""
    if usd == 0:
        return "$0"
    return f"{'+' if usd > 0 else MINUS}{money(abs(usd))}"


def gap_months(horizon_months: int) -> int:
    """The longest bookings horizon of the summary metrics, up to two years, the run reaches."""
    reached = [m for m in BOOKINGS_HORIZONS_MONTHS if m <= min(PREFERRED_MONTHS, horizon_months)]
    if not reached:
        shortest = min(BOOKINGS_HORIZONS_MONTHS)
        raise ValueError(
            f"a replay needs horizon_months of at least {shortest} (the shortest bookings "
            f"metric); the scenario has {horizon_months}"
        )
    return max(reached)


@dataclass(frozen=True)
class Selection:
    """The replication played, how it was chosen, and how its gap compares with the others."""

    seed: int
    replication: int
    by_trainer: bool
    metric: str  # the summary metric the gaps are measured by, e.g. "bookings_24m"
    months: int  # its horizon
    variants: tuple[str, ...]
    gaps_usd: tuple[
        tuple[float, ...], ...
    ]  # per later variant: its gap to the first, by replication
    chosen_gaps_usd: tuple[float, ...]  # per later variant: the played replication's gap

    @property
    def searched(self) -> int:
        return len(self.gaps_usd[0])

    def side(self, index: int = 0) -> str:
        """Where later variant ``index`` stands against the first in the played replication."""
        gap = self.chosen_gaps_usd[index]
        return "behind" if gap < 0 else "ahead of" if gap > 0 else "level with"

    def same_side(self, index: int = 0) -> int:
        """Searched replications where later variant ``index`` stands on the played side."""
        gaps = np.asarray(self.gaps_usd[index])
        return int(np.count_nonzero(np.sign(gaps) == np.sign(self.chosen_gaps_usd[index])))

    def sentences(self) -> list[str]:
        """What the page says about the choice: how, the gap, and how often the pattern holds."""
        first, second = self.variants[0], self.variants[1]
        n = self.searched
        span = replications_span(0, n - 1)
        gap = (
            f"{self.metric} gap ({second} {MINUS} {first}): {signed_money(self.chosen_gaps_usd[0])}"
        )
        if self.by_trainer:
            how = (
                f"Replication {self.replication} of seed {self.seed}, chosen by the trainer. Its "
                f"{gap}; the median of {span} is {signed_money(self.median_gap())}."
            )
        else:
            how = (
                f"Replication {self.replication} of seed {self.seed}, a typical one. Its {gap}, "
                f"the median of {span}."
            )
        lines = [how]
        for index, name in enumerate(self.variants[1:]):
            k = self.same_side(index)
            lines.append(
                f"{name} is {self.side(index)} {first} at month {self.months} in {k} of those "
                f"{n} ({k / n:.0%})."
            )
        lines.append("Same market, leads and people in every variant; only the strategy differs.")
        return lines

    def summary(self) -> str:
        return " ".join(self.sentences())

    def median_gap(self) -> float:
        return float(np.sort(self.gaps_usd[0])[(self.searched - 1) // 2])

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "replication": self.replication,
            "chosen_by": "trainer" if self.by_trainer else "median",
            "metric": self.metric,
            "replications_searched": self.searched,
            "gap_usd": [round(g, USD_DIGITS) for g in self.chosen_gaps_usd],
            "same_side": [self.same_side(i) for i in range(len(self.chosen_gaps_usd))],
            "text": self.sentences(),
        }


def select(
    scenario: Scenario,
    variants: list[int],
    seed: int,
    replication: int | None,
    search: int,
) -> Selection:
    """Measure replications ``0 .. search - 1`` of ``variants`` and pick the median gap's (or
    measure the trainer's ``replication`` among them)."""
    if search < 1:
        raise ValueError("--search must be at least 1 replication")
    months = gap_months(scenario.horizon_months)
    metric = f"bookings_{months}m"
    logs = ReplicationLogs(scenario, seed)
    horizon_days = scenario.horizon_months * DAYS_PER_MONTH

    def bookings(variant: int, r: int) -> float:
        row = summarise(logs.get(variant, r), horizon_days, scenario.variants[variant].parameters)
        logs.done(variant, r)
        value = float(row[metric])
        if math.isnan(value):  # only if the metric's horizon were past the run's
            raise ValueError(f"{metric} is undefined for a {scenario.horizon_months}-month run")
        return value

    def gaps_of(r: int) -> tuple[float, ...]:
        first = bookings(variants[0], r)
        return tuple(bookings(v, r) - first for v in variants[1:])

    by_replication = [gaps_of(r) for r in range(search)]
    if replication is None:
        order = np.argsort([g[0] for g in by_replication], kind="stable")
        chosen = int(order[(search - 1) // 2])
        chosen_gaps = by_replication[chosen]
    else:
        chosen = replication
        chosen_gaps = by_replication[chosen] if chosen < search else gaps_of(chosen)
    return Selection(
        seed,
        chosen,
        replication is not None,
        metric,
        months,
        tuple(scenario.variants[v].name for v in variants),
        tuple(tuple(g[i] for g in by_replication) for i in range(len(variants) - 1)),
        chosen_gaps,
    )
