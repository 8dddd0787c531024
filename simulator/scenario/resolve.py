"""Scenarios: load a file, resolve its variants into validated parameters, find bundled ones.

A file holds a base parameter tree and a list of variants, each overriding part of the base. A
variant is resolved by deep-merging its overrides into the base (a list is replaced whole) and
validating the result, every problem in the file collected at once. The steps live in their own
modules (reading the YAML in ``scenario_yaml``, ``--set`` in ``overrides``, merging in ``merge``,
error messages in ``problems``); their public names are importable from here as well.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.metrics.formats import amount
from simulator.parameters import PARAMETER_SECTIONS, Parameters, ScenarioFile
from simulator.parameters.knobs import BY_NAME
from simulator.parameters.tree import FitRecord
from simulator.scenario.merge import deep_merge, default_tree
from simulator.scenario.overrides import apply_overrides, parse_path
from simulator.scenario.problems import (
    Problem,
    ScenarioError,
    format_path,
    validation_problems,
)
from simulator.scenario.start_customers import check_room, customers_note, resolve_customers
from simulator.scenario.start_state import (
    StartError,
    not_on_crm_start,
    resolve_start,
    start_note,
)
from simulator.scenario.yaml_file import load_yaml, read_scenario_yaml
from simulator.units import DAYS_PER_MONTH

__all__ = [
    "BASELINE_VARIANT_NAME",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Variant",
    "apply_overrides",
    "bundled_names",
    "deep_merge",
    "default_tree",
    "format_path",
    "load_scenario",
    "load_yaml",
    "not_found",
    "parse_path",
    "resolve",
]

BASELINE_VARIANT_NAME = "baseline"


@dataclass(frozen=True)
class Variant:
    """One strategy to simulate: a name and its fully resolved parameters."""

    name: str
    description: str
    parameters: Parameters


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: its variants share the market, horizon and random numbers."""

    name: str
    description: str
    horizon_months: int
    variants: tuple[Variant, ...]
    source: str
    overrides: tuple[str, ...] = ()
    """The ``--set PATH=VALUE`` items as given, for titles and headers."""
    overridden: tuple[str, ...] = ()
    """One line per value a variant set itself that a ``--set`` replaced: a --set always wins,
    and this says so (otherwise the variant's difference silently vanishes)."""
    notes: tuple[str, ...] = ()
    """What resolving the file did that a user should know: where a CRM start begins and how
    the team gets to its headcount, one line per variant."""
    fit: FitRecord | None = None
    """How ``salesim calibrate`` fitted the scenario, when it did."""

    @property
    def warnings(self) -> tuple[str, ...]:
        """What every command says first about this scenario, and its pages at the top."""
        return fit_warnings(self.fit)

    @property
    def horizon_days(self) -> float:
        return self.horizon_months * DAYS_PER_MONTH

    def resolved(self) -> dict[str, Any]:
        """The scenario as simulated, every default filled in (for the run manifest)."""
        return {
            "name": self.name,
            "description": self.description,
            "horizon_months": self.horizon_months,
            "source": self.source,
            "warnings": list(self.warnings),
            "variants": [
                {
                    "name": v.name,
                    "description": v.description,
                    "parameters": v.parameters.model_dump(mode="json"),
                }
                for v in self.variants
            ],
        }


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise ScenarioError listing every problem."""
    source = str(path)
    raw = read_scenario_yaml(Path(path), source)
    overridden: list[str] = []
    set_paths = apply_overrides(raw, overrides, source, overridden)
    return resolve(raw, source, set_paths, overrides=overrides, overridden=overridden)


def resolve(
    raw: Any,
    source: str,
    set_paths: Iterable[str] = (),
    *,
    overrides: Sequence[str] = (),
    overridden: Sequence[str] = (),
) -> Scenario:
    """Validate a scenario given as plain data (as read from YAML).

    Every level of the base is filled from the defaults, and every variant from the filled base,
    before one validation pass; so a file may set any single field anywhere, and all problems are
    found together. A variant's problem is reported only where the variant itself wrote something,
    so a mistake in the base is reported once, at its own path.
    """
    set_paths = tuple(set_paths)
    if "variants" in raw and raw["variants"] is None:
        raw = {k: v for k, v in raw.items() if k != "variants"}  # `variants:` left empty
    filled = deep_merge(default_tree(), raw)
    base = {key: filled[key] for key in PARAMETER_SECTIONS}
    raw_variants = raw.get("variants")
    repeated: list[Problem] = []
    if isinstance(raw_variants, list):
        filled["variants"] = [
            deep_merge(base, variant) if isinstance(variant, Mapping) else variant
            for variant in raw_variants
        ]
        repeated = _repeated_names(raw_variants)
    try:
        spec = ScenarioFile.model_validate(filled)
    except ValidationError as error:
        problems = validation_problems(error, ScenarioFile, set_paths)
        problems = [p for p, loc in problems if _written(loc, raw)]
        # pydantic skips the list's own check when an item fails: report repeats regardless
        problems += [p for p in repeated if p not in problems]
        raise ScenarioError(source, problems) from None
    variants = tuple(
        Variant(v.name, v.description, Parameters.model_validate(v.model_dump(include=_SECTIONS)))
        for v in spec.variants
    ) or (Variant(BASELINE_VARIANT_NAME, spec.description, Parameters.model_validate(base)),)
    variants = _with_start(variants, raw, source)
    problems = [
        *_hires_beyond(variants, raw, spec.horizon_months),
        *_switch_beyond(variants, raw, spec.horizon_months),
        *_not_applied(variants, raw),
        *_unknown_inputs(spec.fit),
    ]
    if problems:
        raise ScenarioError(source, problems)
    notes = []
    for variant in variants:
        said = [start_note(variant.parameters), customers_note(variant.parameters)]
        if any(said):
            notes.append(f"{variant.name}: {'; '.join(s for s in said if s)}")
    return Scenario(
        spec.name,
        spec.description,
        spec.horizon_months,
        variants,
        source,
        overrides=tuple(overrides),
        overridden=tuple(overridden),
        notes=tuple(notes),
        fit=spec.fit,
    )


def fit_warnings(fit: FitRecord | None) -> tuple[str, ...]:
    """A calibration that did not settle, in words (none for a settled fit, or none at all)."""
    if fit is None or fit.settled:
        return ()
    missed = "; ".join(
        f"{m.statistic} {_value(m.simulated, m.unit)} vs {_value(m.export, m.unit)}"
        for m in fit.misses
    )
    return (
        f"Unsettled fit: this scenario was calibrated to {fit.source} and still misses "
        f"{len(fit.misses)} of the export's statistics by more than 2 standard errors "
        f"(simulated vs export: {missed}). Every figure from it carries those misses; "
        "calibrate again with more --max-tries, or check the fit report.",
    )


def _value(value: float | None, unit: str) -> str:
    return "n/a" if value is None else amount(value, unit)


def _where(raw: Any, index: int, path: str) -> str:
    """Where a variant's value of ``path`` was written: in the variant, or in the base."""
    raw_variants = raw.get("variants")
    node: Any = raw_variants[index] if isinstance(raw_variants, list) else None
    for name in path.split("."):
        if not isinstance(node, Mapping) or name not in node:
            return path
        node = node[name]
    return f"variants[{index}].{path}"


