"""What ``salesim backtest`` prints: the months as a table, then the errors, the coverage and
the total, one sentence each (shared with the page)."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.backtest.compare import NAIVE, P50, Backtest
from simulator.forecast.console import usd

WHO = {P50: "the P50 is closer", NAIVE: "the naive forecast is closer", "tie": "a tie"}


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def period(backtest: Backtest) -> str:
    first, last = backtest.months[0].name, backtest.months[-1].name
    return first if first == last else f"{first} to {last}"


def backtest_lines(backtest: Backtest) -> list[str]:
    """The verdict in words: errors, coverage, total, and the months left out."""
    n = len(backtest.months)
    naive = backtest.naive
    trailing = f"{naive.months[0].name} to {naive.months[-1].name}"
    lines = [
        f"Mean absolute error over {n} month{'s' if n > 1 else ''}: P50 "
        f"{usd(backtest.mae_p50)}, naive {usd(backtest.mae_naive)} (mean of {trailing}, "
        f"{usd(naive.monthly_usd)} a month): {WHO[backtest.closer]} overall; month by month "
        f"the P50 is closer in {backtest.p50_closer_months} of {n}.",
        f"Coverage: {backtest.coverage} of {n} inside the P10-P90 band (a band that is right "
        "holds about 8 months in 10).",
        f"Total {period(backtest)}: realised {usd(backtest.realised_total)}; forecast P50 "
        f"{usd(backtest.total.p50)}, P10 {usd(backtest.total.p10)} to P90 "
        f"{usd(backtest.total.p90)} ({'inside' if backtest.total_inside else 'outside'}); "
        f"naive {usd(backtest.naive_total)}.",
    ]
    lines.append(
        f"Where it came from: the forecast's mean {usd(backtest.mean_total)} holds "
        f"{usd(backtest.mean_open)} from deals open on {backtest.as_of}; the export shows "
        f"{usd(backtest.realised_open)} won from them and "
        f"{usd(backtest.realised_total - backtest.realised_open)} from deals created since."
    )
    for name in backtest.not_compared:
        lines.append(f"{name} not compared: the export ends on {backtest.export_end}, inside it.")
    return lines


def backtest_output(backtest: Backtest, title: str) -> Group:
    """The month-by-month table and the lines under it."""
    table = Table(title=Text(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Month")
    for heading in ("Realised", "P10", "P50", "P90", "Inside P10-P90?", "Naive", "Closer"):
        table.add_column(heading, justify="right")
    for m in backtest.months:
        b = m.bookings
        cells = [usd(v) for v in (m.realised.acv_usd, b.p10, b.p50, b.p90)]
        table.add_row(m.name, *cells, yes_no(m.inside), usd(m.naive_usd), m.closer)
    return Group(table, *(Text(line) for line in backtest_lines(backtest)))
