"""The simulated method of moments: find the knob settings whose simulated exports show the
export's statistics.

The search minimises the statistics' misses, each divided by its standard error (the export's
sampling error, from a bootstrap of its deals, and the simulation's own Monte Carlo error over
the replications), by Levenberg-Marquardt steps under common random numbers: a first step
moves the knobs whose statistic follows them in proportion (leads, cycle, deal size, the dark
deals) straight to the export's value; then one finite-difference Jacobian serves step after
step, corrected by each try (Broyden's update: each step costs one parameter set, not one per
knob), measured again after two failed steps in a row. The search runs in a smaller world
with the same statistics (``smaller.py``) and finishes in the whole company. There are as
many statistics as knobs, so at the solution the misses are zero up to noise, and the knobs'
covariance is the statistics' error carried back through the Jacobian:
``J⁻¹ (Σ_export + Σ_sim / R) J⁻ᵀ`` (Gourieroux, Monfort & Renault's indirect inference / McFadden's
SMM, exactly identified).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm

from simulator.calibrate.moments import (
    STATISTICS,
    Statistic,
    Window,
    raw_covariance_scaled,
    raw_statistics,
    transformed,
)
from simulator.calibrate.retention_moments import RETENTION_STATISTICS
from simulator.calibrate.search import FLAT, chord, differences, direct_step
from simulator.calibrate.simulate import Simulator
from simulator.calibrate.smaller import scaled_back
from simulator.parameters import Parameters
from simulator.parameters.knobs import Knob, Tree, apply

CONFIDENCE = 0.95
START_INSIDE = 0.1
"""How far inside its lower bound a knob starts when the base sits on it."""
CLOSE_ENOUGH = 0.5
"""The search stops once every statistic is within this many standard errors of the export's:
closer is fitting the simulation's noise."""
UNCERTAINTY_STEP = 0.2
"""Span of the differences the intervals use, in knob coordinates."""
MISSING_STATISTIC_MISS = 10.0
"""Standard errors a statistic the simulation cannot produce (no wins at all) counts as."""
MIN_STANDARD_ERROR = 1e-3
"""Floor of a statistic's standard error on its comparison scale (0.1%)."""
SCOUT_SHARE = 0.5
"""The share of the tries a scout may take; the search has the rest."""
WHOLE_TRIES = 4
"""Parameter sets a search in a smaller world may run in the whole company after it (the first
measures where the search ended, the rest are steps on the smaller world's Jacobian): what the
smaller world gets wrong (a team of fewer hunters leaves leads waiting longer) is made up
there."""
ROBUST_SCALE = 2.0
"""Misses (standard errors) beyond which the search weighs a statistic by its size, not by its
square (a soft L1 loss): a statistic no setting can reach (the export's open deals older than
any steady company keeps) pulls the others off the export by about a standard error, not by
its whole miss."""
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
    factor: float = 1.0
    """How many times smaller than the export's company the search's world is
    (``smaller.py``): its statistics are scaled back to the whole company's."""
    pooled: bool = False
    """Whether the simulated statistic is the comparison scale of the mean raw value over
    histories (for statistics a history can show as 0: shares of a few churns), rather than
    the mean of each history's comparison scale."""

    def of(self, history: Any) -> dict[str, float]:
        """The statistics of one history of the whole company (raw scales)."""
        return self.measure(history, self.window)

    def of_search(self, history: Any) -> dict[str, float]:
        """The statistics of one history of the search's (smaller) world, scaled back."""
        return scaled_back(self.of(history), self.factor)

    def scaled(self, raw: dict[str, float]) -> np.ndarray:
        return transformed(raw, self.names, self.registry)


@dataclass(frozen=True)
class Solution:
    """Where the search ended: knob coordinates, their covariance, and the simulated exports."""

    knobs: tuple[Knob, ...]
    x: np.ndarray
    covariance: np.ndarray
    simulated: list[Any]  # histories of the whole company at the fit: exports' deals, customers
    simulated_raw: dict[str, float]  # their mean statistics
    misses: np.ndarray  # per statistic, in standard errors, of those histories
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

    def pinned(self, index: int) -> bool:
        """The 95% interval of knob ``index`` lies inside its bounds: the export pins it down
        (one that reaches a bound says the export cannot tell)."""
        z = norm.ppf(0.5 + CONFIDENCE / 2)
        se = math.sqrt(max(self.covariance[index, index], 0.0))
        low, high = self.knobs[index].bounds
        return low < self.x[index] - z * se and self.x[index] + z * se < high

    def interval(self, index: int) -> tuple[float, float]:
        """The 95% interval of knob ``index``'s coordinate (inside its bounds)."""
        z = norm.ppf(0.5 + CONFIDENCE / 2)
        se = math.sqrt(max(self.covariance[index, index], 0.0))  # inf: not identified
        low, high = self.knobs[index].bounds
        x = self.x[index]
        return max(low, x - z * se), min(high, x + z * se)


