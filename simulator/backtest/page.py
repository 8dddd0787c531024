"""The backtest page: one offline HTML file (plotly.js embedded) that shows a sales VP whether
the forecast made on the as-of date would have been right: the fan (P10-P90 band, P50 line) of
the months after it, what the team booked, and the naive forecast, month by month, with links
to the fit report and the forecast page beside it."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from simulator.backtest.baselines import BASELINES, NAIVE, SURVIVAL, WEIGHTED
from simulator.backtest.compare import Backtest
from simulator.backtest.console import backtest_lines, yes_no
from simulator.forecast.console import usd
from simulator.forecast.page import MONEY_AXIS, NEW, OPEN, fan
from simulator.page import escape, figure_html, render, section
from simulator.report.style import LEGEND_BELOW

REALISED, NAIVE_LINE = "#1f2933", "#c62828"
BASELINE_LINES = {
    NAIVE: ("naive: mean of the last 3 months", NAIVE_LINE, "dash"),
    WEIGHTED: ("CRM weighted pipeline", "#ef6c00", "dot"),
    SURVIVAL: ("stage-age survival", "#6a1b9a", "dashdot"),
}
"""Each baseline's line on a backtest chart: its name, colour and dash."""


@dataclass(frozen=True)
class PageContext:
    """What the page says it was made from, and the files beside it (names, relative links)."""

    export: str
    as_of: str
    header: tuple[str, ...]
    fit_page: str
    forecast_page: str
    scenario: str
    warnings: tuple[str, ...] = ()  # the calibrated scenario's (an unsettled fit)


def backtest_figure(backtest: Backtest) -> go.Figure:
    x = [m.name for m in backtest.months]
    bands = [m.bookings for m in backtest.months]
    figure = fan(x, [b.p10 for b in bands], [b.p50 for b in bands], [b.p90 for b in bands])
    for baseline, (name, colour, dash) in BASELINE_LINES.items():
        figure.add_scatter(
            x=x,
            y=[m.baselines[baseline] for m in backtest.months],
            mode="lines+markers",
            name=name,
            line={"color": colour, "dash": dash},
            marker={"size": 5},
            hovertemplate=f"{baseline} $%{{y:,.0f}}<extra></extra>",
        )
    figure.add_scatter(
        x=x,
        y=[m.realised.acv_usd for m in backtest.months],
        mode="markers",
        marker={"color": REALISED, "size": 12, "symbol": "diamond"},
        name="what the team booked",
        hovertemplate="booked $%{y:,.0f}<extra></extra>",
    )
    figure.update_layout(
        height=420,
        margin={"l": 80, "r": 30, "t": 20, "b": 70},
        xaxis={"title": "Month", "type": "category"},
        yaxis={"title": "Won ACV closed in the month (US dollars)", **MONEY_AXIS},
        legend=LEGEND_BELOW,
        hovermode="x unified",
    )
    return figure


def sources_figure(backtest: Backtest) -> go.Figure:
    """Per month, two stacked bars: the forecast's mean and what was booked, each split into
    deals open on the as-of date and deals created since."""
    x = [m.name for m in backtest.months]
    figure = go.Figure()
    bars = (
        ("forecast", "forecast mean", [m.split.open_pipeline for m in backtest.months],
         [m.split.new_pipeline for m in backtest.months]),
        ("booked", "booked", [m.realised.open_pipeline_usd for m in backtest.months],
         [m.realised.new_pipeline_usd for m in backtest.months]),
    )  # fmt: skip
    for group, label, opened, new in bars:
        for name, colour, values, base in (
            ("deals open on the as-of date", OPEN, opened, None),
            ("deals created since", NEW, new, opened),
        ):
            figure.add_bar(
                x=x, y=values, base=base, offsetgroup=group, name=f"{label}: {name}",
                marker={"color": colour, "pattern": {"shape": "/" if group == "booked" else ""}},
                hovertemplate=f"{label}, {name}: $%{{y:,.0f}}<extra></extra>",
            )  # fmt: skip
    figure.update_layout(
        height=420,
        margin={"l": 80, "r": 30, "t": 20, "b": 90},
        xaxis={"title": "Month (left bar: forecast mean; right bar, hatched: booked)",
               "type": "category"},
        yaxis={"title": "Won ACV closed in the month (US dollars)", **MONEY_AXIS},
        legend=LEGEND_BELOW,
    )  # fmt: skip
    return figure


