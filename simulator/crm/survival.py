"""Kaplan–Meier: how long deals take when some have not finished yet.

An open deal has been open for its age so far and will close later: its cycle time is at least
its age (right-censored). Dropping open deals would keep only the quick ones and bias cycle
times down; counting them as closed today would too. The Kaplan–Meier product-limit estimate
uses each open deal while it is at risk and no longer:

    S(t) = prod over event times t_i <= t of (1 - d_i / n_i)

with d_i deals closing at t_i and n_i still at risk just before it (a deal censored at t_i is
still at risk at t_i). Greenwood's formula gives the variance; the 95% band is the log-log one
(it stays inside [0, 1]), and the interval of a quantile is where the band crosses it
(Brookmeyer–Crowley), as lifelines and scipy.stats.ecdf compute them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm


@dataclass(frozen=True)
class KaplanMeier:
    """The estimate at each distinct event time: the times, S just after each, the deals at
    risk and the events there, and the Greenwood sum (variance of S is S² times it)."""

    times: np.ndarray
    survival: np.ndarray
    at_risk: np.ndarray
    events: np.ndarray
    greenwood: np.ndarray
    n: int

    @property
    def n_events(self) -> int:
        return int(self.events.sum())

    def at(self, t: float | np.ndarray) -> np.ndarray:
        """S(t): the share still not closed at ``t`` (1 before the first event)."""
        index = np.searchsorted(self.times, np.asarray(t, float), side="right")
        return np.concatenate([[1.0], self.survival])[index]

    def standard_error(self) -> np.ndarray:
        """Greenwood's standard error of S at each event time (NaN where S reached 0)."""
        with np.errstate(invalid="ignore"):
            return self.survival * np.sqrt(self.greenwood)

    def band(self, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise log-log confidence band of S at each event time (NaN where undefined:
        where S is 0, or where every deal still at risk closed)."""
        z = norm.ppf(0.5 + confidence / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = np.log(self.survival)
            spread = z * np.sqrt(self.greenwood) / np.abs(log_s)
            low = self.survival ** np.exp(spread)
            high = self.survival ** np.exp(-spread)
        undefined = (self.survival <= 0) | ~np.isfinite(self.greenwood)
        return np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)

    def quantile(self, share: float) -> float:
        """The time by which ``share`` of deals have closed: the first event time with
        S <= 1 - share; inf when the estimate never gets there."""
        return _first_below(self.times, self.survival, 1.0 - share)

    def median(self) -> float:
        return self.quantile(0.5)

    def quantile_interval(self, share: float, confidence: float = 0.95) -> tuple[float, float]:
        """Where the band crosses 1 - share: (first time the lower band is below it, first
        time the upper band is); inf for a side never reached."""
        low, high = self.band(confidence)
        level = 1.0 - share
        low = np.where(np.isnan(low), self.survival, low)
        high = np.where(np.isnan(high), self.survival, high)
        return _first_below(self.times, low, level), _first_below(self.times, high, level)


def _first_below(times: np.ndarray, curve: np.ndarray, level: float) -> float:
    hits = np.flatnonzero(curve <= level + 1e-12)
    return float(times[hits[0]]) if hits.size else math.inf


def kaplan_meier(durations: np.ndarray, observed: np.ndarray) -> KaplanMeier:
    """The estimate from durations (days) and whether each ended in the event (True) or is
    censored there (False). ValueError for negative or non-finite durations."""
    durations = np.asarray(durations, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    if durations.shape != observed.shape or durations.ndim != 1:
        raise ValueError("durations and observed must be one-dimensional, of one length")
    if durations.size and (not np.all(np.isfinite(durations)) or durations.min() < 0):
        raise ValueError("durations must be finite and non-negative")
    distinct, inverse = np.unique(durations, return_inverse=True)
    events = np.bincount(inverse, weights=observed, minlength=distinct.size)
    leaving = np.bincount(inverse, minlength=distinct.size)
    at_risk = durations.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    keep = events > 0
    times, d, r = distinct[keep], events[keep], at_risk[keep].astype(float)
    survival = np.cumprod(1.0 - d / r)
    with np.errstate(divide="ignore"):
        greenwood = np.cumsum(np.where(r > d, d / (r * (r - d)), np.inf))
    return KaplanMeier(times, survival, r.astype(np.int64), d.astype(np.int64), greenwood,
                       int(durations.size))  # fmt: skip
