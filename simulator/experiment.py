"""Replications and experiments.

A replication is a pure function of (variant parameters, horizon, root seed, index): its random
streams come from the replication's own spawned SeedSequence, so the result does not depend on
which process runs it, in which order, or alongside what. Every variant's replication ``i`` uses
the same seed: common random numbers, which make paired differences between variants tight.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from simulator.metrics import MONTHLY_COLUMNS, SUMMARY_COLUMNS, monthly, summarise
from simulator.model import simulate
from simulator.parameters import Parameters
from simulator.scenario import DAYS_PER_MONTH, Scenario
from simulator.streams import Streams, replication_seed

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ReplicationResult:
    summary: dict[str, float]
    monthly: dict[str, np.ndarray]


@dataclass(frozen=True)
class ExperimentResult:
    """Summary (one row per variant x replication) and monthly tables, ready to store."""

    summary: pa.Table
    monthly: pa.Table
    wall_seconds: float
    workers: int


def replication_log(
    parameters: Parameters, horizon_months: int, root_seed: int, replication: int
) -> np.ndarray:
    """The event log of replication ``replication`` of one variant."""
    streams = Streams(replication_seed(root_seed, replication))
    return simulate(parameters, horizon_months * DAYS_PER_MONTH, streams).as_array()


def run_replication(
    parameters: Parameters, horizon_months: int, root_seed: int, replication: int
) -> ReplicationResult:
    """Simulate replication ``replication`` of one variant and compute its metrics."""
    log = replication_log(parameters, horizon_months, root_seed, replication)
    return ReplicationResult(
        summarise(log, horizon_months * DAYS_PER_MONTH, parameters),
        monthly(log, horizon_months, parameters.market.accounts),
    )


@dataclass(frozen=True)
class _Chunk:
    variant: int
    start: int
    stop: int


def _run_chunk(
    parameters: Parameters, horizon_months: int, root_seed: int, chunk: _Chunk
) -> tuple[_Chunk, list[ReplicationResult]]:
    results = [
        run_replication(parameters, horizon_months, root_seed, i)
        for i in range(chunk.start, chunk.stop)
    ]
    return chunk, results


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _chunks(variants: int, replications: int, workers: int) -> Iterator[_Chunk]:
    size = max(1, min(25, replications // max(1, 4 * workers)))
    for start in range(0, replications, size):
        for variant in range(variants):
            yield _Chunk(variant, start, min(start + size, replications))


def run_experiment(
    scenario: Scenario,
    replications: int,
    root_seed: int,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> ExperimentResult:
    """Run every variant ``replications`` times; identical results for any ``workers``."""
    if replications < 1:
        raise ValueError("replications must be at least 1")
    started = time.perf_counter()
    chunks = list(_chunks(len(scenario.variants), replications, workers))
    results: dict[int, list[ReplicationResult | None]] = {
        v: [None] * replications for v in range(len(scenario.variants))
    }

    def store(chunk: _Chunk, chunk_results: list[ReplicationResult]) -> None:
        results[chunk.variant][chunk.start : chunk.stop] = chunk_results
        if on_progress:
            on_progress(len(chunk_results))

    def args(chunk: _Chunk) -> tuple[Parameters, int, int, _Chunk]:
        parameters = scenario.variants[chunk.variant].parameters
        return parameters, scenario.horizon_months, root_seed, chunk

    if workers <= 1:
        for chunk in chunks:
            store(*_run_chunk(*args(chunk)))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending: set[Future[tuple[_Chunk, list[ReplicationResult]]]] = {
                pool.submit(_run_chunk, *args(chunk)) for chunk in chunks
            }
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        store(*future.result())
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    names = [v.name for v in scenario.variants]
    summary, monthly_table = _tables(names, results, scenario.horizon_months)
    return ExperimentResult(summary, monthly_table, time.perf_counter() - started, workers)


def _tables(
    names: list[str],
    results: dict[int, list[ReplicationResult | None]],
    horizon_months: int,
) -> tuple[pa.Table, pa.Table]:
    variant_col: list[str] = []
    replication_col: list[int] = []
    summary_cols: dict[str, list[float]] = {name: [] for name in SUMMARY_COLUMNS}
    monthly_parts: dict[str, list[np.ndarray]] = {name: [] for name in MONTHLY_COLUMNS}
    for variant, rows in results.items():
        for replication, result in enumerate(rows):
            assert result is not None
            variant_col.append(names[variant])
            replication_col.append(replication)
            for name in SUMMARY_COLUMNS:
                summary_cols[name].append(result.summary[name])
            for name in MONTHLY_COLUMNS:
                monthly_parts[name].append(result.monthly[name])
    summary = pa.table(
        {
            "variant": pa.array(variant_col, pa.string()),
            "replication": pa.array(replication_col, pa.int32()),
            **{name: pa.array(values) for name, values in summary_cols.items()},
        }
    )
    runs = len(variant_col)
    monthly_table = pa.table(
        {
            "variant": pa.array(np.repeat(variant_col, horizon_months), pa.string()),
            "replication": pa.array(np.repeat(replication_col, horizon_months), pa.int32()),
            "month": pa.array(np.tile(np.arange(1, horizon_months + 1), runs), pa.int32()),
            **{
                name: pa.array(np.concatenate(parts) if parts else np.array([]))
                for name, parts in monthly_parts.items()
            },
        }
    )
    return summary, monthly_table
