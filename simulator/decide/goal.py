"""Goal seek: the least (or the most) of a decision input that meets a target with a given
probability, with the uncertainty of that answer.

At a setting ``x`` the replications give the share that meet the target (``arr_end >= 15M``),
with its 95% Wilson interval. The answer is the smallest ``x`` whose share reaches the asked
probability; its interval runs from the smallest ``x`` whose share *could* reach it (the
interval's top does) to the smallest whose share surely does (the interval's bottom does): below
the interval the target is missed too often even allowing for sampling error, from its top on it
is met often enough even so. Whole-number inputs are searched by bisection, continuous ones by
``scipy.optimize.brentq`` on the sign of (share - probability); both assume more of the input
helps (with ``largest``, that more hurts), and every setting runs on the same replications
(common random numbers), which keeps the share monotone in practice.

Pure: ``evaluate(x)`` gives the metric per replication at ``x``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from scipy import optimize, stats

from simulator.decide.values import Target

CONFIDENCE = 0.95
RELATIVE_TOLERANCE = 0.01  # a continuous answer to 1% of the searched range, unless told


@dataclass(frozen=True)
class Probe:
    """One setting tried: the share of replications meeting the target, with its interval."""

    x: float
    met: int
    n: int
    share: float
    low: float
    high: float
    mean: float  # the metric's mean, for the page

    def to_json(self) -> dict:
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


@dataclass(frozen=True)
class Goal:
    """The answer: ``value`` (None when the range holds none), its interval (an end is None
    where the range holds no setting that surely meets the target, or none that could), whether
    the answer is the range's own start (the true one may lie beyond: widen the range), and
    every setting tried."""

    value: float | None
    low: float | None
    high: float | None
    probability: float
    largest: bool
    at_edge: bool
    probes: list[Probe]

    @property
    def reachable(self) -> bool:
        return self.value is not None

    def to_json(self) -> dict:
        return {
            "value": self.value,
            "interval": [self.low, self.high],
            "probability": self.probability,
            "largest": self.largest,
            "at_edge": self.at_edge,
            "reachable": self.reachable,
            "probes": [p.to_json() for p in sorted(self.probes, key=lambda p: p.x)],
        }


def share_interval(met: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson interval of a share of ``met`` out of ``n``."""
    if n == 0:
        return math.nan, math.nan
    ci = stats.binomtest(met, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def first_true(predicate: Callable[[int], bool], low: int, high: int) -> int | None:
    """The smallest whole number in [low, high] where a predicate that turns true once (and
    stays true) holds; None when it does not hold at ``high``."""
    if not predicate(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if predicate(middle):
            high = middle
        else:
            low = middle + 1
    return low


def first_true_continuous(
    predicate: Callable[[float], bool], low: float, high: float, tolerance: float
) -> float | None:
    """The point in [low, high], to ``tolerance``, where such a predicate turns true (the
    least point tried where it holds); None when it does not hold at ``high``."""
    if not predicate(high):
        return None
    if predicate(low):
        return low
    tried: list[float] = []

    def sign(x: float) -> float:
        holds = predicate(x)
        if holds:
            tried.append(x)
        return 1.0 if holds else -1.0

    optimize.brentq(sign, low, high, xtol=tolerance)
    return min([high, *tried])


def seek(
    evaluate: Callable[[float], np.ndarray],
    target: Target,
    probability: float,
    low: float,
    high: float,
    integer: bool,
    largest: bool = False,
    tolerance: float | None = None,
) -> Goal:
    """The least ``x`` in [low, high] meeting ``target`` with ``probability`` (the most, with
    ``largest``), with its interval; see the module docstring."""
    if not 0 < probability < 1:
        raise ValueError(f"--probability {probability}: allowed: between 0 and 1")
    if not low < high:
        raise ValueError(f"the search range [{low:g}, {high:g}] must go from low to high")
    probes: dict[float, Probe] = {}

    def probe(x: float) -> Probe:
        x = float(round(x)) if integer else float(x)
        if x not in probes:
            values = np.asarray(evaluate(x), dtype=float)
            met = int(np.count_nonzero(target.met(values)))
            share_low, share_high = share_interval(met, values.size)
            finite = values[np.isfinite(values)]
            mean = float(finite.mean()) if finite.size else math.nan
            probes[x] = Probe(x, met, values.size, met / values.size, share_low, share_high, mean)
        return probes[x]

    # Searching for the largest is searching for the smallest of -x.
    def at(u: float) -> Probe:
        return probe(-u if largest else u)

    lo, hi = (-high, -low) if largest else (low, high)
    rules = {
        "value": lambda u: at(u).share >= probability,
        "could": lambda u: at(u).high >= probability,
        "surely": lambda u: at(u).low >= probability,
    }
    found: dict[str, float | None] = {}
    for name, rule in rules.items():
        if integer:
            found[name] = first_true(rule, math.ceil(lo), math.floor(hi))
        else:
            step = tolerance or RELATIVE_TOLERANCE * (hi - lo)
            found[name] = first_true_continuous(rule, lo, hi, step)

    def back(u: float | None) -> float | None:
        return None if u is None else float(-u if largest else u)

    value, could, surely = back(found["value"]), back(found["could"]), back(found["surely"])
    ends = (could, surely) if not largest else (surely, could)
    edge = value is not None and value == (low if not largest else high)
    return Goal(value, ends[0], ends[1], probability, largest, edge, list(probes.values()))
