"""The simulated method of moments: find the knob settings whose simulated exports show the
export's statistics.

The search minimises the statistics' misses, each divided by its standard error (the export's
sampling error, from a bootstrap of its deals, and the simulation's own Monte Carlo error over
the replications), with ``scipy.optimize.least_squares`` (trust region, bounds, finite
differences under common random numbers). There are as many statistics as knobs, so at the
solution the misses are zero up to noise, and the knobs' covariance is the statistics' error
carried back through the Jacobian: ``J⁻¹ (Σ_export + Σ_sim / R) J⁻ᵀ`` (Gourieroux, Monfort &
Renault's indirect inference / McFadden's SMM, exactly identified).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import least_squares
from scipy.stats import norm

from simulator.calibrate.knobs import Knob, Tree, apply
from simulator.calibrate.moments import (
    STATISTICS,
    Statistic,
    Window,
    raw_covariance_scaled,
    raw_statistics,
    transformed,
)
from simulator.calibrate.retention_moments import RETENTION_STATISTICS
from simulator.calibrate.simulate import Simulator
from simulator.parameters import Parameters

CONFIDENCE = 0.95
DIFF_STEP = 0.05
"""Finite-difference step of the search, in knob coordinates (5% on a log factor)."""
START_INSIDE = 0.1
"""How far inside its lower bound a knob starts when the base sits on it."""
CLOSE_ENOUGH = 0.5
"""The search stops once every statistic is within this many standard errors of the export's:
closer is fitting the simulation's noise."""
UNCERTAINTY_STEP = 0.2
"""Half-span of the central differences the intervals use, in knob coordinates."""
TOLERANCE = 1e-3
"""The search stops when a step changes the knobs or the misses by less than this share."""
FLAT = 1e-9
"""A Jacobian column shorter than this: the knob moves no statistic."""
MISSING_STATISTIC_MISS = 10.0
"""Standard errors a statistic the simulation cannot produce (no wins at all) counts as."""
MIN_STANDARD_ERROR = 1e-3
"""Floor of a statistic's standard error on its comparison scale (0.1%)."""
SCOUT_SHARE = 0.5
"""The share of the tries a scout may take; the search has the rest."""
SETTLED = 2.0
"""A fit has settled when every statistic is within this many standard errors of the
export's; one further off is a miss the scenario records and every command warns of."""


@dataclass(frozen=True)
class Target:
    """The export's statistics on their comparison scales, with their sampling covariance;
    ``measure`` computes them of a history (an export's deals, or its customers) over the
    window, ``registry`` says what they are."""

    names: tuple[str, ...]
    observed: np.ndarray
    covariance: np.ndarray
    raw: dict[str, float]
    window: Window
    measure: Callable[[Any, Window], dict[str, float]] = raw_statistics
    registry: tuple[Statistic, ...] = STATISTICS
    pooled: bool = False
    """Whether the simulated statistic is the comparison scale of the mean raw value over
    histories (for statistics a history can show as 0: shares of a few churns), rather than
    the mean of each history's comparison scale."""

    def of(self, history: Any) -> dict[str, float]:
        """The statistics of one history (raw scales)."""
        return self.measure(history, self.window)

    def scaled(self, raw: dict[str, float]) -> np.ndarray:
        return transformed(raw, self.names, self.registry)


@dataclass(frozen=True)
class Solution:
    """Where the search ended: knob coordinates, their covariance, and the simulated exports."""

    knobs: tuple[Knob, ...]
    x: np.ndarray
    covariance: np.ndarray
    tree: Tree
    simulated: list[Any]  # one history per replication: an export's deals, or its customers
    simulated_raw: dict[str, float]
    misses: np.ndarray  # per statistic, in standard errors
    evaluations: int
    converged: bool
    start: np.ndarray  # where the search started
    searched: int  # parameter sets the search ran (the intervals' own come after)

    @property
    def moved(self) -> np.ndarray:
        """Per knob: the search moved it, or settled with it where it started (the export
        agrees with the start); False for a knob left at its start by a search that stopped
        at its limit of tries: nothing was learnt about it."""
        return self.converged | (np.abs(self.x - self.start) > 0)

    def interval(self, index: int) -> tuple[float, float]:
        """The 95% interval of knob ``index``'s coordinate (inside its bounds)."""
        z = norm.ppf(0.5 + CONFIDENCE / 2)
        se = math.sqrt(max(self.covariance[index, index], 0.0))  # inf: not identified
        low, high = self.knobs[index].bounds
        x = self.x[index]
        return max(low, x - z * se), min(high, x + z * se)


