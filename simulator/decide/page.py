"""The decision commands' pages: one offline HTML page each, from the stored answer
(``decision.json``) and tables, with the same shell, colours and units as the run report.

- sweep: per metric, the mean across the swept values with its 95% interval (dark band) and the
  spread of replications from P10 to P90 (light band);
- sensitivity: the tornado chart, inputs ranked by their importance, and with ``--compare`` the
  difference at every sampled setting against zero, which shows how robust the verdict is;
- goal: the share of replications meeting the target at each value tried, with its interval,
  the asked probability and the answer with its interval;
- split: the metric at each split of the budget, the best and the splits within its noise.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import pyarrow as pa

from simulator.metrics.catalog import summary_metric
from simulator.metrics.formats import number, value_text
from simulator.page import escape, figure_html, render, section
from simulator.report.style import PALETTE, axis, escaped, hover_value, rgba, unit_title

LINE, RAISES, LOWERS = PALETTE[0], "#2e7d32", "#c62828"
BAND_ALPHA, INNER_ALPHA = 0.15, 0.35


def in_text(label: str) -> str:
    """A label inside a sentence: ``bookings at 24 months``, but ``ARR at the horizon``."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def _layout(figure: go.Figure, x_title: str, y_title: str, height: int = 380) -> go.Figure:
    figure.update_layout(
        height=height,
        margin={"l": 90, "r": 30, "t": 20, "b": 60},
        xaxis={"title": x_title},
        yaxis={"title": y_title},
        showlegend=True,
        legend={"orientation": "h", "x": 0, "y": -min(0.25, 90 / height), "yanchor": "top"},
    )
    return figure


def sweep_page(decision: dict[str, Any], tables: dict[str, pa.Table]) -> str:
    """A chart per metric across the swept values, and the table."""
    rows = tables["sweep.parquet"].to_pylist()
    path = decision["input"]
    sections = []
    for name in decision["metrics"]:
        metric = summary_metric(name)
        points = [r for r in rows if r["metric"] == name]
        x = [r["value"] for r in points]
        figure = go.Figure()
        for low, high, alpha, label in (
            ("p10", "p90", BAND_ALPHA, "P10 to P90 of replications"),
            ("low", "high", INNER_ALPHA, "95% interval of the mean"),
        ):
            figure.add_scatter(
                x=x + x[::-1],
                y=[r[high] for r in points] + [r[low] for r in points][::-1],
                mode="lines",
                fill="toself",
                fillcolor=rgba(LINE, alpha),
                line={"width": 0},
                name=label,
                hoverinfo="skip",
            )
        figure.add_scatter(
            x=x,
            y=[r["mean"] for r in points],
            mode="lines+markers",
            name="mean",
            line={"color": LINE},
            hovertemplate=f"{escape(path)} = %{{x}}<br>mean: {hover_value(metric)}<extra></extra>",
        )
        _layout(figure, path, f"{metric.label} ({unit_title(metric)})")
        figure.update_yaxes(**axis(metric))
        sections.append(
            section(
                f"{metric.label} across {path}",
                f"The mean over {decision['replications']} replications at each value of {path} "
                "(every value on the same random markets), with the 95% interval of the mean "
                "(dark band) and the spread of the replications from P10 to P90 (light band).",
                figure_html(figure, f"sweep-{name}"),
                f"sweep-{name}",
            )
        )
    return render(
        f"{decision['scenario']}: sweep of {path}",
        decision["header"],
        [_sweep_table(decision, rows), *sections],
        decision.get("warnings", ()),
    )


def _sweep_table(decision: dict[str, Any], rows: list[dict]) -> str:
    metrics = [summary_metric(m) for m in decision["metrics"]]
    head = "".join(f"<th>{escape(m.label)}</th>" for m in metrics)
    body = []
    for value in decision["values"]:
        cells = []
        for metric in metrics:
            row = next(r for r in rows if r["metric"] == metric.name and r["value"] == value)
            cells.append(
                f"<td>{escape(value_text(metric, row['mean']))} "
                f"<span class='vs'>[{escape(value_text(metric, row['low']))}, "
                f"{escape(value_text(metric, row['high']))}]</span></td>"
            )
        body.append(f"<tr><td>{escape(f'{value:g}')}</td>{''.join(cells)}</tr>")
    table = (
        f"<div class='wide'><table><thead><tr><th>{escape(decision['input'])}</th>{head}</tr>"
        f"</thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return section(
        "The sweep",
        "Mean over replications at each value, with its 95% confidence interval.",
        table,
        "sweep-table",
    )


