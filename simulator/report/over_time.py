"""The report's charts over time: fan charts of monthly metrics, and the ARR waterfall."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.metrics.catalog import MONTHLY, charted
from simulator.page import figure_html, section
from simulator.report.results import Results
from simulator.report.style import LEGEND_BELOW, axis, escaped, hover_value, rgba, unit_title


def fan_sections(results: Results, colours: dict[str, str]) -> list[str]:
    """A fan chart per monthly metric the registry charts so (``fan``, or ``fan_to_date`` for a
    running total), in registry order, for those the runs stored."""
    sections = []
    for metric in MONTHLY.values():
        to_date = "fan_to_date" in metric.charts
        if not (to_date or "fan" in metric.charts) or metric.name not in results.monthly.columns:
            continue
        title = f"{metric.label} to date" if to_date else metric.label
        figure = go.Figure()
        for name in results.variants:
            matrix = results.monthly.matrix(name, metric.name)
            if to_date:
                matrix = np.cumsum(matrix, axis=1)
            months = np.arange(1, matrix.shape[1] + 1)
            p5, p25, p50, p75, p95 = np.nanpercentile(matrix, [5, 25, 50, 75, 95], axis=0)
            colour, label = colours[name], escaped(name)
            for low, high, alpha, band in ((p5, p95, 0.12, "90%"), (p25, p75, 0.25, "50%")):
                figure.add_scatter(
                    x=np.concatenate([months, months[::-1]]),
                    y=np.concatenate([high, low[::-1]]),
                    fill="toself",
                    fillcolor=rgba(colour, alpha),
                    line={"width": 0},
                    hoverinfo="skip",
                    legendgroup=label,
                    showlegend=False,
                    name=f"{label} {band} band",
                )
            figure.add_scatter(
                x=months,
                y=p50,
                name=label,
                legendgroup=label,
                line={"color": colour, "width": 2.5},
                hovertemplate=f"{label}<br>month %{{x}}: median {hover_value(metric)}"
                "<extra></extra>",
            )
        figure.update_layout(
            height=400,
            margin={"l": 70, "r": 20, "t": 10, "b": 40},
            hovermode="x unified",
            xaxis_title="month (1 = the first month)",
            yaxis={"title": f"{title} ({unit_title(metric)})", **axis(metric)},
            legend=LEGEND_BELOW,
        )
        sections.append(
            section(
                title,
                "Each line is the median over replications, month by month; the darker band "
                "holds the middle 50% of replications and the lighter one 90%. Click a variant "
                "in the legend to hide it.",
                figure_html(figure, f"fan-{metric.name}"),
                f"fan-{metric.name}",
            )
        )
    return sections


def waterfall_sections(results: Results) -> list[str]:
    """ARR built up from its flows (the registry's ``waterfall`` metrics: new business and
    expansion added, churn, whose lower is better, taken away), per variant, if the runs have
    them."""
    flows = charted("waterfall")
    if not flows or not {m.name for m in flows} <= results.monthly.columns:
        return []
    labels = [escaped(name) for name in results.variants]
    figure = make_subplots(rows=1, cols=len(labels), shared_yaxes=True, subplot_titles=labels)
    for index, name in enumerate(results.variants):
        steps = [  # mean over replications of each flow's total, taken away if lower is better
            (-1 if flow.lower_is_better else 1)
            * float(np.nanmean(np.nansum(results.monthly.matrix(name, flow.name), axis=1)))
            for flow in flows
        ]
        figure.add_trace(
            go.Waterfall(
                name=labels[index],
                x=[flow.step for flow in flows] + ["ARR at the end"],
                measure=["relative"] * len(flows) + ["total"],
                y=[*steps, 0.0],
                connector={"line": {"color": "#9aa5b1"}},
                showlegend=False,
                hovertemplate=f"{labels[index]}<br>%{{x}}: $%{{y:,.0f}}<extra></extra>",
            ),
            row=1,
            col=index + 1,
        )
    figure.update_layout(height=420, margin={"l": 70, "r": 20, "t": 40, "b": 60})
    figure.update_yaxes(tickprefix="$", tickformat="~s")
    figure.update_yaxes(title_text="ARR (US dollars)", row=1, col=1)
    return [
        section(
            "ARR waterfall",
            "Per variant, the mean over replications of ARR added by new customers and by "
            "expansion, less ARR lost to churn, ending at ARR at the horizon.",
            figure_html(figure, "arr-waterfall"),
            "arr-waterfall",
        )
    ]
