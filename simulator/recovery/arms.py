"""The arms of a strategy change: the strategy never used, kept to the horizon, and stopped at
a month (the kept variant with a ``strategy.switch`` to the other's strategy). They share the
market, leads and people (common random numbers), and a stopped arm is the kept one, draw for
draw, until its switch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from simulator.parameters import Parameters
from simulator.parameters.strategy import StrategySwitch
from simulator.scenario.resolve import Scenario, Variant

SWITCHED = ("pitch", "qualification_discipline")  # what a switch can change


def stopped_at(kept: Variant, never: Variant, month: int) -> Variant:
    """``kept`` until the end of ``month``, then ``never``'s strategy."""
    to = never.parameters.strategy
    now = kept.parameters.strategy
    if now.switch.month is not None:  # its own switch would be replaced without a word
        raise ValueError(
            f"{kept.name} already switches strategy at month {now.switch.month} "
            "(strategy.switch); stop a variant without a switch of its own"
        )
    changes = {
        name: getattr(to, name) for name in SWITCHED if getattr(to, name) != getattr(now, name)
    }
    if not changes:
        raise ValueError(f"{kept.name} and {never.name} sell by the same strategy: nothing to stop")
    strategy = now.model_copy(update={"switch": StrategySwitch(month=month, **changes)})
    parameters = kept.parameters.model_copy(update={"strategy": strategy})
    return Variant(
        f"stopped at month {month}",
        f"{kept.name} until month {month}, then {never.name}'s strategy",
        Parameters.model_validate(parameters.model_dump()),
    )


def beyond_strategy(kept: Variant, never: Variant) -> list[str]:
    """The parameter paths (outside ``strategy``) where the two variants differ: a switch
    changes the strategy only, so these stay as in ``kept``."""
    return sorted(_differences(kept.parameters.model_dump(), never.parameters.model_dump(), ""))


def _differences(a: Any, b: Any, path: str) -> set[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found: set[str] = set()
        for key in a.keys() | b.keys():
            if not path and key == "strategy":
                continue
            found |= _differences(a.get(key), b.get(key), f"{path}.{key}" if path else key)
        return found
    return set() if a == b else {path}


def arms_scenario(scenario: Scenario, never: Variant, kept: Variant, months: list[int]) -> Scenario:
    """A scenario whose variants are never, kept, then kept stopped at each month, in order."""
    horizon = scenario.horizon_months
    late = [m for m in months if not 1 <= m < horizon]
    if late:
        raise ValueError(
            f"switch months {', '.join(map(str, late))}: allowed 1 to {horizon - 1} "
            f"(before the horizon's last month)"
        )
    stopped = tuple(stopped_at(kept, never, m) for m in months)
    return replace(scenario, variants=(never, kept, *stopped))
