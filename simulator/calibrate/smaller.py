"""A smaller world with the same statistics: a calibration's search runs the export's company
with a fraction of its hunters, sales engineers, farmers, accounts and direct-marketing spend,
whose deals show the same win rate, cycles, deal sizes, backlog and ages (every statistic but
the count of new opportunities, which is scaled back), at a fraction of the cost per try.

Every knob is intensive (per hunter, per deal, per account), so the coordinates found in the
small world are those of the whole company. A small world's statistics vary more from one
history to the next, as a sample of fewer deals does: the search weighs its misses by that
larger spread (its "close enough" is looser in the small world), and the intervals' Monte Carlo
term is scaled by the factor.
"""

from __future__ import annotations

import math
from typing import Any

from simulator.parameters.knobs import Tree

FIT_HUNTERS = 6
"""Hunters in the world a calibration searches in: a larger team is shrunk to about this many
(at least a factor of ``MIN_FACTOR`` smaller, or not at all)."""
MIN_FACTOR = 1.5
EXTENSIVE_STATISTICS = ("new_per_month",)
"""The statistics that grow with the company: measured in the small world, scaled back."""


def shrink_factor(tree: Tree, fit_hunters: int | None = FIT_HUNTERS) -> float:
    """How many times smaller the search's world is than ``tree``'s: its hunters over
    ``fit_hunters`` rounded to a whole team (1: not shrunk; ``None``: never)."""
    hunters = int(tree["team"]["hunters"])
    if fit_hunters is None or hunters < MIN_FACTOR * fit_hunters:
        return 1.0
    times = round(hunters / fit_hunters)  # a whole number of times smaller, near the target
    return hunters / round(hunters / times)


def shrunk(tree: Tree, factor: float) -> Tree:
    """A copy of ``tree`` ``factor`` times smaller in every count and budget that scales with
    the company (each at least 1 where it was)."""
    small = _copy(tree)
    if factor == 1.0:
        return small
    team, market, marketing = small["team"], small["market"], small["marketing"]

    def less(value: float, at_least: int = 1) -> int:
        return max(at_least if value > 0 else 0, round(value / factor))

    team["hunters"] = less(team["hunters"])
    team["sales_engineers"] = less(team["sales_engineers"])
    team["farmers"] = less(team["farmers"])
    team["hires"] = [{**h, "count": less(h["count"])} for h in team["hires"]]
    market["accounts"] = less(market["accounts"])
    marketing["direct"]["spend_usd_per_month"] /= factor
    marketing["budget_changes"] = [
        _budget(change, factor) for change in marketing["budget_changes"]
    ]
    return small


def scaled_back(raw: dict[str, float], factor: float) -> dict[str, float]:
    """A small world's statistics as the whole company's."""
    return {
        name: value * factor if name in EXTENSIVE_STATISTICS and math.isfinite(value) else value
        for name, value in raw.items()
    }


def _budget(change: dict[str, Any], factor: float) -> dict[str, Any]:
    direct = change.get("direct_usd_per_month")
    return {**change, "direct_usd_per_month": None if direct is None else direct / factor}


def _copy(tree: Tree) -> Tree:
    return {
        k: _copy(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v
        for k, v in tree.items()
    }