def _mean_statistics(
    simulated: list[Any], target: Target
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Mean of each statistic over replications (comparison scale), its variance across them,
    and the mean raw values."""
    names = target.names
    raws = [target.of(history) for history in simulated]
    with warnings.catch_warnings():  # a statistic no replication shows is NaN, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        raw_mean = {n: float(np.nanmean([r[n] for r in raws])) for n in names}
        if target.pooled:
            mean = target.scaled(raw_mean)
            covariance = raw_covariance_scaled(raws, raw_mean, names, target.registry)
            variance = np.diag(covariance) if len(raws) > 1 else np.zeros(len(names))
            return mean, variance, raw_mean
        values = np.array([target.scaled(raw) for raw in raws])
        mean = np.nanmean(values, axis=0)
        variance = np.nanvar(values, axis=0, ddof=1) if len(raws) > 1 else np.zeros(len(names))
    return mean, variance, raw_mean


def solve(
    base: Tree,
    knobs: tuple[Knob, ...],
    target: Target,
    simulator: Simulator,
    max_evaluations: int = 60,
    history_replications: int = 20,
    on_evaluation: Callable[[int, float], None] | None = None,
    scout: tuple[float, ...] = (),
) -> Solution:
    """Search the knobs (starting at the base, 0) for the statistics of ``target``.

    ``scout``: steps first tried along each knob alone, keeping the best (one pass, knob by
    knob, the one whose statistic misses most first, within ``SCOUT_SHARE`` of the tries),
    for statistics that do not move at all near the start (a share of churns that needs
    health to fall past a threshold): the trust region's differences would see a flat
    surface there and never leave it."""
    names = target.names
    observed_var = np.diag(target.covariance)
    runs: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, dict[str, float], list]] = {}

    def simulate(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, float], list]:
        key = tuple(np.round(x, 12))
        if key not in runs:
            parameters = Parameters.model_validate(apply(base, knobs, x))
            simulated = simulator.run(parameters)
            runs[key] = (*_mean_statistics(simulated, target), simulated)
        return runs[key]

    # strictly inside the bounds: the trust region does not move off a bound it starts on
    start = np.array([min(max(k.bounds[0] + START_INSIDE, 0.0), k.bounds[1]) for k in knobs])
    _, sim_var0, _, _ = simulate(start)
    sim_var0 = np.nan_to_num(sim_var0, nan=0.0)
    scale = np.sqrt(observed_var + sim_var0 / simulator.replications)
    scale = np.maximum(np.nan_to_num(scale, nan=MIN_STANDARD_ERROR), MIN_STANDARD_ERROR)

    def misses(x: np.ndarray) -> np.ndarray:
        before = len(runs)
        mean, _, _, _ = simulate(x)
        miss = (mean - target.observed) / scale
        miss = np.where(np.isfinite(miss), miss, MISSING_STATISTIC_MISS)
        if on_evaluation is not None and len(runs) > before:  # a new try, not one seen
            on_evaluation(len(runs), float(np.sum(miss**2)))
        return miss

    def close_enough(x: np.ndarray) -> np.ndarray:
        miss = misses(x)
        if np.abs(miss).max() < CLOSE_ENOUGH:
            raise _CloseEnough(x.copy())
        return miss

    try:
        begin = start.copy()
        worst_first = np.argsort(-np.abs(close_enough(begin))) if scout else []
        for index in (int(i) for i in worst_first):
            knob = knobs[index]
            best, at = float(np.sum(close_enough(begin) ** 2)), begin[index]
            for step in scout:
                if len(runs) >= max_evaluations * SCOUT_SHARE:  # the rest is the search's
                    break
                trial = begin.copy()
                trial[index] = min(max(start[index] + step, knob.bounds[0]), knob.bounds[1])
                cost = float(np.sum(close_enough(trial) ** 2))
                if cost < best:
                    best, at = cost, trial[index]
            begin[index] = at
        left = max_evaluations - (len(runs) if scout else 0)
        result = least_squares(
            close_enough,
            begin,
            jac=lambda x: _jacobian(misses, x, knobs),
            bounds=(
                np.array([k.bounds[0] for k in knobs]),
                np.array([k.bounds[1] for k in knobs]),
            ),
            max_nfev=max(1, left // (len(knobs) + 1)),  # a step costs a Jacobian
            x_scale=1.0,
            ftol=TOLERANCE,
            xtol=TOLERANCE,
            gtol=TOLERANCE,
        )
        x, converged = result.x, bool(result.success)
    except _CloseEnough as close:
        x, converged = close.x, True
    searched = len(runs)
    mean, _, raw_mean, simulated = simulate(x)
    jacobian = _central_jacobian(lambda z: simulate(z)[0], x, knobs)
    more = range(simulator.replications, simulator.replications + history_replications)
    histories = simulated + simulator.run(Parameters.model_validate(apply(base, knobs, x)), more)
    error = _history_covariance(histories, target, names) * (1 + 1 / simulator.replications)
    covariance = _carried_back(jacobian, error)
    return Solution(
        knobs=knobs,
        x=x,
        covariance=covariance,
        tree=apply(base, knobs, x),
        simulated=simulated,
        simulated_raw=raw_mean,
        misses=(mean - target.observed) / scale,
        evaluations=len(runs),
        converged=converged,
        start=start,
        searched=searched,
    )


class _CloseEnough(Exception):  # noqa: N818 (a signal to stop, not an error)
    """Every statistic is matched to within ``CLOSE_ENOUGH`` standard errors: stop there."""

    def __init__(self, x: np.ndarray) -> None:
        super().__init__()
        self.x = x


def _jacobian(
    statistics: Callable[[np.ndarray], np.ndarray], x: np.ndarray, knobs: tuple[Knob, ...]
) -> np.ndarray:
    """Forward differences of ``statistics`` at ``x``, a step of ``DIFF_STEP`` into the bounds
    (scipy's own steps are relative to ``x``, which is 0 at the start: far too small to see
    through common random numbers, whose statistics move in small jumps)."""
    at_x = statistics(x)
    columns = []
    for index, knob in enumerate(knobs):
        step = DIFF_STEP if x[index] + DIFF_STEP <= knob.bounds[1] else -DIFF_STEP
        moved = x.copy()
        moved[index] += step
        columns.append((statistics(moved) - at_x) / step)
    return np.nan_to_num(np.column_stack(columns))


def _central_jacobian(
    statistics: Callable[[np.ndarray], np.ndarray], x: np.ndarray, knobs: tuple[Knob, ...]
) -> np.ndarray:
    """Central differences of ``statistics`` at ``x`` over ``UNCERTAINTY_STEP`` each way
    (inside the bounds): the slope the intervals use, over a span wide enough that common
    random numbers show it."""
    columns = []
    for index, knob in enumerate(knobs):
        low = max(knob.bounds[0], x[index] - UNCERTAINTY_STEP)
        high = min(knob.bounds[1], x[index] + UNCERTAINTY_STEP)
        below, above = x.copy(), x.copy()
        below[index], above[index] = low, high
        columns.append((statistics(above) - statistics(below)) / (high - low))
    return np.nan_to_num(np.column_stack(columns))


def _history_covariance(histories: list[Any], target: Target, names: tuple[str, ...]) -> np.ndarray:
    """How much the statistics vary from one company history to another at the fitted
    inputs: the export is one such history, so this is its sampling error (a bootstrap of its
    deals would treat them as independent and miss what a whole history shares: its hunters'
    skills, its market, its luck with the brand)."""
    if target.pooled:
        raws = [target.of(history) for history in histories]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            at = {n: float(np.nanmean([r[n] for r in raws])) for n in names}
        return raw_covariance_scaled(raws, at, names, target.registry)
    values = np.array([target.scaled(target.of(history)) for history in histories])
    values = values[np.isfinite(values).all(axis=1)]
    if values.shape[0] < 2:
        return np.full((len(names), len(names)), np.inf)
    return np.atleast_2d(np.cov(values, rowvar=False))


def _carried_back(jacobian: np.ndarray, error: np.ndarray) -> np.ndarray:
    """The knobs' covariance ``J⁻¹ Σ J⁻ᵀ``; a knob the statistics do not move (a zero
    column: nothing in the export pins it down) gets an infinite variance."""
    k = jacobian.shape[1]
    flat = np.linalg.norm(jacobian, axis=0) < FLAT
    covariance = np.full((k, k), np.inf)
    moving = ~flat
    if moving.any():
        inverse = np.linalg.pinv(jacobian[:, moving])
        with np.errstate(invalid="ignore"):  # an error the histories could not size: no interval
            covariance[np.ix_(moving, moving)] = inverse @ error @ inverse.T
    return covariance


def statistic_of(name: str) -> Statistic:
    """A statistic a calibration matches, of an opportunity export or a subscription export."""
    for statistic in (*STATISTICS, *RETENTION_STATISTICS):
        if statistic.name == name:
            return statistic
    raise KeyError(name)


def statistic_label(name: str) -> tuple[str, str]:
    """(label, unit) of a statistic."""
    statistic = statistic_of(name)
    return statistic.label, statistic.unit
