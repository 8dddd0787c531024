"""Scenario files: read YAML safely, apply ``--set`` overrides, resolve variants, explain errors.

A file holds a base parameter tree and a list of variants, each overriding part of the base. A
variant is resolved by deep-merging its overrides into the base (a list is replaced whole) and
validating the result. Every problem in the file is collected and reported at once, each with the
field path a user can find in the file (``variants[1].strategy.qualification_discipline``), the
value given and what is allowed.
"""

from __future__ import annotations

import copy
import difflib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from simulator.parameters import PARAMETER_SECTIONS, Parameters, ScenarioFile
from simulator.units import DAYS_PER_MONTH

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
            "variants": [
                {
                    "name": v.name,
                    "description": v.description,
                    "parameters": v.parameters.model_dump(mode="json"),
                }
                for v in self.variants
            ],
        }


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where, and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(Exception):
    """A scenario that cannot be run, with every problem found in it."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''} in the scenario"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override and validate a scenario file; raise ScenarioError listing every problem."""
    source = str(path)
    raw = _read_yaml(Path(path), source)
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
        problems = _problems(error, ScenarioFile, set_paths)
        problems = [p for p, loc in problems if _written(loc, raw)]
        # pydantic skips the list's own check when an item fails: report repeats regardless
        problems += [p for p in repeated if p not in problems]
        raise ScenarioError(source, problems) from None
    variants = tuple(
        Variant(v.name, v.description, Parameters.model_validate(v.model_dump(include=_SECTIONS)))
        for v in spec.variants
    ) or (Variant(BASELINE_VARIANT_NAME, spec.description, Parameters.model_validate(base)),)
    return Scenario(
        spec.name,
        spec.description,
        spec.horizon_months,
        variants,
        source,
        overrides=tuple(overrides),
        overridden=tuple(overridden),
    )


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


@functools.cache
def _defaults() -> dict[str, Any]:
    return Parameters().model_dump()


def default_tree() -> dict[str, Any]:
    """The full parameter tree with every default, as plain data."""
    return copy.deepcopy(_defaults())


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


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (numbers, lists) in ``override`` replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


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


# --- reading ----------------------------------------------------------------------------------


