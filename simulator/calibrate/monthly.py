"""The fit report's monthly chart: new opportunities, deals won and dollars won by calendar
month, the export against the band of simulated histories, quarter-end months shaded (quota
deadlines pull closes into them)."""

from __future__ import annotations

import numpy as np
from plotly.subplots import make_subplots

from simulator.calibrate.charts import EXPORT, band, band_traces
from simulator.calibrate.moments import QUARTER_END_MONTHS, Window
from simulator.crm.table import Deals
from simulator.page import figure_html, section
from simulator.report.style import LEGEND_BELOW

MONTHLY_ROWS = (
    ("New opportunities", "new opportunities", "count"),
    ("Deals won", "deals won", "count"),
    ("Won (US dollars)", "won", "usd"),
)
"""Each chart row: its title, what its hover text calls it, and its unit."""


def month_name(month: np.datetime64) -> str:
    return month.astype("datetime64[D]").item().strftime("%b %Y")


def calendar(period: Window) -> tuple[np.ndarray, list[str]]:
    """The whole calendar months in ``period`` and the names of the part months left out; every
    month it touches when none is whole."""
    touched = np.arange(
        period.first.astype("datetime64[M]"), period.last.astype("datetime64[M]") + 1
    )
    whole = period.full_months()
    if not whole.size:
        return touched, []
    return whole, [month_name(m) for m in touched if m not in whole]


def monthly(deals: Deals, months: np.ndarray) -> np.ndarray:
    """Rows: new opportunities, deals won, won US dollars; one column per month."""
    created = deals.created.astype("datetime64[M]")
    closed = deals.closed.astype("datetime64[M]")
    won_usd = np.nan_to_num(deals.acv_usd)
    out = np.zeros((3, months.size))
    for i, month in enumerate(months):
        won = deals.won & (closed == month)
        out[:, i] = (created == month).sum(), won.sum(), won_usd[won].sum()
    return out


def _simulated_text(money: bool) -> str:
    value = (lambda i: f"$%{{customdata[{i}]:,.0f}}") if money else (
        lambda i: f"%{{customdata[{i}]:,.0f}}"
    )  # fmt: skip
    return f"{value(0)} (80% of histories {value(1)}–{value(2)})"


def monthly_section(observed: Deals, simulated: list[Deals], period: Window) -> str:
    """New opportunities, wins and won dollars by calendar month: the export against the
    simulated P10–P90 band and median, quarter-end months shaded."""
    months, partial = calendar(period)
    mine = monthly(observed, months)
    theirs = np.array([monthly(deals, months) for deals in simulated])
    labels = [month_name(m) for m in months]
    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[title for title, _, _ in MONTHLY_ROWS],
    )
    for row, (_, name, unit) in enumerate(MONTHLY_ROWS, start=1):
        low, median, high = band(theirs[:, row - 1, :], 10, 90)
        band_traces(figure, labels, low, median, high, "80%", row=row, col=1)
        money = unit == "usd"
        value = "$%{y:,.0f}" if money else "%{y:,.0f}"
        figure.add_scatter(
            x=labels,
            y=mine[row - 1],
            row=row,
            col=1,
            name="your export",
            mode="lines+markers",
            line={"color": EXPORT, "width": 2.5},
            marker={"size": 7},
            legendgroup="export",
            showlegend=row == 1,
            customdata=np.column_stack([median, low, high]),
            hovertemplate=f"%{{x}}, {name}: your export {value}; simulated "
            f"{_simulated_text(money)}<extra></extra>",
        )
        ticks = {"tickprefix": "$", "tickformat": "~s"} if money else {"tickformat": ",~r"}
        figure.update_yaxes(rangemode="tozero", row=row, col=1, **ticks)
    for i, month in enumerate(months):
        if month.astype(int) % 12 + 1 in QUARTER_END_MONTHS:
            figure.add_vrect(
                x0=i - 0.5, x1=i + 0.5, fillcolor="#f9a825", opacity=0.12, line_width=0,
                layer="below", row="all", col=1,
            )  # fmt: skip
    figure.update_layout(
        height=820,
        margin={"l": 70, "r": 20, "t": 30, "b": 40},
        legend={**LEGEND_BELOW, "y": -0.08},
        hovermode="x",
        hoverdistance=-1,  # a month's values wherever the pointer is over that month
    )
    figure.update_xaxes(range=[-0.5, months.size - 0.5])
    left_out = (
        f" Part months are left out ({', '.join(partial)}): a month counted only in part would "
        "read as a dip."
        if partial
        else ""
    )
    return section(
        "New opportunities and wins by month",
        "By calendar month: new opportunities created, deals won, and the dollars won. The "
        "dark blue line is your export; the grey band is where 80% of simulated histories fall "
        "(dashed: their median). Shaded months end a quarter, when quota deadlines pull deals "
        f"forward.{left_out}",
        figure_html(figure, "monthly-chart"),
        "monthly",
    )
