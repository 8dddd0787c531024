"""What `salesim explain` prints: the split of the verdict at the headline metric, with the
switched-off-alone arms beside it, and how the split moves between horizons."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.explain.answer import by_horizon, idle_line, ranked, unsettled_line
from simulator.metrics.catalog import summary_metric
from simulator.metrics.formats import number


def _percent(part: float, whole: float) -> str:
    """``part`` as a signed percentage of ``whole``: how much of the verdict it makes."""
    if not whole:
        return "n/a"
    return number(part / whole, "share")


def _interval(estimate: dict[str, float], unit: str) -> str:
    mean, low, high = (estimate[k] for k in ("mean", "low", "high"))
    bounds = f"[{number(low, unit, signed=True)}, {number(high, unit, signed=True)}]"
    return f"{number(mean, unit, signed=True)} {bounds}"


def explain_output(answer: dict[str, Any]) -> Group:
    headline = answer["splits"][0]
    metric = summary_metric(headline["metric"])
    unit = metric.unit
    total = headline["total"]
    title = (
        f"Why {answer['compare']} − {answer['baseline']} on {metric.label} is "
        f"{number(total['mean'], unit, signed=True)} ({answer['replications']} replications, "
        f"95% intervals; {answer['seconds']:.0f} s)"
    )
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Mechanism")
    table.add_column("Share of the verdict (Shapley)", justify="right")
    table.add_column("of the total", justify="right")
    table.add_column(
        f"Switched off alone ({answer['alone_off_replications']} replications)", justify="right"
    )
    order = ranked(headline)
    for mechanism in order:
        table.add_row(
            mechanism["title"],
            _interval(mechanism["shapley"], unit),
            _percent(mechanism["shapley"]["mean"], total["mean"]),
            _interval(mechanism["alone_off"], unit),
        )
    unexplained = headline["unexplained"]
    table.add_row(
        "No named mechanism (all off)",
        _interval(unexplained, unit),
        _percent(unexplained["mean"], total["mean"]),
        "",
    )
    table.add_row(Text("Verdict", style="bold"), _interval(total, unit), "100%", "")
    parts: list[Any] = [table]
    if unsettled_line(answer):
        parts.insert(0, Text(f"Warning: {unsettled_line(answer)}", style="bold red"))
    if len(answer["splits"]) > 1:
        parts.append(_horizons(answer, order))
    if idle_line(answer):
        parts.append(Text(idle_line(answer)))
    reached = answer["precision_reached"]
    parts.append(
        Text(
            f"Widest share interval ± {number(answer['widest_half_width'], unit)} ("
            + (f"{100 * reached:.0f}% of the verdict; " if reached is not None else "")
            + f"asked ±{100 * answer['precision_asked']:.0f}%)."
            + " Each share is the mechanism's average effect on the verdict when switched on,"
            " over random orders of switching the others on; the shares and the part no"
            " mechanism explains add up to the verdict."
        )
    )
    return Group(*parts)


def _horizons(answer: dict[str, Any], order: list[dict[str, Any]]) -> Table:
    splits = by_horizon(answer)
    unit = summary_metric(splits[0]["metric"]).unit
    table = Table(
        title=Text("The split over time (shares, mean)"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Mechanism")
    for split in splits:
        table.add_column(summary_metric(split["metric"]).label, justify="right")
    for mechanism in order:
        cells = []
        for split in splits:
            found = next(m for m in split["mechanisms"] if m["name"] == mechanism["name"])
            cells.append(number(found["shapley"]["mean"], unit, signed=True))
        table.add_row(mechanism["title"], *cells)
    table.add_row(
        "No named mechanism",
        *(number(s["unexplained"]["mean"], unit, signed=True) for s in splits),
    )
    table.add_row("Verdict", *(number(s["total"]["mean"], unit, signed=True) for s in splits))
    return table
