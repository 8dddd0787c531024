"""The forecasts a sales-operations team would make without a simulator, from what the export
held on the as-of date, to measure the model's against (each a number a month).

- **Naive**: each month as the mean won ACV of the trailing three calendar months
  (``realised.naive``).
- **Weighted pipeline**, as a CRM's forecast: each deal open on the day, worth its amount (the
  mean won ACV of deals closed by then where it has none), times the CRM win rate of the deals
  closed by then, placed in months by historical close timing: the share of won deals of
  its age or older that won in each month from now (a deal older than every won deal is
  overdue, and a CRM expects it in the first month). New deals are not in a pipeline.
- **Stage-age survival**: each open deal's chance of being won in each month given its age,
  from the cumulative incidence of winning among the deals created by then (Aalen–Johansen:
  won the event, lost the competing one, open ones censored at their age), times its value;
  plus the new deals still to come at the trailing three months' rate, each won by the end of
  the month as often as a new deal is within that many days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.backtest.realised import NAIVE_MONTHS, last_day, months_after, months_up_to
from simulator.crm.table import Deals

NAIVE, WEIGHTED, SURVIVAL = "naive", "weighted pipeline", "stage-age survival"
BASELINES = (NAIVE, WEIGHTED, SURVIVAL)
"""The baselines, in the order tables show them."""


@dataclass(frozen=True)
class Incidence:
    """The cumulative incidence of winning by age (days), and the share still open: step
    functions at the distinct ages where a deal closed."""

    times: np.ndarray
    won: np.ndarray  # P(won by age t)
    open: np.ndarray  # P(neither won nor lost by age t)

    def won_by(self, age: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.times, age, side="right")
        return np.concatenate([[0.0], self.won])[index]

    def open_at(self, age: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.times, age, side="right")
        return np.concatenate([[1.0], self.open])[index]


def incidence(deals: Deals) -> Incidence:
    """Aalen–Johansen: at each age where deals closed, the won ones' share of those at risk,
    times the share still open just before."""
    age = deals.age_days()
    kind = np.where(deals.won, 1, np.where(deals.lost, 2, 0))
    times, inverse = np.unique(age, return_inverse=True)
    won = np.bincount(inverse, weights=kind == 1, minlength=times.size)
    lost = np.bincount(inverse, weights=kind == 2, minlength=times.size)
    leaving = np.bincount(inverse, minlength=times.size)
    at_risk = age.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    closing = (won + lost) > 0
    times, won, lost, at_risk = times[closing], won[closing], lost[closing], at_risk[closing]
    survival = np.cumprod(1.0 - (won + lost) / at_risk)
    before = np.concatenate([[1.0], survival[:-1]])
    return Incidence(times, np.cumsum(before * won / at_risk), survival)


def _values(deals: Deals, open_now: np.ndarray, mean_won: float) -> np.ndarray:
    amounts = deals.acv_usd[open_now].astype(float)
    return np.where(np.isfinite(amounts) & (amounts > 0), amounts, mean_won)


def _mean_won(seen: Deals) -> float:
    amounts = seen.acv_usd[seen.won]
    amounts = amounts[np.isfinite(amounts)]
    return float(amounts.mean()) if amounts.size else 0.0


def weighted_pipeline(seen: Deals, months: int) -> list[float]:
    """The CRM's weighted pipeline for the ``months`` after ``seen.as_of`` (see the module)."""
    won, lost = int(seen.won.sum()), int(seen.lost.sum())
    rate = won / (won + lost) if won + lost else 0.0
    open_now = seen.open
    values = _values(seen, open_now, _mean_won(seen)) * rate
    cycles = np.sort(seen.age_days()[seen.won])
    bounds = _month_bounds(seen.as_of, months)
    out = np.zeros(months)
    for age, value in zip(seen.age_days()[open_now].tolist(), values.tolist(), strict=True):
        later = cycles[cycles > age] - age  # days left, had it been one of these
        if not later.size:
            out[0] += value  # overdue: a CRM expects it now
            continue
        for k, (start, end) in enumerate(bounds):
            out[k] += value * np.count_nonzero((later > start) & (later <= end)) / later.size
    return out.tolist()


def survival_forecast(seen: Deals, months: int) -> list[float]:
    """The stage-age survival forecast for the ``months`` after ``seen.as_of`` (see the
    module)."""
    curve = incidence(seen)
    mean_won = _mean_won(seen)
    open_now = seen.open
    age = seen.age_days()[open_now]
    values = _values(seen, open_now, mean_won)
    still = np.maximum(curve.open_at(age), 1e-12)
    bounds = _month_bounds(seen.as_of, months)
    trailing = months_up_to(seen.as_of, NAIVE_MONTHS)
    first = trailing[0].astype("datetime64[D]")
    new_per_day = np.count_nonzero(seen.created >= first) / float(
        (seen.as_of - first).astype(np.int64) + 1
    )
    out = []
    for start, end in bounds:
        chance = (curve.won_by(age + end) - curve.won_by(age + start)) / still
        booked = float(np.sum(values * chance))
        # new deals: created each day from day 1, won by the month's end as often as a new deal
        # is within that many days of its creation (less what they win in earlier months)
        days = np.arange(1, end + 1, dtype=float)
        before = np.where(start - days >= 0, curve.won_by(np.maximum(start - days, 0.0)), 0.0)
        reach = curve.won_by(end - days) - before
        booked += new_per_day * mean_won * float(np.sum(reach))
        out.append(booked)
    return out


def _month_bounds(as_of: np.datetime64, months: int) -> list[tuple[float, float]]:
    """Each forecast month as (days after ``as_of`` it starts, days after it ends)."""
    bounds = []
    for month in months_after(as_of, months):
        start = float((month.astype("datetime64[D]") - 1 - as_of).astype(np.int64))
        end = float((last_day(month) - as_of).astype(np.int64))
        bounds.append((start, end))
    return bounds


def baselines(seen: Deals, naive_monthly: float, months: int) -> dict[str, list[float]]:
    """Every baseline's forecast, month by month."""
    return {
        NAIVE: [naive_monthly] * months,
        WEIGHTED: weighted_pipeline(seen, months),
        SURVIVAL: survival_forecast(seen, months),
    }
