"""How long a stopped strategy takes to recover: the months after the switch until the stopped
arm's monthly bookings are back within a tolerance of the never-used arm's, for good.

Monthly bookings of one replication are lumpy (a month with one enterprise deal, the next with
none), so the rule is judged on the mean over replications, smoothed over a trailing window:
recovery is the first month after the switch from which the stopped arm's smoothed bookings
stay at or above ``1 - within`` of the never arm's to the horizon, for at least one window
(above it counts: waiting deals converting once the pitch stops are bookings back, not a
miss). A stopped arm that does not get there is censored at the horizon. The interval
resamples replications (the same ones in every arm: the pairing of common random numbers is
kept), so it carries the Monte Carlo error of the means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.runs.aggregate import mean_interval

DEFAULT_WITHIN = 0.10  # share of the never arm's monthly bookings
DEFAULT_WINDOW = 3  # months of the trailing mean
BOOTSTRAP = 2000  # resamples of the replications
LEVEL = 0.95


@dataclass(frozen=True)
class Recovery:
    switch_month: int
    months: int | None  # months after the switch until recovered; None: not by the horizon
    low: int | None  # the interval's ends (None: beyond the horizon)
    high: int | None
    censored_share: float  # of the resamples, those not recovered by the horizon
    horizon_months: int
    saved_usd: float  # stopped minus kept bookings, switch to horizon (mean per replication)
    saved_half_width_usd: float
    still_behind_usd: float  # stopped minus never bookings, switch to horizon
    still_behind_half_width_usd: float

    @property
    def room(self) -> int:
        """Months the run has after the switch: a censored recovery is more than this."""
        return self.horizon_months - self.switch_month

    def text(self, months: int | None) -> str:
        return f"> {self.room}" if months is None else str(months)

    def to_json(self) -> dict[str, Any]:
        return {
            "switch_month": self.switch_month,
            "recovery_months": self.months,
            "recovery_low": self.low,
            "recovery_high": self.high,
            "censored_at_months": self.room,
            "censored_share": round(self.censored_share, 4),
            "saved_usd": round(self.saved_usd, 2),
            "saved_half_width_usd": round(self.saved_half_width_usd, 2),
            "still_behind_usd": round(self.still_behind_usd, 2),
            "still_behind_half_width_usd": round(self.still_behind_half_width_usd, 2),
        }


def smoothed(monthly: np.ndarray, window: int) -> np.ndarray:
    """Trailing means over ``window`` months along the last axis (fewer at the start)."""
    totals = np.cumsum(monthly, axis=-1)
    shifted = np.zeros_like(totals)
    shifted[..., window:] = totals[..., :-window]
    counts = np.minimum(np.arange(1, monthly.shape[-1] + 1), window)
    return (totals - shifted) / counts


def recovery_months(
    stopped: np.ndarray, never: np.ndarray, switch: int, within: float, window: int
) -> np.ndarray:
    """For mean monthly bookings (``[..., month]``, months 1..H), the months after the switch
    until recovered for good, or -1 when not by the horizon."""
    a, b = smoothed(stopped, window), smoothed(never, window)
    close = a >= (1.0 - within) * b  # above never's is recovered too: a backlog converting
    after = close[..., switch:]  # months switch + 1 .. H
    # for each month, whether every month from it to the horizon is close
    for_good = np.flip(np.cumprod(np.flip(after, -1), axis=-1), -1).astype(bool)
    held = np.arange(after.shape[-1], 0, -1)  # months from each to the horizon, itself included
    ok = for_good & (held >= window)
    first = np.argmax(ok, axis=-1) + 1
    return np.where(ok.any(axis=-1), first, -1)


def _paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean of a - b over replications and the half-width of its 95% interval (Student-t, as
    every paired difference salesim reports)."""
    mean, low, high = mean_interval(a - b)
    return mean, (high - low) / 2


def recovery(
    never: np.ndarray,
    kept: np.ndarray,
    stopped: np.ndarray,
    switch: int,
    rng: np.random.Generator,
    within: float = DEFAULT_WITHIN,
    window: int = DEFAULT_WINDOW,
) -> Recovery:
    """Recovery of ``stopped`` (bookings by replication x month, paired with ``never`` and
    ``kept``) switched at the end of month ``switch``."""
    reps, horizon = never.shape
    point = int(recovery_months(stopped.mean(0), never.mean(0), switch, within, window))
    draws = rng.integers(0, reps, size=(BOOTSTRAP, reps))
    resampled = recovery_months(
        stopped[draws].mean(1), never[draws].mean(1), switch, within, window
    )
    censored = resampled < 0
    ordered = np.where(censored, horizon + 1, resampled)  # a censored one is past the horizon
    low, high = np.quantile(ordered, [(1 - LEVEL) / 2, (1 + LEVEL) / 2], method="inverted_cdf")
    after = slice(switch, horizon)
    saved = _paired(stopped[:, after].sum(1), kept[:, after].sum(1))
    behind = _paired(stopped[:, after].sum(1), never[:, after].sum(1))
    return Recovery(
        switch,
        None if point < 0 else point,
        None if low > horizon else int(low),
        None if high > horizon else int(high),
        float(censored.mean()),
        horizon,
        *saved,
        *behind,
    )
