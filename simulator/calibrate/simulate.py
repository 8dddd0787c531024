"""Simulated exports: replications of a parameter set, each read as the CRM would record it
(its deals), or as a subscription export would (its customers).

Every evaluation of a calibration runs the same replications (the same root seed and indices:
common random numbers), so two parameter sets differ only through their mechanisms and the
search sees a smooth surface instead of fresh noise at every step. Day 0 falls on the calendar
date that puts the simulation's last day on the export's ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.crm.simulated import from_simulated
from simulator.crm.simulated_customers import customers_table
from simulator.crm.subscriptions import Customers
from simulator.crm.table import Deals
from simulator.metrics.deals import deals_table
from simulator.parameters import Parameters
from simulator.runs.experiment import replication_log
from simulator.scenario.start_customers import customers_at_start
from simulator.units import DAYS_PER_MONTH


def day0_for(as_of: dt.date, horizon_months: int) -> dt.date:
    """The calendar date of day 0 for a run of ``horizon_months`` ending on ``as_of``."""
    return as_of + dt.timedelta(days=1) - dt.timedelta(days=round(horizon_months * DAYS_PER_MONTH))


def simulated_export(
    parameters: Parameters, horizon_months: int, seed: int, replication: int, as_of: dt.date
) -> Deals:
    """Replication ``replication`` as a CRM export seen on ``as_of``: every lead that had its
    first meeting is an opportunity, a disqualified one a lost deal (``crm/simulated.py``)."""
    log = replication_log(parameters, horizon_months, seed, replication)
    table = deals_table(log, "fit", replication)
    deals, _ = from_simulated(table, parameters.start.day0, as_of=as_of)
    return deals


def simulated_customers(
    parameters: Parameters, horizon_months: float, seed: int, replication: int, as_of: dt.date
) -> Customers:
    """Replication ``replication``'s customers as a subscription export seen on ``as_of``
    holds them, those carried over from the export it starts from included."""
    log = replication_log(parameters, horizon_months, seed, replication)
    carried = customers_at_start(parameters)
    signed = carried.signed_day if carried is not None else np.array([], float)
    return customers_table(log, parameters.start.day0, as_of, signed)


@dataclass
class Simulator:
    """Runs the calibration's replications, in this process or on a pool of workers; each
    becomes a history by ``history`` (a simulated CRM export by default)."""

    horizon_months: float
    seed: int
    replications: int
    as_of: dt.date
    workers: int = 1
    history: Callable[[Parameters, float, int, int, dt.date], Any] = simulated_export

    def __post_init__(self) -> None:
        self._pool = ProcessPoolExecutor(self.workers) if self.workers > 1 else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, parameters: Parameters, indices: range | None = None) -> list[Any]:
        """One simulated history per replication (the search's, unless ``indices`` says which),
        in replication order."""
        args = (parameters, self.horizon_months, self.seed)
        indices = range(self.replications) if indices is None else indices
        if self._pool is None:
            return [self.history(*args, i, self.as_of) for i in indices]
        futures = [self._pool.submit(self.history, *args, i, self.as_of) for i in indices]
        return [f.result() for f in futures]