def sensitivity_page(decision: dict[str, Any], tables: dict[str, pa.Table]) -> str:
    """The tornado chart, the robustness of the verdict, and the ranking as a table."""
    drivers = tables["sensitivity.parquet"].to_pylist()
    metric = summary_metric(decision["metric"])
    morris = decision["method"] == "morris"
    ordered = drivers[::-1]  # plotly draws the first bar at the bottom
    labels = [f"{d['path']} ({d['low']:g} to {d['high']:g})" for d in ordered]
    figure = go.Figure()
    if morris:
        colours = [RAISES if (d["signed"] or 0) >= 0 else LOWERS for d in ordered]
        figure.add_bar(
            x=[d["importance"] for d in ordered],
            y=labels,
            orientation="h",
            marker={"color": colours},
            name="mu* (bar colour: green raises, red lowers)",
            error_x={"type": "data", "array": [d["importance_conf"] or 0 for d in ordered]},
            hovertemplate="%{y}<br>mu*: %{x:,.4g}<extra></extra>",
        )
        figure.update_xaxes(**axis(metric))
        x_title = f"mu*: change of {in_text(metric.label)} over each input's range"
    else:
        bars = (("importance", "total (ST)", LINE), ("signed", "first order (S1)", PALETTE[1]))
        for key, name, colour in bars:
            figure.add_bar(
                x=[d[key] for d in ordered],
                y=labels,
                orientation="h",
                name=name,
                marker={"color": colour},
                hovertemplate=f"%{{y}}<br>{name}: %{{x:.3f}}<extra></extra>",
            )
        figure.update_layout(barmode="group")
        x_title = f"share of the variance of {in_text(metric.label)}"
    _layout(figure, x_title, "", height=max(320, 42 * len(drivers) + 140))
    figure.update_layout(margin={"l": 330})
    what = "the paired difference against the baseline" if decision["compare"] else "the metric"
    caption = (
        f"Inputs ranked by how much they move {what} ({metric.label}), each across its whole "
        "range while the others vary too (Morris elementary effects: mu* is the mean absolute "
        "change over one input's range, with its 95% bootstrap interval; green where the input "
        "raises it on average, red where it lowers it)."
        if morris
        else f"Inputs ranked by the share of the variance of {what} ({metric.label}) they "
        "explain (Sobol indices): total, interactions included, and first order alone."
    )
    sections = [
        section(
            f"Tornado: what drives {in_text(metric.label)}",
            caption,
            figure_html(figure, "tornado"),
            "tornado",
        )
    ]
    if decision["compare"]:
        sections.append(_robustness(decision, tables["settings.parquet"], metric))
    return render(
        f"{decision['scenario']}: sensitivity of {in_text(metric.label)}",
        decision["header"],
        sections,
        decision.get("warnings", ()),
    )


def _robustness(decision: dict[str, Any], settings: pa.Table, metric: Any) -> str:
    robust = decision["robustness"]
    values = settings.column("value").to_pylist()
    figure = go.Figure()
    figure.add_histogram(x=values, marker={"color": LINE}, name="settings", nbinsx=30)
    figure.add_vline(x=0, line={"color": "#7b8794", "dash": "dot"})
    _layout(
        figure,
        f"{escaped(decision['compare'])} − baseline: {metric.label}",
        "sampled settings",
        320,
    )
    figure.update_xaxes(**axis(metric))
    nominal = robust["nominal"]
    share = robust["share_same_sign"]
    text = (
        f"At the scenario's own values the difference is "
        f"{number(nominal['mean'], metric.unit, True)}; across the {len(values)} sampled "
        f"settings it keeps that sign in {100 * share:.0f}% of them."
        if share is not None
        else "The difference at the scenario's own values is undefined."
    )
    if share is not None and not robust["nominal_clear"]:
        text += " That difference is itself not clear (its 95% interval includes 0)."
    return section(
        "How robust the verdict is",
        f"{text} Each bar counts sampled settings by the difference there (mean over "
        f"{decision['replications']} paired replications); the dotted line is no difference.",
        figure_html(figure, "robustness"),
        "robustness",
    )