def _written_anywhere(raw: Any, index: int, path: str) -> bool:
    """Whether the file (or a ``--set``) wrote ``path`` for variant ``index``: in the base or
    in the variant."""
    where = _where(raw, index, path)
    if where != path:
        return True
    node: Any = raw
    for name in path.split("."):
        if not isinstance(node, Mapping) or name not in node:
            return False
        node = node[name]
    return True


def _with_start(variants: tuple[Variant, ...], raw: Any, source: str) -> tuple[Variant, ...]:
    """Each variant starting from a CRM export with the export found (relative to the
    scenario's folder), read (once) and checked, ``as_of`` filled in, and ``team.hunters`` the
    export's active owners unless the file gives it (then the headcount to reach)."""
    folder = Path(source).parent
    raw_variants = raw.get("variants")
    problems: list[Problem] = []
    resolved = []
    for index, variant in enumerate(variants):
        given = _written_anywhere(raw, index, "team.hunters")
        try:
            parameters = resolve_start(variant.parameters, folder, given)
            parameters = resolve_customers(parameters, folder)
            check_room(parameters)
            resolved.append(replace(variant, parameters=parameters))
        except StartError as problem:
            written = isinstance(raw_variants, list) and "start" in raw_variants[index]
            where = f"variants[{index}].start" if written else "start"
            found = Problem(f"{where}.{problem.field}", problem.message)
            if found not in problems:
                problems.append(found)
    if problems:
        raise ScenarioError(source, problems)
    return tuple(resolved)


