"""``--set PATH=VALUE`` overrides: read the field path and the value, and set it in the raw
scenario data so that it always wins, also over a variant that sets the same field itself.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from simulator.parameters import PARAMETER_SECTIONS
from simulator.scenario.merge import deep_merge, default_tree
from simulator.scenario.problems import Problem, ScenarioError, format_path, show
from simulator.scenario.yaml_file import load_yaml

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
                            f"{name!r} sets itself (was {show(old)})"
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
