"""Reading a scenario file: YAML read safely, and every key written twice in one mapping reported.

Plain YAML keeps the last of two equal keys, so a second ``team:`` block would silently wipe the
first; here it is a problem, at the field path a user can find.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.scenario.problems import Problem, ScenarioError, format_path


def read_scenario_yaml(path: Path, source: str) -> dict[str, Any]:
    """The file's data as a mapping; ScenarioError if it cannot be read or is not one."""
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
