"""Global sensitivity: which inputs move a metric most, over the whole of their ranges at once.

Morris elementary effects (the default, cheap: ``samples x (inputs + 1)`` settings) rank the
inputs by mu* — the mean absolute change of the metric when one input steps across its range,
the others anywhere in theirs; mu says in which direction, sigma how much the effect depends on
the others (interactions, curvature). SALib computes the effects per unit of the scaled range,
so mu* is in the metric's own unit per full swing of the input: comparable across inputs of any
unit, as a tornado chart needs. Sobol indices (``--method sobol``, ``samples x (inputs + 2)``
settings) give the share of the metric's variance each input explains: first order S1 and
total ST, interactions included.

Pure: ``evaluate`` maps a matrix of settings (one row per setting, one column per input) to the
metric at each, so the method is tested on toy functions with known effects.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

METHODS = ("morris", "sobol")
MORRIS_LEVELS = 4  # grid levels per input: Morris (1991) and Campolongo et al. (2007) use 4
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Factor:
    """An input varied across ``[low, high]``; a whole-number input is rounded."""

    path: str
    low: float
    high: float
    integer: bool = False


@dataclass(frozen=True)
class Driver:
    """One input's importance. Morris: ``importance`` is mu* (metric units per swing across the
    range), ``signed`` mu and ``spread`` sigma. Sobol: ``importance`` is ST, ``signed`` S1 and
    ``spread`` the half-width of S1's interval. ``importance_conf``: the half-width of the
    importance's 95% bootstrap interval."""

    path: str
    low: float
    high: float
    rank: int
    importance: float
    importance_conf: float
    signed: float
    spread: float

    def to_json(self) -> dict:
        return {k: _finite(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Sensitivity:
    """The ranked inputs, and every setting tried with the metric there."""

    method: str
    drivers: list[Driver]  # most important first
    settings: np.ndarray  # settings x inputs, whole-number inputs rounded
    outputs: np.ndarray  # the metric at each setting
    samples: int  # Morris trajectories, or Sobol base samples


def problem(factors: Sequence[Factor]) -> dict:
    """The SALib problem of ``factors``."""
    return {
        "num_vars": len(factors),
        "names": [f.path for f in factors],
        "bounds": [[f.low, f.high] for f in factors],
    }


def sobol_samples(samples: int) -> int:
    """Sobol sequences are balanced at powers of two: the least one at or above ``samples``."""
    return 1 << max(1, math.ceil(math.log2(max(2, samples))))


def design_size(method: str, inputs: int, samples: int) -> int:
    """How many settings a design of ``inputs`` inputs has."""
    if method == "sobol":
        return sobol_samples(samples) * (inputs + 2)
    return samples * (inputs + 1)


def design(factors: Sequence[Factor], method: str, samples: int, seed: int) -> np.ndarray:
    """The settings to evaluate (unrounded): Morris trajectories or a Sobol (Saltelli) design."""
    if method not in METHODS:
        raise ValueError(f"--method {method!r}: allowed: {', '.join(METHODS)}")
    if len(factors) < 2:
        raise ValueError("a sensitivity study needs at least two inputs to rank")
    if method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(problem(factors), samples, num_levels=MORRIS_LEVELS, seed=seed)
    from SALib.sample import sobol as sobol_sample

    return sobol_sample.sample(
        problem(factors), sobol_samples(samples), calc_second_order=False, seed=seed
    )


def rounded(factors: Sequence[Factor], settings: np.ndarray) -> np.ndarray:
    """Settings as the model takes them: whole-number inputs rounded."""
    out = np.array(settings, dtype=float)
    for column, factor in enumerate(factors):
        if factor.integer:
            out[:, column] = np.round(out[:, column])
    return out


def analyse(
    factors: Sequence[Factor], method: str, settings: np.ndarray, outputs: np.ndarray, seed: int
) -> list[Driver]:
    """The inputs ranked by importance, from the design's settings and the metric at each.
    Undefined outputs (NaN) are replaced by the mean of the others: the analysis needs every
    point of the design."""
    outputs = np.asarray(outputs, dtype=float)
    finite = np.isfinite(outputs)
    if not finite.any():
        raise ValueError("the metric is undefined at every setting")
    outputs = np.where(finite, outputs, outputs[finite].mean())
    spec = problem(factors)
    if method == "morris":
        from SALib.analyze import morris as morris_analyse

        found = morris_analyse.analyze(
            spec, settings, outputs, num_levels=MORRIS_LEVELS, conf_level=CONFIDENCE, seed=seed
        )
        columns = (found["mu_star"], found["mu_star_conf"], found["mu"], found["sigma"])
    else:
        from SALib.analyze import sobol as sobol_analyse

        if np.var(outputs) == 0:
            zero = np.zeros(len(factors))
            columns = (zero, zero, zero, zero)
        else:
            found = sobol_analyse.analyze(
                spec, outputs, calc_second_order=False, conf_level=CONFIDENCE, seed=seed
            )
            columns = (found["ST"], found["ST_conf"], found["S1"], found["S1_conf"])
    importance = np.asarray(columns[0], dtype=float)
    order = np.argsort(-np.nan_to_num(importance, nan=-np.inf), kind="stable")
    drivers = []
    for rank, index in enumerate(order, start=1):
        factor = factors[index]
        drivers.append(
            Driver(
                factor.path,
                factor.low,
                factor.high,
                rank,
                *(float(np.asarray(c, dtype=float)[index]) for c in columns),
            )
        )
    return drivers


def sensitivity(
    evaluate: Callable[[np.ndarray], np.ndarray],
    factors: Sequence[Factor],
    method: str = "morris",
    samples: int = 10,
    seed: int = 1,
) -> Sensitivity:
    """Design, evaluate and rank: the whole study on any ``evaluate``."""
    raw = design(factors, method, samples, seed)
    settings = rounded(factors, raw)
    outputs = np.asarray(evaluate(settings), dtype=float)
    if outputs.shape != (len(settings),):
        raise ValueError(f"evaluate gave {outputs.shape} values for {len(settings)} settings")
    drivers = analyse(factors, method, raw, outputs, seed)
    used = sobol_samples(samples) if method == "sobol" else samples
    return Sensitivity(method, drivers, settings, outputs, used)


def sign_share(outputs: np.ndarray, nominal: float) -> float:
    """Share of the settings whose value has the sign of ``nominal`` (a difference at the
    scenario's own values): in how much of the ranges the verdict keeps its sign. NaN values
    count as not keeping it."""
    outputs = np.asarray(outputs, dtype=float)
    if not outputs.size or not math.isfinite(nominal):
        return math.nan
    return float(np.mean(np.sign(outputs) == np.sign(nominal)))


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
