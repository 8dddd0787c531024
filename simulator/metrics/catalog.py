"""The metric registry: every metric declared once, with what a reader needs to show it.

Each entry names a column of the summary table (one value per replication) or of the monthly
table, and gives its human label, its unit, which direction is better, a one-line description,
the report section it belongs to and the report's charts that show it. Everything else derives
from here: the stored columns and their order (``metrics.measure``), the console's table and
verdict, the report's charts and summary table, ``salesim metrics`` and the tests. A test checks
that every column the model produces has an entry. ``simulator.metrics.formats`` writes the values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simulator.model.events import Outcome
from simulator.model.outcomes import OUTCOMES

UNITS = ("usd", "share", "count", "days", "hours", "months", "ratio")
"""usd: US dollars. share: a fraction shown as a percentage (NRR may exceed 100%); its
differences are percentage points. count: a number of things, named by the metric's ``noun``.
days, hours, months: durations. ratio: a plain multiple (LTV / CAC)."""

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
"""The report's groups of metrics, in the order its summary table shows them."""

CHARTS = {
    "fan": "monthly: the median over replications month by month, with 50% and 90% bands",
    "fan_to_date": "monthly, summed to date: a fan chart of the running total",
    "waterfall": "monthly: a flow of the ARR waterfall (subtracted when lower is better)",
    "funnel": "summary: a step of the funnel from lead to won, named by ``step``",
    "fate": "summary: a share of what became of every lead, named by ``step``, in ``colour``",
    "distribution": "summary: a violin of its spread across replications",
}
"""The report's charts a metric can appear in, each showing its metrics in registry order."""


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
    charts: tuple[str, ...] = ()  # report charts that show it (see CHARTS)
    step: str = ""  # its name as a step of a funnel, fate or waterfall chart
    colour: str = ""  # its colour where a chart gives each metric its own

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"

    @property
    def has_direction(self) -> bool:
        return self.better != "neither"

    def to_json(self) -> dict[str, Any]:
        """The entry as ``salesim metrics --json`` lists it."""
        entry = asdict(self)
        entry["headline"] = self.name in HEADLINE and self.kind == "summary"
        entry["charts"] = list(self.charts)
        return entry


def _m(name, label, unit, better, section, description, noun="", key=False, kind="summary",
       charts=(), step="", colour=""):  # fmt: skip
    if unit == "count" and not noun:
        noun = "deals"
    return Metric(
        name, label, unit, better, description, section, kind, noun, key, charts, step, colour
    )


