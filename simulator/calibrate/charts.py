"""The fit report's charts: the export against the simulated histories at the fitted values.

Each chart draws the export in dark blue and the simulated histories in grey: the grey band is
where most simulated histories fall (the share is named in each caption), the dashed grey line
their median. Where the export's own statistic has a sampling error (the Kaplan–Meier band), it is
drawn as dotted lines around the export's line. Both sides are counted alike over one ``Window`` of
calendar days (the calibration's): wins and sizes of deals closed in it, cycles of deals created
in it (open deals censored on ``as_of``), and whole calendar months in it.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.calibrate.moments import Window
from simulator.crm.stages import LOST, WON
from simulator.crm.survival import KaplanMeier, kaplan_meier
from simulator.crm.table import Deals
from simulator.metrics.formats import number
from simulator.page import escape, figure_html, section
from simulator.report.style import LEGEND_BELOW, rgba

EXPORT = "#1f3a5f"
SIMULATED = "#7b8794"


def band(matrix: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pointwise ``low``, 50th and ``high`` percentiles down the rows (one row per simulated
    history), NaN where no history has a value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column is NaN, as meant
        lows, medians, highs = np.nanpercentile(np.atleast_2d(matrix), [low, 50, high], axis=0)
    return lows, medians, highs


def band_traces(figure: go.Figure, x, low, median, high, share: str, **where) -> None:
    """The simulated histories: a grey band from ``low`` to ``high`` and a dashed median; in the
    legend once, from the first subplot."""
    shape = where.pop("shape", "linear")
    legend = where.get("row", 1) == 1 and where.get("col", 1) == 1
    common = {"mode": "lines", "hoverinfo": "skip", "legendgroup": "simulated", **where}
    figure.add_scatter(x=x, y=low, line={"width": 0, "shape": shape}, showlegend=False, **common)
    figure.add_scatter(
        x=x,
        y=high,
        fill="tonexty",
        fillcolor=rgba(SIMULATED, 0.28),
        line={"width": 0, "shape": shape},
        name=f"simulated: {share} of histories",
        showlegend=legend,
        **common,
    )
    figure.add_scatter(
        x=x,
        y=median,
        line={"color": SIMULATED, "dash": "dash", "width": 2, "shape": shape},
        name="simulated: median",
        showlegend=legend,
        **common,
    )


def inside(dates: np.ndarray, period: Window) -> np.ndarray:
    """Whether each date (NaT: no) falls in ``period``."""
    return ~np.isnat(dates) & (dates >= period.first) & (dates <= period.last)


def days(value: float) -> str:
    return "not reached" if math.isinf(value) else number(value, "count", noun="days")


# --- cycle times ------------------------------------------------------------------------------


def survival(deals: Deals, outcome: str, period: Window) -> KaplanMeier:
    """Kaplan–Meier of days to close with ``outcome`` for the deals created in ``period``: open
    deals censored at their age, deals closed the other way left out (as
    ``simulator.crm.summary.cycle``)."""
    deals = deals.take(inside(deals.created, period))
    ended = deals.outcome == outcome
    used = ended | deals.open
    return kaplan_meier(deals.age_days()[used], ended[used])


def _at(times: np.ndarray, values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """A step function known after each of ``times`` (1 before the first), on ``grid``."""
    return np.concatenate([[1.0], values])[np.searchsorted(times, grid, side="right")]


def simulated_days(low: float, median: float, high: float) -> str:
    """The simulated histories' median cycle in words, with where 90% of them fall."""
    if math.isinf(low):
        return "not reached: in most histories fewer than half the deals had closed so by then"
    return f"{days(median)} (90% of histories {days(low)} to {days(high)})"


def _survival_traces(figure: go.Figure, mine: KaplanMeier, grid: np.ndarray, col: int) -> None:
    """The export's 95% log-log band as two dotted lines (where undefined, the curve itself):
    lines, not a fill, so that it stays apart from the simulated grey band."""
    lower, upper = (np.where(np.isnan(b), mine.survival, b) for b in mine.band())
    for index, bound in enumerate((lower, upper)):
        figure.add_scatter(
            x=grid,
            y=_at(mine.times, bound, grid),
            row=1,
            col=col,
            mode="lines",
            line={"color": EXPORT, "width": 1.2, "dash": "dot", "shape": "hv"},
            name="your export: 95% interval",
            legendgroup="export",
            showlegend=col == 1 and index == 0,
            hoverinfo="skip",
        )


