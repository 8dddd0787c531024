"""The verdict: who beats the baseline, on the headline metrics, by how much, in their units.

Shared by the console and the report, so both say the same thing in the same words: for every
variant after the baseline and every headline metric, the difference (variant minus baseline)
with its 95% confidence interval and a plain word: ``better`` or ``worse`` when the interval
excludes 0 (the direction from the metric registry), else ``no clear difference``. A metric with
no better direction says ``higher`` or ``lower`` instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from simulator.metrics.catalog import HEADLINE, Metric, summary_metric
from simulator.metrics.formats import difference_text, number
from simulator.runs.aggregate import Difference
from simulator.runs.summary_differences import CONTROLLED_NOTE, controlled

BETTER, WORSE, UNCLEAR = "better", "worse", "no clear difference"


def word(metric: Metric, difference: Difference) -> str:
    """better / worse / no clear difference (higher / lower for metrics with no direction)."""
    low, high = difference.low, difference.high
    if not (math.isfinite(low) and math.isfinite(high)):
        return UNCLEAR
    up, down = low > 0, high < 0
    if not (up or down):
        return UNCLEAR
    if not metric.has_direction:
        return "higher" if up else "lower"
    return BETTER if up != metric.lower_is_better else WORSE


@dataclass(frozen=True)
class Cell:
    metric: Metric
    variant: str
    difference: Difference
    word: str

    @property
    def text(self) -> str:
        d = self.difference
        return difference_text(self.metric, d.mean, d.low, d.high)


@dataclass(frozen=True)
class Verdict:
    baseline: str
    variants: list[str]  # the compared ones, baseline excluded
    rows: list[tuple[Metric, dict[str, Cell]]]  # headline metric -> variant -> cell
    context: str  # e.g. "40 paired replications per variant, seed 1"
    paired: bool
    economics: tuple[
        str, ...
    ] = ()  # per variant: what it costs and buys (simulator.runs.economics)

    @property
    def adjusted(self) -> bool:
        """Whether its differences used the control variates."""
        return controlled(cell.difference for _, cells in self.rows for cell in cells.values())

    def title(self, scenario: str) -> str:
        compared = ", ".join(self.variants) or "(no other variant)"
        return f"Verdict for {scenario}: {compared} against {self.baseline} (the baseline)"

    def sentences(self) -> list[tuple[str, str]]:
        """Per variant, one line: on how many headline metrics it is better and worse, and its
        first money difference; with the word that sums it up (better / worse / mixed /
        no clear difference)."""
        lines = []
        for name in self.variants:
            cells = [cells[name] for _, cells in self.rows if name in cells]
            better = sum(c.word == BETTER for c in cells)
            worse = sum(c.word == WORSE for c in cells)
            unclear = len(cells) - better - worse
            overall = (
                "mixed" if better and worse else BETTER if better else WORSE if worse else UNCLEAR
            )
            parts = [f"better on {better}", f"worse on {worse}"]
            if unclear:
                parts.append(f"unclear on {unclear}")
            line = f"{name}: {', '.join(parts)} of {len(cells)}"
            money = next((c for c in cells if c.metric.unit == "usd"), None)
            if money is not None:
                mean = money.difference.mean
                line += f"; {money.metric.label.lower()} {number(mean, 'usd', True)}"
                if money.word == UNCLEAR:
                    line += " (no clear difference)"
            lines.append((overall, line))
        return lines


def build(
    variants: list[str],
    difference: Callable[[str, str], Difference],
    available: Iterable[str],
    context: str,
    paired: bool,
    metrics: Iterable[str] = HEADLINE,
    economics: Iterable[str] = (),
) -> Verdict:
    """The verdict of ``variants[1:]`` against ``variants[0]`` on the headline metrics the run
    has; ``difference(variant, metric)`` gives the statistics (paired or not); ``economics``
    are the lines on what each variant costs and buys."""
    have = set(available)
    rows = []
    for name in metrics:
        if name not in have:
            continue
        metric = summary_metric(name)
        cells = {}
        for variant in variants[1:]:
            d = difference(variant, name)
            cells[variant] = Cell(metric, variant, d, word(metric, d))
        if any(c.difference.n for c in cells.values()) or not cells:
            rows.append(
                (metric, cells)
            )  # a metric undefined everywhere (short horizon) is left out
    return Verdict(variants[0], list(variants[1:]), rows, context, paired, tuple(economics))


def legend(paired: bool, adjusted: bool = False) -> str:
    """How to read the verdict, in a sentence (and one more when the differences used the
    control variates)."""
    kind = (
        "paired by replication (same random market)"
        if paired
        else "unpaired (Welch): the runs do not share seeds and replications"
    )
    return (
        f"Difference = variant minus baseline, mean over replications, {kind}, with its 95% "
        "confidence interval in brackets; better / worse when the interval excludes 0, "
        "otherwise no clear difference. pts = percentage points."
    ) + (f" {CONTROLLED_NOTE}" if adjusted else "")
