"""What an option buys for what it costs, against the baseline: the extra go-to-market cost, the
extra new ARR, the new ARR per extra dollar and the months the extra cost takes to pay back.

A leader who reads "+$740k marketing spend" beside "+$528k bookings" should not have to work out
the payoff alone. Both sides of each ratio are paired differences (variant minus baseline, same
replications, with the control variates the run carries, as in the run's table), so the ratio's
95% interval is Fieller's: exact for a ratio of two correlated means, and undefined (None) when
the denominator's own interval includes 0 — a ratio to a cost that may not differ at all has no
meaning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from scipy import stats

from simulator.metrics.catalog import SUMMARY
from simulator.metrics.formats import difference_text, number
from simulator.runs.aggregate import CONFIDENCE, Difference, JointMeans, plain_means, variant_values
from simulator.runs.summary_differences import summary_difference, summary_joint_differences
from simulator.units import MONTHS_PER_YEAR

COST, NEW_ARR, MARGIN = "total_cost", "new_arr", "new_arr_margin"


@dataclass(frozen=True)
class Ratio:
    """A ratio of two mean paired differences, with its Fieller interval (NaN when undefined)."""

    mean: float
    low: float
    high: float


def fieller(numerator: np.ndarray, denominator: np.ndarray) -> Ratio:
    """mean(numerator) / mean(denominator) with the 95% Fieller interval, the two paired by
    replication (their covariance counts)."""
    return fieller_of(plain_means(np.column_stack([numerator, denominator])), 0, 1)


def fieller_of(means: JointMeans, numerator: int, denominator: int) -> Ratio:
    """The ratio of two of ``means`` with its 95% Fieller interval, from their covariance and
    degrees of freedom (plain, or a control-variate regression's)."""
    if means.n < 2:
        return Ratio(math.nan, math.nan, math.nan)
    a, b = float(means.mean[numerator]), float(means.mean[denominator])
    if b == 0:
        return Ratio(math.nan, math.nan, math.nan)
    cov = means.covariance
    v11, v12 = cov[numerator, numerator], cov[numerator, denominator]
    v22 = cov[denominator, denominator]
    t = float(stats.t.ppf(0.5 + CONFIDENCE / 2, means.df))
    ratio = a / b
    g = t * t * v22 / (b * b)
    if g >= 1:  # the denominator's interval includes 0
        return Ratio(ratio, math.nan, math.nan)
    shift = g * v12 / v22 if v22 > 0 else 0.0
    conditional = v11 - v12 * v12 / v22 if v22 > 0 else v11
    spread = v11 - 2 * ratio * v12 + ratio * ratio * v22 - g * conditional
    half = t / abs(b) * math.sqrt(max(0.0, spread))
    low, high = (ratio - shift - half) / (1 - g), (ratio - shift + half) / (1 - g)
    return Ratio(ratio, low, high)


@dataclass(frozen=True)
class Economics:
    """One option against the baseline."""

    variant: str
    extra_cost: Difference
    extra_new_arr: Difference
    arr_per_dollar: Ratio  # extra new ARR per extra dollar of go-to-market cost
    payback_months: Ratio  # extra cost / extra gross margin of new ARR a month

    def line(self) -> str:
        """``vaporware: go-to-market cost +$1.2M [...]; new ARR +$300k [...]; $0.25 of new
        ARR per extra $1 [0.1, 0.4]; the extra cost pays back in 48 months [30, 120]``."""
        cost, arr = SUMMARY[COST], SUMMARY[NEW_ARR]
        d_cost, d_arr = self.extra_cost, self.extra_new_arr
        parts = [
            f"go-to-market cost {difference_text(cost, d_cost.mean, d_cost.low, d_cost.high)}",
            f"new ARR {difference_text(arr, d_arr.mean, d_arr.low, d_arr.high)}",
        ]
        ratio, payback = self.arr_per_dollar, self.payback_months
        if d_cost.mean > 0 and math.isfinite(ratio.mean):
            per_dollar = f"{_dollars(ratio.mean)} of new ARR per extra $1"
            parts.append(per_dollar + _bounds(ratio, _dollars))
        elif d_cost.mean < 0 and d_arr.mean >= 0:
            parts.append("cheaper and no less new ARR")
        if d_cost.mean > 0 and payback.mean > 0 and math.isfinite(payback.mean):
            months = f"{_months(payback.mean)} months{_bounds(payback, _months)}"
            parts.append(f"the extra cost pays back in {months}")
        elif d_cost.mean > 0:
            parts.append("the extra cost does not pay back (no extra gross margin)")
        return f"{self.variant}: " + "; ".join(parts)

    def to_json(self) -> dict:
        def ratio(r: Ratio) -> dict:
            return {k: (v if math.isfinite(v) else None) for k, v in r.__dict__.items()}

        return {
            "variant": self.variant,
            "extra_cost": self.extra_cost.__dict__,
            "extra_new_arr": self.extra_new_arr.__dict__,
            "arr_per_dollar": ratio(self.arr_per_dollar),
            "payback_months": ratio(self.payback_months),
        }


def economics_of(summary: pa.Table) -> list[Economics]:
    """Every variant after the first against the first, from a run's summary table, paired by
    replication and with the control variates it carries (``summary_difference``: the same
    differences as the run's table); empty for a run made before these metrics existed."""
    if not {COST, NEW_ARR, MARGIN} <= set(summary.column_names):
        return []
    names = list(dict.fromkeys(summary.column("variant").to_pylist()))
    counts = {name: len(variant_values(summary, name, COST)) for name in names}
    cost, new_arr, margin = range(3)  # the columns of the joint differences
    found = []
    for name in (n for n in names[1:] if counts[n] == counts[names[0]]):
        joint = summary_joint_differences(summary, name, names[0], (COST, NEW_ARR, MARGIN))
        found.append(
            Economics(
                name,
                summary_difference(summary, name, names[0], COST, lower_is_better=True),
                summary_difference(summary, name, names[0], NEW_ARR),
                fieller_of(joint, new_arr, cost),
                _scaled(fieller_of(joint, cost, margin), MONTHS_PER_YEAR),
            )
        )
    return found


def economics_lines(summary: pa.Table) -> list[str]:
    """One line per option, as the verdict says it."""
    return [e.line() for e in economics_of(summary)]


def _scaled(ratio: Ratio, factor: float) -> Ratio:
    return Ratio(ratio.mean * factor, ratio.low * factor, ratio.high * factor)


def _dollars(value: float) -> str:
    """Dollars per dollar: ``$0.25``, ``−$1.10``; large ones compact (``$12``)."""
    if abs(value) >= 10:
        return number(value, "usd")
    return f"{'−' if value < 0 else ''}${abs(value):.2f}"


def _bounds(ratio: Ratio, say: Callable[[float], str]) -> str:
    """A ratio's interval, each end said as its mean is (``say``)."""
    if not (math.isfinite(ratio.low) and math.isfinite(ratio.high)):
        return " (interval undefined: the cost difference is not clear)"
    return f" [{say(ratio.low)}, {say(ratio.high)}]"


def _months(months: float) -> str:
    """A payback in months: a tenth under 10 ("1.4", not "1 months" for 1.4), whole above."""
    return f"{months:.1f}" if abs(months) < 10 else f"{months:.0f}"
