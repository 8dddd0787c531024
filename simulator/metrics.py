"""Metrics: pure functions from one replication's event log to a summary row and a monthly table.

Every metric is defined here and only here; the runner, the tests and the report all read these.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.entities import ENTERPRISE, MID_MARKET
from simulator.events import Discovery, Kind, Outcome, Source
from simulator.scenario import DAYS_PER_MONTH

SUMMARY_COLUMNS: tuple[str, ...] = (
    "leads_total",
    "leads_unanswered",
    "opportunities",
    "qualified",
    "qualification_rate",
    "won",
    "lost_competitor",
    "lost_household_brand",
    "lost_no_decision",
    "disqualified",
    "stalled",
    "open_at_horizon",
    "win_rate",
    "cycle_days_won_median",
    "cycle_days_won_median_enterprise",
    "cycle_days_won_median_mid_market",
    "bookings_12m",
    "bookings_24m",
    "bookings_36m",
    "meetings_q1",
    "lead_wait_hours_median",
    "demo_wait_days_mean",
    "premature_proposals",
    "sponsorless_won",
)
"""Summary metrics, one value per replication. Counts are opportunities unless named otherwise."""

MONTHLY_COLUMNS: tuple[str, ...] = (
    "leads",
    "opportunities",
    "qualified",
    "won",
    "lost_competitor",
    "lost_household_brand",
    "lost_no_decision",
    "disqualified",
    "stalled",
    "bookings",
    "meetings",
    "open_opportunities",
    "open_pipeline_acv",
)
"""Monthly metrics: flows within the month, or stocks at the month's end (``open_*``)."""

LOWER_IS_BETTER: frozenset[str] = frozenset(
    {
        "leads_unanswered",
        "lost_competitor",
        "lost_household_brand",
        "lost_no_decision",
        "disqualified",
        "stalled",
        "cycle_days_won_median",
        "cycle_days_won_median_enterprise",
        "cycle_days_won_median_mid_market",
        "lead_wait_hours_median",
        "demo_wait_days_mean",
        "premature_proposals",
    }
)

_OUTCOME_COLUMNS = {
    Outcome.WON: "won",
    Outcome.LOST_COMPETITOR: "lost_competitor",
    Outcome.LOST_HOUSEHOLD_BRAND: "lost_household_brand",
    Outcome.LOST_NO_DECISION: "lost_no_decision",
    Outcome.DISQUALIFIED: "disqualified",
    Outcome.STALLED: "stalled",
}
_DECIDED = (
    Outcome.WON,
    Outcome.LOST_COMPETITOR,
    Outcome.LOST_HOUSEHOLD_BRAND,
    Outcome.LOST_NO_DECISION,
    Outcome.STALLED,
)


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else math.nan