_SUMMARY = (
    _m("leads_total", "Leads", "count", "higher", "pipeline",
       "Leads that arrived: inbound, direct marketing and outbound.", "leads",
       charts=("funnel",), step="leads"),
    _m("leads_unanswered", "Unanswered leads", "count", "lower", "pipeline",
       "Leads nobody called within their patience window.", "leads",
       charts=("fate",), step="never answered", colour="#c62828"),
    _m("opportunities", "Opportunities", "count", "neither", "pipeline",
       "Leads a hunter called, opened as opportunities."),
    _m("qualified", "Qualified opportunities", "count", "higher", "pipeline",
       "Opportunities that passed qualification.",
       charts=("funnel",), step="qualified"),
    _m("qualification_rate", "Qualification rate", "share", "higher", "pipeline",
       "Qualified opportunities as a share of leads.", key=True),
    _m("evaluations", "Evaluations", "count", "higher", "pipeline",
       "Opportunities that reached the evaluation stage.",
       charts=("funnel",), step="evaluation"),
    _m("proposals", "Proposals", "count", "higher", "pipeline",
       "Opportunities that reached the proposal stage.",
       charts=("funnel",), step="proposal"),
    *(
        _m(o.column, o.label, "count", o.better, "outcomes", o.description,
           key=o.outcome == Outcome.WON, step=o.step, colour=o.colour,
           charts=("funnel", "fate") if o.outcome == Outcome.WON else ("fate",))
        for o in OUTCOMES
    ),
    _m("open_at_horizon", "Open at the horizon", "count", "neither", "outcomes",
       "Opportunities still open when the simulation ends.",
       charts=("fate",), step="still open at the end", colour="#9aa5b1"),
    _m("win_rate", "Win rate of forecast deals", "share", "higher", "outcomes",
       "Won / forecast deals, those decided after a proposal (won + lost + no decision + "
       "stalled; CSO Insights' definition).", key=True),
    _m("crm_win_rate", "CRM win rate", "share", "higher", "outcomes",
       "Won / (won + lost) as a CRM records them: every opportunity that had its first "
       "meeting and closed, lost counting disqualified, pulled out, stalled, no decision and "
       "lost to a rival (what salesim import and calibrate report of an export)."),
    _m("cycle_days_won_median", "Won-deal cycle, median days", "days", "lower", "speed",
       "Days from opening to signature, median over won deals.", key=True),
    _m("cycle_days_won_mean", "Won-deal cycle, mean days", "days", "lower", "speed",
       "Days from opening to signature, mean over won deals."),
    _m("cycle_days_won_median_enterprise", "Enterprise cycle, median days", "days", "lower",
       "speed", "Days from opening to signature, median over won enterprise deals."),
    _m("cycle_days_won_median_mid_market", "Mid-market cycle, median days", "days", "lower",
       "speed", "Days from opening to signature, median over won mid-market deals."),
    _m("cycle_days_won_median_smb", "SMB cycle, median days", "days", "lower",
       "speed", "Days from opening to signature, median over won small-business deals."),
    _m("bookings_12m", "Bookings at 12 months", "usd", "higher", "bookings",
       "ACV signed in the first 12 months, beta conversions included."),
    _m("bookings_24m", "Bookings at 24 months", "usd", "higher", "bookings",
       "ACV signed in the first 24 months, beta conversions included.", key=True,
       charts=("distribution",)),
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
       "Won without an executive sponsor: only deals that do not replace a working process."),
    _m("lost_no_decision_no_sponsor", "No decision, no sponsor", "count", "lower",
       "outcomes", "No decision on deals that replace a working process and have no executive "
       "sponsor (part of lost to no decision)."),
    _m("sponsorless_hunter_days", "Sponsorless hunter days", "days", "lower",
       "pipeline", "Hunter days (a deal's open days / slots per hunter) spent on deals that "
       "replace a working process without an executive sponsor: they cannot close won."),
    _m("sponsorless_engineer_days", "Sponsorless engineer days", "days", "lower",
       "pipeline", "Sales-engineer demo days spent on deals that replace a working process "
       "without an executive sponsor: they cannot close won."),
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
       "Hunters who left: after failing their performance plan, or of their own accord (a "
       "team cut to a smaller team.hunters on a CRM start is not attrition).",
       "hunters", key=True),
    _m("hunters_resigned", "Hunters who quit", "count", "lower",
       "death spiral", "Voluntary exits, whose hazard rises as attainment falls below quota.",
       "hunters"),
    _m("hunter_turnover_rate", "Hunter turnover a year", "share", "lower", "death spiral",
       "Hunters who left, plan and voluntary, per hunter seat per year (seats: the team on "
       "day 0 and the planned hires from their start, vacancies included)."),
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
    _m("win_rate_late", "Late win rate (forecast deals)", "share", "higher", "outcomes",
       "Win rate of forecast deals over the last year of the horizon."),
    _m("leads_inbound", "Inbound leads", "count", "higher", "marketing",
       "Leads who raised their hand.", "leads"),
    _m("leads_direct", "Direct-marketing leads", "count", "higher", "marketing",
       "Leads from direct-marketing campaigns.", "leads"),
    _m("leads_outbound", "Outbound leads", "count", "neither", "marketing",
       "Leads hunters prospected themselves.", "leads"),
    _m("arr_end", "ARR at the horizon", "usd", "higher", "revenue",
       "Annual recurring revenue when the simulation ends.", key=True,
       charts=("distribution",)),
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
    _m("contracted_arr", "Scaled-back ARR", "usd", "lower", "revenue",
       "ARR customers dropped at renewal after an expectation gap (scaled-back scope)."),
    _m("hunter_check_ins", "Hunter check-ins", "count", "neither", "revenue",
       "Check-ins on customers by hunters with a free slot (hunter_only handoff).",
       "check-ins"),
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
       "Acquisition roles (hunters and sales engineers, fully loaded) plus marketing, over the "
       "horizon, per new customer. Farmers serve customers and are not in it.", key=True),
    _m("cost_to_serve", "Cost to serve", "usd", "lower", "economics",
       "Farmers employed (fully loaded) over the horizon."),
    _m("total_cost", "Total go-to-market cost", "usd", "lower", "economics",
       "Marketing, acquisition roles and farmers over the horizon, all fully loaded: CAC x new "
       "customers plus the cost to serve."),
    _m("ltv_cac", "LTV / CAC", "ratio", "higher", "economics",
       "Lifetime value of a customer over its acquisition cost, with all costs: LTV = (ARR per "
       "customer x gross margin - cost to serve per customer-year) / annual logo churn "
       "(floored); CAC = acquisition roles fully loaded plus marketing, per new customer.",
       key=True),
    _m("new_arr", "New ARR signed", "usd", "higher", "economics",
       "ARR signed with new customers and beta conversions over the horizon (before churn "
       "and expansion): what go-to-market spend buys."),
    _m("new_arr_margin", "New ARR at gross margin", "usd", "higher", "economics",
       "New ARR signed times the gross margin: the yearly gross profit that repays the cost "
       "of acquiring it."),
    _m("payback_months", "CAC payback, months", "months", "lower", "economics",
       "Months of gross margin on the new ARR that repay its acquisition cost (acquisition "
       "roles and marketing over the horizon / (new ARR x gross margin / 12))."),
)  # fmt: skip


