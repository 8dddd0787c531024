"""What is wrong with a scenario, said so that a user can fix it.

Every problem is collected and reported at once, each at the field path a user can find in the
file (``variants[1].strategy.qualification_discipline``), with the value given and what is
allowed. The YAML reader, the ``--set`` overrides and the validation of the tree all report
through here, so this module imports none of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError


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


def format_path(tokens: Sequence[str | int]) -> str:
    """['variants', 1, 'team', 'hunters'] -> ``variants[1].team.hunters``."""
    out = ""
    for token in tokens:
        out += f"[{token}]" if isinstance(token, int) else (f".{token}" if out else token)
    return out


def validation_problems(
    error: ValidationError, model: type[BaseModel], set_paths: Sequence[str]
) -> list[tuple[Problem, tuple[str | int, ...]]]:
    """Each error pydantic found, as a problem for the user, with where it is in the data."""
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
    given = show(detail.get("input"))
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


def show(value: Any) -> str:
    """A value as the user wrote it, cut short if long."""
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
