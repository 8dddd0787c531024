"""The scenario inputs a calibration turns, each paired with the export statistic that moves
most with it (the search uses them all together; the pairing names what identifies what).

A knob has a coordinate ``x`` the search moves (0 at the base scenario, about unit scale):
a log factor for rates, durations and sizes, a shift for a utility or log-odds, the value
itself for a probability. ``set`` writes the scenario fields for an ``x`` into a parameter tree
(a plain dict, as ``Parameters.model_dump()`` gives); ``value`` reads the main field, ``path``,
then.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.parameters import SEGMENTS, STAGES
from simulator.parameters.process import MAX_CLEANUP_DAYS

Tree = dict[str, Any]
QUALITY_SOURCES = ("inbound", "direct", "outbound")
TOP_SHARE = 0.999
"""A share the lead-rate factor may raise ``in_market_share_per_quarter`` to at most."""
SPREAD_CAP = 3.0
"""The largest ``deal_size_log_sd`` the scenario allows."""


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


@dataclass(frozen=True)
class Knob:
    name: str
    label: str
    path: str  # the main scenario field, reported with its interval
    unit: str
    statistic: str  # the statistic of ``moments.STATISTICS`` it is paired with
    bounds: tuple[float, float]
    set: Callable[[Tree, Tree, float], None]  # (tree to change, base tree, x)
    at: Callable[[Tree], float] | None = None
    """For a knob whose coordinate is absolute (not a move from the base's values): the
    coordinate a tree sits at."""
    elasticity: float | None = None
    """For a knob its statistic follows in proportion: how far the statistic's comparison
    scale moves per unit of the coordinate (1: a log factor on a count, a duration, a size),
    which lets a search's first step go straight to the export's value."""
    least_difference: float = 0.0
    """The least step a finite difference takes along this knob: a knob that moves its
    statistic little per unit (a probability that shifts a few deals) is measured over a
    longer step, where its effect shows through the noise of common random numbers."""

    def value(self, base: Tree, x: float) -> float:
        """What the main field (``path``) is at ``x``."""
        node = _deep_copy(base)
        self.set(node, base, x)
        return self.read(node)

    def read(self, tree: Tree) -> float:
        """The main field's value in ``tree``."""
        node: Any = tree
        for name in self.path.split("."):
            node = node[name]
        return float(node)


def _deep_copy(tree: Tree) -> Tree:
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in tree.items()}


def _leads(tree: Tree, base: Tree, x: float) -> None:
    factor = math.exp(x)
    team, market = base["team"], base["market"]
    outbound = team["outbound_leads_per_hunter_month"]
    tree["team"]["outbound_leads_per_hunter_month"] = outbound * factor
    tree["market"]["in_market_share_per_quarter"] = min(
        TOP_SHARE, market["in_market_share_per_quarter"] * factor
    )


def _cycle(tree: Tree, base: Tree, x: float) -> None:
    factor = math.exp(x)
    for segment in SEGMENTS:
        days = base["market"][segment]["stage_days"]
        tree["market"][segment]["stage_days"] = {stage: days[stage] * factor for stage in STAGES}


def _quality(tree: Tree, base: Tree, x: float) -> None:
    quality = base["process"]["lead_quality"]
    tree["process"]["lead_quality"] = {
        source: _expit(_logit(quality[source]) + x) for source in QUALITY_SOURCES
    }


def _appeal(tree: Tree, base: Tree, x: float) -> None:
    tree["market"]["choice"]["our_constant"] = base["market"]["choice"]["our_constant"] + x


def _deal_size(tree: Tree, base: Tree, x: float) -> None:
    factor = math.exp(x)
    for segment in SEGMENTS:
        median = base["market"][segment]["deal_size_median_usd"]
        tree["market"][segment]["deal_size_median_usd"] = median * factor


def _deal_spread(tree: Tree, base: Tree, x: float) -> None:
    factor = math.exp(x)
    for segment in SEGMENTS:
        sd = base["market"][segment]["deal_size_log_sd"]
        tree["market"][segment]["deal_size_log_sd"] = min(SPREAD_CAP, sd * factor)


def _pull_in(tree: Tree, base: Tree, x: float) -> None:
    tree["team"]["quarter_end"]["pull_in_probability"] = min(max(x, 0.0), 1.0)