def _table(backtest: Backtest) -> str:
    heads = ["Month", "Booked", "P10", "P50", "P90", "Inside P10-P90?", "Naive",
             "Weighted pipeline", "Stage-age survival", "Closer (P50 or naive)"]  # fmt: skip
    rows = []
    for m in backtest.months:
        b = m.bookings
        cells = [usd(v) for v in (m.realised.acv_usd, b.p10, b.p50, b.p90)]
        cells += [yes_no(m.inside), *(usd(m.baselines[n]) for n in BASELINES), m.closer]
        body = "".join(f"<td>{escape(c)}</td>" for c in cells)
        rows.append(f"<tr><td>{escape(m.name)}</td>{body}</tr>")
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _links(context: PageContext) -> str:
    items = (
        (context.fit_page, "Fit report: how well the calibrated model reproduces the export"),
        (context.forecast_page, "Forecast page: the full forecast made on the as-of date"),
        (context.scenario, "The calibrated scenario (YAML): run what-ifs on it"),
    )
    return "<ul>" + "".join(
        f'<li><a href="{escape(href)}">{escape(text)}</a></li>' for href, text in items
    ) + "</ul>"  # fmt: skip


def backtest_html(backtest: Backtest, context: PageContext) -> str:
    """The whole page."""
    n = len(backtest.months)
    caption = (
        f"We went back to {context.as_of}: the model was fitted to the deals the CRM held that "
        f"day and nothing later, then forecast the next {n} month{'s' if n > 1 else ''}. The "
        "diamonds are what the team actually booked (won deals by month of close). The shaded "
        "band is where 8 in 10 simulated futures landed and the line the middle one (P50). The "
        "other lines are what a team forecasts without a simulator, from what it knew that "
        "day: the average of the last three months (naive), the CRM's weighted pipeline (open "
        "deals times the win rate, placed by when deals like them closed), and a stage-age "
        "survival forecast (each open deal's chance of winning each month given its age, plus "
        "new deals at the recent rate). A good forecast has the diamonds inside the band and "
        "nearer its line than the others; about one month in five falls outside even a right "
        "band."
    )
    sections = [
        section(
            "The verdict",
            f"The forecast made on {context.as_of} against what {context.export} shows happened.",
            "".join(f"<p class='sentence'>{escape(line)}</p>" for line in backtest_lines(backtest)),
            "verdict",
        ),
        section(
            "Forecast against what happened",
            caption,
            figure_html(backtest_figure(backtest), "backtest-monthly"),
            "monthly",
        ),
        section(
            "Where the bookings came from",
            "Each month's forecast (the average simulated future) and what the team booked, "
            f"split into deals already open on {context.as_of} and deals created after it. A "
            "forecast that expects more from the open deals than they gave trusts a pipeline "
            "that was staler than it looked; one that expects less from new deals expects "
            "them to take longer to close.",
            figure_html(sources_figure(backtest), "backtest-sources"),
            "sources",
        ),
        section("The numbers", "Month by month, won ACV in US dollars.", _table(backtest), "table"),
        section(
            "Behind it",
            "The fit report shows which of the export's statistics the model matched and which "
            "it missed: a miss there is usually why a backtest misses.",
            _links(context),
            "files",
        ),
    ]
    title = f"Backtest of {context.export} as of {context.as_of}"
    return render(title, context.header, sections, context.warnings)