def _read_yaml(path: Path, source: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(source, [Problem("", "file not found")]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(source, [Problem("", f"cannot read the file: {error}")]) from None
    try:
        raw, repeated = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ScenarioError(source, [Problem("", f"not valid YAML: {where}{problem}")]) from None
    if repeated:
        raise ScenarioError(source, repeated)
    if not isinstance(raw, dict):
        given = type(raw).__name__ if raw is not None else "an empty file"
        raise ScenarioError(
            source,
            [Problem("", f"given {given}; allowed: a mapping with name, description, ...")],
        )
    return raw


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, also noting every key written twice in one mapping, with its lines.

    Plain YAML keeps the last of two equal keys, so a second ``team:`` block silently wipes the
    first. Paths are tracked from parent to child (a parent mapping is built before its children)
    so each repeat is reported at the field path a user can find.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeated: list[Problem] = []
        self._paths: dict[int, tuple[str | int, ...]] = {}

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        path = self._paths.get(id(node), ())
        lines: dict[Any, list[tuple[int, int]]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = self.construct_object(key_node)
            self._paths.setdefault(id(value_node), (*path, str(key)))
            mark = key_node.start_mark
            lines.setdefault(key, []).append((mark.line + 1, mark.column + 1))
        for key, marks in lines.items():
            if len(marks) > 1:
                count = "twice" if len(marks) == 2 else f"{len(marks)} times"
                one_line = len({line for line, _ in marks}) == 1
                at = [f"column {c}" if one_line else str(line) for line, c in marks]
                listed = ", ".join(at[:-1]) + f" and {at[-1]}"
                listed = f"line {marks[0][0]}, {listed}" if one_line else f"lines {listed}"
                self.repeated.append(
                    Problem(
                        format_path((*path, str(key))),
                        f"key {str(key)!r} appears {count} ({listed}); allowed: each key once",
                    )
                )
        return super().construct_mapping(node, deep=deep)

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> list[Any]:
        path = self._paths.get(id(node), ())
        for index, child in enumerate(node.value):
            self._paths.setdefault(id(child), (*path, index))
        return super().construct_sequence(node, deep=deep)


def load_yaml(text: str) -> tuple[Any, list[Problem]]:
    """Read YAML safely; return the data and a problem for each key written twice."""
    loader = _UniqueKeyLoader(text)
    try:
        return loader.get_single_data(), loader.repeated
    finally:
        loader.dispose()


# --- --set overrides --------------------------------------------------------------------------

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def parse_path(text: str) -> list[str | int]:
    """``variants[1].team.hunters`` -> ['variants', 1, 'team', 'hunters']; ValueError if bad."""
    tokens: list[str | int] = []
    position = 0
    while position < len(text):
        if tokens and text[position] == "." and text[position + 1 : position + 2] != "[":
            position += 1
        match = _TOKEN.match(text, position)
        if not match or (not tokens and match.group(2) is not None):
            raise ValueError(f"cannot read the field path {text!r}")
        tokens.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if not tokens:
        raise ValueError("empty field path")
    return tokens


def format_path(tokens: Sequence[str | int]) -> str:
    out = ""
    for token in tokens:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else token)
    return out


def apply_overrides(
    raw: dict[str, Any],
    overrides: Sequence[str],
    source: str,
    overridden: list[str] | None = None,
) -> list[str]:
    """Apply ``PATH=VALUE`` overrides in place; return the paths set, for error messages.

    A path into the base parameter tree also replaces the same path in any variant that sets it,
    so a ``--set`` always wins; each variant value so replaced is added to ``overridden`` as a
    line for the user. A path may go into a list the file left at its default (the base's list,
    for a variant): the list is copied in first. Values are read as YAML (``500`` is a number,
    ``[1, 2]`` a list).
    """
    problems: list[Problem] = []
    set_paths: list[str] = []
    for item in overrides:
        path_text, sep, value_text = item.partition("=")
        try:
            if not sep:
                raise ValueError("expected PATH=VALUE, e.g. market.accounts=500")
            tokens = parse_path(path_text.strip())
            value, repeated = load_yaml(value_text) if value_text.strip() else (None, [])
            if repeated:
                raise ValueError("; ".join(map(str, repeated)))
            if value is None:
                raise ValueError("the value is empty")
            _set(raw, tokens, value, _fallback(raw, tokens))
            variants = raw.get("variants")
            if tokens[0] in PARAMETER_SECTIONS and isinstance(variants, list):
                for index, variant in enumerate(variants):
                    if not (isinstance(variant, dict) and _has(variant, tokens)):
                        continue
                    old = _get(variant, tokens)
                    _set(variant, tokens, value)
                    if overridden is not None and old != value:
                        name = variant.get("name", f"variants[{index}]")
                        overridden.append(
                            f"--set {item.strip()} replaced {format_path(tokens)} that variant "
                            f"{name!r} sets itself (was {_show(old)})"
                        )
        except (ValueError, yaml.YAMLError) as error:
            problems.append(Problem(f"--set {item}", str(error)))
            continue
        set_paths.append(format_path(tokens))
    if problems:
        raise ScenarioError(source, problems)
    return set_paths


def _fallback(raw: Mapping[str, Any], tokens: Sequence[str | int]) -> Any:
    """What the tree at ``tokens`` holds where the file is silent: the defaults for the base,
    the base (as written, else the defaults) for ``variants[i]...``."""
    defaults = default_tree()
    if tokens[0] in PARAMETER_SECTIONS:
        return defaults
    if len(tokens) > 2 and tokens[0] == "variants" and tokens[2] in PARAMETER_SECTIONS:
        base = deep_merge(defaults, {k: raw[k] for k in PARAMETER_SECTIONS if k in raw})
        return {"variants": {tokens[1]: base}}
    return None


def _has(tree: Any, tokens: Sequence[str | int]) -> bool:
    for token in tokens:
        if isinstance(token, int):
            if not isinstance(tree, list) or token >= len(tree):
                return False
        elif not isinstance(tree, dict) or token not in tree:
            return False
        tree = tree[token]
    return True


def _get(tree: Any, tokens: Sequence[str | int]) -> Any:
    for token in tokens:
        tree = tree[token]
    return tree


def _set(tree: Any, tokens: Sequence[str | int], value: Any, fallback: Any = None) -> None:
    """Set ``tokens`` to ``value``, creating mappings on the way.

    A list the tree lacks is copied from ``fallback`` (the same path in the values in force),
    since a list is replaced whole: ``rivals[0].brand`` must keep the rest of the default rival.
    A mapping the tree lacks starts empty: it is merged over the values in force later.
    """
    for depth, token in enumerate(tokens):
        last = depth == len(tokens) - 1
        where = format_path(tokens[: depth + 1])
        if isinstance(token, int):
            if not isinstance(tree, list) or token >= len(tree):
                items = f"{len(tree)} item{'s' if len(tree) != 1 else ''}"
                size = f" (the list has {items})" if isinstance(tree, list) else ""
                raise ValueError(f"{where} does not exist in the scenario{size}")
        elif not isinstance(tree, dict):
            raise ValueError(f"{format_path(tokens[:depth])} is not a mapping")
        fallback = _child(fallback, token)
        if last:
            tree[token] = value
        else:
            if isinstance(token, str) and token not in tree:
                in_force = fallback
                tree[token] = copy.deepcopy(in_force) if isinstance(in_force, list) else {}
            tree = tree[token]


def _child(tree: Any, token: str | int) -> Any:
    if isinstance(tree, Mapping):
        return tree.get(token)
    if isinstance(tree, list) and isinstance(token, int) and token < len(tree):
        return tree[token]
    return None


# --- error messages ---------------------------------------------------------------------------


def _problems(
    error: ValidationError, model: type[BaseModel], set_paths: Sequence[str]
) -> list[tuple[Problem, tuple[str | int, ...]]]:
    problems = []
    for detail in error.errors(include_url=False):
        loc = tuple(detail["loc"])
        path = format_path(loc)
        message = _describe(detail, model, loc)
        if any(_within(path, p) for p in set_paths):
            message += " (set with --set)"
        problems.append((Problem(path or "(top level)", message), loc))
    return problems


def _within(path: str, set_path: str) -> bool:
    """Whether an error at ``path`` concerns a value set at ``set_path`` (also in a variant)."""
    padded = f".{path}."
    return f".{set_path}." in padded or f".{set_path}[" in padded


def _describe(detail: Mapping[str, Any], model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind = detail["type"]
    msg = str(detail["msg"])
    given = _show(detail.get("input"))
    if kind == "extra_forbidden":
        fields = _fields_at(model, loc[:-1])
        allowed = f"one of {', '.join(fields)}" if fields else "no extra fields"
        return f"unknown field {loc[-1]!r}; allowed: {allowed}"
    if kind == "missing":
        return "required field is missing"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    allowed = _ALLOWED.get(kind) or msg.removeprefix("Input should be ")
    return f"given {given}; allowed: {allowed}"


_ALLOWED = {
    "float_parsing": "a number",
    "float_type": "a number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "dict_type": "a mapping of fields",
    "list_type": "a list",
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model reached by following ``loc`` from ``model``."""
    current: Any = model
    for token in loc:
        if isinstance(token, int):
            continue
        field = current.model_fields.get(token) if _is_model(current) else None
        if field is None:
            return []
        current = _model_in(field.annotation)
    return list(current.model_fields) if _is_model(current) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as ``list[Competitor]`` or ``X | None``."""
    if _is_model(annotation):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
