"""The forecast page: one offline HTML file (plotly.js embedded) a sales leader can open.

- the months as a fan: the middle outcome (P50) and the band eight in ten outcomes fall in;
- where the average month's bookings come from: deals open at the start, and new pipeline;
- bookings to date as a fan, with the target and the chance of reaching it;
- how the total over the months is spread across the simulated futures;
- what makes the band: the fit's input uncertainty, chance, and the two together;
- the numbers as a table.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import plotly.graph_objects as go

from simulator.atomic import write_text_atomic
from simulator.forecast.console import forecast_lines, history_line, period, usd
from simulator.forecast.summary import Forecast
from simulator.page import escape, figure_html, render, section
from simulator.report.style import LEGEND_BELOW, PALETTE, rgba

LINE, OPEN, NEW, TARGET = PALETTE[0], "#1f3a5f", "#7fb3d5", "#c62828"
SOURCE_COLOURS = {"inputs": "#b45309", "chance": "#7fb3d5"}
SOURCE_NAMES = {"inputs": "what the fit leaves unknown (inputs)", "chance": "chance"}
BAND_ALPHA = 0.2
MONEY_AXIS = {"tickprefix": "$", "tickformat": "~s", "rangemode": "tozero"}


def _layout(figure: go.Figure, y_title: str, x_title: str = "Month") -> go.Figure:
    figure.update_layout(
        height=400,
        margin={"l": 80, "r": 30, "t": 20, "b": 70},
        xaxis={"title": x_title, "type": "category"},
        yaxis={"title": y_title, **MONEY_AXIS},
        legend=LEGEND_BELOW,
        hovermode="x unified",
    )
    return figure


def fan(x: list[str], p10: list[float], p50: list[float], p90: list[float]) -> go.Figure:
    """The P10-P90 band and the P50 line over the months."""
    figure = go.Figure()
    figure.add_scatter(
        x=x,
        y=p10,
        mode="lines",
        line={"width": 0},
        name="P10",
        showlegend=False,
        hovertemplate="P10 $%{y:,.0f}<extra></extra>",
    )
    figure.add_scatter(
        x=x,
        y=p90,
        mode="lines",
        line={"width": 0},
        fill="tonexty",
        fillcolor=rgba(LINE, BAND_ALPHA),
        name="P10 to P90: 8 in 10 outcomes",
        hovertemplate="P90 $%{y:,.0f}<extra></extra>",
    )
    figure.add_scatter(
        x=x,
        y=p50,
        mode="lines+markers",
        line={"color": LINE},
        name="P50",
        hovertemplate="P50 $%{y:,.0f}<extra></extra>",
    )
    return figure


def monthly_figure(forecast: Forecast) -> go.Figure:
    x = [str(m.name) for m in forecast.months]
    bands = [m.bookings for m in forecast.months]
    figure = fan(x, [b.p10 for b in bands], [b.p50 for b in bands], [b.p90 for b in bands])
    return _layout(figure, "Bookings signed in the month (US dollars)")


def split_figure(forecast: Forecast) -> go.Figure:
    x = [str(m.name) for m in forecast.months]
    figure = go.Figure()
    for name, colour, values in (
        ("deals open at the start", OPEN, [m.split.open_pipeline for m in forecast.months]),
        ("new pipeline", NEW, [m.split.new_pipeline for m in forecast.months]),
    ):
        figure.add_bar(
            x=x,
            y=values,
            name=name,
            marker_color=colour,
            hovertemplate=f"{name}: $%{{y:,.0f}}<extra></extra>",
        )
    figure.update_layout(barmode="stack")
    return _layout(figure, "Mean bookings in the month (US dollars)")


def cumulative_figure(forecast: Forecast) -> go.Figure:
    x = [str(m.name) for m in forecast.months]
    bands = [m.cumulative for m in forecast.months]
    figure = fan(x, [b.p10 for b in bands], [b.p50 for b in bands], [b.p90 for b in bands])
    if forecast.target is not None:
        figure.add_scatter(
            x=x,
            y=[forecast.target] * len(x),
            mode="lines",
            name=f"target {usd(forecast.target)}",
            line={"color": TARGET, "dash": "dash"},
            hoverinfo="skip",
        )
    return _layout(figure, "Bookings to date (US dollars)")


def total_figure(forecast: Forecast) -> go.Figure:
    figure = go.Figure()
    figure.add_histogram(
        x=forecast.totals,
        nbinsx=40,
        marker_color=LINE,
        name="replications",
        hovertemplate="$%{x}: %{y} replications<extra></extra>",
    )
    lines = [("P10", forecast.total.p10, "dot"), ("P50", forecast.total.p50, "solid")]
    lines.append(("P90", forecast.total.p90, "dot"))
    if forecast.target is not None:
        lines.append(("target", forecast.target, "dash"))
    for label, value, dash in lines:
        colour = TARGET if label == "target" else "#1f2933"
        figure.add_vline(x=value, line={"color": colour, "dash": dash}, annotation_text=label)
    figure.update_layout(
        height=360,
        margin={"l": 80, "r": 30, "t": 30, "b": 60},
        xaxis={
            "title": f"Total bookings over {len(forecast.months)} months (US dollars)",
            "tickprefix": "$",
            "tickformat": "~s",
        },
        yaxis={"title": "replications"},
        showlegend=False,
    )
    return figure


def sources_figure(forecast: Forecast) -> go.Figure:
    """Each source's share of the spread of every month's bookings and of the total."""
    uncertainty = forecast.uncertainty
    assert uncertainty is not None
    x = [*(str(m.name) for m in forecast.months), "Total"]
    shares = [*uncertainty.months, uncertainty.total]
    figure = go.Figure()
    for source, name in SOURCE_NAMES.items():
        figure.add_bar(
            x=x,
            y=[None if s is None else 100 * getattr(s, source) for s in shares],
            name=name,
            marker_color=SOURCE_COLOURS[source],
            hovertemplate=f"{name}: %{{y:.0f}}%<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        height=360,
        margin={"l": 80, "r": 30, "t": 20, "b": 70},
        xaxis={"title": "Month", "type": "category"},
        yaxis={"title": "share of the spread (variance), %", "range": [0, 100]},
        legend=LEGEND_BELOW,
        hovermode="x unified",
    )
    return figure


def chance_title(forecast: Forecast) -> str:
    reached, last = forecast.reached, forecast.months[-1].name
    if reached is None or forecast.target is None:
        return "Bookings to date"
    return (
        f"Bookings to date: {100 * reached.probability:.0f}% chance of reaching "
        f"{usd(forecast.target)} by {last}"
    )


def _table(forecast: Forecast) -> str:
    heads = [
        "Month",
        "P10",
        "P50",
        "P90",
        "Open pipeline",
        "New pipeline",
        "To date P10",
        "To date P50",
        "To date P90",
    ]
    if forecast.target is not None:
        heads.append("Chance of target by then")
    rows = []
    for m in forecast.months:
        b, c, s = m.bookings, m.cumulative, m.split
        cells = [usd(v) for v in (b.p10, b.p50, b.p90, s.open_pipeline, s.new_pipeline)]
        cells += [usd(v) for v in (c.p10, c.p50, c.p90)]
        if m.by_then is not None:
            cells.append(f"{100 * m.by_then.probability:.0f}%")
        rows.append(
            f"<tr><td>{escape(m.name)}</td>"
            + "".join(f"<td>{escape(v)}</td>" for v in cells)
            + "</tr>"
        )
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    body = "".join(rows)
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f"<div class='wide'>{table}</div>"


def header(forecast: Forecast) -> list[str]:
    lines = [
        f"Scenario: {forecast.scenario} ({forecast.source}); variant: {forecast.variant}",
        f"{period(forecast)}; {forecast.replications} simulated futures (replications), "
        f"root seed {forecast.seed}",
    ]
    if forecast.day0 is not None:
        lines.append(f"Day 0 of the simulation: {forecast.day0.isoformat()}")
    if forecast.overrides:
        lines.append(f"Overrides (--set): {', '.join(forecast.overrides)}")
    return lines


def forecast_html(forecast: Forecast) -> str:
    """The whole page."""
    no_open = forecast.total_split.open_pipeline == 0
    split_caption = (
        "The average bookings of each month, split by where the deal came from: deals already "
        "open when the forecast starts (the pipeline you have today) and deals created since "
        "(pipeline still to be found, qualified and won)."
    )
    if no_open:
        split_caption += " This scenario starts with an empty pipeline, so all of it is new."
    cumulative_caption = (
        "Bookings added up from the first month to the end of each month. The line is the middle "
        "outcome; eight in ten simulated futures end inside the band."
    )
    if forecast.target is not None:
        cumulative_caption += (
            " The dashed line is the target; the chance is the share of simulated futures whose "
            f"total over {len(forecast.months)} months reaches it."
        )
    sections = [
        section(
            "The forecast",
            f"What {forecast.replications} simulated futures of the next "
            f"{len(forecast.months)} months book.",
            "".join(
                f"<p class='sentence'>{escape(line)}</p>" for line in forecast_lines(forecast)[:-2]
            ),
            "verdict",
        ),
        section(
            "Bookings each month",
            "What the team signs each month (ACV). Half of the simulated futures land above the "
            "line (P50), half below; eight in ten fall inside the shaded band (P10 to P90). One "
            "month in ten will be worse than the bottom of the band: plan for it.",
            figure_html(monthly_figure(forecast), "forecast-monthly"),
            "monthly",
        ),
        section(
            "Where the bookings come from",
            split_caption,
            figure_html(split_figure(forecast), "forecast-split"),
            "split",
        ),
        section(
            chance_title(forecast),
            cumulative_caption,
            figure_html(cumulative_figure(forecast), "forecast-cumulative"),
            "cumulative",
        ),
        section(
            f"The total over {len(forecast.months)} months",
            "Each bar counts the simulated futures whose total landed there; the lines mark "
            "P10, P50 and P90" + (" and the target." if forecast.target is not None else "."),
            figure_html(total_figure(forecast), "forecast-total"),
            "total",
        ),
        section(
            "The numbers", "Month by month, in US dollars of ACV signed.", _table(forecast), "table"
        ),
    ]
    if forecast.uncertainty is not None and forecast.uncertainty.total is not None:
        sections.insert(-1, _sources_section(forecast))
    title = f"{forecast.scenario}: bookings forecast, {period(forecast)}"
    warnings = list(forecast.warnings)
    if forecast.history is not None and forecast.history.far:
        warnings.append(history_line(forecast.history))
    return render(title, header(forecast), sections, warnings)


def _sources_section(forecast: Forecast) -> str:
    uncertainty = forecast.uncertainty
    assert uncertainty is not None
    design = uncertainty.design
    caption = (
        "How wide the band is comes from two things: chance (which deals show up, which close, "
        "when) and what the export cannot pin down about the company (the fitted inputs: "
        f"{', '.join(uncertainty.inputs)}). The forecast drew {design.inputs} settings of the "
        f"inputs from the fit's uncertainty and ran {design.chance} or more futures of each: "
        "how far apart the settings' averages are is the inputs' share of the spread, how far a "
        "future falls from its setting's average is chance's. A band made mostly by the inputs "
        "narrows with a longer or richer export; one made by chance does not."
    )
    return section(
        "What makes the band",
        caption,
        figure_html(sources_figure(forecast), "forecast-sources"),
        "sources",
    )


def default_page_path(forecast: Forecast) -> Path:
    """``results/forecast-<scenario>-<variant>-<time>.html``."""
    slug = re.sub(r"[^a-z0-9]+", "-", f"{forecast.scenario}-{forecast.variant}".lower()).strip("-")
    return Path("results") / f"forecast-{slug}-{datetime.now(UTC):%Y%m%d-%H%M%S}.html"


def write_forecast_page(forecast: Forecast, out: Path | None) -> Path:
    """Write the page (atomically) to ``out``, or under ``results/``."""
    return write_text_atomic(out or default_page_path(forecast), forecast_html(forecast))
