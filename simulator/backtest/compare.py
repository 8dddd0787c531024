"""The forecast made on the as-of date against what the export shows happened, month by month:
inside the P10-P90 band or not, which of the P50 and the naive forecast came closer, and the
errors of every baseline (``baselines``) beside the P50's.

Only months the export covers in full are compared; they are the first months of the forecast
(an export stops once), so the total over them is the forecast's bookings to the end of the
last of them, with its own P10 / P50 / P90 from the same replications.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.backtest.baselines import BASELINES
from simulator.backtest.baselines import NAIVE as NAIVE_BASELINE
from simulator.backtest.realised import MonthWon, Naive, complete, won_in
from simulator.crm.table import Deals
from simulator.forecast.statistics import Band
from simulator.forecast.summary import Forecast, Split

P50, NAIVE, TIE = "P50", "naive", "tie"


def closer(p50_error: float, naive_error: float) -> str:
    if p50_error < naive_error:
        return P50
    return NAIVE if naive_error < p50_error else TIE


def inside(band: Band, value: float) -> bool:
    return band.p10 <= value <= band.p90


@dataclass(frozen=True)
class MonthCheck:
    """One forecast month against the export."""

    realised: MonthWon
    bookings: Band
    split: Split
    baselines: dict[str, float]  # each baseline's forecast of the month (``BASELINES``)

    @property
    def naive_usd(self) -> float:
        return self.baselines[NAIVE_BASELINE]

    @property
    def name(self) -> str:
        return self.realised.name

    @property
    def inside(self) -> bool:
        return inside(self.bookings, self.realised.acv_usd)

    @property
    def p50_error(self) -> float:
        return abs(self.bookings.p50 - self.realised.acv_usd)

    @property
    def naive_error(self) -> float:
        return abs(self.naive_usd - self.realised.acv_usd)

    @property
    def closer(self) -> str:
        return closer(self.p50_error, self.naive_error)

    def to_json(self) -> dict:
        return {
            "month": self.name,
            "realised_usd": self.realised.acv_usd,
            "won_deals": self.realised.won_deals,
            "won_deals_without_amount": self.realised.missing_amounts,
            "realised_open_pipeline_usd": self.realised.open_pipeline_usd,
            "realised_new_pipeline_usd": self.realised.new_pipeline_usd,
            **self.bookings.to_json(),
            **self.split.to_json(),
            "inside_p10_p90": self.inside,
            "naive_usd": self.naive_usd,
            "p50_error_usd": self.p50_error,
            "naive_error_usd": self.naive_error,
            "closer": self.closer,
            "baselines_usd": dict(self.baselines),
        }


@dataclass(frozen=True)
class Backtest:
    """The compared months, those the export stops inside, and the total over the compared."""

    months: tuple[MonthCheck, ...]
    not_compared: tuple[str, ...]
    total: Band
    naive: Naive
    export_end: np.datetime64
    as_of: np.datetime64

    @property
    def realised_total(self) -> float:
        return float(sum(m.realised.acv_usd for m in self.months))

    @property
    def realised_open(self) -> float:
        return float(sum(m.realised.open_pipeline_usd for m in self.months))

    @property
    def mean_open(self) -> float:
        """The forecast's mean bookings over the compared months from deals open at the start."""
        return float(sum(m.split.open_pipeline for m in self.months))

    @property
    def mean_total(self) -> float:
        return float(sum(m.split.mean for m in self.months))

    @property
    def naive_total(self) -> float:
        return self.naive.monthly_usd * len(self.months)

    @property
    def coverage(self) -> int:
        return sum(m.inside for m in self.months)

    @property
    def p50_closer_months(self) -> int:
        return sum(m.closer == P50 for m in self.months)

    @property
    def mae_p50(self) -> float:
        return float(np.mean([m.p50_error for m in self.months]))

    @property
    def mae_naive(self) -> float:
        return float(np.mean([m.naive_error for m in self.months]))

    @property
    def closer(self) -> str:
        return closer(self.mae_p50, self.mae_naive)

    @property
    def total_inside(self) -> bool:
        return inside(self.total, self.realised_total)

    def errors(self) -> dict[str, dict[str, float]]:
        """Per forecast (the P50, each baseline): mean absolute error and bias (mean of forecast
        minus realised) of the months, and the error of their total as a share of the realised
        total."""
        realised = np.array([m.realised.acv_usd for m in self.months])
        guesses = {P50: np.array([m.bookings.p50 for m in self.months])}
        guesses |= {name: np.array([m.baselines[name] for m in self.months]) for name in BASELINES}
        total = realised.sum()
        out = {}
        for name, guess in guesses.items():
            summed = self.total.p50 if name == P50 else guess.sum()
            out[name] = {
                "mae_usd": float(np.abs(guess - realised).mean()),
                "bias_usd": float((guess - realised).mean()),
                "total_error_share": float((summed - total) / total) if total else float("nan"),
            }
        return out

    def to_json(self) -> dict:
        n = len(self.months)
        return {
            "months": [m.to_json() for m in self.months],
            "not_compared": [
                {"month": name, "why": f"the export ends on {self.export_end}, inside the month"}
                for name in self.not_compared
            ],
            "mean_absolute_error": {
                "p50_usd": self.mae_p50,
                "naive_usd": self.mae_naive,
                "closer": self.closer,
            },
            "p50_closer_months": self.p50_closer_months,
            "coverage": {"inside_p10_p90": self.coverage, "months": n, "share": self.coverage / n},
            "total": {
                "months": n,
                "realised_usd": self.realised_total,
                "realised_open_pipeline_usd": self.realised_open,
                "realised_new_pipeline_usd": self.realised_total - self.realised_open,
                **self.total.to_json(intervals=(10, 50, 90)),
                "mean": self.mean_total,
                "mean_open_pipeline": self.mean_open,
                "mean_new_pipeline": self.mean_total - self.mean_open,
                "inside_p10_p90": self.total_inside,
                "naive_usd": self.naive_total,
            },
            "naive": self.naive.to_json(),
            "errors": self.errors(),
        }


def compare(
    forecast: Forecast,
    full: Deals,
    naive: Naive,
    as_of: np.datetime64,
    baselines: dict[str, list[float]],
) -> Backtest:
    """``forecast`` (months named ``2017-10``, from ``as_of``) against ``full`` (the export read
    to its end), with each baseline's forecast of the same months. Raises ValueError when no
    forecast month is complete."""
    checks, left = [], []
    for index, month in enumerate(forecast.months):
        day = np.datetime64(str(month.name), "M")
        if not complete(full, day):
            left.append(str(month.name))
            continue
        if left:
            raise ValueError(f"{month.name} is complete but an earlier month is not")
        realised = won_in(full, day, as_of)
        guesses = {name: values[index] for name, values in baselines.items()}
        checks.append(MonthCheck(realised, month.bookings, month.split, guesses))
    if not checks:
        raise ValueError(f"the export ends on {full.as_of}: no forecast month is complete")
    total = forecast.months[len(checks) - 1].cumulative
    return Backtest(tuple(checks), tuple(left), total, naive, full.as_of, np.datetime64(as_of, "D"))
