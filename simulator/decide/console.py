"""What the decision commands print: the sweep's table, the sensitivity ranking with the
robustness of the verdict, and the goal's or split's answer with the settings tried. Values are
in their metric's unit (``simulator.metrics.formats``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.decide.sweep import SweepPoint
from simulator.metrics.catalog import summary_metric
from simulator.metrics.formats import difference_text, number, value_text
from simulator.runs.summary_differences import CONTROLLED_NOTE, controlled


def _table(title: str) -> Table:
    return Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)


def sweep_output(path: str, points: Sequence[SweepPoint], title: str) -> Table:
    """One row per value, two columns per metric: the mean and its 95% interval, and the
    paired difference from the first value (same random markets) with its interval."""
    metrics = list(dict.fromkeys(p.metric for p in points))
    values = list(dict.fromkeys(p.value for p in points))
    table = _table(title)
    if controlled(p.difference for p in points):
        table.caption = Text(CONTROLLED_NOTE, style="dim")
        table.caption_justify = "left"
    table.add_column(path, justify="right")
    for name in metrics:
        table.add_column(summary_metric(name).label, justify="right")
        table.add_column(f"Δ vs {values[0]:g} (paired)", justify="right")
    by_key = {(p.value, p.metric): p for p in points}
    for index, value in enumerate(values):
        cells = []
        for name in metrics:
            point, metric = by_key[(value, name)], summary_metric(name)
            low, high = value_text(metric, point.low), value_text(metric, point.high)
            cells.append(f"{value_text(metric, point.mean)} [{low}, {high}]")
            change = point.difference
            cells.append(
                difference_text(metric, change.mean, change.low, change.high) if index else "–"
            )
        table.add_row(f"{value:g}", *cells)
    return table


def sensitivity_output(decision: dict[str, Any]) -> Group:
    """The ranking (a tornado in words) and, with a comparison, how robust the verdict is."""
    metric = summary_metric(decision["metric"])
    morris = decision["method"] == "morris"
    what = f"{decision['compare']} − baseline, " if decision["compare"] else ""
    table = _table(
        f"Sensitivity of {what}{metric.label} ({decision['method']}, "
        f"{decision['settings']} settings x {decision['replications']} replications)"
    )
    table.add_column("Rank", justify="right")
    table.add_column("Input")
    table.add_column("Range")
    if morris:
        for heading in ("mu* (over the range)", "± 95%", "mu (direction)", "sigma"):
            table.add_column(heading, justify="right")
    else:
        for heading in ("ST (total)", "± 95%", "S1 (first order)", "S1 ± 95%"):
            table.add_column(heading, justify="right")
    for driver in decision["drivers"]:
        cells = [driver["importance"], driver["importance_conf"], driver["signed"]]
        cells.append(driver["spread"])
        if morris:
            shown = [_amount(metric.unit, v, signed=i == 2) for i, v in enumerate(cells)]
        else:
            shown = ["n/a" if v is None else f"{v:.3f}" for v in cells]
        table.add_row(
            str(driver["rank"]), driver["path"], f"{driver['low']:g} to {driver['high']:g}", *shown
        )
    lines: list[Any] = [table]
    robust = decision.get("robustness")
    if robust:
        nominal, share = robust["nominal"], robust["share_same_sign"]
        text = (
            f"At the scenario's own values: {_amount(metric.unit, nominal['mean'], True)} "
            f"[{_amount(metric.unit, nominal['low'], True)}, "
            f"{_amount(metric.unit, nominal['high'], True)}]; the verdict keeps its sign in "
            f"{'n/a' if share is None else f'{100 * share:.0f}%'} of the "
            f"{decision['settings']} sampled settings."
        )
        if not robust["nominal_clear"]:
            text += " (At the scenario's own values the difference is not clear: its interval "
            text += "includes 0.)"
        lines.append(Text(text, style="bold"))
    return Group(*lines)


def goal_output(decision: dict[str, Any]) -> Group:
    """The answer, how to read it, and the values tried."""
    metric = summary_metric(decision["target_metric"])
    table = _table(f"Values of {decision['input']} tried")
    for heading in (decision["input"], "share meeting the target", "95% interval", "mean"):
        table.add_column(heading, justify="right")
    for probe in sorted(decision["probes"], key=lambda p: p["x"]):
        table.add_row(
            f"{probe['x']:g}",
            f"{100 * probe['share']:.0f}% ({probe['met']}/{probe['n']})",
            f"[{100 * probe['low']:.0f}%, {100 * probe['high']:.0f}%]",
            value_text(metric, probe["mean"] if probe["mean"] is not None else float("nan")),
        )
    return Group(Text(decision["answer"], style="bold"), Text(decision["reading"]), table)


def split_output(decision: dict[str, Any]) -> Group:
    """The best split, and every split tried."""
    metric = summary_metric(decision["metric"])
    first, second = decision["inputs"]
    table = _table("Splits tried")
    for heading in (first, second, f"mean {metric.label}", "95% interval", "meets the target"):
        table.add_column(heading, justify="right")
    for point in decision["points"]:
        low, high = (
            value_text(metric, v if v is not None else float("nan"))
            for v in (point["low"], point["high"])
        )
        share = point["p_target"]
        table.add_row(
            f"{point['a']:,g}",
            f"{point['b']:,g}",
            value_text(metric, point["mean"]),
            f"[{low}, {high}]",
            "n/a" if share is None else f"{100 * share:.0f}%",
        )
    return Group(Text(decision["answer"], style="bold"), table)


def _amount(unit: str, value: float | None, signed: bool = False) -> str:
    return "n/a" if value is None else number(value, unit, signed)
