"""The ``ranges:`` section of a scenario file, and the documented default ranges.

``salesim sensitivity`` varies each input across a range; a scenario may say which inputs and
how far (``ranges: {team.hunters: [4, 12]}``), else the defaults below are used. A range is
checked like any parameter: its path must name a numeric parameter the scenario has, low must
be under high, and both ends must be values the parameter allows, so a typo or an impossible
probability is an error before a single replication runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from simulator.parameters.paths import Bounds, PathError, numeric_bounds, value_at

Range = tuple[float, float]

DEFAULT_RANGES: dict[str, Range] = {
    # the team: roughly half to twice the defaults, within what a mid-size team can staff
    "team.hunters": (3, 12),
    "team.sales_engineers": (1, 6),
    "team.hunter_capacity_opportunities": (6, 16),
    "team.lead_response_hours_mean": (0.5, 12.0),
    "team.ramp_months": (2.0, 8.0),
    "team.quota.usd_per_month": (20_000.0, 45_000.0),
    # how the team sells
    "strategy.qualification_discipline": (0.4, 0.95),
    "process.lead_patience_days": (3.0, 14.0),
    # the market and the offer
    "market.in_market_share_per_quarter": (0.03, 0.08),
    "product.price_index": (0.8, 1.2),
    # marketing budgets (USD a month): none to twice the defaults
    "marketing.brand.spend_usd_per_month": (0.0, 40_000.0),
    "marketing.direct.spend_usd_per_month": (0.0, 20_000.0),
    # the roadmap: how the announced features' releases slip (the death spiral's driver)
    "product.features[0].slip.probability": (0.2, 0.9),
    "product.features[0].slip.mean_months": (1.0, 4.0),
    "product.features[1].slip.probability": (0.2, 0.9),
    "product.features[1].slip.mean_months": (1.0, 4.0),
    # how the pitch spreads and what it costs (assumptions without a published source)
    "process.pitching.habit_per_revival": (0.02, 0.2),
    "process.pitching.habit_max": (0.3, 0.9),
    "process.pitching.switch_probability": (0.5, 0.95),
    "process.pitching.switch_probability_without_need": (0.1, 0.7),
    "process.pitching.broken_promise_penalty": (0.0, 0.6),
    # rivals who enter claiming the same feature
    "competitors.entrants.claims_feature_probability": (0.4, 0.9),
}
"""Default ranges of the main parameters (low, high), used where neither the scenario's
``ranges:`` nor ``--vary`` names any; a path the scenario lacks (a feature list left empty) is
skipped."""


def range_problem(
    model: type[BaseModel], tree: Mapping[str, Any], path: str, low: float, high: float
) -> str | None:
    """What is wrong with varying ``path`` from ``low`` to ``high`` in ``tree`` (a scenario's
    parameters as plain data), or None: the path names a numeric parameter the scenario has,
    low is under high, and both ends are allowed."""
    try:
        bounds = numeric_bounds(model, path)
        value_at(tree, path)
    except PathError as error:
        return str(error)
    if not low < high:
        return f"{path}: the range [{low:g}, {high:g}] must go from low to high"
    outside = [f"{v:g}" for v in (low, high) if not bounds.allows(v)]
    if outside:
        return (
            f"{path}: {' and '.join(outside)} outside the values the parameter allows "
            f"({bounds.allowed()})"
        )
    return None


def ranges_problems(
    model: type[BaseModel], tree: Mapping[str, Any], ranges: Mapping[str, Range]
) -> list[str]:
    """Every problem in a ``ranges:`` section, one line each."""
    problems = (range_problem(model, tree, path, *pair) for path, pair in ranges.items())
    return [p for p in problems if p is not None]


def range_around(path: str, value: float, bounds: Bounds) -> Range:
    """The documented range of ``path`` for a scenario whose value is ``value``: the documented
    one when it holds the value, or when the value is not positive (0 turns a mechanism off:
    there is no scale to move the range to); else the same range scaled to have the value at
    its middle (geometric, or plain for a range from 0), whole numbers widened outwards, and
    kept within what the parameter allows (``bounds``); the documented one again if that
    leaves no room."""
    documented = DEFAULT_RANGES[path]
    low, high = documented
    if low <= value <= high or value <= 0:
        return low, high
    middle = math.sqrt(low * high) if low > 0 else high / 2
    factor = value / middle
    low, high = low * factor, high * factor
    if bounds.integer:
        low, high = math.floor(low), math.ceil(high)
    if bounds.low is not None and low < bounds.low:
        low = bounds.low if bounds.low_inclusive else math.nextafter(bounds.low, math.inf)
    if bounds.high is not None and high > bounds.high:
        high = bounds.high if bounds.high_inclusive else math.nextafter(bounds.high, -math.inf)
    return (float(low), float(high)) if low < high else documented
