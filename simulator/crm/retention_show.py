"""What ``salesim import`` prints for a subscription export: how the files were read, what was
left out and where they disagree (with examples), then retention in plain words: customers and
ARR, GRR and NRR, logo churn a year, expansion and contraction, time to churn, churn reasons,
the ARR bridge by month, and a note per convention that changed the numbers."""

from __future__ import annotations

import math

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from simulator.crm.retention import DAYS_PER_YEAR, RetentionSummary
from simulator.crm.subscription_rows import KINDS
from simulator.crm.subscriptions import ImportedCustomers
from simulator.metrics.formats import number

DAYS_PER_MONTH = DAYS_PER_YEAR / 12
ROLE_NAMES = {
    "subscriptions": "subscriptions",
    "accounts": "accounts",
    "churn_events": "churn events",
}
"""How each file's role reads in the printout."""
WINDOW_NAMES = {"history": "Whole history", "trailing_12_months": "Trailing 12 months"}
DEFINITIONS = (
    "Revenue: a paid subscription (not a trial, ARR > 0) adds its ARR from its start date to "
    "its end date (exclusive); an account is a customer while its ARR > 0.",
    "GRR = Σ min(ARR now, ARR then) / Σ ARR then and NRR = Σ ARR now / Σ ARR then, over the "
    "accounts with ARR 12 months before as-of.",
    "Logo churn a year = churns / customer-years at risk (from the first paid day to the churn "
    "or as-of); expansion, contraction and churned ARR a year are shares of the ARR-years.",
    "Each change of ARR is new (first paid day), expansion (a later increase), churned (the "
    "decrease on the churn date) or contraction (any other decrease).",
)
"""The definitions behind the figures, printed under them."""


