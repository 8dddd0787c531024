"""Settings of the inputs a decision varies, applied to a variant's parameters and validated.

A setting is applied the way ``--set`` applies it, and validated the way a scenario file is, so
a swept value that breaks a rule of the schema (a promised date after the planned one) is
reported exactly as the file would be. An input is checked before anything runs: its path must
name a number the scenario has, and every value it will take must be allowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simulator.parameters import Parameters
from simulator.parameters.paths import Bounds, PathError, numeric_bounds, value_at
from simulator.parameters.ranges import DEFAULT_RANGES, Range, range_around
from simulator.scenario.problems import ScenarioError
from simulator.scenario.resolve import Scenario, Variant, apply_overrides, resolve
from simulator.scenario.yaml_file import read_scenario_yaml

SOURCE = "setting"


@dataclass(frozen=True)
class Input:
    """A numeric parameter a decision varies: its path, what it allows and its value in the
    scenario."""

    path: str
    bounds: Bounds
    current: float

    @property
    def integer(self) -> bool:
        return self.bounds.integer

    def value(self, x: float) -> float:
        """``x`` as the parameter takes it: whole numbers rounded."""
        return float(round(x)) if self.integer else float(x)


def variant_named(scenario: Scenario, name: str | None, option: str = "--variant") -> Variant:
    """The variant called ``name`` (the first, the baseline, when None); ValueError listing the
    scenario's variants when there is none of that name."""
    if name is None:
        return scenario.variants[0]
    for variant in scenario.variants:
        if variant.name == name:
            return variant
    names = ", ".join(v.name for v in scenario.variants)
    raise ValueError(f"{option} {name!r}: no such variant in {scenario.name}; allowed: {names}")


def with_settings(
    parameters: Parameters, horizon_months: int, settings: Mapping[str, float]
) -> Parameters:
    """``parameters`` with each path set to its value, validated; ScenarioError if a value
    breaks a rule of the schema."""
    raw: dict[str, Any] = {"name": SOURCE, "description": SOURCE, "horizon_months": horizon_months}
    raw.update(parameters.model_dump(mode="json"))
    items = [f"{path}={_yaml(value)}" for path, value in settings.items()]
    set_paths = apply_overrides(raw, items, SOURCE)
    return resolve(raw, SOURCE, set_paths).variants[0].parameters


def decision_input(
    scenario: Scenario,
    variants: Sequence[Variant],
    path: str,
    values: Sequence[float],
    option: str,
) -> Input:
    """Check that ``path`` names a number in every one of ``variants`` and that each of
    ``values`` is allowed there (the extremes are applied and validated too, which catches rules
    between fields); the input, or a ValueError saying what is allowed."""
    try:
        bounds = numeric_bounds(Parameters, path)
        current = [value_at(v.parameters.model_dump(), path) for v in variants]
    except PathError as error:
        raise ValueError(f"{option} {error}") from None
    outside = [v for v in values if not bounds.allows(v)]
    if outside:
        listed = ", ".join(f"{v:g}" for v in outside[:3])
        raise ValueError(
            f"{option} {path}: {listed} outside the values {path} allows ({bounds.allowed()})"
        )
    for variant in variants:
        for extreme in {min(values), max(values)} if values else ():
            try:
                with_settings(variant.parameters, scenario.horizon_months, {path: extreme})
            except ScenarioError as error:
                what = "; ".join(str(p) for p in error.problems)
                raise ValueError(f"{option} {path}={extreme:g}: not allowed: {what}") from None
    first = current[0]
    return Input(path, bounds, float(first) if first is not None else float("nan"))


def default_range(parameters: Parameters, path: str, option: str) -> Range:
    """The documented range of ``path`` around ``parameters``' own value (``range_around``);
    ValueError when the path has none (listing those that do) or the scenario lacks it."""
    bounds = numeric_bounds(Parameters, path)  # an unknown path says so first
    if path not in DEFAULT_RANGES:
        raise ValueError(
            f"{option} {path}: no documented range (documented: {', '.join(DEFAULT_RANGES)})"
        )
    try:
        value = float(value_at(parameters.model_dump(), path))
    except PathError as error:
        raise ValueError(f"{option} {error}") from None
    return range_around(path, value, bounds)


def file_ranges(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The ``ranges:`` section of the scenario's file (validated when it was loaded)."""
    raw = read_scenario_yaml(Path(scenario.source), scenario.source)
    ranges = raw.get("ranges") or {}
    return {str(path): (float(pair[0]), float(pair[1])) for path, pair in ranges.items()}


def label(settings: Mapping[str, float]) -> str:
    """A setting's name as tables and charts show it: ``team.hunters=8``."""
    return ", ".join(f"{path}={_number(v)}" for path, v in settings.items())


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.10g}"


def _yaml(value: float) -> str:
    """A number as YAML reads it back as that number (``1.0e-05``, not the text ``1e-05``)."""
    if float(value).is_integer():
        return str(int(value))
    return yaml.safe_dump(float(value)).split("\n", 1)[0]
