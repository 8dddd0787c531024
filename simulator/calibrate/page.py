"""The calibration's fit report: one offline page that shows whether the fitted scenario
reproduces the export it was fitted to.

It opens with the fitted inputs, each with the export statistic it matches, observed against
simulated, and a plain verdict: is the simulated value within the export's sampling error? That
error is how much the statistic varies from one simulated history to the next: each history
covers the export's period with the fitted team and market, so an export like this one would vary
as much by chance. The statistics are the calibration's own (``moments``), recomputed here for
each simulated history over the same window. Then the charts (``charts``): CRM win rate, cycle-time
survival curves, won deal sizes, and new opportunities and wins by calendar month, the export
against the band of simulated histories.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from scipy.stats import t as student_t

from simulator.calibrate.charts import (
    EXPORT,
    SIMULATED,
    band,
    cycle_section,
    deal_size_section,
    inside,
)
from simulator.calibrate.fitted import Fitted
from simulator.calibrate.moments import STATISTICS, Statistic, Window, raw_statistics
from simulator.calibrate.monthly import monthly_section
from simulator.catalog import SUMMARY
from simulator.crm.dates import iso
from simulator.crm.summary import wilson
from simulator.crm.table import Deals
from simulator.formats import MINUS, number
from simulator.page import escape, figure_html, render, section
from simulator.report.style import LEGEND_BELOW

CRM_WIN_RATE = SUMMARY["crm_win_rate"].label
KINDS = {"usd": "usd", "share": "share", "probability": "share", "ratio": "ratio"}
"""Units written as the report writes them ($1.2k, 48.1%, 1.44×); any other is a noun."""
TABLE_STYLE = """
#fitted-table { table-layout: fixed; }
#fitted-table th, #fitted-table td { text-align: left; overflow-wrap: break-word; }
#fitted-table .amount { white-space: normal; }
#fitted-table .interval { display: block; }
#fitted-table col.input { width: 21%; } #fitted-table col.value { width: 17%; }
#fitted-table col.statistic { width: 16%; } #fitted-table col.number { width: 11%; }
#fitted-table code { color: #52606d; font-size: 0.78rem; }
#fitted-table .how { color: #7b8794; font-weight: 400; font-size: 0.8rem; }
"""


def amount(value: float, unit: str, noun: bool = True) -> str:
    """A value in its unit: US dollars, shares and ratios as the report writes them, any other
    unit as a noun after three significant figures (left off with ``noun=False``)."""
    kind = KINDS.get(unit.lower())
    if kind:
        return number(value, kind)
    if not math.isfinite(value):
        return "n/a"
    size = abs(value)
    text = (
        number(size, "count") if size >= 1e4 else f"{size:,.0f}" if size >= 100 else f"{size:.3g}"
    )
    text = (MINUS if value < 0 else "") + text
    return f"{text} {unit}" if noun and unit else text


def gap_text(gap: float, unit: str) -> str:
    """A difference of two values in ``unit``: shares in percentage points."""
    if KINDS.get(unit.lower()) == "share":
        return f"{100 * gap:.1f} percentage points"
    return amount(gap, unit)


def breakable(path: str) -> str:
    """A scenario path, escaped, that may wrap after its dots and underscores."""
    return escape(path).replace(".", ".<wbr>").replace("_", "_<wbr>")


def statistic_of(target: str) -> Statistic | None:
    """The calibration statistic a ``Fitted.target`` names (its name, label, or "label (unit)")."""
    for statistic in STATISTICS:
        if target in (statistic.name, statistic.label, f"{statistic.label} ({statistic.unit})"):
            return statistic
    return None


def verdict(row: Fitted, recomputed: float, per_history: np.ndarray, unit: str) -> tuple[str, str]:
    """(word, why): matches when the simulated mean is within the 95% prediction interval of an
    export drawn like the simulated histories (their spread, widened for the mean's own Monte
    Carlo error, with Student's t for a spread estimated from few histories), off when not."""
    if not (math.isfinite(row.observed) and math.isfinite(row.simulated)):
        return "not judged", "the statistic is undefined in the export or the simulation"
    if not math.isclose(recomputed, row.observed, rel_tol=1e-6, abs_tol=1e-9):
        return "not judged", (
            f"your export shows {amount(recomputed, unit)} over this page's period, "
            f"{amount(row.observed, unit)} over the calibration's: the page was not given the "
            "calibration's window"
        )
    values = per_history[np.isfinite(per_history)]
    if values.size < 2:
        return "not judged", "too few simulated histories to size the sampling error"
    allowed = float(
        student_t.ppf(0.975, values.size - 1)
        * np.std(values, ddof=1)
        * math.sqrt(1 + 1 / values.size)
    )
    gap = abs(row.simulated - row.observed)
    if gap <= 1e-9 * max(1.0, abs(row.observed)):
        return "matches", "the same as your export"
    differs = f"differs by {gap_text(gap, unit)}; chance alone moves it by up to ±"
    return ("matches" if gap <= allowed else "off"), differs + gap_text(allowed, unit)


def fitted_section(
    observed: Deals, simulated: list[Deals], fitted: list[Fitted], period: Window
) -> str:
    """The table of fitted inputs, each with its statistic observed against simulated and the
    verdict, under a sentence that counts the matches."""
    export = raw_statistics(observed, period)
    histories = [raw_statistics(deals, period) for deals in simulated]
    rows, matches, judged = [], 0, 0
    for row in fitted:
        statistic = statistic_of(row.target)
        unit = statistic.unit if statistic else ""
        counted = row.low == row.value == row.high
        if counted and row.observed == row.simulated:
            word, why = "counted", "taken from your export as it is"
        elif statistic:
            values = np.array([h[statistic.name] for h in histories], float)
            word, why = verdict(row, export[statistic.name], values, unit)
        else:
            word, why = "not judged", "this page does not know the statistic"
        judged += word in ("matches", "off")
        matches += word == "matches"
        if counted:
            interval = "no interval: counted"
        else:
            interval = f"[{amount(row.low, row.unit, False)}, {amount(row.high, row.unit, False)}]"
        css = {"matches": "better", "off": "worse"}.get(word, "unclear")
        rows.append(
            f"<tr><th scope='row'>{escape(row.label)}<br><code>{breakable(row.path)}</code><br>"
            f"<span class='how'>{escape(row.method)}</span></th>"
            f"<td><span class='amount'>{escape(amount(row.value, row.unit))}</span>"
            f"<span class='interval'>{escape(interval)}</span></td>"
            f"<td>{escape(row.target)}</td>"
            f"<td>{escape(amount(row.observed, unit))}</td>"
            f"<td>{escape(amount(row.simulated, unit))}</td>"
            f"<td class='{css}'><span class='word'>{escape(word)}</span>{escape(why)}</td></tr>"
        )
    heads = ("Input", "Fitted value [95% interval]", "Export statistic it matches",
             "Your export", "Simulated (mean)", "Verdict")  # fmt: skip
    table = (
        f"<style>{TABLE_STYLE}</style>"
        '<div class="wide"><table class="verdict" id="fitted-table"><colgroup>'
        '<col class="input"><col class="value"><col class="statistic"><col class="number">'
        '<col class="number"><col></colgroup><thead><tr>'
        f"{''.join(f'<th>{h}</th>' for h in heads)}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    sentence = (
        f"The simulated value is within your export's sampling error for {matches} of the "
        f"{judged} statistics judged."
        if judged
        else "No statistic could be judged."
    )
    return section(
        "What was fitted, and does it match?",
        "Each input set by the calibration, with its 95% interval, and the statistic of your "
        f"export (from {period.first} to {period.last}) that pins it down. The verdict compares "
        "the simulated mean with your export: 'matches' when the difference is within what "
        "chance alone gives an export of this size and period (how much the statistic varies "
        "from one simulated history to the next), 'off' when it is more.",
        f'<p class="sentence">{escape(sentence)}</p>{table}',
        "fitted",
    )


def won_and_lost(deals: Deals, period: Window) -> tuple[int, int]:
    """Deals won and lost, closed in ``period``."""
    closed = inside(deals.closed, period)
    return int((deals.won & closed).sum()), int((deals.lost & closed).sum())


def win_rate_section(observed: Deals, simulated: list[Deals], period: Window) -> str:
    """Observed CRM win rate with its Wilson interval against the simulated mean and P5–P95."""
    won, lost = won_and_lost(observed, period)
    rate = won / (won + lost) if won + lost else math.nan
    low, high = wilson(won, won + lost)
    counts = np.array([won_and_lost(deals, period) for deals in simulated], float)
    with np.errstate(invalid="ignore"):
        rates = counts[:, 0] / counts.sum(axis=1)
    s_low, _, s_high = (float(v[0]) for v in band(rates[:, None], 5, 95))
    mean = float(np.nanmean(rates)) if np.isfinite(rates).any() else math.nan
    lines = [
        f"Your export: {number(rate, 'share')} of the deals decided from {period.first} to "
        f"{period.last} were won ({won:,} won, {lost:,} lost; 95% interval "
        f"{number(low, 'share')} to {number(high, 'share')}).",
        f"Simulated: {number(mean, 'share')} on average; 90% of the {len(simulated)} histories "
        f"between {number(s_low, 'share')} and {number(s_high, 'share')}.",
    ]
    figure = go.Figure()
    figure.add_scatter(
        x=rates,
        y=["simulated"] * rates.size,
        mode="markers",
        name="one simulated history",
        marker={"color": SIMULATED, "size": 12, "opacity": 0.5, "symbol": "line-ns-open"},
        hovertemplate="one simulated history: %{x:.1%}<extra></extra>",
    )
    for name, x, y, whisker, colour, symbol, words in (
        ("simulated: mean, and 90% of histories", mean, "simulated", (s_low, s_high), SIMULATED,
         "diamond", "simulated mean"),
        ("your export, and its 95% interval", rate, "your export", (low, high), EXPORT,
         "circle", "your export"),
    ):  # fmt: skip
        figure.add_scatter(
            x=[x],
            y=[y],
            mode="markers",
            name=name,
            marker={"color": colour, "size": 14, "symbol": symbol},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [whisker[1] - x],
                "arrayminus": [x - whisker[0]],
                "color": colour,
                "thickness": 3,
                "width": 10,
            },
            hovertemplate=f"{words} %{{x:.1%}}<extra></extra>",
        )
    figure.update_layout(
        height=260,
        margin={"l": 100, "r": 20, "t": 10, "b": 40},
        legend={**LEGEND_BELOW, "y": -0.35},
        hovermode="closest",
    )
    figure.update_xaxes(tickformat=".1%", title_text=f"{CRM_WIN_RATE}: won ÷ (won + lost)")
    figure.update_yaxes(categoryorder="array", categoryarray=["simulated", "your export"])
    body = "".join(f'<p class="sentence">{escape(line)}</p>' for line in lines)
    return section(
        CRM_WIN_RATE,
        "Of the deals closed (won or lost, as a CRM records them; open deals are not counted "
        "yet), the share won. "
        "The dark blue dot is your export with its 95% interval; the grey diamond is the "
        "simulated average, its whisker where 90% of simulated histories fall, and each grey "
        "tick one history.",
        body + figure_html(figure, "win-rate-chart"),
        "win-rate",
    )


