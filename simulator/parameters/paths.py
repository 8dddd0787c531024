"""Where a dotted parameter path leads, and which numbers it allows.

The decision commands (``sweep``, ``sensitivity``, ``goal``) and the scenario's ``ranges:``
section vary one numeric parameter at a time by its ``--set`` path (``team.hunters``,
``product.features[0].slip.probability``). Before anything runs they must say, in the words of
the schema, whether the path names a number and what it allows ("a whole number from 1 to
10,000"); the bounds are read from the field declarations, never repeated here.
"""

from __future__ import annotations

import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel

_TOKEN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


class PathError(ValueError):
    """A path that names no numeric parameter, with what is allowed there."""


def tokens_of(path: str) -> list[str | int]:
    """``team.quota.usd_per_month`` -> ['team', 'quota', 'usd_per_month']; PathError if bad."""
    tokens: list[str | int] = []
    position = 0
    while position < len(path):
        if tokens and path[position] == "." and path[position + 1 : position + 2] != "[":
            position += 1
        match = _TOKEN.match(path, position)
        if not match or (not tokens and match.group(2) is not None):
            raise PathError(f"{path!r}: cannot read this field path (e.g. team.hunters)")
        tokens.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if not tokens:
        raise PathError("an empty field path (e.g. team.hunters)")
    return tokens


@dataclass(frozen=True)
class Bounds:
    """A numeric parameter: whether it is a whole number, and its allowed interval (None where
    the schema sets no bound)."""

    path: str
    integer: bool
    low: float | None = None
    low_inclusive: bool = True
    high: float | None = None
    high_inclusive: bool = True

    def allows(self, value: float) -> bool:
        if self.integer and float(value) != int(value):
            return False
        below = self.low is not None and (
            value < self.low or (value == self.low and not self.low_inclusive)
        )
        above = self.high is not None and (
            value > self.high or (value == self.high and not self.high_inclusive)
        )
        return not (below or above)

    def allowed(self) -> str:
        """What the schema allows, in words: ``a whole number from 1 to 10,000``."""
        kind = "a whole number" if self.integer else "a number"
        low = None if self.low is None else f"{self.low:,g}"
        high = None if self.high is None else f"{self.high:,g}"
        if low is not None and high is not None and self.low_inclusive and self.high_inclusive:
            return f"{kind} from {low} to {high}"
        parts = []
        if low is not None:
            parts.append(f"{'at least' if self.low_inclusive else 'greater than'} {low}")
        if high is not None:
            parts.append(f"{'at most' if self.high_inclusive else 'less than'} {high}")
        return f"{kind} {' and '.join(parts)}" if parts else kind


def numeric_bounds(model: type[BaseModel], path: str) -> Bounds:
    """The bounds of the numeric field ``path`` names in ``model``'s tree; PathError naming the
    first step that does not exist (and what does) or the kind of value that is not a number."""
    tokens = tokens_of(path)
    current: Any = model
    metadata: list[Any] = []
    for depth, token in enumerate(tokens):
        where = _format(tokens[:depth]) or "the parameter tree"
        if isinstance(token, int):
            item = _list_item(current)
            if item is None:
                raise PathError(f"{path}: {where} is not a list")
            current, metadata = _unwrap(item)
            continue
        if _list_item(current) is not None:
            raise PathError(f"{path}: {where} is a list; name an item, e.g. {where}[0]")
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            raise PathError(f"{path}: {where} has no fields")
        field = current.model_fields.get(token)
        if field is None:
            raise PathError(
                f"{path}: unknown field {token!r} in {where}; allowed: one of "
                f"{', '.join(current.model_fields)}"
            )
        current, inner = _unwrap(field.annotation)
        metadata = [*field.metadata, *inner]
    if current is bool or current not in (int, float):
        raise PathError(f"{path}: not a number ({_kind(current)}); only numbers can be varied")
    bounds = Bounds(path, current is int)
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            bounds = _with(bounds, low=float(item.ge), low_inclusive=True)
        elif isinstance(item, annotated_types.Gt):
            bounds = _with(bounds, low=float(item.gt), low_inclusive=False)
        elif isinstance(item, annotated_types.Le):
            bounds = _with(bounds, high=float(item.le), high_inclusive=True)
        elif isinstance(item, annotated_types.Lt):
            bounds = _with(bounds, high=float(item.lt), high_inclusive=False)
    return bounds


def value_at(tree: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in a tree of plain data; PathError if a list item is missing."""
    node: Any = tree
    tokens = tokens_of(path)
    for depth, token in enumerate(tokens):
        if isinstance(token, int):
            if not isinstance(node, Sequence) or token >= len(node):
                size = len(node) if isinstance(node, Sequence) else 0
                raise PathError(
                    f"{path}: {_format(tokens[: depth + 1])} does not exist in the scenario "
                    f"(the list has {size} item{'s' if size != 1 else ''})"
                )
        elif not isinstance(node, Mapping) or token not in node:
            raise PathError(f"{path}: {_format(tokens[: depth + 1])} is not set in the scenario")
        node = node[token]
    return node


def _with(bounds: Bounds, **changes: Any) -> Bounds:
    return Bounds(**{**bounds.__dict__, **changes})


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """The type inside ``Annotated[...]`` and ``X | None``, with the constraints met on the way."""
    metadata: list[Any] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation, metadata
            annotation = options[0]
        else:
            return annotation, metadata


def _list_item(annotation: Any) -> Any:
    if get_origin(annotation) in (list, tuple):
        args = get_args(annotation)
        return args[0] if args else None
    return None


def _kind(annotation: Any) -> str:
    if annotation is bool:
        return "true or false"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "a section; name one of its fields: " + ", ".join(annotation.model_fields)
    if get_origin(annotation) in (list, tuple):
        return "a list; name an item, e.g. [0]"
    return "a choice or text"


def _format(tokens: Sequence[str | int]) -> str:
    out = ""
    for token in tokens:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else token)
    return out
