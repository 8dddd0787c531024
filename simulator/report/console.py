"""Terminal output: the verdict and comparison table a run prints, the metric registry, the
bundled scenarios, and the benchmark's figures."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.metrics.catalog import HEADLINE, MONTHLY, SUMMARY, Metric, summary_metric
from simulator.metrics.formats import difference_unit, value_text
from simulator.metrics.formats import number as unit_number
from simulator.report.verdict import Verdict, legend, word
from simulator.report.verdict import build as build_verdict
from simulator.runs.aggregate import P_BETTER_DEFINITION, Difference, MetricComparison
from simulator.runs.summary_differences import CONTROLLED_NOTE, controlled

if TYPE_CHECKING:
    from simulator.scenario.files import Listed


def parse_metrics(text: str | None) -> list[str]:
    """The summary metrics ``--metrics`` names (comma-separated; ``all``; default: the
    headline set). Raises ValueError naming the unknown ones and what is allowed."""
    if text is None:
        return list(HEADLINE)
    names = [name.strip() for name in text.split(",") if name.strip()]
    if names == ["all"]:
        return list(SUMMARY)
    unknown = [name for name in names if name not in SUMMARY]
    if unknown or not names:
        what = ", ".join(repr(n) for n in unknown) or repr(text)
        raise ValueError(
            f"--metrics: {what} is not a summary metric; allowed: all, or a comma-separated "
            f"list of: {', '.join(SUMMARY)} (see `salesim metrics`)"
        )
    return list(dict.fromkeys(names))


def run_subtitle(replications: int | str, seed: int | str, overrides: list[str] | tuple) -> str:
    """Who was compared how: replications, seed, pairing and the ``--set`` overrides."""
    text = f"{replications} replications per variant, seed {seed}"
    if overrides:
        text += "; with --set " + ", ".join(overrides)
    return text


def run_output(
    comparisons: list[MetricComparison],
    scenario: str,
    subtitle: str,
    shown: list[str],
    economics: list[str] | None = None,
) -> Group:
    """What ``salesim run`` prints: the verdict first (with ``economics``, the lines on what
    each variant costs and buys), then the chosen metrics' table."""
    by_metric = {c.metric: c for c in comparisons}
    variants = list(comparisons[0].estimates) if comparisons else []
    if len(variants) == 1:
        return single_output([by_metric[m] for m in shown if m in by_metric], scenario, subtitle)
    verdict = build_verdict(
        variants,
        lambda variant, metric: by_metric[metric].differences[variant],
        by_metric,
        subtitle,
        paired=True,
        economics=economics or (),
    )
    table = comparison_table(
        [by_metric[m] for m in shown if m in by_metric], f"{scenario}: {subtitle}"
    )
    # the table below says when the differences used the control variates: the verdict need not
    verdict_lines = verdict_block(verdict, scenario, subtitle + "; paired", adjusted_note=False)
    return Group(verdict_lines, Text(""), table)


