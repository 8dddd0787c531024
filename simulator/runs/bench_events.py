"""Counting a replication's simpy events and processes, and timing the model and a bare simpy
loop of the same shape (``salesim bench``'s engine and size steps)."""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import Any

import simpy

from simulator.model.build import build, collector_paused
from simulator.model.streams import Streams, replication_seed
from simulator.parameters import Parameters
from simulator.scenario.resolve import Scenario
from simulator.scenario.start_customers import starting_point
from simulator.units import DAYS_PER_MONTH

BENCH_SEED = 1


class CountingEnvironment(simpy.Environment):
    """A simpy environment that counts the processes started in it: the documented way for the
    benchmark to see how many processes a model runs, without touching the model."""

    def __init__(self) -> None:
        super().__init__()
        self.processes_started = 0

    def process(self, generator: Generator[Any, Any, Any]) -> simpy.Process:
        self.processes_started += 1
        return super().process(generator)

    def events_scheduled(self) -> int:
        """Events scheduled so far (simpy numbers each from one counter, with no public way to
        read it: reading takes the next number, so read it once the run is over)."""
        return next(self._eid)  # type: ignore[attr-defined]


def model_event_rate(scenario: Scenario, replications: int) -> tuple[float, int, int]:
    """(events per CPU second, events per replication, processes per replication) of the first
    variant, timing the model's construction and the run (not the metrics) as ``simulate``
    runs them: with the garbage collector paused, and the model freed after."""
    parameters = scenario.variants[0].parameters
    horizon = scenario.horizon_months * DAYS_PER_MONTH
    events = processes = 0
    seconds = 0.0
    for i in range(replications):
        started = time.process_time()
        with collector_paused():
            counted = _counted_run(parameters, horizon, i)
        seconds += time.process_time() - started
        events += counted[0]
        processes += counted[1]
    return events / seconds, events // replications, processes // replications


def _counted_run(parameters: Parameters, horizon: float, replication: int) -> tuple[int, int]:
    """(events, processes) of one replication's run; its model is garbage once this returns."""
    env = CountingEnvironment()
    streams = Streams(replication_seed(BENCH_SEED, replication))
    build(env, parameters, streams, starting_point(parameters))
    env.run(until=horizon)
    return env.events_scheduled(), env.processes_started


def _timeouts(
    env: simpy.Environment, steps: int, delay: float
) -> Generator[simpy.Event, Any, None]:
    for _ in range(steps):
        yield env.timeout(delay)


def bare_event_rate(events: int, processes: int, repeats: int = 1) -> float:
    """Events per CPU second of a bare simpy loop, run ``repeats`` times: ``processes``
    processes doing timeouts, with ``events`` events in all (each process also costs a start
    and an end event)."""
    scheduled = 0
    seconds = 0.0
    per_process, extra = divmod(max(0, events - 2 * processes), processes)
    for _ in range(repeats):
        env = CountingEnvironment()
        for k in range(processes):
            env.process(_timeouts(env, per_process + (k < extra), 1.0 + k / processes))
        started = time.process_time()
        with collector_paused():  # as the model runs
            env.run()
        seconds += time.process_time() - started
        scheduled += env.events_scheduled()
    return scheduled / seconds
