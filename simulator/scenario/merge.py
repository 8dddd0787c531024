"""Scenario data as plain trees: the defaults as data, and the deep merge that lays a file over
them and a variant over its base (a mapping merges key by key, a list is replaced whole).

Both the resolution of variants and the ``--set`` overrides build on these.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from typing import Any

from simulator.parameters import Parameters


@functools.cache
def _defaults() -> dict[str, Any]:
    return Parameters().model_dump()


def default_tree() -> dict[str, Any]:
    """The full parameter tree with every default, as plain data."""
    return copy.deepcopy(_defaults())


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (numbers, lists) in ``override`` replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
