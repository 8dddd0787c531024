"""The metric registry: every metric declared once, with what a reader needs to show it.

Each entry names a column of the summary table (one value per replication) or of the monthly
table, and gives its human label, its unit, which direction is better, a one-line description
and the report section it belongs to. ``simulator.metrics`` derives its column lists from here,
the console and the report take labels, units and directions from here, and a test checks that
every column the model produces has an entry. Values are formatted here too, so a difference
reads the same everywhere: ``+$1.2M``, ``+3.1 pts``, ``-0.7 hunters``, ``+12 days``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

UNITS = ("usd", "share", "count", "days", "hours", "ratio")
"""usd: US dollars. share: a fraction shown as a percentage (NRR may exceed 100%); its
differences are percentage points. count: a number of things, named by the metric's ``noun``.
days, hours: durations. ratio: a plain multiple (LTV / CAC)."""

BETTER = ("higher", "lower", "neither")

SECTIONS = (
    "pipeline",
    "outcomes",
    "bookings",
    "speed",
    "death spiral",
    "revenue",
    "marketing",
    "economics",
)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    better: str
    description: str
    section: str
    kind: str = "summary"  # or "monthly"
    noun: str = ""  # what a count counts ("deals", "hunters"); empty for other units
    key: bool = False  # one of the metrics a comparison leads with

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"

    @property
    def has_direction(self) -> bool:
        return self.better != "neither"


def _m(name, label, unit, better, section, description, noun="", key=False, kind="summary"):
    if unit == "count" and not noun:
        noun = "deals"
    return Metric(name, label, unit, better, description, section, kind, noun, key)


_SUMMARY = (
    _m("leads_total", "Leads", "count", "higher", "pipeline",
       "Leads that arrived: inbound, direct marketing and outbound.", "leads"),
    _m("leads_unanswered", "Unanswered leads", "count", "lower", "pipeline",
       "Leads nobody called within their patience window.", "leads"),
    _m("opportunities", "Opportunities", "count", "neither", "pipeline",
       "Leads a hunter called, opened as opportunities."),
    _m("qualified", "Qualified opportunities", "count", "higher", "pipeline",
       "Opportunities that passed qualification."),
    _m("qualification_rate", "Qualification rate", "share", "higher", "pipeline",
       "Qualified opportunities as a share of leads.", key=True),
    _m("evaluations", "Evaluations", "count", "higher", "pipeline",
       "Opportunities that reached the evaluation stage."),
    _m("proposals", "Proposals", "count", "higher", "pipeline",
       "Opportunities that reached the proposal stage."),
    _m("won", "Deals won", "count", "higher", "outcomes",
       "Opportunities closed won.", key=True),
    _m("lost_competitor", "Lost to a competitor", "count", "lower", "outcomes",
       "Opportunities lost to a competitor."),
    _m("lost_household_brand", "Lost to a household name", "count", "lower", "outcomes",
       "Opportunities lost to a household-name vendor."),
    _m("lost_no_decision", "Lost to no decision", "count", "lower", "outcomes",
       "Opportunities where the buyer decided to do nothing."),
    _m("disqualified", "Disqualified", "count", "lower", "outcomes",
       "Opportunities screened out at qualification."),
    _m("stalled", "Stalled", "count", "lower", "outcomes",
       "Opportunities that went quiet after qualification."),
    _m("open_at_horizon", "Open at the horizon", "count", "neither", "outcomes",
       "Opportunities still open when the simulation ends."),
    _m("win_rate", "Win rate", "share", "higher", "outcomes",
       "Won / decided after qualification (won + lost + no decision + stalled).", key=True),
    _m("cycle_days_won_median", "Won-deal cycle, median days", "days", "lower", "speed",
       "Days from opening to signature, median over won deals.", key=True),
    _m("cycle_days_won_mean", "Won-deal cycle, mean days", "days", "lower", "speed",
       "Days from opening to signature, mean over won deals."),
    _m("cycle_days_won_median_enterprise", "Enterprise cycle, median days", "days", "lower",
       "speed", "Days from opening to signature, median over won enterprise deals."),
    _m("cycle_days_won_median_mid_market", "Mid-market cycle, median days", "days", "lower",
       "speed", "Days from opening to signature, median over won mid-market deals."),
    _m("bookings_12m", "Bookings at 12 months", "usd", "higher", "bookings",
       "ACV signed in the first 12 months, beta conversions included."),
    _m("bookings_24m", "Bookings at 24 months", "usd", "higher", "bookings",
       "ACV signed in the first 24 months, beta conversions included.", key=True),
    _m("bookings_36m", "Bookings at 36 months", "usd", "higher", "bookings",
       "ACV signed in the first 36 months, beta conversions included.", key=True),
    _m("meetings_q1", "Prospect meetings in Q1", "count", "neither", "speed",
       "Prospect meetings in the first quarter (activity, not an outcome).", "meetings",
       key=True),
    _m("lead_wait_hours_median", "First-call wait, median hours", "hours", "lower", "speed",
       "Hours from an inbound or direct lead's arrival to its first call, median.", key=True),
    _m("demo_wait_days_mean", "Demo wait, mean days", "days", "lower", "speed",
       "Days a demo waited for a sales engineer, mean."),
    _m("premature_proposals", "Premature proposals", "count", "lower", "pipeline",
       "Proposals sent before discovery was done.", "proposals"),
    _m("sponsorless_won", "Won without a sponsor", "count", "neither", "outcomes",
       "Always 0: without an executive sponsor nothing closes won."),
    _m("meeting_attendees_q1", "Meeting attendees in Q1", "count", "neither", "death spiral",
       "People attending prospect meetings in the first quarter.", "people"),
    _m("vaporware_pitches", "Vaporware pitches", "count", "neither", "death spiral",
       "Times a hunter pitched an announced, unshipped feature.", "pitches"),
    _m("beta_partners", "Beta partners", "count", "neither", "death spiral",
       "Beta / launch-partner deals offered."),
    _m("hunters_put_on_plan", "Hunters put on a plan", "count", "lower",
       "death spiral", "Times a hunter under quota was put on a performance plan.", "hunters",
       key=True),
    _m("hunter_attrition", "Hunters who left", "count", "lower", "death spiral",
       "Hunters who left after failing their performance plan.", "hunters", key=True),
    _m("feature_references", "Feature references", "count", "higher", "death spiral",
       "Customers who became references for a new feature.", "references", key=True),
    _m("deals_waiting_on_release_peak", "Most deals awaiting a release", "count", "lower",
       "death spiral", "Most opportunities waiting at once for a promised feature."),
    _m("release_slip_days", "Release slip, mean days", "days", "lower", "death spiral",
       "Mean lateness of announced features against the date promised to prospects."),
    _m("fatigued_opportunities", "Fatigued opportunities", "count", "lower", "death spiral",
       "Opportunities where only the lowest-level contact still attends."),
    _m("new_faces", "New faces on committees", "count", "lower", "death spiral",
       "Committee members replaced while a deal waited, to be won again.", "people"),
    _m("orphaned_opportunities", "Deals orphaned by a leaver", "count", "lower", "death spiral",
       "Open opportunities whose hunter left."),
    _m("win_rate_late", "Win rate, last year", "share", "higher", "outcomes",
       "Win rate over the last year of the horizon."),
    _m("leads_inbound", "Inbound leads", "count", "higher", "marketing",
       "Leads who raised their hand.", "leads"),
    _m("leads_direct", "Direct-marketing leads", "count", "higher", "marketing",
       "Leads from direct-marketing campaigns.", "leads"),
    _m("leads_outbound", "Outbound leads", "count", "neither", "marketing",
       "Leads hunters prospected themselves.", "leads"),
    _m("arr_end", "ARR at the horizon", "usd", "higher", "revenue",
       "Annual recurring revenue when the simulation ends.", key=True),
    _m("customers_end", "Customers at the horizon", "count", "higher", "revenue",
       "Customers when the simulation ends.", "customers"),
    _m("churned_customers", "Churned customers", "count", "lower", "revenue",
       "Customers who left.", "customers"),
    _m("logo_churn_rate", "Logo churn, last year", "share", "lower", "revenue",
       "Share of the customers of a year before the end who left since.", key=True),
    _m("grr", "Gross revenue retention", "share", "higher", "revenue",
       "Last year's customers: their ARR now (no expansion) against their ARR then.", key=True),
    _m("nrr", "Net revenue retention", "share", "higher", "revenue",
       "Last year's customers: their ARR now (expansion included) against their ARR then.",
       key=True),
    _m("expansion_arr", "Expansion ARR", "usd", "higher", "revenue",
       "ARR added by upsells to existing customers."),
    _m("references_end", "References at the horizon", "count", "higher", "revenue",
       "Customers willing to be a reference when the simulation ends.", "references",
       key=True),
    _m("detractors_end", "Detractors", "count", "lower", "revenue",
       "Unhappy former customers or ignored leads who speak against us.", "detractors"),
    _m("time_to_value_days_median", "Time to value, median days", "days", "lower", "revenue",
       "Days from signature to the value-realisation event, median."),
    _m("expectation_gaps", "Expectation gaps", "count", "lower", "revenue",
       "Implementations that found capabilities promised but not licensed.", "accounts"),
    _m("aware_share_end", "Market aware of us (end)", "share", "higher", "marketing",
       "Share of the market's accounts aware of us when the simulation ends."),
    _m("marketing_spend", "Marketing spend", "usd", "neither", "economics",
       "Brand and direct-marketing spend over the horizon."),
    _m("cac", "Customer acquisition cost", "usd", "lower", "economics",
       "Marketing plus hunters and sales engineers, per new customer.", key=True),
    _m("ltv_cac", "LTV / CAC", "ratio", "higher", "economics",
       "Lifetime value of a customer (ARR x margin / churn) over its acquisition cost.",
       key=True),
)  # fmt: skip


def _monthly(name, label, unit, better, section, description, noun=""):
    return _m(name, label, unit, better, section, description, noun, kind="monthly")


_MONTHLY = (
    _monthly("leads", "Leads", "count", "higher", "pipeline", "Leads that arrived.", "leads"),
    _monthly("opportunities", "Opportunities", "count", "neither", "pipeline",
             "Opportunities opened."),
    _monthly("qualified", "Qualified opportunities", "count", "higher", "pipeline",
             "Opportunities qualified."),
    _monthly("won", "Deals won", "count", "higher", "outcomes", "Opportunities closed won."),
    _monthly("lost_competitor", "Lost to a competitor", "count", "lower", "outcomes",
             "Opportunities lost to a competitor."),
    _monthly("lost_household_brand", "Lost to a household name", "count", "lower", "outcomes",
             "Opportunities lost to a household-name vendor."),
    _monthly("lost_no_decision", "Lost to no decision", "count", "lower", "outcomes",
             "Opportunities where the buyer decided to do nothing."),
    _monthly("disqualified", "Disqualified", "count", "lower", "outcomes",
             "Opportunities screened out."),
    _monthly("stalled", "Stalled", "count", "lower", "outcomes", "Opportunities that stalled."),
    _monthly("bookings", "Bookings", "usd", "higher", "bookings", "ACV signed in the month."),
    _monthly("meetings", "Prospect meetings", "count", "neither", "speed",
             "Prospect meetings held.", "meetings"),
    _monthly("vaporware_pitches", "Vaporware pitches", "count", "neither", "death spiral",
             "Pitches of announced, unshipped features.", "pitches"),
    _monthly("new_faces", "New faces on buying committees", "count", "lower", "death spiral",
             "Committee members replaced.", "people"),
    _monthly("fatigued_opportunities", "Fatigued opportunities", "count", "lower",
             "death spiral", "Opportunities that reached fatigue."),
    _monthly("feature_references", "Feature references", "count", "higher", "death spiral",
             "Customers who became references for a new feature.", "references"),
    _monthly("hunters_put_on_plan", "Hunters put on a plan", "count", "lower",
             "death spiral", "Hunters put on a plan in the month.", "hunters"),
    _monthly("hunter_attrition", "Hunters who left", "count", "lower", "death spiral",
             "Hunters who left in the month.", "hunters"),
    _monthly("open_opportunities", "Open opportunities", "count", "neither", "pipeline",
             "Opportunities open at the month's end."),
    _monthly("open_pipeline_acv", "Open pipeline (ACV at stake)", "usd", "higher", "pipeline",
             "ACV of qualified opportunities open at the month's end."),
    _monthly("deals_waiting_on_release", "Deals waiting on a release", "count", "lower",
             "death spiral", "Opportunities waiting for a promised feature at the month's end."),
    _monthly("hunters_on_plan", "Hunters on a performance plan", "count", "lower",
             "death spiral", "Hunters on a plan at the month's end.", "hunters"),
    _monthly("hunters", "Hunters", "count", "neither", "death spiral",
             "Hunters employed at the month's end.", "hunters"),
    _monthly("arr", "ARR", "usd", "higher", "revenue", "ARR at the month's end."),
    _monthly("new_arr", "New ARR", "usd", "higher", "revenue",
             "ARR added by new customers and beta conversions."),
    _monthly("expansion_arr", "Expansion ARR", "usd", "higher", "revenue",
             "ARR added by upsells."),
    _monthly("churned_arr", "Churned ARR", "usd", "lower", "revenue", "ARR lost to churn."),
    _monthly("customers", "Customers", "count", "higher", "revenue",
             "Customers at the month's end.", "customers"),
    _monthly("references", "References", "count", "higher", "revenue",
             "References at the month's end.", "references"),
    _monthly("detractors", "Detractors", "count", "lower", "revenue",
             "Detractors so far.", "detractors"),
    _monthly("aware_share", "Market aware of us", "share", "higher", "marketing",
             "Share of the market's accounts aware of us at the month's end."),
    _monthly("brand_adstock", "Brand adstock", "usd", "higher", "marketing",
             "Advertising carry-over: this and past months' brand spend, decayed."),
    _monthly("marketing_spend", "Marketing spend", "usd", "neither", "economics",
             "Brand and direct-marketing spend in the month."),
)  # fmt: skip

SUMMARY: dict[str, Metric] = {m.name: m for m in _SUMMARY}
"""Summary metrics, one value per replication, in the order of the stored columns."""
MONTHLY: dict[str, Metric] = {m.name: m for m in _MONTHLY}
"""Monthly metrics, in the order of the stored columns."""

HEADLINE: tuple[str, ...] = (
    "bookings_24m",
    "arr_end",
    "win_rate",
    "hunter_attrition",
    "nrr",
    "cac",
)
"""The verdict's metrics: who wins, by how much, in money and people."""