def _pull_in_at(tree: Tree) -> float:
    return float(tree["team"]["quarter_end"]["pull_in_probability"])


DARK_RATE_REFERENCE = 0.05
"""The going-dark rate (per deal-month) at coordinate 0: the knob is the log of the rate over
it, so a search starts there whatever the base (whose rate is 0, off, by default)."""
DARK_BOUNDS = (-6.0, 3.0)


def _dark(tree: Tree, base: Tree, x: float) -> None:
    rate = DARK_RATE_REFERENCE * math.exp(x) if x > DARK_BOUNDS[0] else 0.0  # the bound: off
    tree["process"]["going_dark"]["rate_per_month"] = rate


def _dark_at(tree: Tree) -> float:
    rate = tree["process"]["going_dark"]["rate_per_month"]
    return math.log(rate / DARK_RATE_REFERENCE) if rate > 0 else DARK_BOUNDS[0]


def _cleanup(tree: Tree, base: Tree, x: float) -> None:
    days = base["process"]["going_dark"]["cleanup_days"] * math.exp(x)
    tree["process"]["going_dark"]["cleanup_days"] = min(MAX_CLEANUP_DAYS, days)


def _pull_out(tree: Tree, base: Tree, x: float) -> None:
    rate = base["process"]["member_pull_out_per_month"]
    tree["process"]["member_pull_out_per_month"] = rate * math.exp(x)


DATED_REFERENCE = 0.2
"""The share of buyers with a critical date at coordinate 0: the knob is the log-odds of the
share less those of this one, so a search starts there whatever the base (0, off, by default)."""
DATED_BOUNDS = (-8.0, 4.0)


def _dated(tree: Tree, base: Tree, x: float) -> None:
    share = _expit(_logit(DATED_REFERENCE) + x) if x > DATED_BOUNDS[0] else 0.0  # bound: off
    tree["process"]["critical_date"]["probability"] = share


def _dated_at(tree: Tree) -> float:
    share = tree["process"]["critical_date"]["probability"]
    return _logit(share) - _logit(DATED_REFERENCE) if share > 0 else DATED_BOUNDS[0]


def _date_days(tree: Tree, base: Tree, x: float) -> None:
    days = base["process"]["critical_date"]["days_mean"]
    tree["process"]["critical_date"]["days_mean"] = days * math.exp(x)


KNOBS = (
    Knob(
        "leads", "opportunities a hunter opens a month (inbound interest scaled alike)",
        "team.outbound_leads_per_hunter_month", "leads a hunter-month", "new_per_month",
        (-6.0, 6.0), _leads, elasticity=1.0,
    ),
    Knob(
        "cycle", "stage durations (all stages and segments scaled alike)",
        "market.mid_market.stage_days.evaluation", "days", "won_slow_cycle_days",
        (-4.0, 4.0), _cycle, elasticity=1.0,
    ),
    Knob(
        "quality", "share of leads that are real buying projects (all sources, log-odds shift)",
        "process.lead_quality.inbound", "probability", "lost_cycle_days",
        (-8.0, 8.0), _quality,
    ),
    Knob(
        "appeal", "our offer's appeal beyond the mechanisms (against rivals and doing nothing)",
        "market.choice.our_constant", "utility units", "crm_win_rate",
        (-8.0, 8.0), _appeal,
    ),
    Knob(
        "deal_size", "deal size (all segments' medians scaled alike)",
        "market.mid_market.deal_size_median_usd", "USD", "won_acv_typical_usd",
        (-8.0, 8.0), _deal_size, elasticity=1.0,
    ),
    Knob(
        "deal_spread", "spread of deal sizes (log sd, all segments scaled alike)",
        "market.mid_market.deal_size_log_sd", "log sd", "won_acv_mean_usd",
        (-4.0, 2.0), _deal_spread,
    ),
    Knob(
        "pull_in", "deals pulled in to close by the quarter end",
        "team.quarter_end.pull_in_probability", "probability", "quarter_end_ratio",
        (0.0, 1.0), _pull_in, _pull_in_at, least_difference=0.2,
    ),
    Knob(
        "dark", "rate at which a buyer goes dark (log of the rate over 0.05 a month)",
        "process.going_dark.rate_per_month", "per deal-month", "open_months",
        DARK_BOUNDS, _dark, _dark_at, elasticity=1.0,
    ),
    Knob(
        "cleanup", "age at which the CRM's cleanup closes a dark deal",
        "process.going_dark.cleanup_days", "days", "open_age_days",
        (-3.0, 3.0), _cleanup, elasticity=1.0,
    ),
    Knob(
        "pull_out", "rate at which a committee member pulls the group out of an evaluation",
        "process.member_pull_out_per_month", "per member-month", "lost_quick_share",
        (-6.0, 3.0), _pull_out,
    ),
    Knob(
        "dated", "share of buyers with a critical date of their own (log-odds over 0.2)",
        "process.critical_date.probability", "probability", "won_quick_share",
        DATED_BOUNDS, _dated, _dated_at, elasticity=1.0,
    ),
    Knob(
        "date_days", "time from the opening to a buyer's critical date",
        "process.critical_date.days_mean", "days", "won_quick_cycle_days",
        (-4.0, 3.0), _date_days, elasticity=1.0,
    ),
)  # fmt: skip
HANDOFFS = ("hunter_only", "hunter_farmer")
CHURN_FIELDS = ("churn_probability_at_zero_health", "churn_probability_at_full_health")


