"""Experiments: replications (``runs.replication``) run in chunks and folded into statistics.

Every variant's replication ``i`` uses the same seed: common random numbers, which make paired
differences between variants tight.

An experiment runs replications in blocks: block ``b`` holds replications ``[b*k, (b+1)*k)`` of
every variant, one chunk (a unit of work) per variant. Finished chunks go straight to a sink
(Parquet parts on disk, or memory for tests) and their summary rows are folded, block by block in
order, into running statistics; a precision-driven run stops at the first block boundary where
every paired difference is precise enough, so where it stops does not depend on the workers.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa

from simulator.metrics.controls import control_columns
from simulator.metrics.measure import SUMMARY_COLUMNS
from simulator.runs.backends import Backend, InProcess, open_backend
from simulator.runs.moments import RunningComparison
from simulator.runs.replication import Chunk as Chunk
from simulator.runs.replication import ChunkTables as ChunkTables
from simulator.runs.replication import ReplicationResult as ReplicationResult
from simulator.runs.replication import measure as measure
from simulator.runs.replication import replication_log as replication_log
from simulator.runs.replication import run_chunk as run_chunk
from simulator.runs.replication import run_replication as run_replication
from simulator.runs.replication import scenario_controls as scenario_controls
from simulator.runs.replication import scenario_features
from simulator.runs.replication import summary_values as summary_values
from simulator.scenario.resolve import Scenario

Progress = Callable[[int], None]

PRECISION_BLOCK = 10  # replications per variant between precision checks
MIN_PRECISION_REPLICATIONS = 40  # fewer give too rough a variance to stop on
IN_FLIGHT_PER_SLOT = 3  # chunks queued per worker: keeps workers busy, bounds wasted work
# Longest a chunk should take (seconds): progress moves, and Ctrl-C stops, a chunk at a time.
CHUNK_SECONDS = 30.0


@dataclass(frozen=True)
class Plan:
    """How many replications: exactly ``replications``, or, with ``precision`` set, as many as
    it takes (at most ``replications``) for every variant's paired difference on ``metric`` to
    have a 95% half-width under ``precision`` x the baseline mean."""

    replications: int
    block: int
    precision: float | None = None
    metric: str = "bookings_24m"

    @classmethod
    def fixed(
        cls, replications: int, workers: int, seconds_per_replication: float | None = None
    ) -> Plan:
        """Blocks small enough to spread evenly over the workers (about eight chunks each),
        large enough to amortise the overhead of a chunk, and, given the estimated seconds a
        replication takes, no longer than CHUNK_SECONDS."""
        block = max(1, min(25, replications // max(1, 8 * workers)))
        if seconds_per_replication:
            block = max(1, min(block, int(CHUNK_SECONDS / seconds_per_replication)))
        return cls(replications, block)

    @classmethod
    def until_precise(cls, precision: float, metric: str, max_replications: int) -> Plan:
        return cls(max_replications, min(PRECISION_BLOCK, max_replications), precision, metric)

    def block_chunks(self, block: int, variants: int) -> list[Chunk]:
        stop = min((block + 1) * self.block, self.replications)
        return [Chunk(variant, block * self.block, stop) for variant in range(variants)]

    def chunks(self, variants: int) -> Iterator[Chunk]:
        for block in range(self.blocks()):
            yield from self.block_chunks(block, variants)

    def blocks(self) -> int:
        return math.ceil(self.replications / self.block)


class Sink(Protocol):
    """Where finished chunks go."""

    def stored(self, controls: tuple[str, ...]) -> dict[Chunk, np.ndarray]:
        """Chunks already stored (by an interrupted run), with their summary values (then
        the ``controls``: ``summary_values``)."""
        ...

    def store(self, tables: ChunkTables) -> None: ...

    def drop_from(self, replication: int) -> None:
        """Forget chunks starting at or after ``replication`` (past a precision stop)."""
        ...


class MemorySink:
    """Keeps chunks in memory (tests and notebooks); ``tables`` joins them in order."""

    def __init__(self) -> None:
        self.chunks: dict[Chunk, ChunkTables] = {}

    def stored(self, controls: tuple[str, ...]) -> dict[Chunk, np.ndarray]:
        return {}

    def store(self, tables: ChunkTables) -> None:
        self.chunks[tables.chunk] = tables

    def drop_from(self, replication: int) -> None:
        self.chunks = {c: t for c, t in self.chunks.items() if c.start < replication}

    def tables(self) -> tuple[pa.Table, pa.Table]:
        ordered = [self.chunks[c] for c in sorted(self.chunks)]
        return (
            pa.concat_tables([t.summary for t in ordered], promote_options="permissive"),
            pa.concat_tables([t.monthly for t in ordered], promote_options="permissive"),
        )

    def deals(self) -> pa.Table | None:
        """The deals of every chunk in order, or None if they were not asked for."""
        ordered = [self.chunks[c].deals for c in sorted(self.chunks)]
        if not ordered or any(t is None for t in ordered):
            return None
        return pa.concat_tables(ordered)


@dataclass(frozen=True)
class Study:
    """What a run found: how many replications, how precise, and how fast."""

    replications: int
    precision_reached: bool | None  # None when no precision was asked for
    relative_half_width: list[float]  # per comparison, on the plan's metric
    variance_reduction: list[float]  # per non-baseline variant, on the plan's metric
    control_reduction: list[float]  # likewise, by the control variates beyond the pairing
    computed: int  # replications (all variants) computed in this session
    wall_seconds: float
    slots: int


def run_study(
    scenario: Scenario,
    plan: Plan,
    root_seed: int,
    sink: Sink,
    backend: Backend | None = None,
    on_progress: Progress | None = None,
    on_check: Callable[[int, float], None] | None = None,
    deals: bool = False,
) -> Study:
    """Run ``plan`` on ``backend`` (default: in this process), streaming chunks to ``sink``.

    Chunks the sink already holds are not run again, so an interrupted run resumes where it
    stopped and ends exactly as an uninterrupted one. ``on_check`` hears, at each precision
    check, the replications so far and the worst relative half-width. With ``deals`` each
    chunk also carries its deals table."""
    started = time.perf_counter()
    backend = backend or InProcess()
    variants = len(scenario.variants)
    features = scenario_features(scenario)
    luck = control_columns(features)
    folding = _Folding(plan, variants, on_check, luck)
    stored = sink.stored(luck)
    if stored and on_progress:
        on_progress(sum(c.stop - c.start for c in stored))
    for chunk, values in stored.items():
        folding.add(chunk, values)
    pending: dict[Any, Chunk] = {}
    computed = 0

    def collect() -> int:
        """Wait for at least one chunk and store what finished; the replications done."""
        done = 0
        for future in backend.first_done(pending):
            chunk = pending.pop(future)
            tables: ChunkTables = future.result()
            sink.store(tables)
            folding.add(chunk, summary_values(tables.summary, luck))
            done += chunk.stop - chunk.start
            if on_progress:
                on_progress(chunk.stop - chunk.start)
        return done

    with backend:
        for chunk in (c for c in plan.chunks(variants) if c not in stored):
            if chunk.start >= folding.stop * plan.block:
                break
            while len(pending) >= IN_FLIGHT_PER_SLOT * backend.slots:
                computed += collect()
            variant = scenario.variants[chunk.variant]
            future = backend.submit(
                run_chunk,
                variant.parameters,
                scenario.horizon_months,
                root_seed,
                chunk,
                variant.name,
                deals,
                features,
            )
            pending[future] = chunk
        while pending and not folding.finished:
            computed += collect()
        backend.cancel(pending)
    replications = min(folding.stop * plan.block, plan.replications)
    sink.drop_from(replications)
    return Study(
        replications,
        folding.precise,
        folding.statistics.relative_half_width(plan.metric),
        folding.statistics.variance_reduction(plan.metric),
        folding.statistics.control_reduction(),
        computed,
        time.perf_counter() - started,
        backend.slots,
    )


class _Folding:
    """Folds finished chunks' summary rows into running statistics block by block, in order,
    and, for a precision plan, moves the stop to the first block that is precise enough."""

    def __init__(
        self,
        plan: Plan,
        variants: int,
        on_check: Callable[[int, float], None] | None,
        controls: tuple[str, ...],
    ) -> None:
        self.plan, self.variants, self.on_check = plan, variants, on_check
        self.statistics = RunningComparison(variants, list(SUMMARY_COLUMNS), controls, plan.metric)
        self.waiting: dict[Chunk, np.ndarray] = {}
        self.folded = 0  # blocks
        self.stop = plan.blocks()
        self.precise: bool | None = None

    @property
    def finished(self) -> bool:
        return self.folded >= self.stop

    def add(self, chunk: Chunk, values: np.ndarray) -> None:
        self.waiting[chunk] = values
        plan = self.plan
        while not self.finished:
            block = plan.block_chunks(self.folded, self.variants)
            if not all(c in self.waiting for c in block):
                return
            self.statistics.add([self.waiting.pop(c) for c in block])
            self.folded += 1
            if plan.precision is None or self.statistics.replications < min(
                MIN_PRECISION_REPLICATIONS, plan.replications
            ):
                continue
            worst = max(self.statistics.relative_half_width(plan.metric))
            if self.on_check:
                self.on_check(self.statistics.replications, worst)
            self.precise = bool(worst < plan.precision)
            if self.precise:
                self.stop = self.folded


@dataclass(frozen=True)
class ExperimentResult:
    """Summary (one row per variant x replication) and monthly tables, in memory."""

    summary: pa.Table
    monthly: pa.Table
    study: Study
    deals: pa.Table | None = None  # one row per opportunity, when asked for


def run_experiment(
    scenario: Scenario,
    replications: int,
    root_seed: int,
    workers: int = 1,
    on_progress: Progress | None = None,
    deals: bool = False,
) -> ExperimentResult:
    """Run every variant ``replications`` times in memory; identical for any ``workers``."""
    if replications < 1:
        raise ValueError("replications must be at least 1")
    sink = MemorySink()
    study = run_study(
        scenario,
        Plan.fixed(replications, workers),
        root_seed,
        sink,
        open_backend("local", workers),
        on_progress,
        deals=deals,
    )
    return ExperimentResult(*sink.tables(), study, sink.deals())
