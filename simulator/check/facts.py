"""Stylised facts (MODEL.md 4.1): each names the counterfactual arms it needs, as ``--set``
overrides of the scenario's baseline variant, and the paired comparisons that must come out.

A comparison is a contrast of arms (``+1 x`` one arm ``-1 x`` another, or a difference of two
such differences) on one metric: a summary metric, or a monthly one at a month
(``aware_share@19``, ``aware_share@end``). Every arm runs with the same seed and replication
indices, so the contrast is taken replication by replication (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.check.arms import (
    CRITICAL_DATES_ON,
    EXCLUSIVE_ON,
    FREE_WORK_ON,
    HONEST,
    NO_SLIP,
    SLIP_09,
    Overrides,
    at_least,
    brand_moved_to_direct,
    death_spiral_arms,
    handoff,
    handoff_arm,
    needs_brand,
    needs_farmers,
    needs_features,
    needs_horizon,
    needs_steady_brand,
    pitch,
)
from simulator.parameters import Parameters

BASELINE = "baseline"
"""The arm with no overrides: the scenario's first variant as it is."""


@dataclass(frozen=True)
class Comparison:
    """``sum(coef x arm)`` on ``metric`` must lie on ``side`` of 0: '>' above, '<' below, '=0'
    exactly 0 in every replication; 'reported': the metric exists and has a value. ``metric``
    may be a pattern (``sponsorless_*days*``): the first summary metric it matches. A monthly
    metric is named at a month (``aware_share@19``, ``aware_share@end``) or as the change
    between two months (``aware_share@end-19``: at the horizon less at month 19)."""

    terms: tuple[tuple[int, str], ...]
    metric: str
    side: str
    label: str = ""

    def text(self) -> str:
        if self.label:
            return self.label
        plus = [a for c, a in self.terms if c > 0]
        minus = [a for c, a in self.terms if c < 0]
        return f"{' + '.join(plus)} − {' − '.join(minus)}: {self.metric}"


def diff(arm: str, other: str, metric: str, side: str) -> Comparison:
    return Comparison(((1, arm), (-1, other)), metric, side)


def diff_of_diffs(
    arm: str, other: str, ref_arm: str, ref_other: str, metric: str, side: str, label: str
) -> Comparison:
    """(arm − other) − (ref_arm − ref_other): how a gap changes between two settings."""
    terms = ((1, arm), (-1, other), (-1, ref_arm), (1, ref_other))
    return Comparison(terms, metric, side, label)


@dataclass(frozen=True)
class Fact:
    """``arms`` are overrides of the baseline; where the scenario has a variant that *is* an
    arm (``variant_arm`` names the arm a variant's parameters make, or None), that variant is
    the arm as the scenario wrote it, so the fact judges the variants it is about."""

    key: str
    name: str
    source: str
    arms: dict[str, Overrides]
    comparisons: tuple[Comparison, ...]
    applies: Callable[[Parameters, int], str | None] | None = None
    variant_arm: Callable[[Parameters], str | None] | None = None


_ROBUST = tuple(
    comparison
    for setting in ("capacity10", "capacity20", "capacity40", "enterprise_only")
    for comparison in (
        diff(f"vaporware@{setting}", f"available_only@{setting}", "bookings_24m", "<"),
        diff(f"vaporware@{setting}", f"available_only@{setting}", "hunter_attrition", ">"),
    )
)

_FEATURE = "feature_references"

_MOVED = "brand_moved_to_direct"