def cycle_section(observed: Deals, simulated: list[Deals], period: Window) -> str:
    """Survival curves of won and lost deals, the export's with its 95% band against the
    simulated histories' P5–P95 band and median, and the medians in words."""
    titles = ["Deals won: share not yet won", "Deals lost: share not yet lost"]
    figure = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.06, subplot_titles=titles
    )
    lines = []
    created = int(inside(observed.created, period).sum())
    for col, outcome in enumerate((WON, LOST), start=1):
        name = "won" if outcome == WON else "lost"
        mine = survival(observed, outcome, period)
        theirs = [survival(deals, outcome, period) for deals in simulated]
        ends = [km.times[-1] for km in theirs if km.times.size]
        last = max(mine.times[-1] if mine.times.size else 0.0, np.median(ends) if ends else 0.0)
        grid = np.arange(0.0, max(last, 30.0) + 1)
        low, median, high = band(np.array([km.at(grid) for km in theirs]), 5, 95)
        band_traces(figure, grid, low, median, high, "90%", row=1, col=col, shape="hv")
        _survival_traces(figure, mine, grid, col)
        figure.add_scatter(
            x=grid,
            y=mine.at(grid),
            row=1,
            col=col,
            name="your export",
            showlegend=col == 1,
            legendgroup="export",
            line={"color": EXPORT, "width": 2.5, "shape": "hv"},
            customdata=np.column_stack([median, low, high]),
            hovertemplate="day %{x}: your export %{y:.0%}; simulated %{customdata[0]:.0%} "
            "(90% of histories %{customdata[1]:.0%}–%{customdata[2]:.0%})<extra></extra>",
        )
        m_low, m_high = mine.quantile_interval(0.5)
        medians = np.percentile(  # "inverted_cdf" keeps inf (never half closed) as inf
            [km.median() for km in theirs], [5, 50, 95], method="inverted_cdf"
        )
        closed = (observed.outcome == outcome) & inside(observed.closed, period)
        ages = observed.age_days()[closed]
        crm = (
            f" A CRM report of the {name} deals alone shows {days(float(np.median(ages)))}: it "
            "leaves out the open deals still going."
            if ages.size
            else ""
        )
        lines.append(
            f"Median days to {'win' if outcome == WON else 'lose'}: your export "
            f"{days(mine.median())} (95% interval {days(m_low)} to {days(m_high)}); simulated "
            f"{simulated_days(*medians)}; from the {created:,} deals created from "
            f"{period.first} to {period.last}, {mine.n_events:,} of them {name}.{crm}"
        )
    figure.update_layout(
        height=430,
        margin={"l": 70, "r": 20, "t": 40, "b": 40},
        legend=LEGEND_BELOW,
        hovermode="x",
    )
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02])
    figure.update_yaxes(title_text="share of deals still open", row=1, col=1)
    figure.update_xaxes(title_text="days since the deal was created", rangemode="tozero")
    body = "".join(f'<p class="sentence">{escape(line)}</p>' for line in lines)
    return section(
        "Cycle times: how long deals stay open",
        "Each curve starts at 100% on the day deals are created and falls as they close: where "
        "it crosses 50% is the median cycle. Open deals count for as long as they have been "
        "open (they are not dropped, which would keep only the quick ones); lost deals are left "
        "out of the won curve and won deals out of the lost one. The dark blue line is your "
        "export, the dotted lines its 95% interval; the grey band is where 90% of simulated "
        "histories fall, the dashed line their median.",
        body + figure_html(figure, "survival"),
        "cycle-times",
    )


# --- deal sizes -------------------------------------------------------------------------------

SIZE_QUANTILES = (
    (10, "1 in 10 won deals is smaller"),
    (25, "1 in 4 is smaller"),
    (50, "median: half are smaller"),
    (75, "3 in 4 are smaller"),
    (90, "9 in 10 are smaller"),
)


def won_sizes(deals: Deals, period: Window) -> np.ndarray:
    """ACV of the deals won in ``period`` with a known, positive amount, sorted (a log axis has
    no room for 0)."""
    values = deals.acv_usd[deals.won & inside(deals.closed, period)]
    return np.sort(values[np.isfinite(values) & (values > 0)])


