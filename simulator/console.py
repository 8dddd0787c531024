"""Terminal output: the comparison table a run prints, and the benchmark's figures."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table
from rich.text import Text

from simulator.aggregate import Difference, MetricComparison


def number(value: float, signed: bool = False) -> str:
    """Compact, readable numbers: 9.91M, 66.8k, 0.481, 12."""
    if not math.isfinite(value):
        return "n/a"
    sign = "+" if signed and value > 0 else ""
    size = abs(value)
    if size >= 1e6:
        return f"{sign}{value / 1e6:.3g}M"
    if size >= 1e4:
        return f"{sign}{value / 1e3:.3g}k"
    if size >= 100 or value == int(value):
        return f"{sign}{value:.0f}"
    return f"{sign}{value:.3g}"


def comparison_table(comparisons: list[MetricComparison], title: str) -> Table:
    """Rows: metrics. A column per variant: its mean +- 95% CI half-width and, for every variant
    after the first, the paired difference from the baseline with its 95% CI, in green when
    the interval says better and red when it says worse."""
    variants = list(comparisons[0].estimates) if comparisons else []
    table = Table(title=Text(title), title_justify="left", header_style="bold", show_lines=True)
    table.add_column("metric (↓ lower is better)")
    for index, name in enumerate(variants):
        label = "baseline" if index == 0 else "Δ vs baseline [95% CI]"
        table.add_column(Text(f"{name}\nmean ± 95% CI\n{label}"), justify="right")
    for comparison in comparisons:
        cells: list[str | Text] = [comparison.metric + (" ↓" if comparison.lower_is_better else "")]
        for name, estimate in comparison.estimates.items():
            half = (estimate.high - estimate.low) / 2
            cell = Text(f"{number(estimate.mean)} ± {number(half)}")
            difference = comparison.differences.get(name)
            if difference is not None:
                cell.append("\n")
                cell.append(_difference_text(difference, comparison.lower_is_better))
            cells.append(cell)
        table.add_row(*cells)
    return table


def _difference_text(difference: Difference, lower_is_better: bool) -> Text:
    up, down = difference.low > 0, difference.high < 0
    better, worse = (down, up) if lower_is_better else (up, down)
    text = (
        f"Δ {number(difference.mean, True)} "
        f"[{number(difference.low, True)}, {number(difference.high, True)}]"
    )
    return Text(text, style="green" if better else "red" if worse else "dim")


def bench_table(figures: dict[str, Any], targets: dict[str, str]) -> Table:
    """The benchmark's headline figures, each with its target and whether it was met."""
    table = Table(title="salesim bench", title_justify="left", header_style="bold")
    for heading in ("figure", "value", "target", "met"):
        table.add_column(heading, justify="left" if heading == "figure" else "right")
    met = figures.get("targets_met", {})
    for key, value in figures.items():
        if isinstance(value, dict | list) or key in {"quick"}:
            continue
        target = targets.get(key, "")
        verdict = {True: "[green]yes[/green]", False: "[red]no[/red]"}.get(met.get(key), "")
        shown = "skipped" if value is None else f"{value:.4g}"
        table.add_row(key, shown, target, verdict)
    for scenario, seconds in figures.get("seconds_per_replication", {}).items():
        table.add_row(Text(f"seconds_per_replication[{scenario}]"), f"{seconds:.4g}", "", "")
    return table
