"""The statistics of a deals table that a calibration matches: the same function reads the
export and every simulated replication, over the same calendar window, so whatever a statistic
misses of the truth (a median of closed deals runs short while deals are open) it misses
equally on both sides and cancels in the comparison.

Each statistic is on the scale it is compared on: counts and days as logs (a 10% miss weighs
the same at any size), shares as log-odds. Cycle times are geometric means of 1 + days, not
medians: a median of whole days moves in jumps, which a search cannot follow. ``bootstrap``
resamples the export's deals to give the sampling covariance of these statistics, which weighs
the fit and sets its intervals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulator.crm.table import Deals
from simulator.units import DAYS_PER_MONTH

BOOTSTRAP_SEED = 20_171_001
"""Seed of the bootstraps of an export's statistics (the result must not depend on the clock)."""
QUICK_DAYS = 21
"""A quick win closes within three weeks of its creation: the first hump of a cycle histogram
whose buyers come with dates of their own (``process.critical_date``), the slow wins the
second. The won cycle is read as the two: the share of quick wins and the typical cycle of
each."""
QUARTER_END_MONTHS = frozenset({3, 6, 9, 12})
"""Calendar months that end a quarter (the quota periods the quarter-end pattern follows)."""


@dataclass(frozen=True)
class Statistic:
    """One matched statistic: its name, how a person reads it, how it is transformed, and what a
    simulation that shows too much (``if_high``) or too little (``if_low``) of it means for a
    forecast from the fitted scenario."""

    name: str
    label: str
    unit: str
    scale: str  # "log" or "logit": the comparison scale
    if_high: str = ""
    if_low: str = ""


STATISTICS = (
    Statistic("new_per_month", "new opportunities a month", "opportunities a month", "log",
              "too much new pipeline: bookings from new deals run high",
              "too little new pipeline: bookings from new deals run low"),
    Statistic("crm_win_rate", "CRM win rate, won / (won + lost)", "share", "logit",
              "too many deals won: bookings run high", "too few deals won: bookings run low"),
    Statistic("won_slow_cycle_days", "typical cycle of the wins after 3 weeks (geometric mean)",
              "days", "log", "slow wins come too late: near-term bookings run low",
              "slow wins come too soon: near-term bookings run high"),
    Statistic("lost_cycle_days", "typical cycle of lost deals (geometric mean)", "days", "log",
              "losses come too late: deals stay open too long",
              "losses come too soon: the pipeline empties too fast"),
    Statistic("won_acv_typical_usd", "typical ACV of won deals (geometric mean)", "USD", "log",
              "deals too large: bookings run high", "deals too small: bookings run low"),
    Statistic("won_acv_mean_usd", "mean ACV of won deals", "USD", "log",
              "deals too large on average: bookings run high",
              "deals too small on average: bookings run low"),
    Statistic("open_months", "deals open on the day, in months of new opportunities", "months",
              "log", "too long a backlog of open deals: bookings from it spread too thin",
              "too short a backlog: the open pipeline drains too fast, then runs dry"),
    Statistic("quarter_end_ratio", "wins a month, quarter-end months / others", "ratio", "log",
              "too strong a quarter-end push: quarter-end months run high, the others low",
              "too weak a quarter-end push: quarter-end months run low, the others high"),
    Statistic("won_quick_share", "share of won deals closed within 3 weeks", "share", "logit",
              "too many quick wins: near-term bookings run high",
              "too few quick wins: near-term bookings run low"),
    Statistic("won_quick_cycle_days", "typical cycle of the wins within 3 weeks (geometric mean)",
              "days", "log", "quick wins come too late", "quick wins come too soon"),
    Statistic("lost_quick_share", "share of lost deals closed within 3 weeks", "share", "logit",
              "too many quick losses: the pipeline empties too fast",
              "too few quick losses: deals die in the middle, or stay open too long"),
    Statistic("open_age_days", "typical age of the deals open on the day (geometric mean)",
              "days", "log",
              "open deals too old: too many dark deals kept, the cleanup too late",
              "open deals too young: too few dark deals kept, the cleanup too early"),
)  # fmt: skip
NAMES = tuple(s.name for s in STATISTICS)


