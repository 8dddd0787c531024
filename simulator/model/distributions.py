"""Small distributions that check their parameters and know their mean and variance.

Each is parameterised the way a scenario states it (a mean and a coefficient of variation) and
takes the generator as an argument, never a global one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np


def _check(mean: float, cv: float) -> None:
    if not mean > 0:
        raise ValueError(f"mean must be > 0, got {mean}")
    if not cv >= 0:
        raise ValueError(f"coefficient of variation must be >= 0, got {cv}")


@dataclass(frozen=True)
class LogNormal:
    """Positive durations with a given mean and coefficient of variation."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _check(self.mean, self.cv)

    @cached_property
    def sigma(self) -> float:
        return math.sqrt(math.log1p(self.cv * self.cv))

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def from_normal(self, z: float) -> float:
        """The draw for a standard-normal variate ``z`` (lets callers pre-draw normals)."""
        sigma = self.sigma
        return self.mean * math.exp(sigma * z - 0.5 * sigma * sigma)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma = self.sigma
        return rng.lognormal(math.log(self.mean) - 0.5 * sigma * sigma, sigma, size)


@dataclass(frozen=True)
class Gamma:
    """Gamma with a given mean and coefficient of variation: cv 1 is exponential, 0 constant."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _check(self.mean, self.cv)

    @property
    def variance(self) -> float:
        return (self.mean * self.cv) ** 2

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.cv == 0:
            return np.full(size, self.mean)
        shape = 1.0 / (self.cv * self.cv)
        return rng.gamma(shape, self.mean / shape, size)


@dataclass(frozen=True)
class Exponential:
    """Exponential waiting times with a given mean."""

    mean: float

    def __post_init__(self) -> None:
        _check(self.mean, 0.0)

    @property
    def variance(self) -> float:
        return self.mean * self.mean

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)


def binomial_from_uniform(n: int, p: float, u: float) -> int:
    """Inverse-CDF binomial draw from one uniform (keeps a pre-drawn slot per decision)."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    q = 1.0 - p
    pmf = q**n
    cdf = pmf
    k = 0
    while u >= cdf and k < n:
        pmf *= (n - k) / (k + 1) * p / q
        k += 1
        cdf += pmf
    return k