def _churn(tree: Tree, base: Tree, x: float) -> None:
    factor = math.exp(x)
    for name in CHURN_FIELDS:
        tree["post_sale"][name] = min(1.0, base["post_sale"][name] * factor)


def _expansion(tree: Tree, base: Tree, x: float) -> None:
    tree["post_sale"]["expansion_share"] = base["post_sale"]["expansion_share"] * math.exp(x)


def _gap(tree: Tree, base: Tree, x: float) -> None:
    gap = base["post_sale"]["expectation_gap_probability"]
    tree["post_sale"]["expectation_gap_probability"] = {
        handoff: _expit(_logit(gap[handoff]) + x) for handoff in HANDOFFS
    }


def _neglect(tree: Tree, base: Tree, x: float) -> None:
    decay = base["post_sale"]["neglect_decay_per_month"]
    tree["post_sale"]["neglect_decay_per_month"] = decay * math.exp(x)


POST_SALE_KNOBS = (
    Knob(
        "churn", "churn at renewal (at full and at zero health, scaled alike)",
        "post_sale.churn_probability_at_full_health", "probability", "logo_churn_per_year",
        (-6.0, 4.0), _churn,
    ),
    Knob(
        "expansion", "size of an upsell, as a share of the customer's ARR",
        "post_sale.expansion_share", "share of ARR", "expansion_per_year",
        (-6.0, 4.0), _expansion,
    ),
    Knob(
        "gap", "expectation gaps at implementation (every handoff, log-odds shift)",
        "post_sale.expectation_gap_probability.hunter_farmer", "probability",
        "reason_share_features", (-8.0, 8.0), _gap,
    ),
    Knob(
        "neglect", "health lost to neglect between check-ins",
        "post_sale.neglect_decay_per_month", "per month", "reason_share_support",
        (-4.0, 4.0), _neglect,
    ),
)  # fmt: skip
"""What a subscription export fits: the post-sale side (``retention_moments``)."""


BY_NAME = {knob.name: knob for knob in (*KNOBS, *POST_SALE_KNOBS)}
"""Every knob by name: a scenario's record of its fit's uncertainty names them."""


def moved(tree: Tree, knobs: tuple[Knob, ...], center: np.ndarray, delta: np.ndarray) -> Tree:
    """A copy of ``tree`` with each knob moved by ``delta`` from its fitted coordinate
    ``center`` (kept within its bounds): a relative knob scales or shifts the tree's own values
    by the move, an absolute one adds it to the tree's value. Moves are applied to whatever the
    tree holds, so a variant (more hunters, another price) keeps its own values and gets the
    fit's uncertainty about them."""
    changed = _deep_copy(tree)
    for knob, at, step in zip(knobs, center.tolist(), delta.tolist(), strict=True):
        low, high = knob.bounds
        move = min(max(at + step, low), high) - at
        knob.set(changed, tree, move if knob.at is None else knob.at(tree) + move)
    return changed


def apply(base: Tree, knobs: tuple[Knob, ...], x: tuple[float, ...] | list[float]) -> Tree:
    """A copy of ``base`` with each knob set to its coordinate."""
    tree = _deep_copy(base)
    for knob, value in zip(knobs, x, strict=True):
        knob.set(tree, base, float(value))
    return tree