@dataclass(frozen=True)
class Window:
    """Calendar days ``[first, last]`` whose new deals and closes the statistics count."""

    first: np.datetime64
    last: np.datetime64

    @property
    def months(self) -> float:
        return float((self.last - self.first).astype(np.int64) + 1) / DAYS_PER_MONTH

    def full_months(self) -> np.ndarray:
        """The calendar months lying wholly inside the window."""
        first_month = self.first.astype("datetime64[M]")
        if first_month.astype("datetime64[D]") != self.first:
            first_month += 1
        return np.arange(first_month, (self.last + 1).astype("datetime64[M]"))


def trailing_window(as_of: np.datetime64, months: int) -> Window:
    """The ``months`` whole calendar months up to ``as_of`` (from the first day of the month
    ``months - 1`` before the month of ``as_of + 1 day``)."""
    end_month = (np.datetime64(as_of, "D") + 1).astype("datetime64[M]")
    first = (end_month - months).astype("datetime64[D]")
    return Window(first, end_month.astype("datetime64[D]") - 1)


def _logit(p: float) -> float:
    if not 0.0 < p < 1.0:
        return math.nan
    return math.log(p / (1.0 - p))


def _log(x: float) -> float:
    return math.log(x) if x > 0 else math.nan


def _typical(days: np.ndarray) -> float:
    """The geometric mean of 1 + days, less 1: a typical cycle that, unlike a median of whole
    days, moves smoothly with the durations behind it (a same-day close counts as 0)."""
    return float(np.expm1(np.log1p(days).mean())) if days.size else math.nan


