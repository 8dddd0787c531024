"""The reference pages, generated from the code at every docs build (an MkDocs hook), so they
cannot drift: the scenario reference from the JSON Schema, the metric reference from the
registry, the command reference from the commands themselves. Written to
``docs/reference/`` (git-ignored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from simulator.cli.app import app
from simulator.metrics.catalog import registry_json
from simulator.metrics.formats import number
from simulator.scenario.files import scenario_json_schema

REFERENCE = Path(__file__).resolve().parent / "reference"


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def scenario_page() -> str:
    schema = scenario_json_schema()
    defs = schema.get("$defs", {})
    about = (
        "Every field of a scenario file, by its path (`--set PATH=VALUE` takes the same "
        "paths), with its type, default and meaning. Generated from `salesim schema`."
    )
    lines = ["# Scenario reference", "", about, ""]

    def kind(node: dict[str, Any]) -> str:
        if "$ref" in node:
            return node["$ref"].rsplit("/", 1)[-1]
        if "anyOf" in node:
            return " or ".join(kind(n) for n in node["anyOf"])
        if "enum" in node:
            return " \\| ".join(f"`{v}`" for v in node["enum"])
        if node.get("type") == "array":
            return f"list of {kind(node.get('items', {}))}"
        bounds = [f"{k} {node[k]}" for k in ("minimum", "exclusiveMinimum", "maximum") if k in node]
        return node.get("type", "any") + (f" ({', '.join(bounds)})" if bounds else "")

    def walk(node: dict[str, Any], path: str, rows: list[str], depth: int) -> None:
        for name, field in node.get("properties", {}).items():
            here = f"{path}.{name}" if path else name
            target = field.get("$ref") or next(
                (n["$ref"] for n in field.get("anyOf", []) if "$ref" in n), None
            )
            sub = defs.get(target.rsplit("/", 1)[-1]) if target else None
            if sub is not None and sub.get("properties") and depth < 6:
                walk(sub, here, rows, depth + 1)
                continue
            default = field.get("default", "")
            shown = json.dumps(default) if default != "" else ""
            rows.append(f"| `{here}` | {cell(kind(field))} | {cell(shown)} | "
                        f"{cell(field.get('description', ''))} |")  # fmt: skip

    rows: list[str] = []
    walk(schema, "", rows, 0)
    return "\n".join(
        [*lines, "| path | type | default | meaning |", "|---|---|---|---|", *rows, ""]
    )


def metrics_page() -> str:
    registry = registry_json()
    lines = ["# Metric reference", "",
             "Every metric a run computes: its name (for `--metrics` and the Parquet columns), "
             "label, unit, which direction is better and what it measures. Generated from "
             "`salesim metrics`.", ""]  # fmt: skip
    for kind in ("summary", "monthly"):
        lines += [f"## {kind.title()} metrics", "", "| name | label | unit | better | meaning |",
                  "|---|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| `{m['name']}` | {cell(m['label'])} | {cell(m['unit'])} | {cell(m['better'])} | "
            f"{cell(m['description'])} |"
            for m in registry[kind]
        ]
        lines.append("")
    return "\n".join(lines)


def cli_page() -> str:
    group = typer.main.get_command(app)
    lines = ["# Command reference", "",
             "Every `salesim` command with its arguments and options, generated from the "
             "commands themselves (the same text as `salesim COMMAND --help`).", ""]  # fmt: skip
    context = group.context_class(group, info_name="salesim")
    for name in sorted(group.list_commands(context)):
        command = group.get_command(context, name)
        if command is None or command.hidden:
            continue
        sub = command.context_class(command, info_name=f"salesim {name}", parent=context)
        lines += [f"## `salesim {name}`", "", cell(command.help or "").strip(), "", "```text",
                  f"salesim {name} " + " ".join(command.collect_usage_pieces(sub)), "```", "",
                  "| argument or option | meaning | default |", "|---|---|---|"]  # fmt: skip
        for param in command.params:
            if param.name == "help":
                continue
            names = ", ".join(f"`{n}`" for n in (*param.opts, *param.secondary_opts))
            help_text = getattr(param, "help", "") or ""
            default = param.default if param.default not in (None, False, ()) else ""
            lines.append(f"| {names} | {cell(help_text)} | {cell(default)} |")
        lines.append("")
    return "\n".join(lines)


def benchmarks_page() -> str:
    """The figures of the last full `salesim bench --json BENCHMARKS.json`, as the file says
    them (the commentary and the before/after tables are in BENCHMARKS.md)."""
    data = json.loads((REFERENCE.parent.parent / "BENCHMARKS.json").read_text())
    lines = ["# Benchmark figures", "",
             "The figures of the last full run of `salesim bench --json BENCHMARKS.json`, read "
             "from that file at every docs build (the commentary is in `BENCHMARKS.md`).", "",
             "| figure | value |", "|---|---|"]  # fmt: skip

    def shown(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4g}"
        if isinstance(value, dict):
            return ", ".join(f"{k}: {shown(v)}" for k, v in value.items())
        if isinstance(value, list):
            return f"{len(value)} values"
        return str(value)

    lines += [f"| `{key}` | {cell(shown(value))} |" for key, value in data.items()]
    return "\n".join([*lines, ""])


VALIDATION = REFERENCE.parent / "validation"
UNITS = ("usd", "share", "count", "days", "hours", "months", "ratio")


def validation_page() -> str:
    """What `salesim check SCENARIO --json docs/validation/SCENARIO.json` wrote, per scenario:
    every published level and stylised fact, its target, the simulated value with its 95%
    interval, and whether it holds. Read from those files at every docs build."""
    lines = ["# Validation", "",
             "The model against the published levels (MODEL.md 5) and the stylised facts "
             "(MODEL.md 4.1), as `salesim check SCENARIO --json docs/validation/SCENARIO.json` "
             "wrote them; remake a file by running that command. A level or fact *holds* when "
             "its 95% interval lies within the target (a fact: on its side of zero, growing "
             "with its cause).", ""]  # fmt: skip
    for path in sorted(VALIDATION.glob("*.json")):
        data = json.loads(path.read_text())
        statuses = [e["status"] for e in data["entries"]]
        plural = {"holds": "hold", "fails": "fail"}
        counted = ", ".join(
            f"{statuses.count(k)} {plural.get(k, k)}" for k in dict.fromkeys(statuses)
        )
        lines += [f"## {data['scenario']}", "",
                  f"`salesim check {path.stem}`: {data['replications']} replications per arm, "
                  f"seed {data['seed']}; of {len(statuses)} checks: {counted}.", "",
                  "| check | target | simulated [95% interval] | status | source |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for entry in data["entries"]:
            lines.append(
                f"| {cell(entry['name'])} | {cell(entry['target'])} | {cell(_judged(entry))} | "
                f"{cell(entry['status'])} | {cell(entry['source'])} |"
            )
        lines.append("")
    return "\n".join(lines)


def _judged(entry: dict[str, Any]) -> str:
    if entry.get("value") is None:
        return entry.get("reason") or "n/a"
    unit = entry.get("unit") if entry.get("unit") in UNITS else "ratio"
    signed = entry.get("kind") == "fact"  # a fact is a difference between its arms
    value, low, high = (number(float(entry[k]), unit, signed) for k in ("value", "low", "high"))
    return f"{value} [{low}, {high}]"


def write_reference() -> None:
    REFERENCE.mkdir(exist_ok=True)
    for name, page in (("scenario.md", scenario_page()), ("metrics.md", metrics_page()),
                       ("cli.md", cli_page()), ("benchmarks.md", benchmarks_page()),
                       ("validation.md", validation_page())):  # fmt: skip
        path = REFERENCE / name
        if not path.exists() or path.read_text() != page:
            path.write_text(page)


def on_pre_build(config: Any) -> None:  # the MkDocs hook
    write_reference()


if __name__ == "__main__":
    write_reference()
