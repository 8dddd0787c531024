"""A calibration from start to end: the export's window and statistics, the counted inputs,
the search, and what it found as ``Fitted`` rows.

An opportunity export (``calibrate``): the simulation runs ``warmup_months`` before the window
(or the export's own history before it, when longer: ``warmup_for``) so its pipeline is full
when the window opens (a simulation starts empty; the export's company did not), and ends on the
export's ``as_of``. A subscription export (``calibrate_customers``):
the simulation starts from the export's customers on the eve of the window and runs through
it, so the post-sale side is measured on today's customer base. Knobs whose statistic the export
cannot show (no quarter-end month in the window, no amounts, no churn of a reason) stay at the
base scenario's values and are listed as such; knobs a search stopped before moving are not
fitted, and say so.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from simulator.calibrate.counted import Counted, counted_inputs, customer_inputs, set_counted
from simulator.calibrate.deal_sizes import (
    MIN_SIZED_WINS,
    DealSizeSource,
    deal_sizes_of,
    with_export_sizes,
)
from simulator.calibrate.fit import (
    SETTLED,
    Solution,
    Target,
    solve,
    statistic_label,
    statistic_of,
)
from simulator.calibrate.fitted import Fitted
from simulator.calibrate.moments import (
    BOOTSTRAP_SEED,
    Window,
    bootstrap,
    raw_covariance_scaled,
    raw_statistics,
    trailing_window,
    transformed,
)
from simulator.calibrate.retention_moments import (
    RETENTION_STATISTICS,
    reasons_problem,
    resampled,
    retention_raw,
)
from simulator.calibrate.shapes import ShapeRow, shapes
from simulator.calibrate.simulate import Simulator, day0_for, simulated_customers
from simulator.calibrate.smaller import FIT_HUNTERS, shrink_factor, shrunk
from simulator.crm.subscriptions import Customers
from simulator.crm.table import Deals
from simulator.parameters.knobs import KNOBS, POST_SALE_KNOBS, Knob, Tree, apply

REASON_SHARE = "reason_share_"
SCOUT_STEPS = (1.0, -1.0, 2.0, -2.0, 3.0, 1.5)
"""Steps along each post-sale knob tried before the search (``fit.solve``'s scout): churn for a
reason can need health to fall past a threshold, flat near the base's values."""
BOOTSTRAP_RESAMPLES = 200


@dataclass(frozen=True)
class Settings:
    window_months: int = 6
    warmup_months: int = 6
    replications: int = 8
    seed: int = 1
    workers: int = 1
    max_evaluations: int = 100
    history_replications: int = 20  # at the solution, for the statistics' history-to-history error
    fit_hunters: int | None = FIT_HUNTERS  # the search's world shrunk to about this many hunters
    deal_sizes: DealSizeSource = DealSizeSource.export

    @property
    def horizon_months(self) -> int:
        return self.window_months + self.warmup_months


@dataclass(frozen=True)
class Calibration:
    """What was fitted, counted and left at the base, and the fitted parameter tree."""

    observed: Deals | Customers  # an opportunity export's deals, or a subscription export's
    target: Target
    counted: list[Counted]
    fitted: list[Fitted]
    left: list[str]  # knobs left at the base, with why
    solution: Solution
    tree: Tree
    settings: Settings
    day0: dt.date

    @property
    def misses(self) -> list[Miss]:
        """The statistics still more than ``SETTLED`` standard errors from the export's."""
        solution = self.solution
        found = []
        for name, miss in zip(self.target.names, solution.misses.tolist(), strict=True):
            if not abs(miss) <= SETTLED:
                label, unit = statistic_label(name)
                raw = self.target.raw[name]
                found.append(Miss(name, label, unit, raw, solution.simulated_raw[name], miss))
        return found

    @property
    def settled(self) -> bool:
        return not self.misses

    @cached_property
    def shapes(self) -> list[ShapeRow]:
        """An opportunity export's cycle and ACV quartiles against the fitted company's (a
        bootstrap: computed once, read by the console, the JSON and the unsettled block)."""
        if not isinstance(self.observed, Deals):
            return []
        return shapes(self.observed, self.solution.simulated, self.target.window)

    @property
    def uncertainty(self) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
        """The fitted knobs the export pins down (moved by the search, a finite variance):
        their names, coordinates and covariance, the sampling distribution a forecast draws
        its inputs from. A knob left at the base, or one nothing in the export moves, is not
        drawn: its uncertainty is not known. Nor is one whose 95% interval reaches past a
        bound (a lead quality fitted at 99.99% with an interval over every value): the export
        does not pin it down, and draws from a normal there would be draws of nothing the
        export says."""
        solution = self.solution
        covariance = solution.covariance

        kept = [
            i
            for i in range(len(solution.knobs))
            if solution.moved[i]
            and np.isfinite(covariance[i]).all()
            and covariance[i, i] >= 0
            and solution.pinned(i)
        ]
        kept = [i for i in kept if np.isfinite(covariance[i, kept]).all()]
        names = tuple(solution.knobs[i].name for i in kept)
        block = covariance[np.ix_(kept, kept)]
        return names, solution.x[kept].copy(), (block + block.T) / 2


@dataclass(frozen=True)
class Miss:
    """A statistic the fit did not match: the export's value, the simulated mean at the fit,
    and the gap in standard errors (simulated - export)."""

    statistic: str
    label: str
    unit: str
    export: float
    simulated: float
    standard_errors: float

    @property
    def gap(self) -> str:
        """The miss in words: ``+3.9 standard errors``, or why it has no size."""
        if math.isfinite(self.standard_errors):
            return f"{self.standard_errors:+.1f} standard errors"
        return "no size: a side shows none of it"


def _usable(knob: Knob, base: Tree, observed: dict[str, float]) -> str | None:
    """Why the knob cannot be fitted here, or None."""
    if knob.name == "pull_in" and "quarter_end" not in base["team"]:
        return "the base scenario has no quarter-end push"
    if knob.name == "deal_spread" and base["market"].get("deal_sizes") is not None:
        return (
            "deal sizes are the export's own won ACVs (market.deal_sizes), so their spread is "
            "the export's"
        )
    value = observed[knob.statistic]
    label, _ = statistic_label(knob.statistic)
    if statistic_of(knob.statistic).scale == "logit" and value in (0.0, 1.0):
        return f"the export's {label} is {value:.0%} in the window: no share to fit"
    if not math.isfinite(value) or value <= 0:
        return f"the export does not show the {label} in the window"
    return None


def _knobs(candidates: tuple[Knob, ...], base: Tree, raw: dict[str, float]):
    """The knobs the export can fit, and a line for each it cannot, with why."""
    knobs, left = [], []
    for knob in candidates:
        why = _usable(knob, base, raw)
        if why is None:
            knobs.append(knob)
        else:
            left.append(f"{knob.path} ({knob.label}): {why}")
    return tuple(knobs), left


def calibrate(
    observed: Deals,
    base: Tree,
    settings: Settings = Settings(),
    on_evaluation: Callable[[int, float], None] | None = None,
) -> Calibration:
    """Fit ``base`` (a parameter tree) to ``observed`` (an export seen on its ``as_of``)."""
    as_of = observed.as_of.astype(dt.date)
    window = trailing_window(observed.as_of, settings.window_months)
    settings = replace(settings, warmup_months=warmup_for(observed, window, settings))
    raw = raw_statistics(observed, window)
    sizes = deal_sizes_of(observed) if settings.deal_sizes is DealSizeSource.export else None
    if sizes is not None:
        base = with_export_sizes(base, sizes)
    elif base["market"].get("deal_sizes") is not None:  # a calibrated base's, of another export
        base = _copy(base)
        base["market"]["deal_sizes"] = None
    knobs, left = _knobs(KNOBS, base, raw)
    if sizes is not None:
        left.append(
            "market.<segment>.deal_size_median_usd (the segments' levels against each other): "
            "an export does not say a deal's segment, so every segment takes the export's sizes "
            "(the deal-size knob scales them alike); --deal-sizes lognormal keeps the base's levels"
        )
    if sizes is None and settings.deal_sizes is DealSizeSource.export:
        left.append(
            f"market.deal_sizes (the export's own deal sizes): fewer than {MIN_SIZED_WINS} won "
            "deals with an amount; each segment's lognormal is fitted instead"
        )
    names = tuple(k.statistic for k in knobs)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    covariance = bootstrap(observed, window, rng, BOOTSTRAP_RESAMPLES, names)
    day0 = day0_for(as_of, settings.horizon_months)
    tree = _copy(base)
    counted = counted_inputs(observed, window, settings.horizon_months, base)
    set_counted(tree, counted)
    tree["start"] = {"date": day0}  # a fit's history starts empty: the base's exports do not apply
    factor = shrink_factor(tree, settings.fit_hunters)
    target = Target(names, transformed(raw, names), covariance, raw, window, factor=factor)
    simulator = Simulator(
        settings.horizon_months, settings.seed, settings.replications, as_of, settings.workers
    )
    return _fitted(observed, target, counted, left, tree, knobs, simulator, settings, day0,
                   on_evaluation)  # fmt: skip


MAX_WARMUP_MONTHS = 36
"""The longest history simulated before the window."""


def warmup_for(observed: Deals, window: Window, settings: Settings) -> int:
    """Months simulated before the window: the export's own history before it, counted in
    months of the window's new opportunities (the deals it created before the window over
    those it creates a month in it), at most ``MAX_WARMUP_MONTHS``; ``settings.warmup_months``
    where it shows none. A company whose CRM started up slowly (crm-maven: 7 new deals in its
    first month, 800 a month half a year on) has few old deals, customers and losses behind
    its window: a simulated history as long in the calendar, at the window's rate, would have
    two or three times as many, so the fit would match its window in a market its forecast
    (which starts from the export's own market, ``resume.place_closed``) does not have."""
    before = int(np.count_nonzero(observed.created < window.first))
    if before == 0:
        return settings.warmup_months
    created = observed.created
    inside = np.count_nonzero((created >= window.first) & (created <= window.last))
    if inside == 0:
        return MAX_WARMUP_MONTHS
    history = before / (inside / window.months)
    return int(min(MAX_WARMUP_MONTHS, max(1, math.ceil(history))))


def calibrate_customers(
    observed: Customers,
    export: Path,
    maps: dict[str, str],
    base: Tree,
    settings: Settings = Settings(),
    on_evaluation: Callable[[int, float], None] | None = None,
) -> Calibration:
    """Fit the post-sale side of ``base`` to a subscription export (``observed``, read from
    ``export`` with ``maps``, seen on its ``as_of``): each simulated history starts from the
    export's customers on the eve of the window, under the base's selling, and runs through
    it (``retention_moments``)."""
    as_of = observed.as_of.astype(dt.date)
    window = trailing_window(observed.as_of, settings.window_months)
    raw = retention_raw(observed, window)
    knobs, left = _knobs(POST_SALE_KNOBS, base, raw)
    for knob in [k for k in knobs if k.statistic.startswith(REASON_SHARE)]:
        why = reasons_problem(observed, window, knob.statistic.removeprefix(REASON_SHARE))
        if why is not None:
            knobs = tuple(k for k in knobs if k is not knob)
            left.append(f"{knob.path} ({knob.label}): {why}")
    names = tuple(k.statistic for k in knobs)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    covariance = _account_bootstrap(observed, window, rng, names)
    target = Target(
        names, transformed(raw, names, RETENTION_STATISTICS), covariance, raw, window,
        retention_raw, RETENTION_STATISTICS, pooled=True,
    )  # fmt: skip
    eve = (window.first - 1).astype(dt.date)
    tree = _copy(base)
    counted = customer_inputs(observed, as_of, base)
    set_counted(tree, counted)
    tree["start"] = {"customers": str(export), "as_of": eve, "customers_map": dict(maps)}
    months = window.months  # the window's days exactly: every day of exposure has its events
    simulator = Simulator(
        months, settings.seed, settings.replications, as_of, settings.workers, simulated_customers
    )
    day0 = eve + dt.timedelta(days=1)
    return _fitted(observed, target, counted, left, tree, knobs, simulator, settings, day0,
                   on_evaluation, SCOUT_STEPS)  # fmt: skip


def _account_bootstrap(
    observed: Customers, window: Window, rng: np.random.Generator, names: tuple[str, ...]
) -> np.ndarray:
    """Sampling covariance of the retention statistics, resampling the export's accounts."""
    n = len(observed)
    draws = [
        retention_raw(resampled(observed, rng.integers(0, n, n)), window)
        for _ in range(BOOTSTRAP_RESAMPLES)
    ]
    at = retention_raw(observed, window)
    return raw_covariance_scaled(draws, at, names, RETENTION_STATISTICS)


def _fitted(
    observed: Deals | Customers,
    target: Target,
    counted: list[Counted],
    left: list[str],
    tree: Tree,
    knobs: tuple[Knob, ...],
    simulator: Simulator,
    settings: Settings,
    day0: dt.date,
    on_evaluation: Callable[[int, float], None] | None,
    scout: tuple[float, ...] = (),
) -> Calibration:
    """Search, then each knob as a ``Fitted`` row: with its interval when the search moved
    it, else not fitted (the base's value, no interval)."""
    with simulator:
        solution = solve(
            shrunk(tree, target.factor),
            knobs,
            target,
            simulator,
            settings.max_evaluations,
            settings.history_replications,
            on_evaluation,
            scout,
            tree if target.factor != 1.0 else None,
        )
    fitted = []
    moved = solution.moved
    # where the base sits: 0 for a move from its values, its own coordinate for an absolute one
    unmoved = np.array([0.0 if k.at is None else k.at(tree) for k in solution.knobs])
    for index, knob in enumerate(solution.knobs):
        label, unit = statistic_label(knob.statistic)
        if moved[index]:
            x, method = float(solution.x[index]), "simulated method of moments"
            ends = sorted(knob.value(tree, end) for end in solution.interval(index))
        else:
            x, ends = float(unmoved[index]), [math.nan, math.nan]
            method = (
                f"not fitted: the search stopped (--max-tries) after {solution.searched} "
                "parameter sets, before it moved this input; the base scenario's value"
            )
        fitted.append(
            Fitted(
                path=knob.path,
                label=knob.label,
                value=knob.value(tree, x),
                low=ends[0],
                high=ends[1],
                unit=knob.unit,
                target=f"{label} ({unit})",
                observed=target.raw[knob.statistic],
                simulated=solution.simulated_raw[knob.statistic],
                method=method,
                fitted=bool(moved[index]),
            )
        )
    # knobs the search never moved keep the base's values (not the nudge it started from)
    x = np.where(moved, solution.x, unmoved)
    return Calibration(
        observed, target, counted, fitted, left, solution, apply(tree, solution.knobs, x),
        settings, day0,
    )  # fmt: skip


def _copy(tree: Tree) -> Tree:
    return {k: _copy(v) if isinstance(v, dict) else v for k, v in tree.items()}
