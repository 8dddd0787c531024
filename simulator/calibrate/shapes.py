"""The shapes behind the summaries a calibration matches: the quartiles of the won and lost
deals' cycles and of the won deals' ACVs over the window, the export's against the calibrated
company's histories. A fit can match a typical cycle while its deals close on another
schedule; this says so.

A quartile matches when the histories' mean is within the 95% prediction interval of an
export drawn like them: Student's t on their spread, widened for the mean's own Monte Carlo
error (the fit report's verdict)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.stats import t as student_t

from simulator.calibrate.moments import Window
from simulator.crm.table import Deals

QUARTILES = (25, 50, 75)
DISTRIBUTIONS = (
    ("won_cycle", "won deals' cycle", "days"),
    ("lost_cycle", "lost deals' cycle", "days"),
    ("won_acv", "won deals' ACV", "USD"),
)


@dataclass(frozen=True)
class ShapeRow:
    """One quartile of one distribution: the export's, the histories' mean, and how far
    chance alone moves it."""

    name: str
    label: str
    unit: str
    percent: int
    export: float
    simulated: float
    allowed: float

    @property
    def matches(self) -> bool | None:
        if not (math.isfinite(self.export) and math.isfinite(self.simulated)):
            return None
        if not math.isfinite(self.allowed):
            return None
        return abs(self.simulated - self.export) <= self.allowed

    def to_json(self) -> dict[str, object]:
        def finite(value: float) -> float | None:
            return value if math.isfinite(value) else None

        return {
            "distribution": self.name,
            "quartile": f"P{self.percent}",
            "unit": self.unit,
            "export": finite(self.export),
            "simulated": finite(self.simulated),
            "chance_moves_it_by": finite(self.allowed),
            "matches": self.matches,
        }


def _samples(deals: Deals, window: Window) -> dict[str, np.ndarray]:
    """The window's won and lost cycles (days) and won ACVs (USD) of an export."""
    closed = ~np.isnat(deals.closed)
    inside = closed & (deals.closed >= window.first) & (deals.closed <= window.last)
    cycle = (np.where(closed, deals.closed, deals.created) - deals.created).astype(np.float64)
    acv = deals.acv_usd[inside & deals.won]
    return {
        "won_cycle": cycle[inside & deals.won],
        "lost_cycle": cycle[inside & deals.lost],
        "won_acv": acv[np.isfinite(acv) & (acv > 0)],
    }


def _quartiles(values: np.ndarray) -> np.ndarray:
    return np.percentile(values, QUARTILES) if values.size else np.full(len(QUARTILES), np.nan)


def shapes(observed: Deals, histories: list[Deals], window: Window) -> list[ShapeRow]:
    """Each distribution's quartiles, the export's against the histories'."""
    export = _samples(observed, window)
    simulated = [_samples(history, window) for history in histories]
    rows = []
    for name, label, unit in DISTRIBUTIONS:
        ours = _quartiles(export[name])
        theirs = np.array([_quartiles(s[name]) for s in simulated])
        for column, percent in enumerate(QUARTILES):
            values = theirs[:, column][np.isfinite(theirs[:, column])]
            allowed = math.inf
            if values.size >= 2:
                spread = np.std(values, ddof=1) * math.sqrt(1 + 1 / values.size)
                allowed = float(student_t.ppf(0.975, values.size - 1) * spread)
            mean = float(values.mean()) if values.size else math.nan
            rows.append(ShapeRow(name, label, unit, percent, float(ours[column]), mean, allowed))
    return rows