def _hires_beyond(variants: tuple[Variant, ...], raw: Any, horizon_months: int) -> list[Problem]:
    """Hiring-plan steps after the horizon: they would never happen, so they are refused."""
    problems: list[Problem] = []
    for index, variant in enumerate(variants):
        for step, hire in enumerate(variant.parameters.team.hires):
            if hire.month > horizon_months:
                where = _where(raw, index, "team.hires")
                found = Problem(
                    f"{where}[{step}].month",
                    f"given {hire.month}; allowed: a month of the horizon, 1 to {horizon_months}",
                )
                if found not in problems:
                    problems.append(found)
    return problems


def _switch_beyond(variants: tuple[Variant, ...], raw: Any, horizon_months: int) -> list[Problem]:
    """A strategy switch at or after the horizon's last month would never act: refused."""
    problems: list[Problem] = []
    for index, variant in enumerate(variants):
        month = variant.parameters.strategy.switch.month
        if month is not None and month >= horizon_months:
            found = Problem(
                f"{_where(raw, index, 'strategy.switch.month')}",
                f"given {month}; allowed: a month before the horizon's last, 1 to "
                f"{horizon_months - 1}",
            )
            if found not in problems:
                problems.append(found)
    return problems


def _not_applied(variants: tuple[Variant, ...], raw: Any) -> list[Problem]:
    """Inputs given that a start from a CRM export replaces: refused, with why."""
    problems: list[Problem] = []
    for index, variant in enumerate(variants):
        for path, why in not_on_crm_start(variant.parameters):
            found = Problem(_where(raw, index, path), why)
            if found not in problems:
                problems.append(found)
    return problems


def _unknown_inputs(fit: FitRecord | None) -> list[Problem]:
    """Inputs a (hand-edited) fit record names that no calibration fits: a forecast could not
    draw them."""
    if fit is None or fit.uncertainty is None:
        return []
    allowed = ", ".join(sorted(BY_NAME))
    return [
        Problem(
            f"fit.uncertainty.inputs[{index}]",
            f"{name!r} is not an input a calibration fits; allowed: {allowed}",
        )
        for index, name in enumerate(fit.uncertainty.inputs)
        if name not in BY_NAME
    ]


def _repeated_names(raw_variants: Sequence[Any]) -> list[Problem]:
    """Variant names written more than once, found in the raw data (same words as the model's)."""
    names = [
        v["name"] for v in raw_variants if isinstance(v, Mapping) and isinstance(v.get("name"), str)
    ]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if not repeated:
        return []
    return [Problem("variants", f"variant names must be unique; repeated: {', '.join(repeated)}")]


_SECTIONS = set(PARAMETER_SECTIONS)


def _written(loc: tuple[str | int, ...], raw: Any) -> bool:
    """Whether a problem at ``loc`` concerns what the file wrote (not a default or the base).

    Problems inside a variant count only where the variant wrote something at, above or below
    ``loc``; anything else there is a copy of the base's own problem, reported at its own path.
    """
    if len(loc) < 3 or loc[0] != "variants" or loc[2] not in _SECTIONS:
        return True
    variant = raw["variants"][loc[1]]
    node: Any = variant
    for token in loc[2:]:
        if isinstance(node, list):
            return True  # the variant wrote this list whole: all of it is the variant's
        if not (isinstance(node, Mapping) and token in node):
            return False
        node = node[token]
    return True


def bundled_names(folder: Path) -> tuple[list[str], list[str]]:
    """Names of the bundled scenarios and of the engine checks (``checks/x``), as they run."""
    scenarios = sorted(p.stem for p in folder.glob("*.yaml"))
    checks = sorted(f"checks/{p.stem}" for p in (folder / "checks").glob("*.yaml"))
    return scenarios, checks


def not_found(name: str, folder: Path) -> Problem:
    """A missing file: suggest the bundled names close to ``name`` (``death_spiral``), list all."""
    scenarios, checks = bundled_names(folder)
    known = [*scenarios, *checks]
    asked = name.removesuffix(".yaml").removeprefix("scenarios/")
    guesses: list[str] = []
    for text in (asked, asked.replace("_", "-").replace(" ", "-").lower()):
        for guess in difflib.get_close_matches(text, known, n=3, cutoff=0.6):
            if guess not in guesses:
                guesses.append(guess)
    hint = f"; did you mean: {', '.join(guesses)}?" if guesses else ""
    listing = f" Bundled scenarios: {', '.join(scenarios) or 'none'}"
    if checks:
        listing += f"; engine checks: {', '.join(checks)}"
    return Problem("", f"file not found{hint}{listing}")