def _mean_statistics(
    raws: list[dict[str, float]], target: Target
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Mean of each statistic over replications' statistics ``raws`` (comparison scale), its
    variance across them, and the mean raw values."""
    names = target.names
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


class _World:
    """A company the search runs: its parameter tree, how a history's statistics are read,
    and the parameter sets run so far (each on the same replications: common random
    numbers)."""

    def __init__(
        self,
        base: Tree,
        knobs: tuple[Knob, ...],
        simulator: Simulator,
        target: Target,
        of: Callable[[Any], dict[str, float]],
    ) -> None:
        self.base, self.knobs, self.simulator, self.target, self.of = (
            base, knobs, simulator, target, of,
        )  # fmt: skip
        self.runs: dict[tuple[float, ...], tuple[np.ndarray, np.ndarray, dict, list]] = {}

    def simulate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, float], list]:
        """Mean statistics at ``x`` (comparison scale), their variance over the replications,
        the mean raw values, and the histories."""
        key = tuple(np.round(x, 12))
        if key not in self.runs:
            parameters = Parameters.model_validate(apply(self.base, self.knobs, x))
            simulated = self.simulator.run(parameters)
            raws = [self.of(history) for history in simulated]
            self.runs[key] = (*_mean_statistics(raws, self.target), simulated)
        return self.runs[key]

    @property
    def count(self) -> int:
        return len(self.runs)


def solve(
    base: Tree,
    knobs: tuple[Knob, ...],
    target: Target,
    simulator: Simulator,
    max_evaluations: int = 100,
    history_replications: int = 20,
    on_evaluation: Callable[[int, float], None] | None = None,
    scout: tuple[float, ...] = (),
    whole: Tree | None = None,
) -> Solution:
    """Search the knobs (starting at the base, 0) for the statistics of ``target`` in the world
    of ``base``; when that is a smaller world than the company (``whole``, see ``smaller.py``),
    finish with up to ``WHOLE_TRIES`` steps in the company itself on the smaller world's
    Jacobian. Then run ``history_replications`` of the company at the fit: the misses it
    reports, and the history-to-history error behind the intervals.

    ``scout``: steps first tried along each knob alone, keeping the best (one pass, knob by
    knob, the one whose statistic misses most first, within ``SCOUT_SHARE`` of the tries),
    for statistics that do not move at all near the start (a share of churns that needs
    health to fall past a threshold): differences near the start would see a flat surface
    there and never leave it."""
    names = target.names
    observed_var = np.diag(target.covariance)
    search = _World(base, knobs, simulator, target, target.of_search)
    company = search if whole is None else _World(whole, knobs, simulator, target, target.of)

    # strictly inside the bounds: a step from a bound moves off it one way only
    start = np.array([min(max(k.bounds[0] + START_INSIDE, 0.0), k.bounds[1]) for k in knobs])
    scale = _standard_errors(observed_var, search.simulate(start)[1], simulator.replications)
    tries = 1
    if on_evaluation is not None:
        on_evaluation(
            tries, float(np.nansum(((search.simulate(start)[0] - target.observed) / scale) ** 2))
        )

    def _misses(world: _World, x: np.ndarray) -> np.ndarray:
        miss = (world.simulate(x)[0] - target.observed) / scale
        return np.where(np.isfinite(miss), miss, MISSING_STATISTIC_MISS)

    def close_enough_in(world: _World) -> Callable[[np.ndarray], np.ndarray]:
        def close_enough(x: np.ndarray) -> np.ndarray:
            nonlocal tries
            before = world.count
            miss = _misses(world, x)
            if world.count > before:  # a new try, not one seen
                tries += 1
                if on_evaluation is not None:
                    on_evaluation(tries, float(np.sum(miss**2)))
            if np.abs(miss).max() < CLOSE_ENOUGH:
                raise _CloseEnough(x.copy())
            return miss

        return close_enough

    close_enough = close_enough_in(search)

    def robust_in(world: _World) -> Callable[[np.ndarray], np.ndarray]:
        raw = close_enough_in(world)
        return lambda x: robust_misses(raw(x))

    robust = robust_in(search)
    budget = max_evaluations - (WHOLE_TRIES if company is not search else 0)
    jacobian = None
    try:
        begin = start.copy()
        worst_first = np.argsort(-np.abs(close_enough(begin))) if scout else []
        for index in (int(i) for i in worst_first):
            knob = knobs[index]
            best, at = float(np.sum(robust(begin) ** 2)), begin[index]
            for step in scout:
                if tries >= max_evaluations * SCOUT_SHARE:  # the rest is the search's
                    break
                trial = begin.copy()
                trial[index] = min(max(start[index] + step, knob.bounds[0]), knob.bounds[1])
                cost = float(np.sum(robust(trial) ** 2))
                if cost < best:
                    best, at = cost, trial[index]
            begin[index] = at
        x, converged = begin, False
        if tries < budget:
            begin = direct_step(close_enough, begin, knobs, scale)
            x, converged, jacobian = chord(robust, begin, knobs, lambda: tries, budget)
    except _CloseEnough as close:
        x, converged = close.x, True
    if company is not search and tries < max_evaluations:
        if jacobian is None:
            jacobian = differences(lambda z: robust_misses(_misses(search, z)), x, knobs)
        try:
            x, _, _ = chord(robust_in(company), x, knobs, lambda: tries,
                             min(max_evaluations, tries + WHOLE_TRIES), jacobian,
                             refresh=False)  # fmt: skip
        except _CloseEnough as close:
            x = close.x
    searched = tries
    slopes = differences(lambda z: search.simulate(z)[0], x, knobs, UNCERTAINTY_STEP)
    reused = company.simulate(x)[3] if company.count else []
    more = range(len(reused), max(history_replications, len(reused)))
    parameters = Parameters.model_validate(apply(company.base, knobs, x))
    histories = reused + simulator.run(parameters, more)
    raws = [target.of(history) for history in histories]
    mean, variance, raw_mean = _mean_statistics(raws, target)
    final_scale = _standard_errors(observed_var, variance, len(histories))
    # the export is one history of the company; the slopes' means carry the search's own
    # Monte Carlo error, a smaller world's larger by its factor
    error = _history_covariance(raws, target, names)
    error = error * (1 + target.factor / simulator.replications)
    return Solution(
        knobs=knobs,
        x=x,
        covariance=_carried_back(slopes, error),
        simulated=histories,
        simulated_raw=raw_mean,
        misses=(mean - target.observed) / final_scale,
        evaluations=search.count + (company.count if company is not search else 0),
        converged=converged,
        start=start,
        searched=searched,
    )


def robust_misses(miss: np.ndarray) -> np.ndarray:
    """Misses whose squares add up to a soft L1 loss, ``2 c^2 (sqrt(1 + (miss / c)^2) - 1)``:
    the miss itself near 0; beyond ``ROBUST_SCALE`` (c) its square grows as its size, so a
    statistic far out of reach pulls no harder than one a few standard errors off. (A loss
    whose pull fades, Cauchy's, let the search give up on statistics it could have matched.)"""
    c = ROBUST_SCALE
    return np.sign(miss) * c * np.sqrt(2.0 * (np.sqrt(1.0 + (miss / c) ** 2) - 1.0))


def _standard_errors(observed_var: np.ndarray, simulated_var: np.ndarray, n: int) -> np.ndarray:
    """Each statistic's standard error of a miss: the export's sampling variance with the mean
    of ``n`` simulated histories' (a statistic no history shows adds none), at least
    ``MIN_STANDARD_ERROR``."""
    scale = np.sqrt(observed_var + np.nan_to_num(simulated_var, nan=0.0) / n)
    return np.maximum(np.nan_to_num(scale, nan=MIN_STANDARD_ERROR), MIN_STANDARD_ERROR)


class _CloseEnough(Exception):  # noqa: N818 (a signal to stop, not an error)
    """Every statistic is matched to within ``CLOSE_ENOUGH`` standard errors: stop there."""

    def __init__(self, x: np.ndarray) -> None:
        super().__init__()
        self.x = x


def _history_covariance(
    raws: list[dict[str, float]], target: Target, names: tuple[str, ...]
) -> np.ndarray:
    """How much the statistics vary from one company history to another at the fitted
    inputs: the export is one such history, so this is its sampling error (a bootstrap of its
    deals would treat them as independent and miss what a whole history shares: its hunters'
    skills, its market, its luck with the brand)."""
    if target.pooled:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            at = {n: float(np.nanmean([r[n] for r in raws])) for n in names}
        return raw_covariance_scaled(raws, at, names, target.registry)
    values = np.array([target.scaled(raw) for raw in raws])
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
