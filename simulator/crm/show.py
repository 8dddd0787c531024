"""What ``salesim import`` prints: how the file was read and what was left out, then the
pipeline's statistics (deals by stage, CRM win rate, cycle times, deal sizes, owners, months)."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.crm.dates import iso
from simulator.crm.load import Imported
from simulator.crm.rows import KINDS
from simulator.crm.summary import Cycle, Spread, Summary
from simulator.metrics.catalog import SUMMARY
from simulator.metrics.formats import number

TOP_OWNERS = 5
CRM_WIN_RATE = SUMMARY["crm_win_rate"].label


def _days(value: float) -> str:
    return "not reached" if math.isinf(value) else number(value, "days")


def _table(title: str) -> Table:
    return Table(
        title=Text(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
        header_style="bold", pad_edge=False,
    )  # fmt: skip


def read_lines(imported: Imported) -> Group:
    """How the file was read: format, columns, notes, rows kept, bad rows with examples."""
    deals = imported.deals
    as_of = iso(deals.as_of)
    where = "--as-of" if imported.as_of_given else "the latest date in the export"
    title = Text(f"{imported.path}: ", style="bold")
    title.append(f"{imported.label} ({imported.encoding}), as of {as_of} ({where})")
    mapped = ", ".join(f"{field}={heading}" for field, heading in imported.columns.items())
    lines = [title, Text(f"Columns: {mapped}", style="dim")]
    lines += [Text(f"Note: {note}", style="dim") for note in imported.notes]
    bad = imported.bad
    read = f"{len(deals):,} deals from {bad.rows_read:,} rows"
    if imported.as_of_given:
        read += (
            f"; as of {as_of}: {imported.created_after:,} created later left out, "
            f"{imported.closed_after:,} closed later counted open"
        )
    lines.append(Text(read))
    if bad.total:
        lines.append(Text(f"{bad.total:,} bad rows left out:", style="bold yellow"))
        for kind, (meaning, _) in KINDS.items():
            if kind in bad.counts:
                lines.append(Text(f"  {bad.counts[kind]:,} {meaning}, e.g.:"))
                lines += [Text(f"      {example}", style="dim") for example in bad.examples[kind]]
    return Group(*lines)


def _stages(summary: Summary) -> Table:
    table = _table("Deals by stage")
    for heading in ("Stage", "Outcome", "Deals", "Share"):
        table.add_column(heading, justify="left" if heading in ("Stage", "Outcome") else "right")
    for row in summary.stages:
        share = row["deals"] / summary.deals if summary.deals else math.nan
        table.add_row(row["stage"], row["outcome"], f"{row['deals']:,}", number(share, "share"))
    return table


def _cycles(summary: Summary) -> Group:
    table = _table("Cycle time, created to close (days)")
    for heading in (
        "Outcome",
        "Closed",
        "Open",
        "Median of closed",
        "KM median [95%]",
        "KM P25–P75",
    ):
        table.add_column(heading, justify="left" if heading == "Outcome" else "right")
    for name, c in summary.cycles.items():
        label = "won or lost" if name == "closed" else name
        table.add_row(label, f"{c.closed:,}", f"{c.censored:,}", _days(c.median_closed_days),
                      _median(c), f"{_days(c.km_p25_days)}–{_days(c.km_p75_days)}")  # fmt: skip
    note = Text(
        "KM = Kaplan–Meier: open deals count as not closed yet at their age (censored), deals "
        "closed the other way are left out; the median of closed deals alone is what a CRM "
        "report shows and runs short while deals are open.",
        style="dim",
    )
    return Group(table, note)


def _median(c: Cycle) -> str:
    return f"{_days(c.km_median_days)} [{_days(c.km_median_low)}, {_days(c.km_median_high)}]"


def _spread_usd(name: str, s: Spread) -> str:
    if not s.count:
        return f"{name}: no amounts"
    parts = [number(v, "usd") for v in (s.mean, s.median, s.p10, s.p90, s.total)]
    return (
        f"{name} {s.count:,}: mean {parts[0]}, median {parts[1]}, P10 {parts[2]}, "
        f"P90 {parts[3]}, total {parts[4]}"
    )


def _owners(summary: Summary) -> list[Text | Table]:
    owners = summary.owners
    if not owners["count"]:
        return [Text("Owners: none in the export")]
    deals, rate, won = owners["deals"], owners["crm_win_rate"], owners["won_usd"]
    line = (
        f"Owners: {owners['count']} — deals each {deals['minimum']:.0f}–{deals['maximum']:.0f} "
        f"(median {deals['median']:.0f}); {CRM_WIN_RATE} {number(rate['minimum'], 'share')}–"
        f"{number(rate['maximum'], 'share')} (median {number(rate['median'], 'share')}); won "
        f"{number(won['minimum'], 'usd')}–{number(won['maximum'], 'usd')} each"
    )
    if owners["without_owner"]:
        line += f"; {owners['without_owner']:,} deals without an owner"
    table = _table(f"Top {min(TOP_OWNERS, owners['count'])} owners by won amount")
    for heading in ("Owner", "Deals", "Won", "Lost", "Open", CRM_WIN_RATE, "Won USD"):
        table.add_column(heading, justify="left" if heading == "Owner" else "right")
    for row in owners["listing"][:TOP_OWNERS]:
        table.add_row(
            row["owner"], f"{row['deals']:,}", f"{row['won']:,}", f"{row['lost']:,}",
            f"{row['open']:,}", number(row["crm_win_rate"], "share"),
            number(row["won_usd"], "usd"),
        )  # fmt: skip
    return [Text(line), table]


def _months(summary: Summary) -> Group:
    table = _table("By month")
    for heading in ("Month", "New", "Won", "Lost", "Won USD"):
        table.add_column(heading, justify="left" if heading == "Month" else "right")
    for m in summary.months:
        month = m.month if m.complete else f"{m.month} (part)"
        table.add_row(month, f"{m.new:,}", f"{m.won:,}", f"{m.lost:,}", number(m.won_usd, "usd"))
    q = summary.quarter_end
    lines = [
        table,
        Text("New: opportunities created that month; won, lost, won USD: by close date.",
             style="dim"),
        Text(f"New opportunities a month: {number(summary.new_per_month, 'count')} "
             "(complete months)"),
    ]  # fmt: skip
    if q.get("months"):
        lines.append(
            Text(
                f"Won a month: {number(q['won_per_month'], 'count')} ({q['first_month']} to "
                f"{q['last_month']}); in quarter-end months (Mar, Jun, Sep, Dec) "
                f"{number(q['quarter_end_won'], 'count')} against "
                f"{number(q['other_won'], 'count')} in the others: "
                f"{number(q['ratio'], 'ratio')}"
            )
        )
    return Group(*lines)


def import_output(imported: Imported, summary: Summary) -> Group:
    """The whole printout of ``salesim import``."""
    low, high = summary.crm_win_rate_interval
    outcomes = summary.outcomes
    win = Text(f"{CRM_WIN_RATE} ", style="bold")
    win.append(
        f"{number(summary.crm_win_rate, 'share')} "
        f"[{number(low, 'share')}, {number(high, 'share')}]",
        style="bold",
    )
    win.append(
        f"  won {outcomes['won']:,} / (won + lost {outcomes['lost']:,}), Wilson 95%; "
        f"{outcomes['open']:,} open"
    )
    sizes = summary.deal_size_usd
    parts: list = [read_lines(imported), Text(""), _stages(summary), win, Text("")]
    parts += [_cycles(summary), Text("")]
    parts += [Text("Deal size (USD): " + "; ".join(_spread_usd(k, v) for k, v in sizes.items()))]
    if summary.sources:
        sources = ", ".join(f"{name} {count:,}" for name, count in summary.sources.items())
        parts.append(Text(f"Lead sources: {sources}"))
    parts += [*_owners(summary), _months(summary)]
    return Group(*parts)
