"""A forecast from its draws: month by month, bookings P10 / P50 / P90, the mean split into the
open pipeline and new pipeline, the cumulative bookings to date, the total over the months, and
with a target the probability of reaching it, all from the same replications; and its JSON."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.forecast.draws import Draws
from simulator.forecast.inputs import Design, Sources, sources
from simulator.forecast.statistics import Band, Chance, band, chance
from simulator.units import DAYS_PER_MONTH

METHOD = (
    "numpy.percentile (linear interpolation) over replications; *_interval: distribution-free "
    "order-statistic 95% interval of the quantile; probability_interval: 95% Wilson"
)


@dataclass(frozen=True)
class Split:
    """Mean bookings (USD) over replications: all, from the open pipeline, from new pipeline."""

    mean: float
    open_pipeline: float
    new_pipeline: float

    @classmethod
    def of(cls, bookings: np.ndarray, open_pipeline: np.ndarray) -> Split:
        """To the cent: the difference of two means summed in different orders would otherwise
        show new pipeline of $1e-11 where there is none."""
        mean, opened = float(np.mean(bookings)), float(np.mean(open_pipeline))
        return cls(round(mean, 2), round(opened, 2), round(mean - opened, 2) + 0.0)

    def to_json(self) -> dict[str, float]:
        return {
            "mean": self.mean,
            "mean_open_pipeline": self.open_pipeline,
            "mean_new_pipeline": self.new_pipeline,
        }


@dataclass(frozen=True)
class Month:
    """One month: its bookings, the bookings to its end, and the chance of the target by then."""

    name: str | int
    bookings: Band
    split: Split
    cumulative: Band
    by_then: Chance | None

    def to_json(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "month": self.name,
            **self.bookings.to_json(),
            **self.split.to_json(),
        }
        row.update(self.cumulative.to_json("cumulative_"))
        if self.by_then is not None:
            row["probability_of_target"] = self.by_then.probability
        return row


FAR_FROM_HISTORY = 2.0
"""A forecast of the next months more than this many times (or under 1 / this) what the
export booked in as many months before day 0 is said to be far from the company's history."""
HISTORY_MONTHS = 3
"""The forecast's first months compared with the export's last: a quarter."""


@dataclass(frozen=True)
class History:
    """The forecast's first ``months`` against what the export booked in as many months before
    day 0 (a scenario that starts from a CRM export)."""

    months: int
    export_usd: float
    p50_usd: float

    @property
    def ratio(self) -> float:
        return self.p50_usd / self.export_usd if self.export_usd > 0 else math.nan

    @property
    def far(self) -> bool:
        ratio = self.ratio
        return math.isfinite(ratio) and not 1 / FAR_FROM_HISTORY <= ratio <= FAR_FROM_HISTORY

    def to_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "months": self.months,
            "export_usd": self.export_usd,
            "p50_usd": self.p50_usd,
            "ratio": ratio if math.isfinite(ratio) else None,
            "far": self.far,
        }


@dataclass(frozen=True)
class Uncertainty:
    """What the band is made of: the inputs drawn from the fit's uncertainty, the design of
    the futures, and each source's share of the spread of the total and of each month."""

    inputs: tuple[str, ...]
    design: Design
    total: Sources | None
    months: tuple[Sources | None, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "inputs_drawn": list(self.inputs),
            "input_settings": self.design.inputs,
            "futures_per_setting": [stop - start for start, stop in self.design.bounds()],
            "total": None if self.total is None else self.total.to_json(),
            "months": [None if m is None else m.to_json() for m in self.months],
        }


@dataclass(frozen=True)
class Forecast:
    """What ``salesim forecast`` answers, with what it ran."""

    scenario: str
    source: str
    variant: str
    seed: int
    replications: int
    day0: dt.date | None
    overrides: tuple[str, ...]
    months: tuple[Month, ...]
    total: Band
    total_split: Split
    target: float | None
    reached: Chance | None
    totals: np.ndarray  # total bookings per replication, for the page's histogram
    warnings: tuple[str, ...] = ()  # the scenario's (an unsettled fit)
    history: History | None = None
    uncertainty: Uncertainty | None = None  # None: the inputs were held at the fit
    fixed_inputs: str = ""  # why the inputs were held (when they were)

    @property
    def open_share(self) -> float:
        """The share of the mean bookings that comes from deals open at the start."""
        mean = self.total_split.mean
        return self.total_split.open_pipeline / mean if mean > 0 else math.nan

    def to_json(self) -> dict[str, Any]:
        reached = self.reached
        return {
            "scenario": self.scenario,
            "source": self.source,
            "variant": self.variant,
            "replications": self.replications,
            "seed": self.seed,
            "day0": None if self.day0 is None else self.day0.isoformat(),
            "overrides": list(self.overrides),
            "method": METHOD,
            "months": [m.to_json() for m in self.months],
            "total": {**self.total.to_json(intervals=(10, 50, 90)), **self.total_split.to_json()},
            "target": self.target,
            "probability_of_target": None if reached is None else reached.probability,
            "probability_interval": None if reached is None else [reached.low, reached.high],
            "history": None if self.history is None else self.history.to_json(),
            "inputs": "fixed" if self.uncertainty is None else "drawn",
            "inputs_fixed_because": self.fixed_inputs or None,
            "band_sources": None if self.uncertainty is None else self.uncertainty.to_json(),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Context:
    """What a forecast ran: the scenario, its variant, the seed, the start date, the --set."""

    scenario: str
    source: str
    variant: str
    seed: int
    day0: dt.date | None = None
    overrides: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    booked_before: Callable[[float], float | None] | None = None
    """ACV the scenario's export booked in the given days before day 0 (a CRM start)."""
    fixed_inputs: str = ""
    """Why the inputs were held at their values when the draws did not draw them."""


def build_forecast(
    draws: Draws, names: list[str | int], target: float | None, context: Context
) -> Forecast:
    """The forecast of ``draws`` (months named ``names``), against ``target`` when given."""
    if len(names) != draws.months:
        raise ValueError(f"{len(names)} month names for {draws.months} months")
    cumulative = np.cumsum(draws.bookings, axis=1)
    months = tuple(
        Month(
            name,
            band(draws.bookings[:, m]),
            Split.of(draws.bookings[:, m], draws.open_pipeline[:, m]),
            band(cumulative[:, m]),
            None if target is None else chance(cumulative[:, m], target),
        )
        for m, name in enumerate(names)
    )
    totals = cumulative[:, -1]
    history = None
    if context.booked_before is not None:
        first = min(HISTORY_MONTHS, draws.months)
        booked = context.booked_before(first * DAYS_PER_MONTH)
        if booked is not None:
            history = History(first, booked, months[first - 1].cumulative.p50)
    uncertainty = None
    if draws.input_settings > 1:
        design = draws.design
        uncertainty = Uncertainty(
            draws.drawn_inputs,
            design,
            sources(totals, design),
            tuple(sources(draws.bookings[:, m], design) for m in range(draws.months)),
        )
    return Forecast(
        context.scenario,
        context.source,
        context.variant,
        context.seed,
        draws.replications,
        context.day0,
        context.overrides,
        months,
        band(totals),
        Split.of(totals, draws.open_pipeline.sum(axis=1)),
        target,
        None if target is None else chance(totals, target),
        totals,
        context.warnings,
        history,
        uncertainty,
        "" if uncertainty is not None else context.fixed_inputs,
    )
