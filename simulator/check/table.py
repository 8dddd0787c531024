"""What ``salesim check`` prints: one table, published levels then stylised facts, each with its
target, source, simulated value and 95% interval, and whether it holds; a legend under it."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.check.entries import CheckReport, Entry
from simulator.check.judge import FACT_RULE, FAILS, HOLDS, LEVEL_RULE
from simulator.metrics.catalog import Metric
from simulator.metrics.formats import difference_text, number

STYLES = {HOLDS: "bold green", FAILS: "bold red"}


def _f(value: float | None) -> float:
    return math.nan if value is None else value


def _value(entry: Entry) -> str:
    value, low, high = _f(entry.value), _f(entry.low), _f(entry.high)
    if math.isnan(value):
        return "—"
    if entry.kind == "comparison" and entry.target != "reported":
        return difference_text(Metric("", "", entry.unit, "neither", "", ""), value, low, high)
    head = number(value, entry.unit)
    if math.isnan(low) or math.isnan(high):
        return head
    return f"{head} [{number(low, entry.unit)}, {number(high, entry.unit)}]"


def _verdict(entry: Entry) -> Text:
    text = Text(entry.status, style=STYLES.get(entry.status, "dim"))
    if entry.reason:
        text.append(f": {entry.reason}", style="dim" if entry.holds is None else "")
    return text


def check_output(report: CheckReport) -> Group:
    title = Text(f"{report.scenario}: published levels and stylised facts", style="bold")
    subtitle = (
        f"{report.replications} replications per arm, seed {report.seed}; levels judged on "
        f"variant {report.baseline!r} (the first); {len(report.arms)} arms, paired"
    )
    if report.overrides:
        subtitle += "; with --set " + ", ".join(report.overrides)
    title.append(f"\n{subtitle}", style="")
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    table.add_column("Level or fact", overflow="fold", min_width=40)
    table.add_column("Target", overflow="fold", max_width=16)
    table.add_column("Source", overflow="fold", max_width=28)
    table.add_column("Simulated [95% interval]", overflow="fold", min_width=18)
    table.add_column("Verdict", overflow="fold", max_width=34)
    table.add_row(Text("Published levels (MODEL.md section 5)", style="bold underline"))
    for entry in report.levels:
        table.add_row(entry.name, entry.target, entry.source, _value(entry), _verdict(entry))
    table.add_section()
    table.add_row(Text("Stylised facts (MODEL.md 4.1)", style="bold underline"))
    for fact in report.facts:
        table.add_row(Text(fact.name, style="bold"), "", fact.source, "", _verdict(fact))
        for comparison in fact.comparisons:
            table.add_row(
                f"  {comparison.name}", comparison.target, "", _value(comparison),
                _verdict(comparison),
            )  # fmt: skip
    counts = {
        kind: sum(1 for e in entries if e.status == HOLDS)
        for kind, entries in (("levels", report.levels), ("facts", report.facts))
    }
    summary = Text(
        f"{counts['levels']} of {len(report.levels)} levels hold; "
        f"{counts['facts']} of {len(report.facts)} facts hold.",
        style="bold",
    )
    legend = Text(
        f"{LEVEL_RULE}\n{FACT_RULE}\nNot applicable: the scenario lacks what the entry needs. "
        "More replications (-n) narrow the intervals.",
        style="dim",
    )
    return Group(title, table, summary, legend)
