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

from simulator.parameters import Parameters

Overrides = tuple[str, ...] | Callable[[Parameters], tuple[str, ...]]
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
    key: str
    name: str
    source: str
    arms: dict[str, Overrides]
    comparisons: tuple[Comparison, ...]
    applies: Callable[[Parameters, int], str | None] | None = None


def _each_feature(*settings: Callable[[int, object], str]) -> Callable[[Parameters], tuple]:
    """Overrides applied to every announced feature of the baseline's roadmap."""

    def overrides(parameters: Parameters) -> tuple[str, ...]:
        return tuple(
            setting(i, feature)
            for i, feature in enumerate(parameters.product.features)
            for setting in settings
        )

    return overrides


def _with(*extra: str) -> Callable[[Parameters], tuple[str, ...]]:
    return lambda _: extra


def _pitch(pitch: str, *extra: str | Callable[[Parameters], tuple[str, ...]]) -> Overrides:
    def overrides(parameters: Parameters) -> tuple[str, ...]:
        items: list[str] = [f"strategy.pitch={pitch}"]
        for item in extra:
            items.extend((item,) if isinstance(item, str) else item(parameters))
        return tuple(items)

    return overrides


_SLIP_09 = _each_feature(lambda i, _: f"product.features[{i}].slip.probability=0.9")
_HONEST = _each_feature(
    lambda i, f: f"product.features[{i}].promised_release_month={f.planned_release_month}",
    lambda i, _: f"product.features[{i}].slip.probability=0",
)


def _needs_features(parameters: Parameters, _: int) -> str | None:
    if not parameters.product.features:
        return "the roadmap announces no feature to pitch"
    return None


def _needs_brand(parameters: Parameters, horizon: int) -> str | None:
    if parameters.marketing.brand.spend_usd_per_month <= 0:
        return "the baseline spends nothing on brand advertising"
    if horizon < 24:
        return "the horizon is under 24 months (the stop is at month 18)"
    return None


def _needs_steady_brand(parameters: Parameters, horizon: int) -> str | None:
    if parameters.marketing.brand.spend_usd_per_month <= 0:
        return "the baseline spends nothing on brand advertising"
    if parameters.marketing.budget_changes:
        return "the baseline's budgets change over time: no one split to move"
    if horizon < BRAND_PAYS_LATER_MONTHS:
        return f"the horizon is under {BRAND_PAYS_LATER_MONTHS} months (brand pays later)"
    return None


def _brand_moved_to_direct(parameters: Parameters) -> tuple[str, ...]:
    """The baseline's brand budget moved to direct marketing from day 0, with the same total;
    the market remembers the brand spend before day 0 (the adstock and standing start there)."""
    brand = parameters.marketing.brand
    before = brand.spend_before_start_usd_per_month
    before = brand.spend_usd_per_month if before is None else before
    total = brand.spend_usd_per_month + parameters.marketing.direct.spend_usd_per_month
    return (
        "marketing.brand.spend_usd_per_month=0",
        f"marketing.brand.spend_before_start_usd_per_month={before}",
        f"marketing.direct.spend_usd_per_month={total}",
    )


BRAND_PAYS_LATER_MONTHS = 36  # the brand-versus-direct fact judges bookings_36m
_MOVED = "brand_moved_to_direct"


def _needs_farmers(parameters: Parameters, _: int) -> str | None:
    if parameters.team.farmers <= 0:
        return "the baseline has no farmers"
    if parameters.post_sale.handoff == "hunter_only":
        return "the baseline's handoff is hunter_only: farmers look after nobody"
    return None


def _needs_horizon(months: int) -> Callable[[Parameters, int], str | None]:
    def applies(_: Parameters, horizon: int) -> str | None:
        return f"the horizon is under {months} months" if horizon < months else None

    return applies


def _death_spiral_arms() -> dict[str, Overrides]:
    arms: dict[str, Overrides] = {
        "available_only": _pitch("available_only"),
        "vaporware": _pitch("vaporware"),
    }
    for capacity in (10, 20, 40):
        setting = f"team.hunter_capacity_opportunities={capacity}"
        arms[f"available_only@capacity{capacity}"] = _pitch("available_only", setting)
        arms[f"vaporware@capacity{capacity}"] = _pitch("vaporware", setting)
    arms["available_only@enterprise_only"] = _pitch("available_only", "market.enterprise_share=1")
    arms["vaporware@enterprise_only"] = _pitch("vaporware", "market.enterprise_share=1")
    return arms


