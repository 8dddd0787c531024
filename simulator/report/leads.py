"""The report's charts of leads: the funnel from lead to won, and what became of every lead."""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go

from simulator.metrics.catalog import charted
from simulator.page import figure_html, section
from simulator.report.results import Results
from simulator.report.style import LEGEND_BELOW, escaped

LEADS = charted("funnel")[0].name
"""Every lead: the funnel's first step, against which the fates of leads are shares."""
WAITING = ("waiting for a first call at the end", "#cfd8dc")
"""The leads no fate holds: those not yet called when the simulation ends."""


def funnel_section(results: Results, colours: dict[str, str]) -> str:
    """The funnel as grouped horizontal bars: a row per step, a bar per variant, the numbers
    beside the bars (readable however narrow a bar gets)."""
    steps = [m for m in charted("funnel") if m.name in results.columns]
    figure = go.Figure()
    top = 0.0
    for name in results.variants:
        means = [results.mean(name, step.name) for step in steps]
        top = max([top, *(m for m in means if np.isfinite(m))])
        rates = [""] + [
            f" ({b / a:.0%} of {previous.step})" if a else ""
            for (a, b), previous in zip(itertools.pairwise(means), steps, strict=False)
        ]
        figure.add_bar(
            name=escaped(name),
            y=[step.step.capitalize() for step in steps],
            x=means,
            orientation="h",
            text=[f"{m:,.0f}{r}" for m, r in zip(means, rates, strict=True)],
            textposition="outside",
            cliponaxis=False,
            marker={"color": colours[name]},
            hovertemplate=f"{escaped(name)}<br>%{{y}}: %{{x:,.1f}} per replication<extra></extra>",
        )
    figure.update_layout(
        barmode="group",
        height=140 + 40 * len(steps) * max(1, len(results.variants)) // 2 + 60,
        margin={"l": 90, "r": 30, "t": 10, "b": 40},
        xaxis={"title": "mean per replication", "range": [0, top * 1.45 or 1]},
        yaxis={"autorange": "reversed"},
        legend=LEGEND_BELOW,
    )
    return section(
        "Funnel",
        "Mean count per replication at each step, from lead to won, with the conversion from "
        "the previous step beside each bar; compare the variants step by step.",
        figure_html(figure, "funnel"),
        "funnel",
    )


def fates(results: Results) -> list[tuple[str, str, dict[str, float]]]:
    """What became of the leads: per fate (the registry's ``fate`` metrics: the better ones
    first, won, then still open, then the losses; the fates of worked deals before those of
    leads never worked; else in registry order), its name, its colour and its mean count per
    variant; then the rest, leads still waiting for a first call at the end, when every fate
    was stored."""
    order = {"higher": 0, "neither": 1, "lower": 2}
    metrics = sorted(charted("fate"), key=lambda m: (order[m.better], m.section != "outcomes"))
    found = [(m.step, m.colour, m.name) for m in metrics if m.name in results.columns]
    counts = [
        (step, colour, {n: results.mean(n, column) for n in results.variants})
        for step, colour, column in found
    ]
    if len(found) == len(metrics) and LEADS in results.columns:
        rest = {
            n: results.mean(n, LEADS) - sum(count[n] for _, _, count in counts)
            for n in results.variants
        }
        counts.append((*WAITING, rest))
    return counts


def loss_section(results: Results, colours: dict[str, str]) -> str:
    """What became of every lead, as shares of leads: won, still open, lost by reason,
    disqualified, never answered. A variant that answers fewer leads cannot look better by
    losing fewer deals: its unanswered leads are counted too."""
    if LEADS not in results.columns:
        return section("Why deals are lost", "This run has no lead counts.", "", "losses")
    labels = [escaped(n) for n in results.variants]
    leads = {n: results.mean(n, LEADS) for n in results.variants}
    figure = go.Figure()
    for reason, colour, counts in fates(results):
        per_lead = [counts[n] / leads[n] if leads[n] else float("nan") for n in results.variants]
        if reason == WAITING[0] and max(per_lead, default=0) < 0.0005:
            continue  # a handful of leads in the queue at the end: not worth a colour
        figure.add_bar(
            name=reason,
            y=labels,
            x=per_lead,
            orientation="h",
            customdata=[counts[n] for n in results.variants],
            texttemplate="%{x:.0%}",
            textposition="inside",
            textangle=0,
            insidetextanchor="middle",
            marker={"color": colour},
            hovertemplate=f"%{{y}}<br>{reason}: %{{x:.1%}} of leads "
            "(%{customdata:,.1f} per replication)<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        height=150 + 60 * len(labels),
        margin={"l": 140, "r": 20, "t": 10, "b": 40},
        xaxis={"title": "share of all leads", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
        uniformtext={"minsize": 10, "mode": "hide"},
        legend={**LEGEND_BELOW, "y": -0.35 if len(labels) < 3 else -0.25, "traceorder": "normal"},
    )
    return section(
        "Why deals are lost: what became of every lead",
        "Each bar is one variant's leads, 100% wide: the share won, still open at the end, "
        "lost to each reason, disqualified, and never answered (a lead nobody called within "
        "its patience). Counted against leads, not against worked deals, so a strategy that "
        "works fewer deals cannot look better by losing fewer. Hover for counts.",
        figure_html(figure, "losses"),
        "losses",
    )