def summarise(log: np.ndarray, horizon_days: float) -> dict[str, float]:
    """One replication's summary row (see SUMMARY_COLUMNS)."""
    kind = log["kind"]
    closed = log[kind == Kind.CLOSED]
    opened = log[kind == Kind.OPENED]
    qualified = log[kind == Kind.QUALIFIED]
    outcome_counts = np.bincount(closed["code"], minlength=len(Outcome))
    row: dict[str, float] = {
        "leads_total": int(np.count_nonzero(kind == Kind.LEAD)),
        "leads_unanswered": int(np.count_nonzero(kind == Kind.LEAD_UNANSWERED)),
        "opportunities": int(opened.size),
        "qualified": int(qualified.size),
    }
    row["qualification_rate"] = (
        row["qualified"] / row["leads_total"] if row["leads_total"] else math.nan
    )
    for outcome, column in _OUTCOME_COLUMNS.items():
        row[column] = int(outcome_counts[outcome])
    row["open_at_horizon"] = int(opened.size - closed.size)
    decided = int(sum(outcome_counts[o] for o in _DECIDED))
    row["win_rate"] = row["won"] / decided if decided else math.nan

    won = closed[closed["code"] == Outcome.WON]
    leads = log[kind == Kind.LEAD]
    segment_of = dict(zip(leads["subject"].tolist(), leads["value"].tolist(), strict=True))
    opened_day = dict(zip(opened["subject"].tolist(), opened["day"].tolist(), strict=True))
    won_ids = won["subject"].tolist()
    cycle = np.array(
        [day - opened_day[s] for s, day in zip(won_ids, won["day"].tolist(), strict=True)]
    )
    won_segment = np.array([segment_of[s] for s in won_ids])
    row["cycle_days_won_median"] = _median(cycle)
    row["cycle_days_won_median_enterprise"] = _median(cycle[won_segment == ENTERPRISE])
    row["cycle_days_won_median_mid_market"] = _median(cycle[won_segment == MID_MARKET])
    for months in (12, 24, 36):
        row[f"bookings_{months}m"] = float(won["value"][won["day"] < months * DAYS_PER_MONTH].sum())

    meetings = log[kind == Kind.MEETING]
    row["meetings_q1"] = int(np.count_nonzero(meetings["day"] < 3 * DAYS_PER_MONTH))
    answered = opened[opened["code"] != Source.OUTBOUND]
    row["lead_wait_hours_median"] = _median(answered["value"])
    demos = log[kind == Kind.DEMO_STARTED]
    row["demo_wait_days_mean"] = float(demos["value"].mean()) if demos.size else math.nan
    row["premature_proposals"] = int(np.count_nonzero(kind == Kind.PREMATURE_PROPOSAL))
    sponsored = set(qualified["subject"][(qualified["code"] & Discovery.SPONSOR) != 0].tolist())
    row["sponsorless_won"] = sum(1 for s in won["subject"].tolist() if s not in sponsored)
    return row


def monthly(log: np.ndarray, horizon_months: int) -> dict[str, np.ndarray]:
    """One replication's monthly table: a column per MONTHLY_COLUMNS, ``horizon_months`` rows."""
    kind = log["kind"]
    month = np.minimum((log["day"] // DAYS_PER_MONTH).astype(np.int64), horizon_months - 1)

    def count(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(
            month[mask],
            weights=None if weights is None else weights[mask],
            minlength=horizon_months,
        )

    closed = kind == Kind.CLOSED
    table: dict[str, np.ndarray] = {
        "leads": count(kind == Kind.LEAD),
        "opportunities": count(kind == Kind.OPENED),
        "qualified": count(kind == Kind.QUALIFIED),
    }
    for outcome, column in _OUTCOME_COLUMNS.items():
        table[column] = count(closed & (log["code"] == outcome))
    won = closed & (log["code"] == Outcome.WON)
    table["bookings"] = count(won, log["value"]).astype(float)
    table["meetings"] = count(kind == Kind.MEETING)
    table["open_opportunities"] = np.cumsum(table["opportunities"]) - np.cumsum(count(closed))
    table["open_pipeline_acv"] = _open_pipeline_value(log, horizon_months)
    return {name: table[name] for name in MONTHLY_COLUMNS}


def _open_pipeline_value(log: np.ndarray, horizon_months: int) -> np.ndarray:
    """ACV at stake in qualified opportunities still open at each month's end."""
    kind = log["kind"]
    qualified = log[kind == Kind.QUALIFIED]
    closed = log[kind == Kind.CLOSED]
    closed_month = dict(
        zip(
            closed["subject"].tolist(),
            (closed["day"] // DAYS_PER_MONTH).tolist(),
            strict=True,
        )
    )
    change = np.zeros(horizon_months + 1)
    for subject, day, value in zip(
        qualified["subject"].tolist(),
        qualified["day"].tolist(),
        qualified["value"].tolist(),
        strict=True,
    ):
        change[int(day // DAYS_PER_MONTH)] += value
        change[int(closed_month.get(subject, horizon_months))] -= value
    return np.cumsum(change)[:horizon_months]
