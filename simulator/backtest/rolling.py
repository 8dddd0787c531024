"""A rolling backtest: the same backtest from several as-of dates, one calibration and forecast
each, pooled. One origin can flatter a forecast; a dozen month-forecasts from five origins say
how it does.

Per origin and pooled, for the model's P50 and each baseline (``baselines``): the mean absolute
error of the monthly bookings, the bias (forecast minus realised, on average: positive means too
high) and the error of each origin's total over its compared months, as a share of the realised
total; for the model, the share of months inside its P10-P90 band (a band that is right holds
about 8 in 10). The targets a forecast to bet on should meet are said beside them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.backtest.baselines import BASELINES
from simulator.backtest.compare import P50, Backtest
from simulator.backtest.page import BASELINE_LINES, REALISED
from simulator.forecast.console import usd
from simulator.forecast.page import MONEY_AXIS
from simulator.page import escape, figure_html, render, section
from simulator.report.style import LEGEND_BELOW

COVERAGE_TARGET = (0.7, 0.9)
"""Pooled share of months inside P10-P90 for a band that is neither too narrow nor too wide."""
TOTAL_TARGET = 0.10
"""Each origin's total within this share of the realised: the best teams land within 5%."""
FORECASTS = (P50, *BASELINES)


@dataclass(frozen=True)
class Rolling:
    """The backtests of each origin (as-of date, in order)."""

    origins: tuple[tuple[str, Backtest], ...]

    def months(self) -> int:
        return sum(len(b.months) for _, b in self.origins)

    def coverage(self) -> float:
        return sum(b.coverage for _, b in self.origins) / self.months()

    def pooled(self) -> dict[str, dict[str, float]]:
        """Per forecast: mean absolute error and bias over every month compared, and the mean
        absolute total error over the origins."""
        realised = np.array([m.realised.acv_usd for _, b in self.origins for m in b.months])
        out = {}
        for name in FORECASTS:
            guess = np.array(
                [
                    m.bookings.p50 if name == P50 else m.baselines[name]
                    for _, b in self.origins
                    for m in b.months
                ]
            )
            totals = [b.errors()[name]["total_error_share"] for _, b in self.origins]
            out[name] = {
                "mae_usd": float(np.abs(guess - realised).mean()),
                "bias_usd": float((guess - realised).mean()),
                "mean_absolute_total_error_share": float(np.mean(np.abs(totals))),
            }
        return out

    def verdicts(self) -> list[str]:
        """The targets, each met or not, in a sentence."""
        coverage, pooled = self.coverage(), self.pooled()
        low, high = COVERAGE_TARGET
        best = min(BASELINES, key=lambda n: pooled[n]["mae_usd"])
        within = [
            abs(b.errors()[P50]["total_error_share"]) <= TOTAL_TARGET for _, b in self.origins
        ]
        return [
            f"Coverage: {coverage:.0%} of {self.months()} months inside P10-P90 (target "
            f"{low:.0%}-{high:.0%}): {'met' if low <= coverage <= high else 'not met'}.",
            f"P50 error: {usd(pooled[P50]['mae_usd'])} a month against the best baseline's "
            f"{usd(pooled[best]['mae_usd'])} ({best}): "
            f"{'lower' if pooled[P50]['mae_usd'] < pooled[best]['mae_usd'] else 'not lower'}.",
            f"Totals within ±{TOTAL_TARGET:.0%}: {sum(within)} of {len(within)} origins.",
        ]

    def to_json(self) -> dict:
        pooled = self.pooled()
        return {
            "by_origin": [
                {
                    "as_of": as_of,
                    "coverage": b.coverage,
                    "months": len(b.months),
                    "errors": b.errors(),
                }
                for as_of, b in self.origins
            ],
            "pooled": {"coverage_share": self.coverage(), "months": self.months(), **pooled},
            "targets": {"coverage": list(COVERAGE_TARGET), "total_error_share": TOTAL_TARGET},
            "verdicts": self.verdicts(),
        }


def _share(value: float) -> str:
    return f"{value:+.0%}" if np.isfinite(value) else "n/a"


