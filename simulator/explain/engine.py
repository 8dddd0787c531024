"""Split a paired verdict between the model's named mechanisms: Shapley values, sampled.

A verdict is the compare variant's metric less the baseline's in one replication, both run
with the same random numbers. With only the mechanisms in ``S`` on (the others switched off,
``parameters.mechanisms``), ``v_i(S)`` is replication ``i``'s verdict. Each replication walks one
random order of the mechanisms, switching them on one by one from all off to all on; a
mechanism's step is its marginal contribution, an unbiased draw of its Shapley value, and the
steps add up to ``v_i(all) - v_i(none)`` exactly. Means over replications estimate the Shapley
values, with Student-t intervals. Beside them each replication also gives every mechanism
switched off alone (``v(all) - v(all but j)``, on the first ``ALONE_OFF_REPLICATIONS``) and all
of them off (``v(none)``: the part no named mechanism explains).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from simulator.model.build import run_model
from simulator.model.streams import Streams, replication_seed
from simulator.parameters import Parameters
from simulator.runs.aggregate import mean_interval
from simulator.runs.backends import open_backend
from simulator.runs.experiment import measure
from simulator.scenario.start_customers import starting_point
from simulator.units import DAYS_PER_MONTH

EXPLAIN_STREAM = 0x5A  # spawn key of the random orders, apart from every replication's streams
BLOCK = 8  # replications between precision checks (even: whole antithetic pairs)
MIN_REPLICATIONS = 16  # fewer give too rough a variance to stop on
ALONE_OFF_REPLICATIONS = 16
"""Replications that also switch each mechanism off alone: as many again as the random
orders cost, so only the first ones (the shares' precision drives the stop)."""
IN_FLIGHT_PER_WORKER = 2
Progress = Callable[[int], None]


def with_on(parameters: Parameters, mechanisms: Sequence[str], on: frozenset[str]) -> Parameters:
    """``parameters`` with the ``mechanisms`` not in ``on`` switched off (the rest as given)."""
    switches = parameters.mechanisms.model_copy(update={m: m in on for m in mechanisms})
    return parameters.model_copy(update={"mechanisms": switches})


def order_of(seed: int, replication: int, k: int) -> list[int]:
    """The order replication ``replication`` switches the mechanisms on in: random for an even
    replication, that order reversed for the odd one after it (antithetic pairs: a mechanism
    early in one is late in the other, which cancels much of the orders' noise). A pure
    function of (seed, replication), whatever worker computes it."""
    sequence = np.random.SeedSequence(seed, spawn_key=(EXPLAIN_STREAM, replication // 2))
    order = [int(j) for j in np.random.Generator(np.random.PCG64(sequence)).permutation(k)]
    return order[::-1] if replication % 2 else order


@dataclass(frozen=True)
class Question:
    """Which verdict to split: ``compare`` less ``baseline`` on ``metrics`` (the headline first,
    then the same metric at other horizons), between ``mechanisms``."""

    compare: Parameters
    baseline: Parameters
    horizon_months: int
    seed: int
    mechanisms: tuple[str, ...]
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class ReplicationSplit:
    """One replication's verdict split: arrays over metrics, or mechanisms x metrics."""

    replication: int
    total: np.ndarray  # v(all on)
    unexplained: np.ndarray  # v(none on)
    shapley: np.ndarray  # each mechanism's step along this replication's order
    alone_off: np.ndarray  # v(all) - v(all but the mechanism); NaN past ALONE_OFF_REPLICATIONS
    runs: int  # simulations it took (the rest were reused: a switch never read)
    read: frozenset[str]  # the switches its runs read: the mechanisms that acted in it


class _Runs:
    """One arm's runs of one replication, each kept with the switches it read: a set of
    mechanisms that agrees with a kept run on every switch that run read gives the same run,
    so it is not run again (the baseline of a pitch question never reads most of them)."""

    def __init__(self, parameters: Parameters, question: Question, replication: int) -> None:
        self.parameters, self.question, self.replication = parameters, question, replication
        self._kept: list[tuple[frozenset[str], frozenset[str], np.ndarray]] = []
        self.runs = 0
        self.read: set[str] = set()  # every switch any of its runs read

    def values(self, on: frozenset[str]) -> np.ndarray:
        for read, on_read, values in self._kept:
            if on & read == on_read:
                return values
        question = self.question
        parameters = with_on(self.parameters, question.mechanisms, on)
        streams = Streams(replication_seed(question.seed, self.replication))
        days = question.horizon_months * DAYS_PER_MONTH
        model = run_model(parameters, days, streams, starting_point(parameters))
        summary = measure(model.log.as_array(), parameters, question.horizon_months).summary
        values = np.array([float(summary[m]) for m in question.metrics])
        read = frozenset(model.switches.read)
        self.read |= read
        self._kept.append((read, on & read, values))
        self.runs += 1
        return values


def split_replication(question: Question, replication: int) -> ReplicationSplit:
    """Walk this replication's order from all off to all on, and switch each mechanism off
    alone; a verdict is the compare arm less the baseline on the same random numbers."""
    mechanisms = question.mechanisms
    compare = _Runs(question.compare, question, replication)
    baseline = _Runs(question.baseline, question, replication)

    def verdict(on: frozenset[str]) -> np.ndarray:
        return compare.values(on) - baseline.values(on)

    everything = frozenset(mechanisms)
    shapley = np.zeros((len(mechanisms), len(question.metrics)))
    on: frozenset[str] = frozenset()
    for j in order_of(question.seed, replication, len(mechanisms)):
        before = verdict(on)
        on = on | {mechanisms[j]}
        shapley[j] = verdict(on) - before
    total = verdict(everything)
    alone_off = np.full_like(shapley, np.nan)
    if replication < ALONE_OFF_REPLICATIONS:
        alone_off = np.array([total - verdict(everything - {m}) for m in mechanisms])
    runs = compare.runs + baseline.runs
    read = frozenset(compare.read | baseline.read)
    unexplained = verdict(frozenset())
    return ReplicationSplit(replication, total, unexplained, shapley, alone_off, runs, read)


@dataclass(frozen=True)
class Estimate:
    mean: float
    low: float
    high: float

    @classmethod
    def of(cls, values: np.ndarray) -> Estimate:
        """The mean over whole antithetic pairs of replications and its interval from the
        pairs' means (pairs are independent, the replications within one are not)."""
        values = np.asarray(values, dtype=float)
        pairs = values[: values.size // 2 * 2].reshape(-1, 2).mean(axis=1)
        return cls(*mean_interval(pairs))

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


@dataclass
class Attribution:
    """The split over the replications run, by metric."""

    question: Question
    splits: list[ReplicationSplit] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def replications(self) -> int:
        return len(self.splits)

    def _stack(self, name: str) -> np.ndarray:
        return np.array([getattr(s, name) for s in self.splits])

    def total(self, metric: int = 0) -> Estimate:
        return Estimate.of(self._stack("total")[:, metric])

    def unexplained(self, metric: int = 0) -> Estimate:
        return Estimate.of(self._stack("unexplained")[:, metric])

    def shapley(self, mechanism: int, metric: int = 0) -> Estimate:
        return Estimate.of(self._stack("shapley")[:, mechanism, metric])

    def alone_off(self, mechanism: int, metric: int = 0) -> Estimate:
        values = self._stack("alone_off")[:ALONE_OFF_REPLICATIONS, mechanism, metric]
        return Estimate.of(values)

    def acted(self) -> tuple[str, ...]:
        """The mechanisms that acted in some replication (their switch was read), in order:
        one that never did has a share of exactly 0 (its cause is absent here)."""
        read = frozenset().union(*(s.read for s in self.splits))
        return tuple(m for m in self.question.mechanisms if m in read)

    def widest(self, metric: int = 0) -> float:
        """The widest half-width of a mechanism's share: the precision reached."""
        widths = [self.shapley(j, metric).half_width for j in range(len(self.question.mechanisms))]
        return max(widths, default=math.nan)

    def precise(self, precision: float) -> bool:
        """Every share's 95% half-width within ``precision`` of the verdict's size."""
        if self.replications < MIN_REPLICATIONS:
            return False
        return self.widest() <= precision * abs(self.total().mean)


def explain(
    question: Question,
    max_replications: int,
    precision: float,
    workers: int = 1,
    on_progress: Progress | None = None,
) -> Attribution:
    """Split the verdict, replication by replication, until every share is within
    ``precision`` of the verdict (checked every ``BLOCK`` replications, in order, so where it
    stops does not depend on the workers) or ``max_replications`` are done."""
    max_replications += max_replications % 2  # whole antithetic pairs
    started = time.perf_counter()
    attribution = Attribution(question)
    done: dict[int, ReplicationSplit] = {}
    submitted = 0
    limit = workers * IN_FLIGHT_PER_WORKER
    with open_backend("local", workers) as backend:
        pending: dict[object, int] = {}
        while not _finished(attribution, max_replications, precision):
            while submitted < max_replications and len(pending) < limit:
                pending[backend.submit(split_replication, question, submitted)] = submitted
                submitted += 1
            for future in backend.first_done(pending):
                done[pending.pop(future)] = future.result()  # type: ignore[attr-defined]
                if on_progress:
                    on_progress(1)
            while attribution.replications in done and not _finished(
                attribution, max_replications, precision
            ):
                attribution.splits.append(done.pop(attribution.replications))
        backend.cancel(pending)
    attribution.seconds = time.perf_counter() - started
    return attribution


def _finished(attribution: Attribution, max_replications: int, precision: float) -> bool:
    n = attribution.replications
    if n >= max_replications:
        return True
    return n > 0 and n % BLOCK == 0 and attribution.precise(precision)
