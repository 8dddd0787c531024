"""The hunter's part of a story: joining the team, the quota reviews, the plan and leaving."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator.model.events import ExitReason, Kind
from simulator.parameters import Parameters
from simulator.story.beats import HUNTER_KINDS
from simulator.story.items import Event
from simulator.story.months import last_month_before, month_of
from simulator.story.tenure import Tenure
from simulator.story.wording import money, plural
from simulator.units import DAYS_PER_MONTH


def strategy_words(parameters: Parameters, day: float) -> str:
    """The pitch strategy a hunter joins under, with the switch the scenario makes, if any."""
    strategy = parameters.strategy
    now = strategy.pitch.replace("_", " ")
    switch = strategy.switch
    if switch.month is None or switch.pitch is None:
        return now
    then = switch.pitch.replace("_", " ")
    if day >= switch.month * DAYS_PER_MONTH:
        return f"{then} (switched to at the end of month {switch.month})"
    return f"{now}, until the end of month {switch.month}; then {then}"


def hired_event(tenure: Tenure) -> Event:
    """The story's first line: the hunter, the team, the quota and the pitch strategy."""
    parameters = tenure.parameters
    team, market = parameters.team, parameters.market
    strategy = strategy_words(parameters, tenure.hired_day)
    quota = team.quota.usd_per_month
    if tenure.hired_day == 0:
        text = (
            f"{tenure.name} is one of {team.hunters} hunters selling to "
            f"{market.accounts:,} accounts. Quota: {money(quota)} of new annual contract "
            f"value a month. The team's pitch strategy: {strategy}."
        )
    else:
        text = (
            f"{tenure.name} joins the team, replacing a hunter who left, and ramps up over "
            f"{team.ramp_months:g} months. Quota: {money(quota)} a month. "
            f"The team's pitch strategy: {strategy}."
        )
    facts = {"quota_usd_per_month": quota, "strategy": parameters.strategy.pitch}
    return Event(
        tenure.hired_day, "hired", text, tenure.hunter, None, facts, Kind.HUNTER_HIRED,
        tenure.hunter, tenure.hired_seq,
    )  # fmt: skip


def hunter_events(tenure: Tenure) -> list[Event]:
    log, hunter, name = tenure.log, tenure.hunter, tenure.name
    quota = tenure.parameters.team.quota
    rows = np.flatnonzero((log["actor"] == hunter) & np.isin(log["kind"], list(HUNTER_KINDS)))
    trailing = f"the last {quota.trailing_months:g} months"
    events = []
    for seq in rows.tolist():
        record = log[seq]
        day, logged, value = float(record["day"]), Kind(record["kind"]), float(record["value"])
        share = f"{value:.0%} of quota over {trailing}"
        facts: dict[str, Any] = {"attainment": value}
        if logged == Kind.QUOTA_REVIEW:
            story_kind = "review"
            since = max(day - quota.trailing_months * DAYS_PER_MONTH, tenure.hired_day, 0.0)
            first, last = month_of(since), last_month_before(day)
            facts["trailing_months"] = quota.trailing_months
            facts["first_month"], facts["last_month"] = first, last
            text = f"Quota review: {name} booked {share} (months {first}-{last})."
        elif logged == Kind.PLAN_STARTED:
            story_kind = "plan"
            text = (
                f"Under the bar of {quota.plan_threshold:.0%}: {name} is put on the plan. "
                f"Desperate, {name} is now likelier to pitch whatever is new."
            )
        elif logged == Kind.PLAN_ENDED:
            story_kind = "off_plan"
            text = f"{name} is back above the bar ({share}) and off the plan."
        else:
            story_kind = "leaves"
            orphaned = len(tenure.orphaned_at_exit)
            start = month_of(day + quota.hiring_delay_months * DAYS_PER_MONTH)
            facts["open_deals_orphaned"] = orphaned
            then = f"a replacement starts in month {start} and ramps up from scratch"
            if record["code"] == ExitReason.VOLUNTARY:
                facts["attainment"] = None if math.isnan(value) else value
                reason = "Tired of missing quota" if value < 1 else "Of their own accord"
                why = f"{reason}, {name} quits."
            elif record["code"] == ExitReason.REDUCED:
                why = f"The team is cut to its planned size: {name} leaves."
                then = "the seat is not refilled"
            else:
                why = f"Still under the bar after the plan's term: {name} leaves."
            if orphaned == 0:
                lost = "No open deals lose their relationship"
            else:
                lose = "loses its" if orphaned == 1 else "lose their"
                lost = f"{plural(orphaned, 'open deal')} {lose} relationship"
            text = f"{why} {lost}; {then}."
        events.append(Event(day, story_kind, text, hunter, None, facts, logged, hunter, seq))
    return events