def _table(title: str, headings: tuple[str, ...]) -> Table:
    table = Table(
        title=Text(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD,
        header_style="bold", pad_edge=False,
    )  # fmt: skip
    for index, heading in enumerate(headings):
        table.add_column(heading, justify="left" if index == 0 else "right")
    return table


def _usd(value: float) -> str:
    return number(value, "usd")


def _share(value: float) -> str:
    return number(value, "share")


def _days(value: float) -> str:
    if math.isinf(value):
        return "not reached"
    return f"{number(value, 'days')} ({number(value / DAYS_PER_MONTH, 'months')} mo)"


def read_lines(imported: ImportedCustomers) -> Group:
    """How the files were read: which, their columns, counts, as-of, conflicts with examples."""
    c, counts = imported.customers, imported.counts
    where = "--as-of" if imported.as_of_given else "the latest date in the export"
    title = Text(f"{imported.files['subscriptions'].parent}: ", style="bold")
    title.append(f"{imported.label}, as of {c.as_of} ({where})")
    read = ", ".join(
        f"{ROLE_NAMES[role]} {path} ({imported.encodings[role]})"
        for role, path in imported.files.items()
    )
    lines = [title, Text(f"Files read: {read}")]
    absent = [ROLE_NAMES[r] for r in ("accounts", "churn_events") if r not in imported.files]
    if absent:
        lines.append(Text(f"No {' or '.join(absent)} file beside it (or named)", style="yellow"))
    for role, columns in imported.columns.items():
        mapped = ", ".join(f"{name}={heading}" for name, heading in columns.items())
        lines.append(Text(f"Columns ({ROLE_NAMES[role]}): {mapped}", style="dim"))
    rows = imported.conflicts.rows_read
    lines.append(
        Text(
            f"{counts['accounts']:,} accounts; {rows['subscriptions']:,} subscription rows: "
            f"{counts['paid_subscriptions']:,} paid, {counts['trial_subscriptions']:,} trials, "
            f"{counts['unpaid_subscriptions']:,} with no ARR; "
            f"{counts['churn_events']:,} churn events ({counts['reactivations']:,} reactivations)"
        )
    )
    if counts["upgrade_flags"] or counts["downgrade_flags"]:
        lines.append(
            Text(
                f"Marked upgrades {counts['upgrade_flags']:,}, downgrades "
                f"{counts['downgrade_flags']:,} (informational: ARR changes are measured from "
                "the amounts)",
                style="dim",
            )
        )
    if imported.as_of_given:
        lines.append(
            Text(
                f"As of {c.as_of}: {counts['started_after_as_of']:,} subscriptions starting later "
                f"left out, {counts['ended_after_as_of']:,} ending later running then, "
                f"{counts['churn_events_after_as_of']:,} later churn events ignored, "
                f"{counts['accounts_after_as_of']:,} accounts signed up later left out"
            )
        )
    conflicts = imported.conflicts
    if conflicts.total:
        lines.append(
            Text(
                f"{conflicts.total:,} rows left out or files disagreeing (none is fatal):",
                style="bold yellow",
            )
        )
        for kind, meaning in KINDS.items():
            if kind in conflicts.counts:
                lines.append(Text(f"  {conflicts.counts[kind]:,} × {meaning}, e.g.:"))
                lines += [Text(f"      {e}", style="dim") for e in conflicts.examples[kind]]
    return Group(*lines)


def _headline(summary: RetentionSummary) -> list[Text]:
    s, cohort = summary, summary.cohort
    line = Text(f"On {s.as_of}: ", style="bold")
    line.append(f"{s.customers:,} customers of {s.accounts:,} accounts, ARR {_usd(s.arr_usd)}",
                style="bold")  # fmt: skip
    line.append(
        f"; {s.never_paid:,} never paid (trials or no ARR, counted apart), "
        f"{s.churned_never_paid:,} churned without ever paying, {s.lapsed:,} with no "
        f"ARR now but not churned; {s.churned:,} churned, and {s.churn_date_unknown:,} flagged "
        "churned on an unknown day (their ARR kept)"
    )
    grr = Text("Trailing 12 months: ", style="bold")
    grr.append(f"GRR {_share(cohort.grr)}, NRR {_share(cohort.nrr)}", style="bold")
    grr.append(
        f" — cohort: {cohort.accounts:,} accounts with ARR on {cohort.day} "
        f"({_usd(cohort.arr_then_usd)} then, {_usd(cohort.arr_now_usd)} now); "
        f"{cohort.churned:,} of them churned ({_share(cohort.churned_share)})"
    )
    lines = [line, grr]
    if not cohort.covers_window:
        lines.append(
            Text(
                f"The export's ARR starts on {s.first_day}, less than 12 months before as-of: "
                "GRR and NRR cover only the accounts paying by then",
                style="yellow",
            )
        )
    return lines


def _rates(summary: RetentionSummary) -> Table:
    names = list(summary.rates)
    headings = tuple(
        f"{WINDOW_NAMES.get(name, name)} ({a} to {b})" for name, (a, b) in summary.windows.items()
    )
    table = _table("Rates a year", ("", *headings))
    rows = (
        ("Logo churn a year (churns / customer-years)", "logo_churn_per_year", _share),
        ("Churns", "churns", lambda v: f"{v:,.0f}"),
        ("Customer-years at risk", "customer_years", lambda v: number(v, "count")),
        ("New ARR a year", "new_arr_usd_per_year", _usd),
        ("Expansion ARR a year", "expansion_arr_usd_per_year", _usd),
        ("  as a share of ARR", "expansion_per_year", _share),
        ("Contraction ARR a year", "contraction_arr_usd_per_year", _usd),
        ("  as a share of ARR", "contraction_per_year", _share),
        ("Churned ARR a year", "churned_arr_usd_per_year", _usd),
        ("  as a share of ARR", "churned_arr_per_year", _share),
    )
    for label, key, shown in rows:
        table.add_row(label, *(shown(summary.rates[name][key]) for name in names))
    return table


def _time_to_churn(summary: RetentionSummary) -> Text:
    t = summary.time_to_churn
    line = Text("Time to churn from the first paid day: ", style="bold")
    line.append(
        f"Kaplan–Meier median {_days(t.km_median_days)} [95% {_days(t.km_median_low)}, "
        f"{_days(t.km_median_high)}], P25 {_days(t.km_p25_days)}, P75 {_days(t.km_p75_days)}"
    )
    line.append(
        f" — days; {t.accounts:,} paying accounts: {t.churned:,} churned, {t.censored:,} not "
        f"yet (counted to as-of), {t.unknown_date:,} churned on an unknown day left out"
    )
    return line


def _reasons(summary: RetentionSummary) -> Table | Text:
    if not summary.reasons:
        return Text("Churn reasons: no churned account")
    table = _table("Churn reasons", ("Reason", "Accounts", "Share"))
    table.caption = "Of churned accounts; not_given: no churn event"
    for row in summary.reasons:
        table.add_row(row["reason"], f"{row['accounts']:,}", _share(row["share"]))
    return table


def _months(summary: RetentionSummary) -> Table:
    table = _table(
        "ARR by month (USD)",
        ("Month", "Start", "New", "Expansion", "Contraction", "Churned", "End"),
    )
    for m in summary.months:
        values = (m.start_arr_usd, m.new_usd, m.expansion_usd, -m.contraction_usd,
                  -m.churned_usd, m.end_arr_usd)  # fmt: skip
        table.add_row(m.month if m.complete else f"{m.month} (part)", *(_usd(v) for v in values))
    return table


def customers_output(imported: ImportedCustomers, summary: RetentionSummary) -> Group:
    """The whole printout of ``salesim import`` for a subscription export."""
    parts: list = [read_lines(imported), Text(""), *_headline(summary), Text("")]
    parts += [_rates(summary), _time_to_churn(summary), Text(""), _reasons(summary)]
    if summary.months:
        parts.append(_months(summary))
    notes = [*imported.notes, *DEFINITIONS]
    parts += [Text("Notes:", style="bold dim"), *(Text(f"  {n}", style="dim") for n in notes)]
    return Group(*parts)
