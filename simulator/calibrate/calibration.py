"""A calibration from start to end: the export's window and statistics, the counted inputs,
the search, and what it found as ``Fitted`` rows.

The simulation runs ``warmup_months`` before the window so its pipeline is full when the window
opens (a simulation starts empty; the export's company did not), and ends on the export's
``as_of``. Knobs whose statistic the export cannot show (no quarter-end month in the window,
no amounts) stay at the base scenario's values and are listed as such.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.calibrate.counted import Counted, counted_inputs, set_counted
from simulator.calibrate.fit import Solution, Target, solve, statistic_label
from simulator.calibrate.fitted import Fitted
from simulator.calibrate.knobs import KNOBS, Knob, Tree
from simulator.calibrate.moments import bootstrap, raw_statistics, trailing_window, transformed
from simulator.calibrate.simulate import Simulator, day0_for
from simulator.crm.table import Deals

BOOTSTRAP_RESAMPLES = 200
BOOTSTRAP_SEED = 20_171_001
"""Seed of the bootstrap of the export's statistics (the result must not depend on the clock)."""


@dataclass(frozen=True)
class Settings:
    window_months: int = 6
    warmup_months: int = 6
    replications: int = 8
    seed: int = 1
    workers: int = 1
    max_evaluations: int = 60
    history_replications: int = 20  # at the solution, for the statistics' history-to-history error

    @property
    def horizon_months(self) -> int:
        return self.window_months + self.warmup_months


@dataclass(frozen=True)
class Calibration:
    """What was fitted, counted and left at the base, and the fitted parameter tree."""

    observed: Deals
    target: Target
    counted: list[Counted]
    fitted: list[Fitted]
    left: list[str]  # knobs left at the base, with why
    solution: Solution
    tree: Tree
    settings: Settings
    day0: dt.date


def _usable(knob: Knob, base: Tree, observed: dict[str, float]) -> str | None:
    """Why the knob cannot be fitted here, or None."""
    if knob.name == "pull_in" and "quarter_end" not in base["team"]:
        return "the base scenario has no quarter-end push"
    if not math.isfinite(observed[knob.statistic]) or observed[knob.statistic] <= 0:
        label, _ = statistic_label(knob.statistic)
        return f"the export does not show the {label} in the window"
    return None


def calibrate(
    observed: Deals,
    base: Tree,
    settings: Settings = Settings(),
    on_evaluation: Callable[[int, float], None] | None = None,
) -> Calibration:
    """Fit ``base`` (a parameter tree) to ``observed`` (an export seen on its ``as_of``)."""
    as_of = observed.as_of.astype(dt.date)
    window = trailing_window(observed.as_of, settings.window_months)
    raw = raw_statistics(observed, window)
    knobs, left = [], []
    for knob in KNOBS:
        why = _usable(knob, base, raw)
        if why is None:
            knobs.append(knob)
        else:
            left.append(f"{knob.path} ({knob.label}): {why}")
    names = tuple(k.statistic for k in knobs)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    covariance = bootstrap(observed, window, rng, BOOTSTRAP_RESAMPLES, names)
    target = Target(names, transformed(raw, names), covariance, raw, window)
    day0 = day0_for(as_of, settings.horizon_months)
    tree = _copy(base)
    counted = counted_inputs(observed, window, settings.horizon_months, base)
    set_counted(tree, counted)
    tree["start"] = {**tree.get("start", {}), "date": day0}
    with Simulator(
        settings.horizon_months, settings.seed, settings.replications, as_of, settings.workers
    ) as simulator:
        solution = solve(
            tree,
            tuple(knobs),
            target,
            simulator,
            settings.max_evaluations,
            settings.history_replications,
            on_evaluation,
        )
    fitted = []
    for index, knob in enumerate(solution.knobs):
        low_x, high_x = solution.interval(index)
        ends = sorted((knob.value(tree, low_x), knob.value(tree, high_x)))
        label, unit = statistic_label(knob.statistic)
        fitted.append(
            Fitted(
                path=knob.path,
                label=knob.label,
                value=knob.value(tree, float(solution.x[index])),
                low=ends[0],
                high=ends[1],
                unit=knob.unit,
                target=f"{label} ({unit})",
                observed=raw[knob.statistic],
                simulated=solution.simulated_raw[knob.statistic],
                method="simulated method of moments",
            )
        )
    return Calibration(
        observed, target, counted, fitted, left, solution, solution.tree, settings, day0
    )


def _copy(tree: Tree) -> Tree:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in tree.items()}
