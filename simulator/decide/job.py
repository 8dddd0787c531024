"""What every decision command runs with: the scenario, the seed, the replications per
setting, where replications run, where results go, and who hears of progress. A ``Job`` opens
the results folder, hands out the ``Engine`` that runs settings into it, and finishes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from simulator import __version__
from simulator.decide import folder as results
from simulator.decide.engine import Engine
from simulator.runs.experiment import Plan
from simulator.runs.store import RunFolder
from simulator.scenario.resolve import Scenario

Page = Callable[[dict[str, Any], dict[str, pa.Table]], str]


@dataclass
class Job:
    """One decision command's run."""

    scenario: Scenario
    seed: int
    replications: int
    backend: str = "local"
    workers: int = 1
    scheduler: str | None = None
    out_dir: Path | None = None  # None: keep nothing (tests, notebooks)
    on_progress: Callable[[int], None] | None = None
    run_dir: Path | None = field(default=None, init=False)
    _folder: RunFolder | None = field(default=None, init=False)
    _engine: Engine | None = field(default=None, init=False)

    def engine(self, kind: str, plan: Plan | None = None) -> Engine:
        """The engine that runs this job's settings, into a new results folder of ``kind``
        when the job has an ``out_dir`` (OSError if it cannot be made)."""
        if self.out_dir is not None:
            plan = plan or Plan.fixed(self.replications, self.workers)
            self._folder = results.create(
                self.out_dir, kind, self.scenario, self.seed, plan, list(self.scenario.overrides)
            )
        self._engine = Engine(
            self.scenario,
            self.replications,
            self.seed,
            self.backend,
            self.workers,
            self.scheduler,
            self.on_progress,
            self._folder,
        )
        return self._engine

    def header(self, *lines: str) -> list[str]:
        """The page's header: the scenario, the replications and seed, the overrides."""
        head = [
            f"Scenario: {self.scenario.name} ({self.scenario.source})",
            *lines,
            f"Replications per setting: {self.replications}; root seed: {self.seed}; every "
            "setting on the same random markets (common random numbers)",
        ]
        if self.scenario.overrides:
            head.append(f"Overrides (--set): {', '.join(self.scenario.overrides)}")
        head.append(f"salesim {__version__}")
        return head

    def finish(self, decision: dict[str, Any], tables: dict[str, pa.Table], page: Page) -> None:
        """Store the answer, its tables and page with everything run (when keeping results).
        The answer carries the scenario's warnings (a fit that did not settle) for its page
        and its JSON."""
        decision["warnings"] = list(self.scenario.warnings)
        if self._folder is None or self._engine is None:
            return
        self.run_dir = results.finish(
            self._folder, self.scenario, self._engine, self.backend, decision, tables, page
        )

    def discard(self) -> None:
        """Remove a folder left half-written by a failed command."""
        if self._folder is not None:
            self._folder.discard()
