"""How the report's charts look: one colour per variant across every chart, legends clear of
plotly's toolbar, and axes, hover text and titles in the metric's unit."""

from __future__ import annotations

import html

from plotly.colors import qualitative

from simulator.metrics.catalog import Metric
from simulator.metrics.formats import difference_unit

PALETTE = qualitative.Plotly
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"}
"""Legends sit under the plot, clear of plotly's toolbar (top right)."""


def colours_of(variants: list[str]) -> dict[str, str]:
    """A colour per variant, the same in every chart."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(variants)}


def escaped(name: str) -> str:
    """A variant name made safe for plotly, which reads a few HTML tags in text."""
    return html.escape(name, quote=False)


def rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def axis(metric: Metric, scale: float = 1.0) -> dict:
    """Plotly axis settings that show a metric's unit on its ticks: $1.2M, 48%, 3.2×."""
    if metric.unit == "usd":
        return {"tickprefix": "$", "tickformat": "~s"}
    if metric.unit == "share":
        return {"ticksuffix": " pts"} if scale != 1.0 else {"tickformat": ".0%"}
    if metric.unit == "ratio":
        return {"ticksuffix": "×"}
    return {"tickformat": ",~r"}


def unit_title(metric: Metric, difference: bool = False) -> str:
    """An axis title naming the unit: "US dollars", "percentage points", "hunters"."""
    unit = difference_unit(metric) if difference else metric.unit
    words = {
        "usd": "US dollars",
        "$": "US dollars",
        "pts": "percentage points",
        "share": "percent",
        "ratio": "ratio",
        "×": "ratio",
        "days": "days",
        "hours": "hours",
        "count": metric.noun,
    }
    return words.get(unit, unit)


def hover_value(metric: Metric) -> str:
    """A plotly hover format for a metric's values."""
    if metric.unit == "usd":
        return "$%{y:,.0f}"
    if metric.unit == "share":
        return "%{y:.1%}"
    return "%{y:,.1f} " + unit_title(metric)
