"""The calibration's fit report: one offline page that shows whether the fitted scenario
reproduces the export it was fitted to.

It opens with the fitted inputs, each with the export statistic it matches, observed against
simulated, and a plain verdict: is the simulated value within the export's sampling error? That
error is how much the statistic varies from one simulated history to the next: each history
covers the export's period with the fitted team and market, so an export like this one would vary
as much by chance. The statistics are the calibration's own (``moments``, ``retention_moments``),
recomputed here for each simulated history over the same window. Then the charts of each export
fitted: for an opportunity export (``charts``) the CRM win rate, cycle-time survival curves, won
deal sizes, and new opportunities and wins by calendar month; for a subscription export
(``retention_page``) the time to churn and the retention statistics; the export against the
band of simulated histories.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

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
from simulator.calibrate.fit import SETTLED
from simulator.calibrate.fitted import Fitted
from simulator.calibrate.moments import STATISTICS, Statistic, Window, raw_statistics
from simulator.calibrate.monthly import monthly_section
from simulator.calibrate.retention_moments import RETENTION_STATISTICS, retention_raw
from simulator.calibrate.retention_page import retention_section
from simulator.calibrate.shapes import ShapeRow, shapes, spread_mismatches
from simulator.crm.dates import iso
from simulator.crm.subscriptions import Customers
from simulator.crm.summary import wilson
from simulator.crm.table import Deals
from simulator.metrics.catalog import SUMMARY
from simulator.metrics.formats import UNIT_KINDS, amount, number
from simulator.page import escape, figure_html, render, section
from simulator.report.style import LEGEND_BELOW

CRM_WIN_RATE = SUMMARY["crm_win_rate"].label
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


def gap_text(gap: float, unit: str) -> str:
    """A difference of two values in ``unit``: shares in percentage points."""
    if UNIT_KINDS.get(unit.lower()) == "share":
        return f"{100 * gap:.1f} percentage points"
    return amount(gap, unit)


def breakable(path: str) -> str:
    """A scenario path, escaped, that may wrap after its dots and underscores."""
    return escape(path).replace(".", ".<wbr>").replace("_", "_<wbr>")


@dataclass(frozen=True)
class FitPart:
    """One export a fit matched: what it holds (an opportunity export's deals, or a
    subscription export's customers), the simulated histories at the fitted values, the
    inputs fitted to it, and the calibration's window (without one, the export's whole span)."""

    observed: Deals | Customers
    simulated: list[Any]
    fitted: list[Fitted]
    window: Window | None = None
    standard_errors: dict[str, float] | None = None
    """Each statistic's miss in standard errors, as the fit judged it settled (else the page
    judges by the histories' spread alone)."""

    @property
    def customers(self) -> bool:
        return isinstance(self.observed, Customers)

    @property
    def period(self) -> Window:
        if self.window is not None:
            return self.window
        observed = self.observed
        starts = observed.first_paid if self.customers else observed.created
        starts = starts[~np.isnat(starts)]
        return Window(starts.min() if starts.size else observed.as_of, observed.as_of)

    def measure(self, history: Any) -> dict[str, float]:
        """The calibration's statistics of one history (or the export) over the period."""
        return (retention_raw if self.customers else raw_statistics)(history, self.period)


def statistic_of(target: str) -> Statistic | None:
    """The calibration statistic a ``Fitted.target`` names (its name, label, or "label (unit)")."""
    for statistic in (*STATISTICS, *RETENTION_STATISTICS):
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


def settled_verdict(row: Fitted, standard_errors: float, unit: str) -> tuple[str, str]:
    """(word, why) as the fit judged the statistic: matches within ``SETTLED`` standard errors
    (the export's sampling error with the simulated mean's), the rule of its settled check."""
    if not math.isfinite(standard_errors):
        return "off", "the statistic is undefined in the simulation"
    gap = gap_text(abs(row.simulated - row.observed), unit)
    word = "matches" if abs(standard_errors) <= SETTLED else "off"
    return (
        word,
        f"differs by {gap}: {standard_errors:+.1f} standard errors (within ±{SETTLED:g} matches)",
    )


def fitted_section(parts: list[FitPart]) -> str:
    """The table of fitted inputs, each with its statistic observed against simulated and the
    verdict, under a sentence that counts the matches."""
    rows, matches, judged = [], 0, 0
    for part in parts:
        export = part.measure(part.observed)
        histories = [part.measure(history) for history in part.simulated]
        for row in part.fitted:
            rows.append(_fitted_row(row, export, histories, part.standard_errors or {}))
    judged = sum(word in ("matches", "off") for _, word in rows)
    matches = sum(word == "matches" for _, word in rows)
    heads = ("Input", "Fitted value [95% interval]", "Export statistic it matches",
             "Your export", "Simulated (mean)", "Verdict")  # fmt: skip
    table = (
        f"<style>{TABLE_STYLE}</style>"
        '<div class="wide"><table class="verdict" id="fitted-table"><colgroup>'
        '<col class="input"><col class="value"><col class="statistic"><col class="number">'
        '<col class="number"><col></colgroup><thead><tr>'
        f"{''.join(f'<th>{h}</th>' for h in heads)}</tr></thead>"
        f"<tbody>{''.join(html for html, _ in rows)}</tbody></table></div>"
    )
    sentence = (
        f"The simulated value is within your export's sampling error for {matches} of the "
        f"{judged} statistics judged."
        if judged
        else "No statistic could be judged."
    )
    periods = "; ".join(f"from {p.period.first} to {p.period.last}" for p in parts)
    return section(
        "What was fitted, and does it match?",
        "Each input set by the calibration, with its 95% interval, and the statistic of your "
        f"export ({periods}) that pins it down. The verdict compares "
        "the simulated mean with your export as the fit's settled check does: 'matches' "
        f"within {SETTLED:g} standard errors (your export's own sampling error, from resampling "
        "its deals, with the simulated mean's), 'off' when more.",
        f'<p class="sentence">{escape(sentence)}</p>{table}',
        "fitted",
    )


