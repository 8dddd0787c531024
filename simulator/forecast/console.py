"""What ``salesim forecast`` prints: the months as a table, then the total, where it comes from
and the probability of the target, in words a sales leader reads as a CRM forecast."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.forecast.summary import Forecast, History
from simulator.metrics.formats import number


def usd(value: float) -> str:
    return number(value, "usd")


def period(forecast: Forecast) -> str:
    """``2024-01 to 2024-06``, or ``months 1 to 6``."""
    first, last = forecast.months[0].name, forecast.months[-1].name
    if isinstance(first, int):
        return f"months {first} to {last}"
    return f"{first} to {last}"


def forecast_output(forecast: Forecast) -> Group:
    """The month-by-month table and the lines under it."""
    table = Table(
        title=Text(
            f"{forecast.scenario} ({forecast.variant}): bookings forecast, {period(forecast)} "
            f"({forecast.replications} replications, seed {forecast.seed})"
        ),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Month")
    for heading in ("P10", "P50", "P90", "Open pipeline", "New pipeline"):
        table.add_column(heading, justify="right")
    for heading in ("To date P10", "P50", "P90"):
        table.add_column(heading, justify="right")
    for month in forecast.months:
        b, c, s = month.bookings, month.cumulative, month.split
        cells = [b.p10, b.p50, b.p90, s.open_pipeline, s.new_pipeline, c.p10, c.p50, c.p90]
        table.add_row(str(month.name), *(usd(v) for v in cells))
    return Group(table, *(Text(line) for line in forecast_lines(forecast)))


def history_line(history: History) -> str:
    """The forecast's first months against the export's last as many: far from it, or not."""
    months = f"{history.months} month{'s' if history.months > 1 else ''}"
    line = (
        f"Next {months}: P50 {usd(history.p50_usd)} against {usd(history.export_usd)} booked in "
        f"the export's last {months}"
    )
    if not history.export_usd > 0:
        return line + ": the export booked nothing then, so there is no ratio to judge by."
    line += f" ({number(history.ratio, 'ratio')})"
    if history.far:
        direction = "over twice" if history.ratio > 1 else "under half"
        return (
            f"{line}: {direction} the company's own history. Far from it: check the fit "
            "(salesim calibrate's report) before betting on this number."
        )
    return line + ": within a factor of two of the company's own history."


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def band_line(forecast: Forecast) -> str:
    """What the band holds: the fit's input uncertainty and chance, with each one's share of
    the total's spread, or chance alone and why."""
    uncertainty = forecast.uncertainty
    if uncertainty is None:
        why = forecast.fixed_inputs or "the scenario was not calibrated"
        return f"Band: chance alone, at the scenario's inputs ({why})."
    design, shares = uncertainty.design, uncertainty.total
    line = (
        f"Band: chance and what the fit leaves unknown: {design.inputs} settings of "
        f"{', '.join(uncertainty.inputs)} drawn from the fit's uncertainty, {design.chance}+ "
        "futures each."
    )
    if shares is None:
        return line
    return (
        f"{line} Of the total's spread (variance): the inputs make {percent(shares.inputs)}, "
        f"chance {percent(shares.chance)}."
    )


def forecast_lines(forecast: Forecast) -> list[str]:
    """The total, its sources and the chance of the target, one sentence each."""
    total, split = forecast.total, forecast.total_split
    low, high = total.intervals[1]
    months = len(forecast.months)
    lines = [
        f"Total over {months} months: P50 {usd(total.p50)} [95% interval {usd(low)} to "
        f"{usd(high)}]; P10 {usd(total.p10)}, P90 {usd(total.p90)}.",
        f"Of the mean {usd(split.mean)}: {usd(split.open_pipeline)} from deals open at the start, "
        f"{usd(split.new_pipeline)} from new pipeline.",
    ]
    lines.append(band_line(forecast))
    if forecast.history is not None:
        lines.append(history_line(forecast.history))
    reached = forecast.reached
    if reached is not None and forecast.target is not None:
        lines.append(
            f"Probability of booking {usd(forecast.target)} or more in {months} months: "
            f"{100 * reached.probability:.0f}% [95% interval {100 * reached.low:.0f}% to "
            f"{100 * reached.high:.0f}%]: {reached.reached} of {reached.n} replications."
        )
    lines += [
        "P10 / P90: one replication in ten books less / more. Open / New pipeline: the mean from",
        "deals open at the start / created since. To date: from the first month to that one's end.",
    ]
    return lines
