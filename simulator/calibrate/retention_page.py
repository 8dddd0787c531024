"""The subscription export's part of the fit report: how long customers stay, the export's
Kaplan–Meier curve against the band of simulated histories, and the retention statistics the
fit matched, each against what the histories show.

Both sides are counted alike over the calibration's window: every account paying on its first
day or signing during it is followed from then (the later of the two) until it churns, or to
the end of the window (censored). A simulated history starts from the export's customers on the
eve of the window, so the curves compare like with like: the same customers, the same days.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from simulator.calibrate.charts import EXPORT, band, band_traces
from simulator.calibrate.moments import Window
from simulator.calibrate.retention_moments import RETENTION_STATISTICS, retention_raw
from simulator.crm.subscriptions import Customers
from simulator.crm.survival import KaplanMeier, kaplan_meier
from simulator.metrics.formats import amount
from simulator.page import escape, figure_html, section
from simulator.report.style import LEGEND_BELOW

BAND = (5, 95)
"""Percentiles of the simulated histories drawn as the band."""


def window_survival(customers: Customers, period: Window) -> KaplanMeier:
    """Kaplan–Meier of the days from the window's first day (or a later first paid day) to
    churn, of the accounts paying in the window; censored at its last day."""
    start = np.datetime64(period.first, "D")
    end = min(np.datetime64(period.last, "D"), customers.as_of)
    paid = ~np.isnat(customers.first_paid) & ~customers.churn_date_unknown
    churned_on = customers.churned_on
    before = ~np.isnat(churned_on) & (churned_on < start)
    entered = paid & ~before & (customers.first_paid <= end)
    entry = np.maximum(customers.first_paid[entered], start)
    churn = churned_on[entered]
    churned = ~np.isnat(churn) & (churn <= end)
    exit_day = np.where(churned, churn, end)
    durations = np.maximum((exit_day - entry).astype(np.int64), 0).astype(float)
    return kaplan_meier(durations, churned)


def _statistics_table(observed: Customers, simulated: list[Customers], period: Window) -> str:
    mine = retention_raw(observed, period)
    theirs = [retention_raw(history, period) for history in simulated]
    rows = []
    for statistic in RETENTION_STATISTICS:
        values = np.array([h[statistic.name] for h in theirs], float)
        values = values[np.isfinite(values)]
        low, high = np.percentile(values, BAND) if values.size else (math.nan, math.nan)
        mean = float(values.mean()) if values.size else math.nan
        rows.append(
            f"<tr><td>{escape(statistic.label)}</td>"
            f"<td>{escape(amount(mine[statistic.name], statistic.unit))}</td>"
            f"<td>{escape(amount(mean, statistic.unit))}</td>"
            f"<td>{escape(amount(low, statistic.unit))} to "
            f"{escape(amount(high, statistic.unit))}</td></tr>"
        )
    heads = ("Statistic", "Your export", "Simulated (mean)", "90% of simulated histories")
    head = "".join(f"<th>{h}</th>" for h in heads)
    return (
        f"<div class='wide'><table id='retention-table'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def retention_section(observed: Customers, simulated: list[Customers], period: Window) -> str:
    """Time to churn in the window (the export's Kaplan–Meier curve with its 95% band, the
    histories' P5–P95 band and median) and the retention statistics, export against simulated."""
    mine = window_survival(observed, period)
    theirs = [window_survival(history, period) for history in simulated]
    last = int((np.datetime64(period.last, "D") - np.datetime64(period.first, "D")).astype(int))
    grid = np.arange(0.0, last + 1)
    low, median, high = band(np.array([km.at(grid) for km in theirs]), *BAND)
    figure = go.Figure()
    band_traces(figure, grid, low, median, high, "90%", shape="hv")
    export_low, export_high = mine.band()
    steps = np.concatenate([[0.0], mine.times])
    for name, values in (("upper", export_high), ("lower", export_low)):
        figure.add_scatter(
            x=steps,
            y=np.concatenate([[1.0], np.where(np.isnan(values), mine.survival, values)]),
            mode="lines",
            line={"color": EXPORT, "width": 0, "shape": "hv"},
            fill="tonexty" if name == "lower" else None,
            fillcolor="rgba(31, 58, 95, 0.15)",
            name="your export: 95% band",
            showlegend=name == "lower",
            legendgroup="export-band",
            hoverinfo="skip",
        )
    figure.add_scatter(
        x=grid,
        y=mine.at(grid),
        name="your export",
        line={"color": EXPORT, "width": 2.5, "shape": "hv"},
        customdata=np.column_stack([median, low, high]),
        hovertemplate="day %{x}: your export %{y:.1%} still customers; simulated "
        "%{customdata[0]:.1%} (90% of histories %{customdata[1]:.1%}–%{customdata[2]:.1%})"
        "<extra></extra>",
    )
    figure.update_layout(
        height=420, margin={"l": 70, "r": 20, "t": 20, "b": 40}, legend=LEGEND_BELOW,
        hovermode="x",
    )  # fmt: skip
    floor = min(float(np.nanmin(low)) if low.size else 1.0, float(mine.at(grid).min()))
    figure.update_yaxes(tickformat=".0%", range=[max(0.0, floor - 0.05), 1.01],
                        title_text="share of customers not churned")  # fmt: skip
    figure.update_xaxes(title_text=f"days since {period.first} (or since signing, if later)")
    gone = 1 - np.array([km.at(grid[-1]) for km in theirs], float)
    low_gone, mid_gone, high_gone = np.percentile(gone, (BAND[0], 50, BAND[1]))
    sentence = (
        f"Of the {mine.n:,} customers paying in the window, {1 - float(mine.at(grid[-1])):.1%} "
        f"churned by {period.last} in your export ({mine.n_events:,} churns); simulated "
        f"{mid_gone:.1%} (90% of histories {low_gone:.1%} to {high_gone:.1%})."
    )
    return section(
        "How long customers stay",
        "Kaplan–Meier: the share of the customers paying on the window's first day (or signing "
        "during it) who have not churned yet, day by day; customers still paying at its end "
        "count as not churned yet (censored). The dark line is your export with its 95% band; "
        "the grey line and band are the simulated histories (median and 90%), each starting "
        "from your export's customers on the eve of the window. The table compares the "
        "statistics the fit matched.",
        f'<p class="sentence">{escape(sentence)}</p>'
        + figure_html(figure, "retention-chart")
        + _statistics_table(observed, simulated, period),
        "retention",
    )