def summary_metric(name: str) -> Metric:
    """The registry entry of a summary column; a plain count for columns it does not know
    (a run made by a later version may have more)."""
    found = SUMMARY.get(name)
    if found is not None:
        return found
    return Metric(name, name.replace("_", " ").capitalize(), "count", "neither", "", "", "", "")


# --- formatting -------------------------------------------------------------------------------

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
    if not math.isfinite(value):
        return "n/a"
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


def unit_word(metric: Metric) -> str:
    """The unit a reader sees for a metric's values: $, %, days, hunters, ×."""
    return {
        "usd": "$",
        "share": "%",
        "ratio": "×",
        "days": "days",
        "hours": "hours",
    }.get(metric.unit, metric.noun)


def difference_unit(metric: Metric) -> str:
    """The unit of a difference: percentage points for shares, else the value's unit."""
    return "pts" if metric.unit == "share" else unit_word(metric)


def value_text(metric: Metric, value: float, with_unit: bool = False) -> str:
    """A value as a table shows it: ``$9.91M``, ``48.1%``, ``12.3``, ``3.2×``; ``with_unit``
    adds the noun of counts and durations (``41 days``, ``1.6 hunters``)."""
    noun = (
        (metric.noun or metric.unit)
        if with_unit and metric.unit in ("count", "days", "hours")
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
