"""The shapes behind the summaries a calibration matches: the quartiles of the won and lost
deals' cycles and of the won deals' ACVs over the window, the export's against the calibrated
company's histories. A fit can match a typical cycle while its deals close on another
schedule; this says so.

A quartile matches as a fitted statistic does: when the histories' mean is within 2 standard
errors of the export's, the export's own sampling error (resampling its deals) with the mean's
Monte Carlo error, and never closer than the data's resolution (a cycle is counted in whole
days, so no quartile of one can be told apart by less than a day)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulator.calibrate.fit import SETTLED
from simulator.calibrate.moments import BOOTSTRAP_SEED, Window, closed_in, won_acv
from simulator.crm.table import Deals
from simulator.metrics.formats import amount

QUARTILES = (25, 50, 75)
RESAMPLES = 200
"""Bootstrap resamples of the export's deals for its quartiles' sampling error."""
MIN_DEALS = 20
"""Deals a distribution needs in the export and in each history before its quartiles are
judged (a bootstrap of a handful of deals says nothing of their spread)."""
RESOLUTION = {"days": 1.0, "USD": 0.0}
"""The least difference a quartile can show, by unit: cycles are whole days."""
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
            "allowed": finite(self.allowed),
            "matches": self.matches,
        }


def _samples(deals: Deals, window: Window) -> dict[str, np.ndarray]:
    """The window's won and lost cycles (days) and won ACVs (USD) of an export."""
    won, lost, cycle = closed_in(deals, window)
    return {"won_cycle": cycle[won], "lost_cycle": cycle[lost], "won_acv": won_acv(deals, won)}


def _quartiles(values: np.ndarray) -> np.ndarray:
    return np.percentile(values, QUARTILES) if values.size else np.full(len(QUARTILES), np.nan)


def shapes(observed: Deals, histories: list[Deals], window: Window) -> list[ShapeRow]:
    """Each distribution's quartiles, the export's against the histories'."""
    export = _samples(observed, window)
    simulated = [_samples(history, window) for history in histories]
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = []
    for name, label, unit in DISTRIBUTIONS:
        values = export[name]
        ours = _quartiles(values)
        draws = [
            rng.integers(0, values.size, values.size)
            for _ in range(RESAMPLES if values.size else 2)
        ]
        resampled = np.array([_quartiles(values[draw]) for draw in draws])
        theirs = np.array([_quartiles(s[name]) for s in simulated])
        enough = values.size >= MIN_DEALS and all(s[name].size >= MIN_DEALS for s in simulated)
        for column, percent in enumerate(QUARTILES):
            ran = theirs[:, column][np.isfinite(theirs[:, column])]
            allowed = math.inf
            if ran.size >= 2 and enough:
                variance = np.var(resampled[:, column], ddof=1) + np.var(ran, ddof=1) / ran.size
                allowed = max(SETTLED * math.sqrt(variance), RESOLUTION[unit])
            mean = float(ran.mean()) if ran.size else math.nan
            rows.append(ShapeRow(name, label, unit, percent, float(ours[column]), mean, allowed))
    return rows


def spread_mismatches(rows: list[ShapeRow]) -> list[str]:
    """Distributions whose export spreads wider (or narrower) than the fitted company's on both
    sides at once: its P25 below and its P75 above the simulated ones, beyond what is allowed.
    A shape the fitted company does not make, said in words: the search matches summaries, not
    spreads, so more tries will not find it, and the statistics that hang on it (the backlog
    and its age, on the cycles) cannot all match."""
    found = []
    for name, label, unit in DISTRIBUTIONS:
        low = next((r for r in rows if r.name == name and r.percent == QUARTILES[0]), None)
        high = next((r for r in rows if r.name == name and r.percent == QUARTILES[-1]), None)
        if low is None or high is None or low.matches is not False or high.matches is not False:
            continue
        wider = low.export < low.simulated and high.export > high.simulated
        narrower = low.export > low.simulated and high.export < high.simulated
        if not (wider or narrower):
            continue
        found.append(
            f"your export's {label} spread {'wider' if wider else 'narrower'} than the fitted "
            f"company's (P25 to P75: {amount(low.export, unit)} to {amount(high.export, unit)} "
            f"against {amount(low.simulated, unit)} to {amount(high.simulated, unit)}): a shape "
            "the fitted company does not make, which a search for the summaries does not find"
        )
    return found