def _fitted_row(
    row: Fitted,
    export: dict[str, float],
    histories: list[dict[str, float]],
    standard_errors: dict[str, float],
) -> tuple[str, str]:
    """One input's row of the table (HTML) and its verdict's word."""
    statistic = statistic_of(row.target)
    unit = statistic.unit if statistic else ""
    counted = row.low == row.value == row.high
    if not row.fitted:
        word, why = "not fitted", row.method
    elif counted and row.observed == row.simulated:
        word, why = "counted", "taken from your export as it is"
    elif statistic and statistic.name in standard_errors:
        word, why = settled_verdict(row, standard_errors[statistic.name], unit)
    elif statistic:
        values = np.array([h[statistic.name] for h in histories], float)
        word, why = verdict(row, export[statistic.name], values, unit)
    else:
        word, why = "not judged", "this page does not know the statistic"
    if not row.fitted:
        interval = "no interval: not fitted"
    elif counted:
        interval = "no interval: counted"
    else:
        interval = f"[{amount(row.low, row.unit, False)}, {amount(row.high, row.unit, False)}]"
    css = {"matches": "better", "off": "worse"}.get(word, "unclear")
    html = (
        f"<tr><th scope='row'>{escape(row.label)}<br><code>{breakable(row.path)}</code><br>"
        f"<span class='how'>{escape(row.method)}</span></th>"
        f"<td><span class='amount'>{escape(amount(row.value, row.unit))}</span>"
        f"<span class='interval'>{escape(interval)}</span></td>"
        f"<td>{escape(row.target)}</td>"
        f"<td>{escape(amount(row.observed, unit))}</td>"
        f"<td>{escape(amount(row.simulated, unit))}</td>"
        f"<td class='{css}'><span class='word'>{escape(word)}</span>{escape(why)}</td></tr>"
    )
    return html, word


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


def header(parts: list[FitPart], notes: list[str]) -> list[str]:
    """The header lines: the calibration's notes, then what was compared."""
    lines = list(notes)
    for part in parts:
        observed, period = part.observed, part.period
        if isinstance(observed, Customers):
            held = f"{len(observed):,} accounts ({int(observed.churned.sum()):,} churned)"
        else:
            won, lost, still = (int(m.sum()) for m in (observed.won, observed.lost, observed.open))
            held = f"{len(observed):,} deals ({won:,} won, {lost:,} lost, {still:,} open)"
        lines.append(
            f"Your export as of {iso(observed.as_of)}: {held}, compared from {period.first} to "
            f"{period.last} with {len(part.simulated)} simulated histories at the fitted values."
        )
    return lines


def shapes_section(rows: list[ShapeRow]) -> str:
    """The cycles' and ACVs' quartiles: the export's against the fitted company's."""
    body = []
    for row in rows:
        word = {True: "matches", False: "off", None: "not judged"}[row.matches]
        css = {"matches": "better", "off": "worse"}.get(word, "unclear")
        cells = (
            row.label, f"P{row.percent}", amount(row.export, row.unit),
            amount(row.simulated, row.unit), f"±{amount(row.allowed, row.unit)}",
        )  # fmt: skip
        body.append(
            "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells)
            + f'<td class="{css}">{word}</td></tr>'
        )  # fmt: skip
    heads = ("Distribution", "Quartile", "Your export", "Simulated (mean)",
             "Allowed (±2 standard errors)", "Verdict")  # fmt: skip
    off = sum(row.matches is False for row in rows)
    sentence = (
        "Every quartile is within 2 standard errors of your export's."
        if not off
        else f"{off} of the {len(rows)} quartiles are off: the summaries above can match while "
        "the deals close on another schedule, or at other sizes."
    )
    sentence += "".join(f" Why: {why}." for why in spread_mismatches(rows))
    table = (
        '<div class="wide"><table class="verdict" id="shapes-table"><thead><tr>'
        + "".join(f"<th>{h}</th>" for h in heads)
        + f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
    return section(
        "The shapes behind the summaries",
        "The quartiles of the won and lost deals' cycles (days from creation to close) and of "
        "the won deals' ACVs, your export's against the mean of the fitted company's "
        "histories; 'matches' within 2 standard errors (your export's own sampling error, from "
        "resampling its deals, with the simulated mean's; never finer than a whole day), as a "
        "fitted statistic is judged.",
        f'<p class="sentence">{escape(sentence)}</p>{table}',
        "shapes",
    )


def fit_page(
    parts: list[FitPart], notes: list[str], title: str, warnings: tuple[str, ...] = ()
) -> str:
    """The fit report of one or more exports as one offline HTML page."""
    if not parts or not all(part.simulated for part in parts):
        raise ValueError("fit_page needs at least one simulated history of each export")
    sections = [fitted_section(parts)]
    for part in parts:
        observed, simulated, period = part.observed, part.simulated, part.period
        if isinstance(observed, Customers):
            sections.append(retention_section(observed, simulated, period))
            continue
        sections += [
            shapes_section(shapes(observed, simulated, period)),
            win_rate_section(observed, simulated, period),
            cycle_section(observed, simulated, period),
            deal_size_section(observed, simulated, period),
            monthly_section(observed, simulated, period),
        ]
    return render(title, header(parts, notes), sections, warnings)
