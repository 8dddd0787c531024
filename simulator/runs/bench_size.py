"""``salesim bench``'s size steps: what more accounts cost at the same lead flow, and what a
500-hunter company (``scenarios/enterprise.yaml``) costs per replication.

- accounts at the same lead flow: the baseline at 1x, 4x and 16x its accounts, the in-market
  share divided by the factor (as many accounts come into the market each quarter), the team
  and marketing as they are: a replication's cost should follow the opportunities and people
  in play, not the accounts that never engage. Each point is its fastest of interleaved rounds
  in CPU seconds; the leads per replication say how much work there was;
- the enterprise scenario: CPU seconds per replication on one core, simpy events per
  replication, and the peak resident memory of a worker process that runs one.
"""

from __future__ import annotations

import multiprocessing
import resource
import time
from pathlib import Path
from typing import Any

import numpy as np

from simulator.model.events import Kind
from simulator.runs.bench_events import model_event_rate
from simulator.runs.experiment import measure, replication_log
from simulator.scenario.resolve import load_scenario

ACCOUNT_FACTORS = (1, 4, 16)
SEED = 1
KIB = 1024


def accounts_at_the_same_lead_flow(baseline: Path, rounds: int) -> dict[str, Any]:
    """CPU seconds and leads per replication at each factor, and the 16x over 1x ratio."""
    market = load_scenario(baseline).variants[0].parameters.market
    worlds = {
        k: load_scenario(
            baseline,
            [
                f"market.accounts={market.accounts * k}",
                f"market.in_market_share_per_quarter={market.in_market_share_per_quarter / k}",
            ],
        )
        for k in ACCOUNT_FACTORS
    }
    seconds: dict[int, list[float]] = {k: [] for k in worlds}
    leads: dict[int, list[int]] = {k: [] for k in worlds}
    for i in range(rounds):
        for k, world in worlds.items():
            parameters = world.variants[0].parameters
            started = time.process_time()
            log = replication_log(parameters, world.horizon_months, SEED, i)
            measure(log, parameters, world.horizon_months)
            seconds[k].append(time.process_time() - started)
            leads[k].append(int(np.count_nonzero(log["kind"] == Kind.LEAD)))
    points = [
        {
            "factor": k,
            "accounts": market.accounts * k,
            "seconds": min(seconds[k]),
            "leads": float(np.mean(leads[k])),
        }
        for k in worlds
    ]
    first, last = points[0], points[-1]
    return {
        "accounts_same_lead_flow": points,
        f"accounts_{last['factor']}x_cost_ratio": last["seconds"] / first["seconds"],
        f"accounts_{last['factor']}x_cost_per_lead_ratio": (last["seconds"] / last["leads"])
        / (first["seconds"] / first["leads"]),
    }


def _one_replication(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """In a fresh worker process: one replication of the first variant, timed; then the
    process's peak resident memory (what a worker running it needs)."""
    scenario = load_scenario(Path(path))
    parameters = scenario.variants[0].parameters
    started = time.process_time()
    log = replication_log(parameters, scenario.horizon_months, SEED, 0)
    measure(log, parameters, scenario.horizon_months)
    seconds = time.process_time() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((seconds, peak_kib / KIB, len(log)))


def enterprise(path: Path, replications: int) -> dict[str, Any]:
    """Seconds per replication (fastest of ``replications``, each in its own worker process
    on one core), the worker's peak memory (MiB), log records and simpy events per
    replication."""
    context = multiprocessing.get_context("spawn")
    runs = []
    for _ in range(replications):
        queue = context.Queue()
        worker = context.Process(target=_one_replication, args=(str(path), queue))
        worker.start()
        runs.append(queue.get())
        worker.join()
    _, events, processes = model_event_rate(load_scenario(path), 1)
    return {
        "enterprise": {
            "seconds_per_replication": min(r[0] for r in runs),
            "peak_worker_mib": max(r[1] for r in runs),
            "records_per_replication": runs[0][2],
            "events_per_replication": events,
            "processes_per_replication": processes,
        }
    }
