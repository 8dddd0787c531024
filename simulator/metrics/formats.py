"""Values and differences in their unit, so that they read the same everywhere.

The console, the report and the verdict all format through here: ``$1.2M``, ``48.1%``,
``+3.1 pts`` (a difference of shares is in percentage points), ``-0.7 hunters``, ``+12 days``,
``3.2×``. The unit and the noun of counts come from the metric's registry entry.
"""

from __future__ import annotations

import math

from simulator.metrics.catalog import Metric

MINUS = "−"


def _compact(size: float) -> str:
    """A non-negative number in 3 significant figures: 9.91M, 66.8k, 482, 0.481, 12."""
    if size >= 1e9:
        return f"{size / 1e9:.3g}B"
    if size >= 1e6:
        return f"{size / 1e6:.3g}M"
    if size >= 1e3:
        return f"{size / 1e3:.3g}k"
    if size >= 100 or size == int(size):
        return f"{size:.0f}"
    return f"{size:.3g}"


def _sign(value: float, signed: bool) -> str:
    if value < 0 and _compact(abs(value)) != "0":
        return MINUS
    return "+" if signed and value > 0 else ""


def _plain(value: float, digits: int, small: bool = True) -> str:
    """``value`` with up to ``digits`` decimals (trailing zeros dropped); a small non-zero value
    that would read 0 gets one significant figure (0.04) when ``small``."""
    size = abs(value)
    text = f"{size:,.{digits}f}"
    if digits:
        text = text.rstrip("0").rstrip(".")
    if small and text == "0" and size > 0:
        return f"{size:.1g}"
    return text


def number(value: float, unit: str, signed: bool = False, noun: str = "") -> str:
    """One value in its unit. ``signed`` (for differences) puts + before a positive value and
    shows shares in percentage points; ``noun`` follows counts and durations when given."""
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    sign = _sign(value, signed)
    size = abs(value)
    if unit == "usd":
        return f"{sign}${_compact(size)}"
    if unit == "share":
        percent = 100 * size
        text = f"{sign}{_plain(percent, 1) if signed else f'{percent:.1f}'}"
        if signed:
            return f"{text} pts" if noun else text
        return f"{text}%"
    if unit == "ratio":
        return f"{sign}{_plain(size, 1 if signed or size >= 10 else 2, small=not signed)}×"
    digits = 0 if size >= 100 else 1
    text = f"{sign}{_compact(size) if size >= 1e4 else _plain(size, digits)}"
    return f"{text} {noun}" if noun else text


UNIT_KINDS = {"usd": "usd", "share": "share", "probability": "share", "ratio": "ratio"}
"""Units written as the report writes them ($1.2k, 48.1%, 1.44×); any other is a noun."""


def amount(value: float, unit: str, noun: bool = True) -> str:
    """A value in its unit: US dollars, shares and ratios as the report writes them, any other
    unit as a noun after three significant figures (left off with ``noun=False``)."""
    kind = UNIT_KINDS.get(unit.lower())
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


def unit_word(metric: Metric) -> str:
    """The unit a reader sees for a metric's values: $, %, days, hunters, ×."""
    return {
        "usd": "$",
        "share": "%",
        "ratio": "×",
        "days": "days",
        "hours": "hours",
        "months": "months",
    }.get(metric.unit, metric.noun)


def difference_unit(metric: Metric) -> str:
    """The unit of a difference: percentage points for shares, else the value's unit."""
    return "pts" if metric.unit == "share" else unit_word(metric)


def value_text(metric: Metric, value: float, with_unit: bool = False) -> str:
    """A value as a table shows it: ``$9.91M``, ``48.1%``, ``12.3``, ``3.2×``; ``with_unit``
    adds the noun of counts and durations (``41 days``, ``1.6 hunters``)."""
    noun = (
        (metric.noun or metric.unit)
        if with_unit and metric.unit in ("count", "days", "hours", "months")
        else ""
    )
    return number(value, metric.unit, noun=noun)


def difference_text(metric: Metric, mean: float, low: float, high: float) -> str:
    """A difference with its interval: ``+$1.2M [+$0.8M, +$1.6M]``, ``+3.1 pts [+1.2, +5.0]``,
    ``−0.7 hunters [−1.1, −0.3]``."""
    noun = {"usd": "", "ratio": ""}.get(metric.unit, difference_unit(metric))
    head = number(mean, metric.unit, True, noun)
    bounds = ", ".join(number(v, metric.unit, True) for v in (low, high))
    return head if bounds == "n/a, n/a" else f"{head} [{bounds}]"


def difference_scale(metric: Metric) -> float:
    """Factor that turns a difference into the unit shown on a chart axis (pts for shares)."""
    return 100.0 if metric.unit == "share" else 1.0
