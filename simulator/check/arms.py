"""How the stylised facts' arms are written: ``--set`` overrides of the baseline variant, built
from its parameters, and the reasons a fact does not apply to a scenario."""

from __future__ import annotations

from collections.abc import Callable

from simulator.parameters import Parameters

Overrides = tuple[str, ...] | Callable[[Parameters], tuple[str, ...]]


def each_feature(*settings: Callable[[int, object], str]) -> Callable[[Parameters], tuple]:
    """Overrides applied to every announced feature of the baseline's roadmap."""

    def overrides(parameters: Parameters) -> tuple[str, ...]:
        return tuple(
            setting(i, feature)
            for i, feature in enumerate(parameters.product.features)
            for setting in settings
        )

    return overrides


def pitch(pitch: str, *extra: str | Callable[[Parameters], tuple[str, ...]]) -> Overrides:
    def overrides(parameters: Parameters) -> tuple[str, ...]:
        items: list[str] = [f"strategy.pitch={pitch}"]
        for item in extra:
            items.extend((item,) if isinstance(item, str) else item(parameters))
        return tuple(items)

    return overrides


SLIP_09 = each_feature(lambda i, _: f"product.features[{i}].slip.probability=0.9")
NO_SLIP = each_feature(lambda i, _: f"product.features[{i}].slip.probability=0")
HONEST = each_feature(
    lambda i, f: f"product.features[{i}].promised_release_month={f.planned_release_month}",
    lambda i, _: f"product.features[{i}].slip.probability=0",
)


def needs_features(parameters: Parameters, _: int) -> str | None:
    if not parameters.product.features:
        return "the roadmap announces no feature to pitch"
    return None


def needs_brand(parameters: Parameters, horizon: int) -> str | None:
    if parameters.marketing.brand.spend_usd_per_month <= 0:
        return "the baseline spends nothing on brand advertising"
    if horizon < 24:
        return "the horizon is under 24 months (the stop is at month 18)"
    return None


def needs_steady_brand(parameters: Parameters, horizon: int) -> str | None:
    if parameters.marketing.brand.spend_usd_per_month <= 0:
        return "the baseline spends nothing on brand advertising"
    if parameters.marketing.budget_changes:
        return "the baseline's budgets change over time: no one split to move"
    if horizon < BRAND_PAYS_LATER_MONTHS:
        return f"the horizon is under {BRAND_PAYS_LATER_MONTHS} months (brand pays later)"
    return None


def brand_moved_to_direct(parameters: Parameters) -> tuple[str, ...]:
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


def needs_farmers(parameters: Parameters, _: int) -> str | None:
    if parameters.team.farmers <= 0:
        return "the baseline has no farmers"
    if parameters.post_sale.handoff == "hunter_only":
        return "the baseline's handoff is hunter_only: farmers look after nobody"
    return None


def handoff(handoff: str) -> Overrides:
    """A handoff arm with the people it needs: none of them farmers for hunter_only, the
    baseline's farmers otherwise (the default team's where the baseline employs none)."""

    def overrides(parameters: Parameters) -> tuple[str, ...]:
        farmers = parameters.team.farmers or type(parameters.team)().farmers
        count = 0 if handoff == "hunter_only" else farmers
        return (f"post_sale.handoff={handoff}", f"team.farmers={count}")

    return overrides


def handoff_arm(parameters: Parameters) -> str | None:
    """A variant is a handoff arm when who serves customers matches its handoff: farmers
    employed for a farmer handoff, none for hunter_only."""
    handoff = parameters.post_sale.handoff
    farmers_needed = handoff != "hunter_only"
    return handoff if (parameters.team.farmers > 0) == farmers_needed else None


EXCLUSIVE_ON = 0.6  # the exclusive arm where the baseline has none ('more likely than not')
CRITICAL_DATES_ON = 0.5  # the arm with critical dates where the baseline has none
FREE_WORK_ON = 0.5  # the arm whose services close gaps for free where the baseline does not


def at_least(path: str, value: float) -> Callable[[Parameters], tuple[str, ...]]:
    """``path`` as the baseline has it, or ``value`` where the baseline has it off (0)."""

    def overrides(parameters: Parameters) -> tuple[str, ...]:
        current = parameters
        for key in path.split("."):
            current = getattr(current, key)
        return (f"{path}={current or value}",)

    return overrides


def needs_horizon(months: int) -> Callable[[Parameters, int], str | None]:
    def applies(_: Parameters, horizon: int) -> str | None:
        return f"the horizon is under {months} months" if horizon < months else None

    return applies


def death_spiral_arms() -> dict[str, Overrides]:
    arms: dict[str, Overrides] = {
        "available_only": pitch("available_only"),
        "vaporware": pitch("vaporware"),
    }
    for capacity in (10, 20, 40):
        setting = f"team.hunter_capacity_opportunities={capacity}"
        arms[f"available_only@capacity{capacity}"] = pitch("available_only", setting)
        arms[f"vaporware@capacity{capacity}"] = pitch("vaporware", setting)
    arms["available_only@enterprise_only"] = pitch("available_only", "market.enterprise_share=1")
    arms["vaporware@enterprise_only"] = pitch("vaporware", "market.enterprise_share=1")
    return arms