def _monthly(name, label, unit, better, section, description, noun="", **chart):
    return _m(name, label, unit, better, section, description, noun, kind="monthly", **chart)


_MONTHLY = (
    _monthly("leads", "Leads", "count", "higher", "pipeline", "Leads that arrived.", "leads"),
    _monthly("opportunities", "Opportunities", "count", "neither", "pipeline",
             "Opportunities opened."),
    _monthly("qualified", "Qualified opportunities", "count", "higher", "pipeline",
             "Opportunities qualified."),
    *(_monthly(o.column, o.label, "count", o.better, "outcomes", o.description)
      for o in OUTCOMES),
    _monthly("bookings", "Bookings", "usd", "higher", "bookings", "ACV signed in the month.",
             charts=("fan_to_date",)),
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
             "Opportunities open at the month's end.",
             charts=("fan",)),
    _monthly("open_pipeline_acv", "Open pipeline (ACV at stake)", "usd", "higher", "pipeline",
             "ACV of qualified opportunities open at the month's end.",
             charts=("fan",)),
    _monthly("deals_waiting_on_release", "Deals waiting on a release", "count", "lower",
             "death spiral", "Opportunities waiting for a promised feature at the month's end."),
    _monthly("hunters_on_plan", "Hunters on a performance plan", "count", "lower",
             "death spiral", "Hunters on a plan at the month's end.", "hunters",
             charts=("fan",)),
    _monthly("hunters", "Hunters", "count", "neither", "death spiral",
             "Hunters employed at the month's end.", "hunters"),
    _monthly("arr", "ARR", "usd", "higher", "revenue", "ARR at the month's end.",
             charts=("fan",)),
    _monthly("new_arr", "New ARR", "usd", "higher", "revenue",
             "ARR added by new customers and beta conversions.",
             charts=("waterfall",), step="new customers"),
    _monthly("expansion_arr", "Expansion ARR", "usd", "higher", "revenue",
             "ARR added by upsells.",
             charts=("waterfall",), step="expansion"),
    _monthly("churned_arr", "Churned ARR", "usd", "lower", "revenue", "ARR lost to churn.",
             charts=("waterfall",), step="churn"),
    _monthly("contracted_arr", "Scaled-back ARR", "usd", "lower", "revenue",
             "ARR dropped at renewal after an expectation gap.",
             charts=("waterfall",), step="scale-back"),
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


KEY_METRICS: tuple[str, ...] = HEADLINE + tuple(
    name for name, metric in SUMMARY.items() if metric.key and name not in HEADLINE
)
"""The metrics a comparison leads with: the verdict's, then the other key ones."""

LOWER_IS_BETTER: frozenset[str] = frozenset(
    metric.name for metric in (*SUMMARY.values(), *MONTHLY.values()) if metric.lower_is_better
)
"""Metrics (summary or monthly) that are better when lower."""


def charted(chart: str) -> tuple[Metric, ...]:
    """The metrics a report chart shows (see CHARTS), in registry order."""
    if chart not in CHARTS:
        raise ValueError(f"{chart!r} is not a chart; known: {', '.join(CHARTS)}")
    return tuple(m for m in (*SUMMARY.values(), *MONTHLY.values()) if chart in m.charts)


def summary_metric(name: str) -> Metric:
    """The registry entry of a summary column; a plain count for columns it does not know
    (a run made by a later version may have more)."""
    found = SUMMARY.get(name)
    if found is not None:
        return found
    return Metric(name, name.replace("_", " ").capitalize(), "count", "neither", "", "")


def registry_json() -> dict[str, list[dict[str, Any]]]:
    """Every metric, summary then monthly, as ``salesim metrics --json`` prints it."""
    return {
        "summary": [m.to_json() for m in SUMMARY.values()],
        "monthly": [m.to_json() for m in MONTHLY.values()],
    }
