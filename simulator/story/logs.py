"""The replication logs a story search reads: each simulated once, and dropped once counted so
that memory stays flat over long searches (except the log the story is told from)."""

from __future__ import annotations

import numpy as np

from simulator.runs.experiment import replication_log
from simulator.scenario.resolve import Scenario


class ReplicationLogs:
    def __init__(self, scenario: Scenario, seed: int) -> None:
        self.scenario, self.seed = scenario, seed
        self._logs: dict[tuple[int, int], np.ndarray] = {}
        self.kept: tuple[int, int] | None = None

    def get(self, variant: int, replication: int) -> np.ndarray:
        key = (variant, replication)
        if key not in self._logs:
            parameters = self.scenario.variants[variant].parameters
            self._logs[key] = replication_log(
                parameters, self.scenario.horizon_months, self.seed, replication
            )
        return self._logs[key]

    def done(self, variant: int, replication: int) -> None:
        if (variant, replication) != self.kept:
            self._logs.pop((variant, replication), None)
