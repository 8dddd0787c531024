"""The page of `salesim explain`: where the verdict went, a waterfall from the part no named
mechanism explains through each mechanism's share to the verdict; the shares with their
intervals beside each mechanism switched off alone; and the split at 12, 24 and 36 months.
Drawn from the stored answer (``explain.json``) only."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative

from simulator.explain.answer import by_horizon, idle_line, ranked, unsettled_line
from simulator.metrics.catalog import summary_metric
from simulator.metrics.formats import number
from simulator.page import escape, figure_html, render, section

WORSE, BETTER, NEUTRAL = "#c62828", "#2e7d32", "#1f3a5f"


def _waterfall(split: dict[str, Any], unit: str) -> go.Figure:
    order = ranked(split)
    labels = ["No named mechanism", *(m["title"] for m in order), "Verdict"]
    values = [split["unexplained"]["mean"], *(m["shapley"]["mean"] for m in order)]
    total = split["total"]["mean"]
    texts = [number(v, unit, signed=True) for v in values] + [number(total, unit, signed=True)]
    figure = go.Figure(
        go.Waterfall(
            orientation="v",
            x=labels,
            y=[*values, total],
            measure=["relative"] * len(values) + ["total"],
            text=texts,
            textposition="outside",
            decreasing={"marker": {"color": WORSE}},
            increasing={"marker": {"color": BETTER}},
            totals={"marker": {"color": NEUTRAL}},
            connector={"line": {"color": "#9aa5b1", "width": 1}},
        )
    )
    figure.update_layout(
        height=520,
        margin={"t": 30, "b": 150, "l": 70, "r": 20},
        yaxis_title=summary_metric(split["metric"]).label,
        xaxis_tickangle=-35,
        showlegend=False,
    )
    return figure


def _intervals(split: dict[str, Any], unit: str) -> go.Figure:
    order = ranked(split)[::-1]
    titles = [m["title"] for m in order]
    figure = go.Figure()
    for key, name, color in (
        ("shapley", "Share (Shapley)", NEUTRAL),
        ("alone_off", "Switched off alone", "#f9a825"),
    ):
        means = [m[key]["mean"] for m in order]
        figure.add_trace(
            go.Scatter(
                x=means,
                y=titles,
                mode="markers",
                name=name,
                marker={"size": 10, "color": color},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [m[key]["high"] - m[key]["mean"] for m in order],
                    "arrayminus": [m[key]["mean"] - m[key]["low"] for m in order],
                },
                hovertemplate="%{y}: %{x:,.0f}<extra>" + name + "</extra>",
            )
        )
    figure.add_vline(x=0, line={"color": "#7b8794", "width": 1})
    figure.update_layout(
        height=120 + 34 * len(order),
        margin={"t": 20, "b": 40, "l": 230, "r": 20},
        xaxis_title=f"effect on the verdict ({unit.upper() if unit == 'usd' else unit})",
        legend={"orientation": "h", "y": 1.06},
    )
    return figure


def _over_time(answer: dict[str, Any]) -> go.Figure:
    splits = by_horizon(answer)
    order = ranked(answer["splits"][0])
    figure = go.Figure()
    months = [summary_metric(s["metric"]).label for s in splits]
    for index, mechanism in enumerate(order):
        values = [
            next(m for m in s["mechanisms"] if m["name"] == mechanism["name"])["shapley"]["mean"]
            for s in splits
        ]
        color = qualitative.Dark24[index % len(qualitative.Dark24)]
        figure.add_trace(
            go.Bar(x=months, y=values, name=mechanism["title"], marker={"color": color})
        )
    figure.add_trace(
        go.Bar(
            x=months,
            y=[s["unexplained"]["mean"] for s in splits],
            name="No named mechanism",
            marker={"color": "#bcccdc"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=[s["total"]["mean"] for s in splits],
            name="Verdict",
            mode="markers+lines",
            marker={"size": 12, "color": "#1f2933", "symbol": "diamond"},
        )
    )
    figure.update_layout(barmode="relative", height=480, margin={"t": 20, "b": 40})
    return figure


def _table(split: dict[str, Any], unit: str) -> str:
    def cell(estimate: dict[str, float]) -> str:
        low = number(estimate["low"], unit, signed=True)
        high = number(estimate["high"], unit, signed=True)
        return (
            f"{escape(number(estimate['mean'], unit, signed=True))} [{escape(low)}, {escape(high)}]"
        )

    rows = "".join(
        f"<tr><td>{escape(m['title'])} <code>mechanisms.{escape(m['name'])}</code></td>"
        f"<td>{cell(m['shapley'])}</td><td>{cell(m['alone_off'])}</td></tr>"
        for m in ranked(split)
    )
    unexplained = cell(split["unexplained"])
    rows += (
        f"<tr><td>No named mechanism (all switched off)</td><td>{unexplained}</td><td></td></tr>"
    )
    rows += f"<tr><th>Verdict</th><th>{cell(split['total'])}</th><th></th></tr>"
    return (
        '<div class="wide"><table class="summary"><thead><tr><th>Mechanism</th>'
        "<th>Share of the verdict (Shapley) [95%]</th><th>Switched off alone [95%]</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def explain_html(answer: dict[str, Any]) -> str:
    headline = answer["splits"][0]
    metric = summary_metric(headline["metric"])
    unit = metric.unit
    total = number(headline["total"]["mean"], unit, signed=True)
    question = f"{answer['compare']} − {answer['baseline']}"
    sections = [
        section(
            f"Where the {total} went",
            f"{question}, {metric.label}: the part no named mechanism explains (every one "
            "switched off), then each mechanism's share, largest first, adding up to the "
            "verdict. A share is the mechanism's average effect when it is switched on, over "
            "random orders of switching the others on (its Shapley value); red lowers the "
            "verdict, green raises it.",
            figure_html(_waterfall(headline, unit), "waterfall"),
            "waterfall",
        ),
        section(
            "How sure: the shares and each mechanism switched off alone",
            "95% intervals over the replications. Switched off alone is the verdict with every "
            "mechanism on less the verdict with that one off (on the first "
            f"{answer['alone_off_replications']} replications): it counts the mechanism's "
            "interactions with all the others in full, where the share splits them.",
            figure_html(_intervals(headline, unit), "intervals")
            + _table(headline, unit)
            + (f'<p class="caption">{escape(idle_line(answer))}</p>' if idle_line(answer) else ""),
            "intervals",
        ),
    ]
    if len(answer["splits"]) > 1:
        sections.append(
            section(
                "The split over time",
                "Each mechanism's share of the verdict at each horizon, from the same "
                "replications (the diamond is the verdict).",
                figure_html(_over_time(answer), "over-time"),
                "over-time",
            )
        )
    header = [
        f"Scenario {answer['scenario']}: {question} on {metric.label}",
        f"{answer['replications']} replications (seed {answer['seed']}), "
        f"{answer['simulations']} simulations, {answer['seconds']:.0f} s; "
        f"widest share interval ± {number(answer['widest_half_width'], unit)}",
    ]
    warnings = [unsettled_line(answer)] if unsettled_line(answer) else []
    return render(f"Why: {question}", header, sections, warnings)