def single_output(comparisons: list[MetricComparison], scenario: str, subtitle: str) -> Group:
    """One variant, nothing to compare: each metric's mean with its 95% confidence interval
    and the spread of the replications (5th to 95th percentile)."""
    name = next(iter(comparisons[0].estimates)) if comparisons else ""
    table = Table(
        title=Text(f"{scenario} · {name}: {subtitle.replace(' per variant', '')}", style="bold"),
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Metric", no_wrap=True)
    table.add_column("Mean", justify="right", no_wrap=True)
    table.add_column("95% interval of the mean", no_wrap=True)
    table.add_column("Replications, 5th-95th pct", no_wrap=True)
    for comparison in comparisons:
        metric = summary_metric(comparison.metric)
        (estimate,) = comparison.estimates.values()
        low, high = (value_text(metric, v) for v in (estimate.low, estimate.high))
        p5, p95 = (value_text(metric, v) for v in (estimate.p5, estimate.p95))
        table.add_row(metric.label, value_text(metric, estimate.mean), f"[{low}, {high}]",
                      f"{p5} to {p95}")  # fmt: skip
    note = Text(
        "One variant: nothing to compare it with; add variants to the scenario for a verdict.",
        style="dim",
    )
    return Group(table, note)


STYLES = {"better": "bold green", "worse": "bold red", "mixed": "bold yellow"}


def verdict_block(
    verdict: Verdict, scenario: str, subtitle: str, adjusted_note: bool = True
) -> Group:
    """The verdict first: a line per variant summing it up, then per variant and headline
    metric the difference from the baseline, its 95% interval and the plain word (and, unless
    ``adjusted_note`` is off, whether the differences used the control variates)."""
    title = Text(verdict.title(scenario), style="bold")
    title.append(f"\n{subtitle}", style="")
    lines: list[Text | Table] = [title]
    for overall, sentence in verdict.sentences():
        line = Text("  ")
        line.append(f"{overall.upper():<7}", style=STYLES.get(overall, "bold"))
        line.append(f"  {sentence}")
        lines.append(line)
    if verdict.variants:
        table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        table.add_column("Variant", overflow="fold")
        table.add_column("Headline metric", no_wrap=True)
        table.add_column("Difference", justify="right", no_wrap=True)
        table.add_column("95% interval", no_wrap=True)
        table.add_column("Verdict", no_wrap=True)
        for index, name in enumerate(verdict.variants):
            if index:
                table.add_section()
            for row, (metric, cells) in enumerate(verdict.rows):
                cell = cells[name]
                head, _, bounds = cell.text.partition(" [")
                table.add_row(
                    Text(name if row == 0 else "", style="bold"),
                    _label(metric),
                    Text(head, style="bold"),
                    f"[{bounds}" if bounds else "",
                    Text(cell.word, style=STYLES.get(cell.word, "dim")),
                )
        lines.append(table)
    if verdict.economics:
        lines.append(Text("Cost and payback against the baseline (95% intervals):", style="bold"))
        lines.extend(Text(f"  {line}") for line in verdict.economics)
    adjusted = verdict.adjusted and adjusted_note
    lines.append(Text(legend(verdict.paired, adjusted), style="dim"))
    return Group(*lines)


def _label(metric: Metric) -> str:
    return f"{metric.label}{' ↓' if metric.lower_is_better else ''}"


def comparison_table(comparisons: list[MetricComparison], title: str, paired: bool = True) -> Group:
    """One row per metric: the baseline's mean, then per other variant its mean, its
    difference from the baseline ± the 95% half-width, and P(better); differences in green
    when the interval says better, red when worse. A legend below defines the columns."""
    variants = list(comparisons[0].estimates) if comparisons else []
    table = Table(
        title=Text(title),
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    rows = []
    for comparison in comparisons:
        metric = summary_metric(comparison.metric)
        cells: list[str | Text] = [_label(metric)]
        for name, estimate in comparison.estimates.items():
            cells.append(value_text(metric, estimate.mean))
            difference = comparison.differences.get(name)
            if difference is not None:
                cells.append(_difference_text(metric, difference))
                cells.append(_p_better_text(metric, difference))
        rows.append(cells)
    widths = (
        [max([len(str(row[i])) for row in rows] + [8]) for i in range(len(rows[0]))] if rows else []
    )
    table.add_column("Metric (↓ lower is better)", no_wrap=True)
    column = 1
    for index, name in enumerate(variants):
        parts = re.findall(r"[^_\- ]+[_\- ]?", name) or [name]
        width = max(
            widths[column] if widths else 1,
            min(max(len(p) for p in parts), 14),
            8 if index == 0 else 4,
        )
        heading = _wrap(name, width) + "\n" + ("baseline" if index == 0 else "mean")
        table.add_column(Text(heading), justify="right", no_wrap=True, min_width=width)
        column += 1
        if index:
            table.add_column(Text("Δ ± 95% CI"), justify="right", no_wrap=True)
            table.add_column(Text("P\nbetter"), justify="right", no_wrap=True)
            column += 2
    for cells in rows:
        table.add_row(*cells)
    kind = "paired by replication" if paired else "unpaired (Welch)"
    adjusted = controlled(d for c in comparisons for d in c.differences.values())
    note = Text(
        f"Δ = variant minus baseline ({kind}) ± the half-width of its 95% confidence interval; "
        f"green = better, red = worse, grey = no clear difference. {P_BETTER_DEFINITION}; "
        "– for metrics with no better direction." + (f" {CONTROLLED_NOTE}" if adjusted else ""),
        style="dim",
    )
    return Group(table, note)


def _wrap(name: str, width: int) -> str:
    """A variant name broken into lines of ``width`` at ``_``, ``-`` or spaces (folded inside
    a word only when a part is longer than ``width``)."""
    parts = re.findall(r"[^_\- ]+[_\- ]?|[_\- ]", name)
    lines, line = [], ""
    for part in parts:
        if line and len(line) + len(part.rstrip()) > width:
            lines.append(line.rstrip())
            line = ""
        line += part
    lines.append(line.rstrip())
    folded = [chunk[i : i + width] for chunk in lines for i in range(0, max(len(chunk), 1), width)]
    return "\n".join(folded)


def _difference_text(metric: Metric, difference: Difference) -> Text:
    verdict = word(metric, difference)
    half = (difference.high - difference.low) / 2
    unit = difference_unit(metric)
    head = unit_number(difference.mean, metric.unit, True)
    tail = unit_number(half, metric.unit, True).lstrip("+")
    if metric.unit == "usd":
        tail = tail.lstrip("$")
    if metric.unit == "share":
        tail += f" {unit}"
    text = head if not math.isfinite(half) else f"{head} ± {tail}"
    return Text(text, style={"better": "green", "worse": "red"}.get(verdict, "dim"))


def _p_better_text(metric: Metric, difference: Difference) -> str:
    if not metric.has_direction or not math.isfinite(difference.p_better):
        return "–"
    return percent(difference.p_better)


def percent(probability: float) -> str:
    """A probability for people: 0-100% with no false certainty (>99.9%, <0.1%)."""
    if not math.isfinite(probability):
        return "n/a"
    if probability > 0.999:
        return ">99.9%"
    if probability < 0.001:
        return "<0.1%"
    return (
        f"{probability:.1%}" if probability > 0.95 or probability < 0.05 else f"{probability:.0%}"
    )


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
    for factor, efficiency in figures.get("engine_efficiency_scaled", {}).items():
        table.add_row(Text(f"engine_efficiency_scaled[{factor}x]"), f"{efficiency:.4g}", "", "")
    return table


def metrics_table() -> Group:
    """The metric registry, for ``salesim metrics``: the summary metrics, then the monthly."""
    tables = []
    for title, registry in (
        ("Summary metrics (one value per replication); ★ = in the verdict", SUMMARY),
        ("Monthly metrics (one value per replication and month)", MONTHLY),
    ):
        table = Table(
            title=title, title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
            pad_edge=False,
        )  # fmt: skip
        for heading in ("name", "label", "unit", "better", "section", "what it measures"):
            table.add_column(heading, no_wrap=heading in ("name", "unit", "better", "section"))
        for metric in registry.values():
            star = " ★" if metric.kind == "summary" and metric.name in HEADLINE else ""
            unit = metric.noun if metric.unit == "count" else metric.unit
            table.add_row(
                metric.name + star, metric.label, unit, metric.better, metric.section,
                metric.description,
            )  # fmt: skip
        tables.append(table)
    return Group(tables[0], Text(""), tables[1])


def scenarios_listing(groups: list[tuple[str, list[Listed]]]) -> Group:
    """The bundled scenarios and engine checks, for ``salesim scenarios``: a heading per group,
    then per scenario its name and description, and its variants below."""
    width = max((len(e.name) for _, entries in groups for e in entries), default=0) + 2
    lines: list[Text] = []
    for number, (heading, entries) in enumerate(groups):
        if number:
            lines.append(Text(""))
        lines.append(Text(heading, style="bold"))
        for entry in entries:
            if entry.problems:
                lines.append(Text(f"{entry.name:{width}}(invalid: {entry.problems} problems)"))
                continue
            lines.append(Text(f"{entry.name:{width}}{entry.description}"))
            variants = ", ".join(entry.variants)
            lines.append(Text(f"{'':{width}}variants: {variants}", style="dim"))
    return Group(*lines)