def log_ticks(low: float, high: float) -> list[float]:
    """Ticks 1, 2, 5 per decade from ``low`` to ``high`` (1 per decade over a wide range)."""
    decades = range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
    steps = (1, 2, 5) if math.log10(high / low) <= 4 else (1,)
    return [m * 10.0**d for d in decades for m in steps if low <= m * 10.0**d <= high]


def _size_table(mine: np.ndarray, theirs: list[np.ndarray]) -> str:
    """Percentiles of won deal size: the export's, the simulated median, and where 90% of
    simulated histories put each; then how many won deals have an amount."""
    percentiles = [p for p, _ in SIZE_QUANTILES]
    per_history = np.array(
        [np.percentile(t, percentiles) if t.size else np.full(5, np.nan) for t in theirs]
    )
    s_low, s_median, s_high = band(per_history, 5, 95)
    rows = []
    for i, (p, words) in enumerate(SIZE_QUANTILES):
        yours = number(float(np.percentile(mine, p)), "usd") if mine.size else "n/a"
        spread = f"{number(s_low[i], 'usd')} to {number(s_high[i], 'usd')}"
        rows.append(
            f"<tr><td>P{p} <span class='vs'>({escape(words)})</span></td><td>{escape(yours)}"
            f"</td><td>{escape(number(s_median[i], 'usd'))}</td><td>{escape(spread)}</td></tr>"
        )
    counts = np.array([t.size for t in theirs], float)
    c_low, c_median, c_high = np.percentile(counts, [5, 50, 95], method="inverted_cdf")
    rows.append(
        f"<tr><td>won deals with an amount</td><td>{mine.size:,}</td><td>{c_median:,.0f}</td>"
        f"<td>{c_low:,.0f} to {c_high:,.0f}</td></tr>"
    )
    return (
        '<div class="wide"><table id="deal-size-table"><thead><tr><th>won deal size</th>'
        "<th>your export</th><th>simulated (median)</th><th>90% of simulated histories</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def deal_size_section(observed: Deals, simulated: list[Deals], period: Window) -> str:
    """The export's won deal sizes (share at or below each size, on a log axis, and
    percentiles) against the simulated histories'."""
    title = "Deal sizes of won deals"
    mine = won_sizes(observed, period)
    theirs = [won_sizes(deals, period) for deals in simulated]
    pooled = np.concatenate([mine, *theirs])
    if not pooled.size:
        return section(title, "No deal won in the period has a known amount.", "", "deal-sizes")
    grid = np.geomspace(pooled.min(), pooled.max(), 240)
    matrix = np.array(
        [
            np.searchsorted(t, grid, side="right") / t.size
            if t.size
            else np.full(grid.size, np.nan)
            for t in theirs
        ]
    )
    figure = go.Figure()
    band_traces(figure, grid, *band(matrix, 5, 95), "90%", shape="hv")
    if mine.size:
        figure.add_scatter(
            x=np.concatenate([[mine[0]], mine]),
            y=np.concatenate([[0.0], np.arange(1, mine.size + 1) / mine.size]),
            name="your export",
            legendgroup="export",
            line={"color": EXPORT, "width": 2.5, "shape": "hv"},
            hovertemplate="%{y:.0%} of won deals are at most $%{x:,.0f}<extra>your export</extra>",
        )
    ticks = log_ticks(grid[0], grid[-1])
    figure.update_layout(
        height=400,
        margin={"l": 70, "r": 20, "t": 10, "b": 40},
        legend=LEGEND_BELOW,
        hovermode="closest",
    )
    figure.update_xaxes(
        type="log",
        tickvals=ticks,
        ticktext=[number(t, "usd") for t in ticks],
        title_text="deal size (ACV, US dollars, log scale)",
    )
    figure.update_yaxes(
        tickformat=".0%", range=[0, 1.02], title_text="share of won deals this size or smaller"
    )
    return section(
        title,
        f"Deals won from {period.first} to {period.last}. Each line climbs from the smallest won "
        "deal to the largest; where it crosses 50% is the median deal. The dark blue line is "
        "your export, the grey band where 90% of simulated histories fall (dashed: their "
        "median). Deals without an amount are left out.",
        figure_html(figure, "deal-sizes-chart") + _size_table(mine, theirs),
        "deal-sizes",
    )