def goal_page(decision: dict[str, Any], tables: dict[str, pa.Table]) -> str:
    """The share meeting the target at each value tried, the probability asked and the answer."""
    probes = sorted(tables["goal.parquet"].to_pylist(), key=lambda p: p["x"])
    path, target, p = decision["input"], decision["target"], decision["probability"]
    figure = go.Figure()
    figure.add_scatter(
        x=[r["x"] for r in probes],
        y=[r["share"] for r in probes],
        mode="markers",
        name="share of replications meeting the target",
        marker={"color": LINE, "size": 9},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [r["high"] - r["share"] for r in probes],
            "arrayminus": [r["share"] - r["low"] for r in probes],
        },
        hovertemplate=f"{escape(path)} = %{{x}}<br>share: %{{y:.0%}}<extra></extra>",
    )
    figure.add_hline(y=p, line={"color": "#7b8794", "dash": "dot"})
    low, high = decision["interval"]
    if decision["value"] is not None:
        figure.add_vline(x=decision["value"], line={"color": RAISES})
        if low is not None and high is not None and high > low:
            figure.add_vrect(x0=low, x1=high, fillcolor=rgba(RAISES, BAND_ALPHA), line_width=0)
    _layout(figure, path, f"share meeting {target}")
    figure.update_yaxes(tickformat=".0%", range=[-0.02, 1.02])
    return render(
        f"{decision['scenario']}: goal seek on {path}",
        decision["header"],
        [
            section(
                "The answer", decision["answer"] + " " + decision["reading"], "", "goal-answer"
            ),
            section(
                f"Share of replications meeting {target}",
                "Each point is a value tried (all on the same random markets), with the 95% "
                "Wilson interval of the share; the dotted line is the probability asked, the "
                "green line the answer and the band its interval.",
                figure_html(figure, "goal"),
                "goal",
            ),
        ],
        decision.get("warnings", ()),
    )


def split_page(decision: dict[str, Any], tables: dict[str, pa.Table]) -> str:
    """The metric at each split tried, the best and the splits within its noise."""
    points = sorted(tables["split.parquet"].to_pylist(), key=lambda r: r["a"])
    metric = summary_metric(decision["metric"])
    first, second = decision["inputs"]
    figure = go.Figure()
    figure.add_scatter(
        x=[r["a"] for r in points],
        y=[r["mean"] for r in points],
        mode="lines+markers",
        name=f"mean {in_text(metric.label)}",
        line={"color": LINE},
        error_y={
            "type": "data",
            "symmetric": False,
            "array": [(r["high"] or r["mean"]) - r["mean"] for r in points],
            "arrayminus": [r["mean"] - (r["low"] or r["mean"]) for r in points],
        },
        hovertemplate=f"{escape(first)} = %{{x:,.4g}}<br>{hover_value(metric)}<extra></extra>",
    )
    low, high = decision["interval"]
    if high > low:
        figure.add_vrect(x0=low, x1=high, fillcolor=rgba(RAISES, BAND_ALPHA), line_width=0)
    figure.add_vline(x=decision["value"], line={"color": RAISES})
    _layout(figure, f"{first} (the rest of {decision['total']:,g} to {second})", metric.label)
    figure.update_yaxes(**axis(metric))
    return render(
        f"{decision['scenario']}: best split of {first} and {second}",
        decision["header"],
        [
            section("The answer", decision["answer"], "", "split-answer"),
            section(
                f"{metric.label} at each split",
                "Each point is a split tried (all on the same random markets) with the 95% "
                "interval of the mean; the green line is the best, the band the splits not "
                "clearly worse than it (paired 95% interval of the difference includes 0).",
                figure_html(figure, "split"),
                "split",
            ),
        ],
        decision.get("warnings", ()),
    )