def rolling_output(rolling: Rolling, title: str) -> Group:
    """Per origin: coverage and each forecast's error; then pooled, and the verdicts."""
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("As of")
    table.add_column("Inside P10-P90", justify="right")
    for name in FORECASTS:
        table.add_column(f"{name}: MAE, total", justify="right")
    for as_of, backtest in rolling.origins:
        errors = backtest.errors()
        cells = [f"{backtest.coverage} of {len(backtest.months)}"]
        cells += [
            f"{usd(errors[n]['mae_usd'])}, {_share(errors[n]['total_error_share'])}"
            for n in FORECASTS
        ]
        table.add_row(as_of, *cells)
    pooled = rolling.pooled()
    table.add_row(
        Text("pooled", style="bold"),
        f"{rolling.coverage():.0%}",
        *(f"{usd(pooled[n]['mae_usd'])}, bias {usd(pooled[n]['bias_usd'])}" for n in FORECASTS),
    )
    lines = [Text(line) for line in rolling.verdicts()]
    lines.append(
        Text(
            "MAE: mean absolute error of the monthly bookings; total: the error of the origin's "
            "total over its months, as a share of the realised; bias: forecast minus realised, "
            "on average.",
            style="dim",
        )
    )
    return Group(table, *lines)


def rolling_figure(rolling: Rolling) -> go.Figure:
    """A panel per origin: the P10-P90 band and P50, the baselines and what was booked."""
    n = len(rolling.origins)
    figure = make_subplots(
        rows=1, cols=n, shared_yaxes=True, subplot_titles=[f"as of {a}" for a, _ in rolling.origins]
    )
    for col, (_, backtest) in enumerate(rolling.origins, start=1):
        x = [m.name for m in backtest.months]
        first = col == 1
        figure.add_scatter(
            x=x + x[::-1],
            y=[m.bookings.p90 for m in backtest.months]
            + [m.bookings.p10 for m in backtest.months][::-1],
            fill="toself", fillcolor="rgba(31, 58, 95, 0.18)", line={"width": 0},
            mode="lines", name="P10-P90", legendgroup="band", showlegend=first, hoverinfo="skip",
            row=1, col=col,
        )  # fmt: skip
        figure.add_scatter(
            x=x, y=[m.bookings.p50 for m in backtest.months], mode="lines+markers",
            line={"color": "#1f3a5f"}, name="P50", legendgroup="p50", showlegend=first,
            row=1, col=col,
        )  # fmt: skip
        for baseline, (name, colour, dash) in BASELINE_LINES.items():
            figure.add_scatter(
                x=x, y=[m.baselines[baseline] for m in backtest.months], mode="lines",
                line={"color": colour, "dash": dash}, name=name, legendgroup=baseline,
                showlegend=first, row=1, col=col,
            )  # fmt: skip
        figure.add_scatter(
            x=x, y=[m.realised.acv_usd for m in backtest.months], mode="markers",
            marker={"color": REALISED, "size": 10, "symbol": "diamond"},
            name="what the team booked", legendgroup="realised", showlegend=first,
            row=1, col=col,
        )  # fmt: skip
    figure.update_layout(height=440, margin={"l": 80, "r": 20, "t": 40, "b": 60},
                         legend=LEGEND_BELOW, hovermode="x unified")  # fmt: skip
    figure.update_xaxes(type="category")
    figure.update_yaxes(title_text="Won ACV in the month (US dollars)", row=1, col=1)
    figure.update_yaxes(**MONEY_AXIS)
    return figure


def _pooled_table(rolling: Rolling) -> str:
    pooled = rolling.pooled()
    heads = ["Forecast", "MAE a month", "Bias a month", "Mean |total error|"]
    rows = []
    for name in FORECASTS:
        p = pooled[name]
        cells = [usd(p["mae_usd"]), usd(p["bias_usd"]),
                 f"{p['mean_absolute_total_error_share']:.0%}"]  # fmt: skip
        label = "model P50" if name == P50 else name
        rows.append(
            f"<tr><td>{escape(label)}</td>"
            + "".join(f"<td>{escape(c)}</td>" for c in cells)
            + "</tr>"
        )
    head = "".join(f"<th>{escape(h)}</th>" for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def rolling_html(rolling: Rolling, export: str, header: tuple[str, ...]) -> str:
    """The rolling backtest's page: verdicts, the pooled table, and a panel per origin."""
    origins = ", ".join(a for a, _ in rolling.origins)
    sections = [
        section(
            "The verdict",
            f"{len(rolling.origins)} origins ({origins}), {rolling.months()} month-forecasts.",
            "".join(f"<p class='sentence'>{escape(line)}</p>" for line in rolling.verdicts())
            + _pooled_table(rolling),
            "verdict",
        ),
        section(
            "Each origin: forecast against what happened",
            "For each as-of date, the model's band (8 in 10 simulated futures) and P50, the "
            "three baselines made from what the CRM held that day, and what the team booked "
            "(diamonds). Each origin's own page, fit report and forecast are in its folder.",
            figure_html(rolling_figure(rolling), "rolling-chart"),
            "origins",
        ),
    ]
    return render(f"Rolling backtest of {export}", header, sections)