def closed_in(deals: Deals, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The deals won and the deals lost in ``window`` (masks), and every deal's cycle (days from
    creation to close; 0 while open): what the cycle and deal-size statistics, and the fit's
    shapes, are read from."""
    closed = ~np.isnat(deals.closed)
    inside = closed & (deals.closed >= window.first) & (deals.closed <= window.last)
    cycle = (np.where(closed, deals.closed, deals.created) - deals.created).astype(np.float64)
    return inside & deals.won, inside & deals.lost, cycle


def won_acv(deals: Deals, won: np.ndarray) -> np.ndarray:
    """The ACVs of the ``won`` deals that have an amount (USD)."""
    acv = deals.acv_usd[won]
    return acv[np.isfinite(acv) & (acv > 0)]


def raw_statistics(deals: Deals, window: Window) -> dict[str, float]:
    """Each statistic of ``deals`` over ``window``, on its own scale (days, USD, shares)."""
    created_in = (deals.created >= window.first) & (deals.created <= window.last)
    closed = ~np.isnat(deals.closed)
    won, lost, cycle = closed_in(deals, window)
    n_won, n_lost = int(won.sum()), int(lost.sum())
    acv = won_acv(deals, won)
    won_days = cycle[won]
    quick = won_days <= QUICK_DAYS
    typical_acv = float(np.exp(np.log(acv).mean())) if acv.size else math.nan
    mean = float(acv.mean()) if acv.size else math.nan
    new_per_month = int(created_in.sum()) / window.months
    open_now = deals.open & (deals.created <= window.last)
    open_on_day = int(open_now.sum())
    ages = (window.last - deals.created[open_now]).astype(np.float64)
    month = deals.closed[won].astype("datetime64[M]")
    months = window.full_months()
    if closed.any():  # months before the export's first close are not in it, not months of none
        months = months[months >= np.min(deals.closed[closed]).astype("datetime64[M]")]
    per_month = np.array([(month == m).sum() for m in months], float)
    ending = np.array([int(str(m)[5:7]) in QUARTER_END_MONTHS for m in months], bool)
    if ending.any() and (~ending).any() and per_month[~ending].mean() > 0:
        ratio = float(per_month[ending].mean() / per_month[~ending].mean())
    else:
        ratio = math.nan
    return {
        "new_per_month": new_per_month,
        "crm_win_rate": n_won / (n_won + n_lost) if n_won + n_lost else math.nan,
        "won_slow_cycle_days": _typical(won_days[~quick]) if (~quick).any() else math.nan,
        "won_quick_share": float(quick.mean()) if n_won else math.nan,
        "won_quick_cycle_days": _typical(won_days[quick]) if quick.any() else math.nan,
        "lost_quick_share": float(np.mean(cycle[lost] <= QUICK_DAYS)) if n_lost else math.nan,
        "lost_cycle_days": _typical(cycle[lost]),
        "won_acv_typical_usd": typical_acv,
        "won_acv_mean_usd": mean,
        "open_months": open_on_day / new_per_month if new_per_month else math.nan,
        "quarter_end_ratio": ratio,
        "open_age_days": _typical(ages),
    }


def transformed(
    raw: dict[str, float],
    names: tuple[str, ...] = NAMES,
    registry: tuple[Statistic, ...] = STATISTICS,
) -> np.ndarray:
    """The statistics on their comparison scales (log or log-odds), in ``names`` order."""
    scales = {s.name: s.scale for s in registry}
    return np.array(
        [_logit(raw[n]) if scales[n] == "logit" else _log(raw[n]) for n in names], float
    )


def slopes(
    raw: dict[str, float], names: tuple[str, ...], registry: tuple[Statistic, ...] = STATISTICS
) -> np.ndarray:
    """The derivative of each statistic's comparison scale at ``raw`` (1/x for log, 1/(x(1-x))
    for log-odds): carries a variance on the raw scale to the comparison scale (delta method)."""
    scales = {s.name: s.scale for s in registry}
    out = []
    for name in names:
        x = raw[name]
        inside = 0 < x < 1 if scales[name] == "logit" else x > 0
        out.append(
            (1 / (x * (1 - x)) if scales[name] == "logit" else 1 / x) if inside else math.nan
        )
    return np.array(out, float)


def raw_covariance_scaled(
    rows: list[dict[str, float]],
    at: dict[str, float],
    names: tuple[str, ...],
    registry: tuple[Statistic, ...],
) -> np.ndarray:
    """The covariance of statistics measured on their raw scale (rows with an undefined one
    dropped), carried to the comparison scales at ``at``: for statistics whose raw value can
    be 0 in one history (a share of a few churns), where the comparison scale cannot."""
    values = np.array([[row[n] for n in names] for row in rows], float)
    values = values[np.isfinite(values).all(axis=1)] if values.size else values
    if values.shape[0] < 2:
        return np.full((len(names), len(names)), math.inf)
    slope = slopes(at, names, registry)
    return np.atleast_2d(np.cov(values, rowvar=False)) * np.outer(slope, slope)


def statistics(deals: Deals, window: Window, names: tuple[str, ...] = NAMES) -> np.ndarray:
    """``raw_statistics`` on the comparison scales."""
    return transformed(raw_statistics(deals, window), names)


def bootstrap(
    deals: Deals,
    window: Window,
    rng: np.random.Generator,
    resamples: int = 200,
    names: tuple[str, ...] = NAMES,
) -> np.ndarray:
    """Sampling covariance of the statistics (comparison scales), resampling the deals with
    replacement; rows with an undefined statistic are dropped."""
    n = len(deals)
    draws = np.array(
        [statistics(deals.take(rng.integers(0, n, n)), window, names) for _ in range(resamples)]
    )
    draws = draws[np.isfinite(draws).all(axis=1)]
    if draws.shape[0] < 2:
        return np.full((len(names), len(names)), math.nan)
    return np.atleast_2d(np.cov(draws, rowvar=False))
