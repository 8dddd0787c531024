"""The simulation behind a decision's ``evaluate``: batches of parameter settings run as the
variants of one experiment, on common random numbers.

Every setting's replication ``i`` uses the root seed's ``i``-th stream, whichever batch it is
in, so a search that tries settings one after another compares them on the same markets, as a
sweep that runs them side by side does. Every finished chunk also goes to the command's results
folder (when there is one), numbered after the settings already run, so the folder ends with one
summary and one monthly table of everything that was tried.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa

from simulator.parameters import Parameters
from simulator.runs.aggregate import variant_values
from simulator.runs.backends import open_backend
from simulator.runs.experiment import ChunkTables, MemorySink, Plan, Sink, Study, run_study
from simulator.scenario.resolve import Scenario, Variant

CHUNKS_PER_WORKER = 8  # enough chunks for every worker to stay busy to the end


class _Batch:
    """The sink of one batch: keeps it in memory, and passes it on to the folder with its
    variants numbered after those of earlier batches."""

    def __init__(self, folder: Sink | None, offset: int) -> None:
        self.memory = MemorySink()
        self.folder, self.offset = folder, offset

    def stored(self, controls: tuple[str, ...]) -> dict:
        return {}

    def store(self, tables: ChunkTables) -> None:
        self.memory.store(tables)
        if self.folder is not None:
            chunk = replace(tables.chunk, variant=tables.chunk.variant + self.offset)
            self.folder.store(replace(tables, chunk=chunk))

    def drop_from(self, replication: int) -> None:
        self.memory.drop_from(replication)


@dataclass
class Engine:
    """Runs batches of (label, parameters) on common random numbers; counts what it ran."""

    scenario: Scenario
    replications: int
    seed: int
    backend: str = "local"
    workers: int = 1
    scheduler: str | None = None
    on_progress: Callable[[int], None] | None = None
    folder: Sink | None = None
    labels: list[str] = field(default_factory=list)
    computed: int = 0
    seconds: float = 0.0
    slots: int = 1
    last_study: Study | None = None
    batches: int = 0

    def run(self, arms: Sequence[tuple[str, Parameters]], plan: Plan | None = None) -> pa.Table:
        """The summary table (one row per arm x replication) of ``arms`` run side by side;
        ``plan`` defaults to ``replications`` each."""
        labels = [name for name, _ in arms]
        clash = sorted(set(labels) & set(self.labels))
        if clash or len(set(labels)) != len(labels):
            raise ValueError(f"settings run twice: {', '.join(clash) or labels}")
        variants = tuple(Variant(name, "", parameters) for name, parameters in arms)
        batch = Scenario(
            self.scenario.name,
            self.scenario.description,
            self.scenario.horizon_months,
            variants,
            self.scenario.source,
        )
        plan = plan or self.plan(len(arms))
        sink = _Batch(self.folder, len(self.labels))
        started = time.perf_counter()
        study = run_study(
            batch,
            plan,
            self.seed,
            sink,
            open_backend(self.backend, self.workers, self.scheduler),
            self.on_progress,
        )
        self.seconds += time.perf_counter() - started
        self.computed += study.computed
        self.slots = study.slots
        self.labels.extend(labels)
        self.last_study = study
        self.batches += 1
        summary, _ = sink.memory.tables()
        return summary

    def plan(self, settings: int) -> Plan:
        """Replications of ``settings`` settings: with many settings, a chunk holds all of a
        setting's replications (fewer, larger parts to store and join), else the runner's own
        spread over the workers."""
        if settings >= CHUNKS_PER_WORKER * self.workers:
            return Plan(self.replications, self.replications)
        return Plan.fixed(self.replications, self.workers)

    def study(self) -> Study:
        """Everything run so far, as one study (for the manifest): a single batch (a sweep) is
        its own study; several (a search) have no comparison against a first setting."""
        last = self.last_study
        if last is not None and self.batches == 1:
            return replace(last, computed=self.computed, wall_seconds=self.seconds)
        others = max(1, len(self.labels) - 1)
        return Study(
            replications=self.replications,
            precision_reached=None,
            relative_half_width=[math.nan] * others,
            variance_reduction=[math.nan] * others,
            control_reduction=[math.nan] * others,
            computed=self.computed,
            wall_seconds=self.seconds,
            slots=self.slots,
        )


def metric_values(summary: pa.Table, label: str, metric: str) -> np.ndarray:
    """One setting's values of a summary metric, by replication."""
    return variant_values(summary, label, metric)
