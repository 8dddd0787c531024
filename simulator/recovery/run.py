"""Run the arms of a strategy change and measure each stopped arm's recovery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.recovery.arms import arms_scenario, beyond_strategy
from simulator.recovery.measure import DEFAULT_WINDOW, DEFAULT_WITHIN, Recovery, recovery
from simulator.runs.experiment import Progress, run_experiment
from simulator.scenario.resolve import Scenario, Variant

BOOTSTRAP_STREAM = 0x5EC0  # spawn key of the resampling's generator under the root seed


@dataclass(frozen=True)
class RecoveryStudy:
    scenario: str
    kept: str
    never: str
    replications: int
    seed: int
    within: float
    window: int
    horizon_months: int
    recoveries: tuple[Recovery, ...]
    unchanged: tuple[str, ...]  # paths where the two variants differ beyond the strategy

    def to_json(self) -> dict[str, Any]:
        return {
            "format": "salesim-recovery/1",
            "scenario": self.scenario,
            "kept": self.kept,
            "never": self.never,
            "replications": self.replications,
            "seed": self.seed,
            "within": self.within,
            "window_months": self.window,
            "horizon_months": self.horizon_months,
            "not_switched": list(self.unchanged),
            "recoveries": [r.to_json() for r in self.recoveries],
        }


def bookings_by_arm(scenario: Scenario, replications: int, seed: int, workers: int,
                    progress: Progress | None) -> dict[str, np.ndarray]:  # fmt: skip
    """Monthly bookings of every variant, replication x month."""
    result = run_experiment(scenario, replications, seed, workers, progress)
    table = result.monthly.sort_by([("variant", "ascending"), ("replication", "ascending"),
                                    ("month", "ascending")])  # fmt: skip
    names = np.asarray(table.column("variant").to_pylist())
    bookings = table.column("bookings").to_numpy()
    shape = (replications, scenario.horizon_months)
    return {v.name: bookings[names == v.name].reshape(shape) for v in scenario.variants}


def recovery_study(
    scenario: Scenario,
    never: Variant,
    kept: Variant,
    months: list[int],
    replications: int,
    seed: int,
    workers: int = 1,
    progress: Progress | None = None,
    within: float = DEFAULT_WITHIN,
    window: int = DEFAULT_WINDOW,
) -> RecoveryStudy:
    arms = arms_scenario(scenario, never, kept, months)
    bookings = bookings_by_arm(arms, replications, seed, workers, progress)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(BOOTSTRAP_STREAM,)))
    found = tuple(
        recovery(
            bookings[never.name],
            bookings[kept.name],
            bookings[arm.name],
            month,
            rng,
            within,
            window,
        )
        for month, arm in zip(months, arms.variants[2:], strict=True)
    )
    return RecoveryStudy(
        scenario.name, kept.name, never.name, replications, seed, within, window,
        scenario.horizon_months, found, tuple(beyond_strategy(kept, never)),
    )  # fmt: skip
