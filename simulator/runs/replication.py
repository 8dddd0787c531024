"""What a worker runs: one replication (its event log and metrics), and a chunk of them as
table slices (``experiment`` plans the chunks and folds what comes back).

A replication is a pure function of (variant parameters, horizon, root seed, index): its random
streams come from the replication's own spawned SeedSequence, so the result does not depend on
which process or machine runs it, in which order, or alongside what.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from simulator.metrics.controls import control_columns, controls
from simulator.metrics.deals import deals_table
from simulator.metrics.measure import MONTHLY_COLUMNS, SUMMARY_COLUMNS, monthly, summarise
from simulator.model.build import simulate
from simulator.model.streams import Streams, replication_seed
from simulator.parameters import Parameters
from simulator.scenario.resolve import Scenario
from simulator.scenario.start_customers import starting_point
from simulator.units import DAYS_PER_MONTH


@dataclass(frozen=True)
class ReplicationResult:
    summary: dict[str, float]
    monthly: dict[str, np.ndarray]


def replication_log(
    parameters: Parameters, horizon_months: float, root_seed: int, replication: int
) -> np.ndarray:
    """The event log of replication ``replication`` of one variant (``horizon_months`` may be
    fractional: a calibration's window runs its exact days)."""
    streams = Streams(replication_seed(root_seed, replication))
    start = starting_point(parameters)  # read from the exports once per process
    return simulate(parameters, horizon_months * DAYS_PER_MONTH, streams, start).as_array()


def run_replication(
    parameters: Parameters, horizon_months: int, root_seed: int, replication: int
) -> ReplicationResult:
    """Simulate replication ``replication`` of one variant and compute its metrics."""
    log = replication_log(parameters, horizon_months, root_seed, replication)
    return measure(log, parameters, horizon_months)


def measure(log: np.ndarray, parameters: Parameters, horizon_months: int) -> ReplicationResult:
    """A replication's metrics, from its event log."""
    return ReplicationResult(
        summarise(log, horizon_months * DAYS_PER_MONTH, parameters),
        monthly(log, horizon_months, parameters.market.accounts),
    )


@dataclass(frozen=True, order=True)
class Chunk:
    """Replications ``[start, stop)`` of one variant: the unit of work and of storage."""

    variant: int
    start: int
    stop: int


@dataclass(frozen=True)
class ChunkTables:
    """A finished chunk as table slices (summary and monthly rows, and the deals when asked
    for), ready to store."""

    chunk: Chunk
    summary: pa.Table
    monthly: pa.Table
    deals: pa.Table | None = None


def summary_values(table: pa.Table, controls: tuple[str, ...] = ()) -> np.ndarray:
    """Replications x (summary metrics, then ``controls``), as floats, for the running
    statistics (a control the table lacks, as a run stored before controls were: NaN)."""
    missing = np.full(table.num_rows, np.nan)
    columns = [
        table.column(name).to_numpy(zero_copy_only=False).astype(float)
        if name in table.column_names
        else missing
        for name in (*SUMMARY_COLUMNS, *controls)
    ]
    return np.column_stack(columns)


def scenario_features(scenario: Scenario) -> int:
    """The most features any variant announces: every variant's summary carries a roadmap
    control for each (``metrics.controls``)."""
    return max(len(v.parameters.product.features) for v in scenario.variants)


def scenario_controls(scenario: Scenario) -> tuple[str, ...]:
    """The control columns every variant's summary carries (``metrics.controls``)."""
    return control_columns(scenario_features(scenario))


def run_chunk(
    parameters: Parameters,
    horizon_months: int,
    root_seed: int,
    chunk: Chunk,
    variant: str,
    deals: bool = False,
    features: int | None = None,
) -> ChunkTables:
    """Run a chunk (in a worker) and return it as table slices, small and quick to pickle;
    with ``deals``, also one row per opportunity (``simulator.metrics.deals``). The summary
    ends with the controls of a scenario announcing ``features`` features
    (``scenario_controls``; by default, as many as this variant announces)."""
    if features is None:
        features = len(parameters.product.features)
    results, deal_tables, lucks = [], [], []
    for i in range(chunk.start, chunk.stop):
        log = replication_log(parameters, horizon_months, root_seed, i)
        results.append(measure(log, parameters, horizon_months))
        lucks.append(controls(log, features))
        if deals:
            deal_tables.append(deals_table(log, variant, i))
    replications = np.arange(chunk.start, chunk.stop, dtype=np.int32)
    summary = {
        "variant": pa.array([variant] * len(results), pa.string()),
        "replication": pa.array(replications, pa.int32()),
    }
    for name in SUMMARY_COLUMNS:
        values = [r.summary[name] for r in results]
        integer = all(isinstance(v, int | np.integer) for v in values)
        summary[name] = pa.array(values, pa.int64() if integer else pa.float64())
    for name in control_columns(features):
        summary[name] = pa.array([luck[name] for luck in lucks], pa.float64())
    months = np.arange(1, horizon_months + 1, dtype=np.int32)
    monthly_table = {
        "variant": pa.array([variant] * (len(results) * horizon_months), pa.string()),
        "replication": pa.array(np.repeat(replications, horizon_months), pa.int32()),
        "month": pa.array(np.tile(months, len(results)), pa.int32()),
    }
    for name in MONTHLY_COLUMNS:
        monthly_table[name] = pa.array(np.concatenate([r.monthly[name] for r in results]))
    deals_slice = pa.concat_tables(deal_tables) if deals else None
    return ChunkTables(chunk, pa.table(summary), pa.table(monthly_table), deals_slice)