def header(observed: Deals, simulated: list[Deals], notes: list[str], period: Window) -> list[str]:
    """The header lines: the calibration's notes, then what was compared."""
    won, lost, still = (int(m.sum()) for m in (observed.won, observed.lost, observed.open))
    return [
        *notes,
        f"Your export as of {iso(observed.as_of)}: {len(observed):,} deals ({won:,} won, "
        f"{lost:,} lost, {still:,} open), compared from {period.first} to {period.last} with "
        f"{len(simulated)} simulated histories at the fitted values.",
    ]


def fit_page(
    observed: Deals,
    simulated: list[Deals],
    fitted: list[Fitted],
    notes: list[str],
    title: str,
    window: Window | None = None,
) -> str:
    """The fit report as one offline HTML page. ``window`` is the calibration's (its statistics
    count deals created and closed in it); without one, everything from the export's first
    deal to its ``as_of``."""
    if not simulated:
        raise ValueError("fit_page needs at least one simulated history")
    if window is None:
        first = observed.created.min() if len(observed) else observed.as_of
        window = Window(first, observed.as_of)
    sections = [
        fitted_section(observed, simulated, fitted, window),
        win_rate_section(observed, simulated, window),
        cycle_section(observed, simulated, window),
        deal_size_section(observed, simulated, window),
        monthly_section(observed, simulated, window),
    ]
    return render(title, header(observed, simulated, notes, window), sections)
