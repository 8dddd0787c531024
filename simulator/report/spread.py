"""The report's charts of spread: the differences against the baseline with their intervals,
and the distributions of outcomes across replications."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.metrics.catalog import KEY_METRICS, charted, summary_metric
from simulator.metrics.formats import difference_scale, difference_text
from simulator.page import figure_html, section
from simulator.report.console import percent
from simulator.report.results import Results
from simulator.report.style import axis, colours_of, escaped, hover_value, unit_title
from simulator.runs.aggregate import P_BETTER_DEFINITION, Difference
from simulator.runs.summary_differences import CONTROLLED_NOTE, controlled


def distribution_sections(results: Results, colours: dict[str, str]) -> list[str]:
    """A violin per variant of each summary metric the registry charts as a ``distribution``."""
    sections = []
    for metric in charted("distribution"):
        column, title = metric.name, metric.label
        if column not in results.columns:
            continue
        values = [results.values(name, column) for name in results.variants]
        if not any(np.isfinite(v).any() for v in values):
            continue  # e.g. bookings at 24 months of a shorter run
        figure = go.Figure()
        for name in results.variants:
            figure.add_trace(
                go.Violin(
                    y=results.values(name, column),
                    name=escaped(name),
                    line={"color": colours[name]},
                    box_visible=True,
                    meanline_visible=True,
                    points=False,
                    showlegend=False,
                    hoveron="points+kde",
                    hovertemplate=f"{escaped(name)}: {hover_value(metric)}<extra></extra>",
                )
            )
        figure.update_layout(
            height=380,
            margin={"l": 80, "r": 20, "t": 10, "b": 40},
            yaxis={"title": f"{title} ({unit_title(metric)})", **axis(metric)},
        )
        sections.append(
            section(
                title,
                "The spread of outcomes across replications: each violin's width shows how "
                "often a value occurs, the box spans the middle half and the dashed line is the "
                "mean.",
                figure_html(figure, f"distribution-{column}"),
                f"distribution-{column}",
            )
        )
    return sections


def _zero_line(row: int) -> dict:
    """A dotted vertical line at 0 across the panel of subplot row ``row`` (one column)."""
    suffix = "" if row == 1 else str(row)
    return {
        "type": "line",
        "x0": 0,
        "x1": 0,
        "xref": f"x{suffix}",
        "y0": 0,
        "y1": 1,
        "yref": f"y{suffix} domain",
        "line": {"color": "#7b8794", "dash": "dot"},
    }


def difference_section(results: Results, colours: dict[str, str] | None = None) -> str:
    """Each variant's difference from the baseline on the key metrics, with its interval."""
    metrics = [summary_metric(m) for m in KEY_METRICS if m in results.columns]
    others = results.variants[1:]
    if not others:
        return section(
            "Differences against the baseline",
            "This run has a single variant: there is nothing to compare it with.",
            "",
            "differences",
        )
    colours = colours or colours_of(results.variants)
    titles = []
    for metric in metrics:
        side = (
            ""
            if not metric.has_direction
            else ("  ← better" if metric.lower_is_better else "  better →")
        )
        unit = unit_title(metric, True)
        unit = "" if metric.label.endswith(f" {unit}") else f" ({unit})"
        titles.append(f"<b>{html.escape(metric.label)}</b>{unit}{side}")
    figure = make_subplots(
        rows=len(metrics), cols=1, subplot_titles=titles, vertical_spacing=0.4 / len(metrics)
    )
    baseline = escaped(results.variants[0])
    shown: list[Difference] = []
    for row, metric in enumerate(metrics, start=1):
        scale = difference_scale(metric)
        for name in others:
            d = results.difference(name, metric.name)
            shown.append(d)
            text = difference_text(metric, d.mean, d.low, d.high)
            better = f"<br>P(better): {percent(d.p_better)}" if metric.has_direction else ""
            figure.add_scatter(
                x=[d.mean * scale],
                y=[escaped(name)],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(d.high - d.mean) * scale],
                    "arrayminus": [(d.mean - d.low) * scale],
                },
                mode="markers",
                marker={"color": colours[name], "size": 10},
                name=escaped(name),
                showlegend=False,
                hovertemplate=(
                    f"{escaped(name)} − {baseline}<br>{html.escape(metric.label)}: "
                    f"{html.escape(text)}{better}<extra></extra>"
                ),
                row=row,
                col=1,
            )
        figure.update_xaxes(zeroline=False, **axis(metric, scale), row=row, col=1)
    # the dotted zero line of every panel, given at once: ``add_vline`` per panel looks through
    # every trace for each one, a third of the report's time
    figure.update_layout(shapes=[_zero_line(row) for row in range(1, len(metrics) + 1)])
    figure.update_layout(
        height=120 * len(metrics) + 60,
        margin={"l": 150, "r": 30, "t": 40, "b": 30},
    )
    figure.update_annotations(font={"size": 13}, x=0, xanchor="left")
    figure.update_yaxes(autorange="reversed")  # variants in the verdict's order, top down
    kind = (
        "paired by replication (common random numbers)"
        if results.paired
        else "unpaired (Welch), since the runs used different seeds or replications"
    )
    return section(
        f"Differences against the baseline ({results.variants[0]})",
        f"Each dot is a variant's mean difference from the baseline (variant minus baseline), "
        f"{kind}, with its 95% confidence interval; an interval clear of the dotted zero line "
        "is a real difference, and each panel says which side is better. Shares are in "
        f"percentage points. Hover for the numbers and P(better). {P_BETTER_DEFINITION}."
        + (f" {CONTROLLED_NOTE}" if controlled(shown) else ""),
        figure_html(figure, "differences"),
        "differences",
    )