FACTS: tuple[Fact, ...] = (
    Fact(
        "death_spiral",
        "Death spiral: vaporware wins the first quarter, then loses",
        "MODEL.md 4.1 (1); essay 000",
        {"available_only": pitch("available_only"), "vaporware": pitch("vaporware")},
        (
            diff("vaporware", "available_only", "meetings_q1", ">"),
            diff("vaporware", "available_only", "bookings_24m", "<"),
            diff("vaporware", "available_only", "win_rate", "<"),
            diff("vaporware", "available_only", "cycle_days_won_median", ">"),
            diff("vaporware", "available_only", "hunters_put_on_plan", ">"),
            diff("vaporware", "available_only", "hunter_attrition", ">"),
        ),
        needs_features,
    ),
    Fact(
        "death_spiral_robust",
        "Death spiral holds across hunter capacities (10, 20, 40) and an enterprise-only market",
        "MODEL.md 4.1 (1); issue 12",
        death_spiral_arms(),
        _ROBUST,
        needs_features,
    ),
    Fact(
        "death_spiral_slips",
        "Death spiral: the harm grows with the slips and with dates announced early",
        "MODEL.md 4.1 (1); essay 000",
        {
            "available_only": pitch("available_only"),
            "vaporware": pitch("vaporware"),
            "available_only@slip0.9": pitch("available_only", SLIP_09),
            "vaporware@slip0.9": pitch("vaporware", SLIP_09),
            "available_only@honest": pitch("available_only", HONEST),
            "vaporware@honest": pitch("vaporware", HONEST),
            "available_only@no_slip": pitch("available_only", NO_SLIP),
            "vaporware@no_slip": pitch("vaporware", NO_SLIP),
        },
        (
            diff_of_diffs(
                "vaporware@slip0.9",
                "available_only@slip0.9",
                "vaporware",
                "available_only",
                "bookings_24m",
                "<",
                "bookings_24m gap (vaporware − available_only): slip 0.9 − default",
            ),
            diff_of_diffs(
                "vaporware@honest",
                "available_only@honest",
                "vaporware",
                "available_only",
                "bookings_24m",
                ">",
                "bookings_24m gap (vaporware − available_only): honest − default",
            ),
            diff_of_diffs(
                "vaporware@honest",
                "available_only@honest",
                "vaporware@no_slip",
                "available_only@no_slip",
                "bookings_24m",
                ">",
                "bookings_24m gap: honest roadmap − no slips but dates announced early "
                "(the broken promise)",
            ),
        ),
        needs_features,
    ),
    Fact(
        "beta_partner",
        "beta_partner beats vaporware",
        "MODEL.md 4.1 (2); essay 000",
        {"vaporware": pitch("vaporware"), "beta_partner": pitch("beta_partner")},
        (
            diff("beta_partner", "vaporware", "bookings_24m", ">"),
            diff("beta_partner", "vaporware", _FEATURE, ">"),
        ),
        needs_features,
    ),
    Fact(
        "handoff",
        "hunter_farmer beats hunter_only; transition_vision reaches value first and wins more",
        "MODEL.md 4.1 (3); essay 003",
        {
            "hunter_only": handoff("hunter_only"),
            "hunter_farmer": handoff("hunter_farmer"),
            "transition_vision": handoff("transition_vision"),
        },
        (
            diff("hunter_farmer", "hunter_only", "nrr", ">"),
            diff("hunter_farmer", "hunter_only", "references_end", ">"),
            diff("hunter_farmer", "hunter_only", "win_rate_late", ">"),
            diff("transition_vision", "hunter_farmer", "time_to_value_days_median", "<"),
            diff("transition_vision", "hunter_only", "time_to_value_days_median", "<"),
            diff("transition_vision", "hunter_farmer", "win_rate", ">"),
        ),
        needs_horizon(24),
        handoff_arm,
    ),
    Fact(
        "no_brand",
        "No brand spend: fewer inbound leads, more losses to the household name",
        "MODEL.md 4.1 (4); essay 002",
        {BASELINE: (), "no_brand": ("marketing.brand.spend_usd_per_month=0",)},
        (
            diff("no_brand", BASELINE, "leads_inbound", "<"),
            diff("no_brand", BASELINE, "lost_household_brand", ">"),
        ),
        needs_brand,
    ),
    Fact(
        "brand_stop_lag",
        "Stopping brand spend at month 18 lowers awareness with a lag",
        "MODEL.md 4.1 (4); essay 002",
        {
            BASELINE: (),
            "brand_stopped_18": ("marketing.budget_changes=[{month: 18, brand_usd_per_month: 0}]",),
        },
        (
            diff("brand_stopped_18", BASELINE, "aware_share@end", "<"),
            Comparison(
                ((1, "brand_stopped_18"), (-1, BASELINE)),
                "aware_share@end-19",
                "<",
                "awareness gap (stopped − steady): at the horizon − at month 19",
            ),
        ),
        needs_brand,
    ),
    Fact(
        "brand_vs_direct",
        "Brand vs direct, same budget: direct pays first, brand later",
        "MODEL.md 2.1, 2.6 and section 5 (Binet & Field, IPA 2013); essay 002",
        {BASELINE: (), _MOVED: brand_moved_to_direct},
        (
            Comparison(
                ((1, BASELINE), (-1, _MOVED)),
                "bookings_12m",
                "<",
                "direct pays first: baseline − brand moved to direct: bookings_12m",
            ),
            Comparison(
                ((1, BASELINE), (-1, _MOVED)),
                "win_rate_late",
                ">",
                "brand's deals later: baseline − brand moved to direct: win_rate_late",
            ),
            Comparison(
                ((1, BASELINE), (-1, _MOVED)),
                "bookings_24m",
                "reported",
                "baseline − brand moved to direct: bookings_24m",
            ),
            Comparison(
                ((1, BASELINE), (-1, _MOVED)),
                "bookings_36m",
                ">",
                "brand pays later: baseline − brand moved to direct: bookings_36m",
            ),
        ),
        needs_steady_brand,
    ),
    Fact(
        "slow_response",
        "Slower lead response lowers the qualification rate",
        "MODEL.md 4.1 (5); HBR 2011",
        {
            BASELINE: (),
            "slow_response": lambda p: (
                f"team.lead_response_hours_mean={max(24.0, 4 * p.team.lead_response_hours_mean)}",
            ),
        },
        (diff("slow_response", BASELINE, "qualification_rate", "<"),),
    ),
    Fact(
        "sponsorship",
        "No sponsor: deals replacing a working process never close won; the "
        "wasted effort is reported",
        "MODEL.md 4.1 (6); MODEL.md 2.4",
        {BASELINE: ()},
        (
            Comparison(
                ((1, BASELINE),),
                "sponsorless_replacing_won",
                "=0",
                "baseline: won deals that replace a working process, without a sponsor",
            ),
            Comparison(
                ((1, BASELINE),),
                "sponsorless_*hunter*days*",
                "reported",
                "baseline: hunter days on sponsorless deals",
            ),
            Comparison(
                ((1, BASELINE),),
                "sponsorless_*engineer*days*",
                "reported",
                "baseline: sales-engineer days on sponsorless deals",
            ),
        ),
    ),
    Fact(
        "loose_qualification",
        "Low qualification discipline raises losses to the household name",
        "MODEL.md 4.1 (7)",
        {BASELINE: (), "loose_qualification": ("strategy.qualification_discipline=0.25",)},
        (diff("loose_qualification", BASELINE, "lost_household_brand", ">"),),
    ),
    Fact(
        "exclusivity",
        "Exclusivity: a prospect whose tests we passed drops the other vendors",
        "essay 001 (exclusivity, establishing commitment)",
        {
            "not_exclusive": ("process.exclusivity_probability=0",),
            "exclusive": at_least("process.exclusivity_probability", EXCLUSIVE_ON),
        },
        (
            diff("exclusive", "not_exclusive", "lost_competitor", "<"),
            diff("exclusive", "not_exclusive", "win_rate", ">"),
        ),
    ),
    Fact(
        "critical_date",
        "A buyer's own critical date creates closing urgency",
        "essay 003 (critical dates); MODEL.md 2.4",
        {
            "no_critical_dates": ("process.critical_date.probability=0",),
            "critical_dates": at_least("process.critical_date.probability", CRITICAL_DATES_ON),
        },
        (
            diff("critical_dates", "no_critical_dates", "cycle_days_won_median", "<"),
            diff("critical_dates", "no_critical_dates", "no_consensus", "<"),
        ),
    ),
    Fact(
        "unanswered_questions",
        "Questions left unanswered stall deals",
        "essay 001 (answering questions before they are asked)",
        {BASELINE: (), "unanswered": ("process.answer_readiness=0",)},
        (
            diff("unanswered", BASELINE, "cycle_days_won_median", ">"),
            diff("unanswered", BASELINE, "no_consensus", ">"),
        ),
    ),
    Fact(
        "free_services_work",
        "Building what the hunter promised for free costs the vendor, and keeps the customer",
        "essay 003 (professional services to sales)",
        {
            "scaled_back": ("post_sale.gap_free_work_share=0",),
            "built_free": at_least("post_sale.gap_free_work_share", FREE_WORK_ON),
        },
        (
            diff("built_free", "scaled_back", "cost_to_serve", ">"),
            diff("built_free", "scaled_back", "grr", ">"),
        ),
        needs_horizon(24),
    ),
    Fact(
        "no_farmers",
        "No farmer attention raises churn",
        "MODEL.md 4.1 (8)",
        {BASELINE: (), "no_farmers": ("team.farmers=0",)},
        (
            diff("no_farmers", BASELINE, "logo_churn_rate", ">"),
            diff("no_farmers", BASELINE, "churned_customers", ">"),
        ),
        needs_farmers,
    ),
)
"""Every stylised fact, in the order the table shows them."""
