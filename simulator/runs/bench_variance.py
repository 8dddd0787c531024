"""``salesim bench``'s variance steps: how much each way of pairing saves, and a run on a
dask.distributed cluster started over TCP.

- variance reduction: the death spiral's paired comparisons on every headline metric, with the
  factor common random numbers give over independent runs, ``(var(variant) + var(baseline)) /
  var(variant - baseline)``, and the factor the control variates give beyond them, ``var(paired
  mean) / var(controlled mean)`` (each: how many times more replications the same precision
  would need without it);
- the cluster: the same replications of the baseline in this process, on two local worker
  processes, and on a ``dask scheduler`` with two ``dask worker`` processes over TCP; the
  cluster's tables must equal the local ones, and its efficiency is one worker's wall time over
  twice its own.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from simulator.metrics.catalog import HEADLINE, LOWER_IS_BETTER
from simulator.runs.aggregate import compare, variant_values
from simulator.runs.backends import DaskCluster, open_backend
from simulator.runs.experiment import MemorySink, Plan, run_experiment, run_study
from simulator.runs.tcp_cluster import tcp_cluster
from simulator.scenario.resolve import load_scenario

SEED = 1
CLUSTER_WORKERS = 2


def variance_reduction(death_spiral: Path, replications: int) -> dict[str, Any]:
    """Per headline metric and comparison: the pairing's factor and the controls' factor."""
    scenario = load_scenario(death_spiral)
    summary = run_experiment(scenario, replications, SEED, workers=CLUSTER_WORKERS).summary
    names = [v.name for v in scenario.variants]
    table: dict[str, dict[str, dict[str, float]]] = {}
    for comparison in compare(summary, list(HEADLINE), LOWER_IS_BETTER):
        base = variant_values(summary, names[0], comparison.metric)
        rows = {}
        for name, difference in comparison.differences.items():
            values = variant_values(summary, name, comparison.metric)
            finite = np.isfinite(values) & np.isfinite(base)
            paired = float(np.var(values[finite] - base[finite], ddof=1))
            independent = float(np.var(values[finite], ddof=1) + np.var(base[finite], ddof=1))
            rows[name] = {
                "pairing": independent / paired if paired > 0 else float("inf"),
                "controls": difference.variance_reduction,
            }
        table[comparison.metric] = rows
    return {"variance_reduction": {"replications": replications, "by_metric": table}}


def _same(first: tuple[pa.Table, pa.Table], second: tuple[pa.Table, pa.Table]) -> bool:
    """The same tables, value for value (a NaN equal to a NaN, which ``Table.equals`` denies)."""
    return all(
        a.schema.equals(b.schema) and a.to_pandas().equals(b.to_pandas())
        for a, b in zip(first, second, strict=True)
    )


def cluster_run(baseline: Path, replications: int) -> dict[str, Any]:
    """Wall seconds with one local worker, two local workers and the TCP cluster's two."""
    scenario = load_scenario(baseline)
    plan = Plan.fixed(replications, CLUSTER_WORKERS)
    walls, tables = {}, {}
    for workers in (1, CLUSTER_WORKERS):
        sink = MemorySink()
        started = time.perf_counter()
        run_study(scenario, plan, SEED, sink, open_backend("local", workers))
        walls[f"local_{workers}"] = time.perf_counter() - started
        tables[f"local_{workers}"] = sink.tables()
    with tcp_cluster(CLUSTER_WORKERS) as cluster:
        sink = MemorySink()
        started = time.perf_counter()
        run_study(scenario, plan, SEED, sink, DaskCluster(cluster.address, 0))
        walls["tcp"] = time.perf_counter() - started
        tables["tcp"] = sink.tables()
    return {
        "cluster": {
            "replications": replications,
            "wall_seconds": walls,
            "identical_to_local": _same(tables["tcp"], tables["local_1"]),
            "efficiency": walls["local_1"] / (CLUSTER_WORKERS * walls["tcp"]),
            "local_efficiency": walls["local_1"]
            / (CLUSTER_WORKERS * walls[f"local_{CLUSTER_WORKERS}"]),
        }
    }
