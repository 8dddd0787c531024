"""Control variates: quantities each replication measures whose mean is known exactly (zero).

Common random numbers already cancel most of the luck two variants share. What is left of a
paired difference's noise is luck the variants meet differently, and some of it is logged as it
is drawn, centred on its known expectation:

- the buyers' choices (``Kind.CHOICE_LUCK``): for every decided deal, the ACV it books if won
  times (won, less the chance it had of winning). The chance is known the instant before the
  deal's own uniform is read, so each term has mean zero whatever happened before, and so has
  their sum over any window of time (a martingale);
- the roadmap (``Kind.ROADMAP_LUCK``): the months each feature's drawn slips move its plan, less
  their mean.

Regressing a paired difference on these (``runs.aggregate.controlled_difference``) removes the
part of its noise they explain without moving its mean, as the controls' means are known, not
estimated.
"""

from __future__ import annotations

import numpy as np

from simulator.metrics.measure import BOOKINGS_HORIZONS_MONTHS
from simulator.model.events import Kind
from simulator.units import DAYS_PER_MONTH

PREFIX = "luck_"
"""What every control column's name starts with."""
CHOICE = f"{PREFIX}choice"
"""The choices' luck over the whole run; ``luck_choice_<n>m`` over its first n months."""
ROADMAP = f"{PREFIX}roadmap_"
"""Followed by the feature's index: the months its slips move its plan, less their mean."""


def control_columns(features: int) -> tuple[str, ...]:
    """The controls of a scenario whose variants announce at most ``features`` features (a
    variant with fewer has no roadmap luck for the rest: exactly 0, still of mean zero)."""
    windows = tuple(f"{CHOICE}_{months}m" for months in BOOKINGS_HORIZONS_MONTHS)
    return (*windows, CHOICE, *(f"{ROADMAP}{i}" for i in range(features)))


def stored(columns: list[str]) -> tuple[str, ...]:
    """The control columns among a table's columns (none in a run stored before them)."""
    return tuple(name for name in columns if name.startswith(PREFIX))


def controls(log: np.ndarray, features: int) -> dict[str, float]:
    """One replication's controls (see ``control_columns``)."""
    kind, day, value = log["kind"], log["day"], log["value"]
    choice = kind == Kind.CHOICE_LUCK
    row = {
        f"{CHOICE}_{months}m": float(value[choice & (day < months * DAYS_PER_MONTH)].sum())
        for months in BOOKINGS_HORIZONS_MONTHS
    }
    row[CHOICE] = float(value[choice].sum())
    roadmap = np.zeros(features)
    drawn = kind == Kind.ROADMAP_LUCK
    roadmap[log["subject"][drawn].astype(int)] = value[drawn]
    row.update({f"{ROADMAP}{i}": float(v) for i, v in enumerate(roadmap)})
    return row


def controls_for(metric: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The controls a metric is regressed on: the choices' luck over the metric's own window
    (``bookings_24m``: the first 24 months; the whole run otherwise) and every feature's
    roadmap luck."""
    window = next(
        (f"{CHOICE}_{m}m" for m in BOOKINGS_HORIZONS_MONTHS if metric.endswith(f"_{m}m")), CHOICE
    )
    return (window, *(c for c in columns if c.startswith(ROADMAP)))


def described(name: str) -> dict[str, str] | None:
    """Unit, label and description of a control column (the Parquet files carry them), or None
    for another column."""
    if name.startswith(ROADMAP):
        feature = name.removeprefix(ROADMAP)
        return {
            "unit": "months",
            "label": f"roadmap luck, feature {feature}",
            "description": "months the feature's drawn slips move its plan, less their mean "
            "(a control variate: mean 0)",
        }
    if name == CHOICE or name.startswith(f"{CHOICE}_"):
        window = name.removeprefix(CHOICE).lstrip("_") or "the whole run"
        return {
            "unit": "usd",
            "label": f"choice luck, {window}",
            "description": "sum over decided deals of the ACV booked if won x (won - chance of "
            "winning) (a control variate: mean 0)",
        }
    return None
