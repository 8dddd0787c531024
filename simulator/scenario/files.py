"""Scenario files as the command line finds them: a path, or the name of a bundled one; the list
of bundled scenarios and engine checks; and the JSON Schema of scenario files for editors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.parameters import ScenarioFile
from simulator.scenario.resolve import (
    ScenarioError,
    bundled_names,
    load_scenario,
    not_found,
)


def bundled_scenarios_dir() -> Path:
    """Bundled scenarios: inside the installed package, or the source tree's ``scenarios/``."""
    package = Path(__file__).parent.parent  # simulator/
    inside = package / "scenarios"
    return inside if inside.is_dir() else package.parent / "scenarios"


def scenario_path(name: str) -> Path:
    """A file path, else a bundled name: ``death-spiral`` or an engine check ``checks/x``.
    Raises ScenarioError when neither exists, naming the bundled ones that come close."""
    path = Path(name)
    if path.exists():
        return path
    bundled = bundled_scenarios_dir() / (name if name.endswith(".yaml") else f"{name}.yaml")
    if bundled.exists():
        return bundled
    raise ScenarioError(name, [not_found(name, bundled_scenarios_dir())])


@dataclass(frozen=True)
class Listed:
    """A bundled scenario as ``salesim scenarios`` lists it."""

    name: str
    description: str = ""
    variants: tuple[str, ...] = ()
    problems: int = 0  # an invalid file: how many problems it has


def bundled_listing() -> list[tuple[str, list[Listed]]]:
    """The bundled scenarios, then the engine checks: a heading and the entries of each."""
    folder = bundled_scenarios_dir()
    names, checks = bundled_names(folder)
    groups = [("Scenarios (salesim run NAME):", names)]
    if checks:
        heading = "Engine checks (test the simulator against known results; not business cases):"
        groups.append((heading, checks))
    listing = []
    for heading, group in groups:
        entries = []
        for name in group:
            try:
                loaded = load_scenario(folder / f"{name}.yaml")
            except ScenarioError as error:
                entries.append(Listed(name, problems=len(error.problems)))
                continue
            variants = tuple(v.name for v in loaded.variants)
            entries.append(Listed(name, loaded.description, variants))
        listing.append((heading, entries))
    return listing


def scenario_json_schema() -> dict[str, Any]:
    """The scenario file schema. Every parameter has a default, so only the scenario's own name
    and description are required; variants may override any subset of the base."""
    schema = ScenarioFile.model_json_schema()
    for definition in schema.get("$defs", {}).values():
        definition.pop("required", None)
    variant = schema["$defs"].get("VariantSpec")
    if variant is not None:
        variant["required"] = ["name"]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "salesim scenario"
    return schema
