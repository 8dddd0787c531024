"""The steps of a calibration's search (``fit.solve``): finite-difference Jacobians under
common random numbers, a first step straight to the export for the knobs whose statistic
follows them in proportion, and Levenberg-Marquardt steps that reuse one Jacobian while they
work, corrected by each step (Broyden's update): a step costs one parameter set, not one per
knob."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.parameters.knobs import Knob

MAX_STEP = 2.0
"""The most one step moves a knob, in knob coordinates (a factor of e² on a log factor): far
from the export the linear picture is rough."""
START_DAMPING, MIN_DAMPING, MAX_DAMPING = 0.1, 1e-3, 100.0
"""Levenberg-Marquardt damping (a share of each knob's own curvature added): where it starts,
the least it falls to after good steps, the most a failed step raises it to before the search
stops."""
DIFF_STEP = 0.05
"""Finite-difference step of the search, in knob coordinates (5% on a log factor)."""
TOLERANCE = 1e-3
"""The search stops when a step would move every knob by less than this (knob coordinates)."""
OLD_JACOBIAN_FAILURES = 2
"""Failed steps in a row (each damped ten times more) before an old Jacobian is measured again:
a step that fails once may only have been too long."""
FLAT = 1e-9
"""A Jacobian column shorter than this: the knob moves no statistic (and the damping's floor)."""


def differences(
    statistics: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    knobs: tuple[Knob, ...],
    span: float = DIFF_STEP,
    at_x: np.ndarray | None = None,
) -> np.ndarray:
    """Forward differences of ``statistics`` at ``x``, a step of ``span`` into the bounds
    (scipy's own steps are relative to ``x``, which is 0 at the start: far too small to see
    through common random numbers, whose statistics move in small jumps). The search steps
    ``DIFF_STEP``; the intervals ``UNCERTAINTY_STEP``, a span wide enough to show the slope
    itself, not the jumps."""
    at_x = statistics(x) if at_x is None else at_x
    columns = []
    for index, knob in enumerate(knobs):
        width = max(span, knob.least_difference)
        step = width if x[index] + width <= knob.bounds[1] else -width
        moved = x.copy()
        moved[index] += step
        columns.append((statistics(moved) - at_x) / step)
    return np.nan_to_num(np.column_stack(columns))


def direct_step(
    misses: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    knobs: tuple[Knob, ...],
    scale: np.ndarray,
) -> np.ndarray:
    """Move each knob whose statistic follows it in proportion (``Knob.elasticity``) by the
    whole miss, the others left: one parameter set takes a search that starts at a default
    company's deal sizes and cycles most of the way to the export's."""
    miss = misses(x)
    moved = x.copy()
    for index, knob in enumerate(knobs):
        if knob.elasticity is not None and np.isfinite(miss[index]):
            step = -miss[index] * scale[index] / knob.elasticity
            moved[index] = min(max(x[index] + step, knob.bounds[0]), knob.bounds[1])
    return moved


def broyden(jacobian: np.ndarray, step: np.ndarray, change: np.ndarray) -> np.ndarray:
    """The Jacobian corrected by what a step showed (Broyden's rank-one update): each try
    teaches the search the slope along the way it went, so a Jacobian stays useful for more
    steps before it must be measured again."""
    length = float(step @ step)
    if length < FLAT:
        return jacobian
    return jacobian + np.outer(change - jacobian @ step, step) / length


def chord(
    misses: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    knobs: tuple[Knob, ...],
    spent: Callable[[], int],
    budget: int,
    jacobian: np.ndarray | None = None,
    refresh: bool = True,
) -> tuple[np.ndarray, bool, np.ndarray | None]:
    """Levenberg-Marquardt steps with one Jacobian (``jacobian``, else measured at ``x``),
    corrected by every try (``broyden``): a failed step is damped ten times more, and an old
    Jacobian that fails ``OLD_JACOBIAN_FAILURES`` times in a row is measured again (with
    ``refresh``; else the search stops). Stops, having converged, when no step up to
    ``MAX_DAMPING`` lowers the misses or a step moves the knobs by less than ``TOLERANCE``; not
    converged when ``budget`` tries are spent. Steps are capped at ``MAX_STEP`` a knob and
    kept inside the bounds. Returns where it ended, whether it converged, and the Jacobian it
    last used."""
    low = np.array([k.bounds[0] for k in knobs])
    high = np.array([k.bounds[1] for k in knobs])
    miss = misses(x)
    cost = float(miss @ miss)
    fresh, failed, damping = False, 0, START_DAMPING
    while spent() < budget:
        if jacobian is None:
            if spent() + len(knobs) > budget:
                break
            jacobian, fresh = differences(misses, x, knobs, at_x=miss), True
        normal = jacobian.T @ jacobian
        damped = normal + damping * np.diag(np.diag(normal) + FLAT)
        step = np.linalg.lstsq(damped, -jacobian.T @ miss, rcond=None)[0]
        trial = np.clip(x + np.clip(step, -MAX_STEP, MAX_STEP), low, high)
        if np.abs(trial - x).max() < TOLERANCE:
            return x, True, jacobian
        trial_miss = misses(trial)
        trial_cost = float(trial_miss @ trial_miss)
        jacobian = broyden(jacobian, trial - x, trial_miss - miss)
        if trial_cost < cost:
            x, miss, cost = trial, trial_miss, trial_cost
            fresh, failed, damping = False, 0, max(MIN_DAMPING, damping / 3)
            continue
        failed += 1
        stale = not fresh and (failed >= OLD_JACOBIAN_FAILURES or damping >= MAX_DAMPING)
        if stale and not refresh:
            return x, False, jacobian
        if stale:
            jacobian, failed = None, 0  # an old Jacobian that keeps failing: measure it again
        elif damping < MAX_DAMPING:
            damping *= 10
        else:
            return x, True, jacobian  # no step on a fresh Jacobian lowers the misses: a minimum
    return x, False, jacobian