_ROBUST = tuple(
    comparison
    for setting in ("capacity10", "capacity20", "capacity40", "enterprise_only")
    for comparison in (
        diff(f"vaporware@{setting}", f"available_only@{setting}", "bookings_24m", "<"),
        diff(f"vaporware@{setting}", f"available_only@{setting}", "hunter_attrition", ">"),
    )
)

_FEATURE = "feature_references"

FACTS: tuple[Fact, ...] = (
    Fact(
        "death_spiral",
        "Death spiral: vaporware wins the first quarter, then loses",
        "MODEL.md 4.1 (1); essay 000",
        {"available_only": _pitch("available_only"), "vaporware": _pitch("vaporware")},
        (
            diff("vaporware", "available_only", "meetings_q1", ">"),
            diff("vaporware", "available_only", "bookings_24m", "<"),
            diff("vaporware", "available_only", "win_rate", "<"),
            diff("vaporware", "available_only", "cycle_days_won_median", ">"),
            diff("vaporware", "available_only", "hunters_put_on_plan", ">"),
            diff("vaporware", "available_only", "hunter_attrition", ">"),
        ),
        _needs_features,
    ),
    Fact(
        "death_spiral_robust",
        "Death spiral holds across hunter capacities (10, 20, 40) and an enterprise-only market",
        "MODEL.md 4.1 (1); issue 12",
        _death_spiral_arms(),
        _ROBUST,
        _needs_features,
    ),
    Fact(
        "death_spiral_slips",
        "Death spiral: the harm grows with the slips",
        "MODEL.md 4.1 (1); essay 000",
        {
            "available_only": _pitch("available_only"),
            "vaporware": _pitch("vaporware"),
            "available_only@slip0.9": _pitch("available_only", _SLIP_09),
            "vaporware@slip0.9": _pitch("vaporware", _SLIP_09),
            "available_only@honest": _pitch("available_only", _HONEST),
            "vaporware@honest": _pitch("vaporware", _HONEST),
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
        ),
        _needs_features,
    ),
    Fact(
        "beta_partner",
        "beta_partner beats vaporware",
        "MODEL.md 4.1 (2); essay 000",
        {"vaporware": _pitch("vaporware"), "beta_partner": _pitch("beta_partner")},
        (
            diff("beta_partner", "vaporware", "bookings_24m", ">"),
            diff("beta_partner", "vaporware", _FEATURE, ">"),
        ),
        _needs_features,
    ),
    Fact(
        "handoff",
        "hunter_farmer beats hunter_only; transition_vision reaches value first",
        "MODEL.md 4.1 (3); essay 003",
        {
            "hunter_only": ("post_sale.handoff=hunter_only",),
            "hunter_farmer": ("post_sale.handoff=hunter_farmer",),
            "transition_vision": ("post_sale.handoff=transition_vision",),
        },
        (
            diff("hunter_farmer", "hunter_only", "nrr", ">"),
            diff("hunter_farmer", "hunter_only", "references_end", ">"),
            diff("hunter_farmer", "hunter_only", "win_rate_late", ">"),
            diff("transition_vision", "hunter_farmer", "time_to_value_days_median", "<"),
            diff("transition_vision", "hunter_only", "time_to_value_days_median", "<"),
        ),
        _needs_horizon(24),
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
        _needs_brand,
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
        _needs_brand,
    ),
    Fact(
        "brand_vs_direct",
        "Brand vs direct, same budget: direct pays first, brand later",
        "MODEL.md 2.1, 2.6 and section 5 (Binet & Field, IPA 2013); essay 002",
        {BASELINE: (), _MOVED: _brand_moved_to_direct},
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
        _needs_steady_brand,
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
        "no_farmers",
        "No farmer attention raises churn",
        "MODEL.md 4.1 (8)",
        {BASELINE: (), "no_farmers": ("team.farmers=0",)},
        (
            diff("no_farmers", BASELINE, "logo_churn_rate", ">"),
            diff("no_farmers", BASELINE, "churned_customers", ">"),
        ),
        _needs_farmers,
    ),
)
"""Every stylised fact, in the order the table shows them."""
